"""Asset benchmarks: scan throughput (files/s) and the import cost of an asset, cold vs cached.

    .venv/bin/python bench/bench_assets.py [--copies 20] [--workers 2] [--repeats 3]

scan     a library of 11 formats x `--copies` folders (the test library's files, copied, so every
         file is read in full: 220 files by default) scanned by `scan_assets` with `--workers`
         reader processes, from an empty catalog; files/s = files / wall seconds, the reader
         processes' start-up (importing bpy) included. Then a rescan of the unchanged library
         (nothing to read: the resume path). `--repeats` runs each; medians are printed.
import   in one Blender process, per format: the first `asset_mesh` (fetch, sha256 check,
         import, join, normalise) against the next (the sha256-keyed cache); medians over
         `--repeats` fresh processes.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from psynth_data.asset_scan import scan_assets  # noqa: E402

READER = "psynth_render.asset_import:read_stats"

IMPORT_PROBE = r"""
import json, sys, time
import bpy
import polars as pl
from psynth_render.asset_cache import asset_mesh
bpy.ops.wm.read_factory_settings(use_empty=True)
out = {}
for r in pl.read_parquet(sys.argv[1]).filter(pl.col("error").is_null()).iter_rows(named=True):
    if r["format"] in out:
        continue
    a = {"id": r["asset_id"], "uri": r["uri"], "sha256": r["sha256"], "format": r["format"], "up": r["up"]}
    t = time.perf_counter(); asset_mesh(a); cold = time.perf_counter() - t
    t = time.perf_counter(); asset_mesh(a); warm = time.perf_counter() - t
    out[r["format"]] = [cold, warm]
print("RESULT " + json.dumps(out))
"""


def _library(base: Path, copies: int) -> tuple[Path, Path]:
    source = base / "source"
    subprocess.run([sys.executable, "-m", "tests.asset_library", str(source)], cwd=ROOT, check=True,
                   capture_output=True)
    shutil.rmtree(source / "props" / "broken")
    library = base / "library"
    for i in range(copies):
        shutil.copytree(source, library / f"copy_{i:03d}")
    return source, library


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="psynth-bench-assets-") as tmp:
        base = Path(tmp)
        source, library = _library(base, args.copies)
        cold, rescan, files = [], [], 0
        for i in range(args.repeats):
            out = base / f"catalog_{i}.parquet"
            report = scan_assets(str(library), out, READER, workers=args.workers)
            files = report.files
            cold.append(report.files / report.seconds)
            again = scan_assets(str(library), out, READER, workers=args.workers)
            assert again.read == 0
            rescan.append(again.seconds)
        print(f"scan: {files} files, {args.workers} workers: median {statistics.median(cold):.1f} files/s "
              f"(runs: {', '.join(f'{r:.1f}' for r in cold)}); unchanged rescan median {statistics.median(rescan) * 1000:.0f} ms")
        catalog = base / "source.parquet"
        scan_assets(str(source), catalog, READER, workers=args.workers)
        runs = []
        for _ in range(args.repeats):
            done = subprocess.run([sys.executable, "-c", IMPORT_PROBE, str(catalog)], cwd=ROOT, capture_output=True,
                                  text=True, check=True)
            runs.append(json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))[7:]))
        print("import (ms, median): format  cold  cached")
        for fmt in runs[0]:
            cold_ms = statistics.median(r[fmt][0] for r in runs) * 1000
            warm_ms = statistics.median(r[fmt][1] for r in runs) * 1000
            print(f"  {fmt:6s} {cold_ms:8.1f} {warm_ms:8.3f}")


if __name__ == "__main__":
    main()

"""Benchmark `psynth export`: records/s and samples/s, bytes per sample, scaling with workers.

    .venv/bin/python bench/bench_export.py [--shards 8] [--shard-size 50] [--repeats 3] [--workers 1,2]

To compare scene-code versions, run it on another checkout with this venv, e.g.
`git archive OLD | tar -x -C /tmp/old && PYTHONPATH=/tmp/old .venv/bin/python /tmp/old/bench/bench_export.py`.

The dataset is made without rendering by `tests/export_fixtures.py`: per sample the real scene
scripts (base and 2 variants, `describe` + `scene_script`), the real JSON and small PNGs, so the
text the export reads and writes is what a rendered dataset holds (images are 32 px; the hf
figures therefore measure everything but image bytes). Figures are medians of `--repeats` runs
per (format, workers); the load average is printed because the machine is shared.
"""

import argparse
import os
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from psynth_data.export import ExportOptions, export_dataset  # noqa: E402
from psynth_data.storage import LocalStorage  # noqa: E402
from tests.export_fixtures import export_spec, fabricate_dataset  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--shard-size", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    spec = export_spec(samples=args.shards * args.shard_size, shard_size=args.shard_size)
    with tempfile.TemporaryDirectory(prefix="psynth-bench-export-") as tmp:
        storage = LocalStorage(Path(tmp) / "data")
        started = time.perf_counter()
        layout = fabricate_dataset(storage, spec)
        tar_bytes = sum(storage.size(layout.render_key(s)) for s in range(spec.shards))
        code = _code_bytes(storage, layout, spec.shards)
        print(f"dataset: {spec.samples} samples in {spec.shards} shards, {spec.variant_count} variants each, "
              f"{tar_bytes / spec.samples / 1000:.1f} KB of tar per sample (made in {time.perf_counter() - started:.1f} s)")
        print(f"scene code per sample (base + variants' .py, and the helper's share): "
              f"{code['py'] / spec.samples / 1000:.1f} KB + {code['helper'] / spec.samples / 1000:.1f} KB")
        print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
        for fmt in ("instruct", "hf"):
            for workers in (int(w) for w in args.workers.split(",")):
                walls, summary = [], None
                for repeat in range(args.repeats):
                    out = Path(tmp) / f"{fmt}-{workers}-{repeat}"
                    summary = export_dataset(storage, layout, out, ExportOptions(fmt, workers=workers))
                    walls.append(summary["seconds"])
                wall = statistics.median(walls)
                records = sum(summary["records"].values())
                kinds = ", ".join(f"{n} {k}" for k, n in summary["records"].items())
                print(f"{fmt:8s} workers={workers}: {wall:6.2f} s  {records / wall:8.0f} records/s  "
                      f"{summary['samples'] / wall:7.0f} samples/s  {summary['bytes'] / summary['samples'] / 1000:7.1f} "
                      f"KB/sample out  ({kinds})")


def _code_bytes(storage, layout, shards: int) -> dict[str, int]:
    """Bytes of the scripts (`.py` members) and of the helper members over every shard."""
    out = {"py": 0, "helper": 0}
    for shard in range(shards):
        with tarfile.open(storage.path(layout.render_key(shard))) as tar:
            for member in tar.getmembers():
                if member.name.endswith(".py"):
                    out["py"] += member.size
                elif member.name.startswith("__psynth_scene__"):
                    out["helper"] += member.size
    return out


if __name__ == "__main__":
    main()

"""Benchmark of the balance audit at 100 million samples: `psynth audit` vs the same in pandas.

    .venv/bin/python bench/bench_audit.py generate [--root DIR] [--rows N] [--shard-size S]
    PYTHONPATH=/tmp/pdbench .venv/bin/python bench/bench_audit.py run [--root DIR] [--skip-pandas]
        [--pandas-shards N] [--repeat 3] [--no-cold]

`generate` samples bench/bench_spec.psynth (20 stated axes, 8 categorical ones, a require) for
ids 0..N-1 with `sample_shards` in large blocks, and writes per shard: the samples Parquet, a
synthetic QC table (1% random failures plus 6% of glass materials, "too_dark"), and the
manifest (last). Shards are 100,000 samples (1,000 files per table at 100M rows; the default
1,000-sample shards would make 100,000 files, which the index handles with its glob view but
which costs file-open time here). Resumable: shards whose manifest exists are skipped. About
11 GB at 100M rows (the captions dominate); default root ./data/bench_audit (git-ignored).

`run` builds index.duckdb (expected distributions from a 200,000-sample pilot), runs the full
audit (every stated axis, every pair of categorical axes, QC failure rate by value) through
`psynth_data.audit.run_audit`: once right after emptying the page cache (when run as root;
`--no-cold` skips it), then `--repeat` times warm (the median is quoted). Then the same
counting in pandas over the same files (with `--pandas-shards N`: psynth and pandas both on the
first N shards), file by file as a user would by hand (value_counts per axis, groupby per pair,
np.histogram per numeric axis, QC joined by sample id), checks that both give the same counts,
and prints the times and their ratio. pandas is not a project dependency: install it aside,
`pip install --target /tmp/pdbench --no-deps "pandas<3" python-dateutil pytz tzdata`, and put
that folder on PYTHONPATH (or pass --skip-pandas).
"""

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from psynth_data.layout import Layout  # noqa: E402
from psynth_data.storage import LocalStorage  # noqa: E402


def bench_spec(rows: int, shard_size: int):
    from psynth_spec.compile import load_spec

    spec = load_spec(ROOT / "bench" / "bench_spec.psynth")
    shards = -(-rows // shard_size)
    return spec.model_copy(update={"samples": rows, "shard_size": shard_size, "shards_per_partition": max(1, shards // 100)})


def synthetic_qc(frame, shard: int):
    import polars as pl

    from psynth_data.qc import SCHEMA

    n = frame.height
    rng = np.random.default_rng(shard)
    glass = frame["material"].str.starts_with("glass").fill_null(False).to_numpy()
    failed = (rng.random(n) < 0.01) | (glass & (rng.random(n) < 0.06))
    return pl.DataFrame({
        "sample_id": frame["sample_id"], "shard": frame["shard"],
        "mean_luma": np.where(failed, 0.01, rng.uniform(0.2, 0.7, n)), "std_luma": rng.uniform(0.05, 0.2, n),
        "dark_clip_frac": np.where(failed, 0.9, 0.01), "bright_clip_frac": np.full(n, 0.01),
        "object_coverage": rng.uniform(0.05, 0.5, n), "render_seconds": rng.uniform(0.3, 1.2, n),
        "caption_chars": frame["caption"].str.len_chars().cast(pl.Int64),
        "qc_pass": ~failed, "qc_reasons": pl.Series([["too_dark"] if f else [] for f in failed.tolist()],
                                                    dtype=pl.List(pl.Utf8)),
        "nan_frac": pl.Series([None] * n, dtype=pl.Float64),
    }, schema=SCHEMA)


def generate(root: Path, rows: int, shard_size: int) -> None:
    from psynth_data.manifest import Counts, write_manifest
    from psynth_data.qc import write_qc_table
    from psynth_spec.sampler import sample_shards, write_samples_parquet

    spec = bench_spec(rows, shard_size)
    storage, layout = LocalStorage(root), Layout.for_spec(spec)
    todo = [s for s in range(spec.shards) if not storage.exists(layout.manifest_key(s))]
    print(f"{spec.shards} shards of {shard_size:,}; {len(todo)} to write under {storage.path(layout.prefix)}", flush=True)
    started = time.perf_counter()
    done = 0
    # contiguous runs of missing shards, 10 shards per sampler call
    runs = [list(g) for _, g in itertools.groupby(todo, key=lambda s, c=itertools.count(): s - next(c))]
    for run in runs:
        for i in range(0, len(run), 10):
            group = run[i:i + 10]
            for shard, frame in sample_shards(spec, range(group[0], group[-1] + 1)):
                write_samples_parquet(frame, storage.path(layout.samples_key(shard)))
                write_qc_table(storage, layout, shard, synthetic_qc(frame, shard))
                write_manifest(storage, layout, shard, [layout.samples_key(shard), layout.qc_key(shard)],
                               Counts(samples=frame.height, rendered=0, failed=0))
                done += 1
            elapsed = time.perf_counter() - started
            print(f"  {done}/{len(todo)} shards, {elapsed:.0f} s", flush=True)


# ---------------------------------------------------------------- the pandas version
def pandas_counts(files: list[tuple[str, str]], cats: list[str], types: dict[str, str],
                  nums: dict[str, np.ndarray]) -> dict:
    """Per-axis (passed, failed) value counts, pair cell counts and numeric histograms."""
    import pandas as pd

    axis_counts = {c: {} for c in cats}
    pair_counts = {(a, b): {} for a, b in itertools.combinations(cats, 2)}
    hist = {c: np.zeros(len(e) - 1, np.int64) for c, e in nums.items()}
    unset = {c: 0 for c in nums}
    for samples_path, qc_path in files:
        df = pd.read_parquet(samples_path, columns=["sample_id", *cats, *nums])
        qc = pd.read_parquet(qc_path, columns=["sample_id", "qc_pass"])
        df["failed"] = df["sample_id"].isin(qc.loc[~qc["qc_pass"], "sample_id"])
        for c in cats:
            s = df[c]
            if types[c] == "bool":
                s = s.map({True: "true", False: "false"})
            df[c] = s.astype(object).where(s.notna(), "(unset)").astype(str)
        for c in cats:
            for (value, failed), n in df.groupby([c, "failed"]).size().items():
                key = axis_counts[c].setdefault(value, [0, 0])
                key[1 if failed else 0] += int(n)
        passed = df[~df["failed"]]
        for a, b in pair_counts:
            for key, n in passed.groupby([a, b]).size().items():
                pair_counts[(a, b)][key] = pair_counts[(a, b)].get(key, 0) + int(n)
        for c, edges in nums.items():
            v = passed[c].to_numpy(dtype=np.float64, na_value=np.nan)
            ok = ~np.isnan(v)
            unset[c] += int((~ok).sum())
            idx = np.searchsorted(edges[1:-1], v[ok], side="left")
            hist[c] += np.bincount(idx, minlength=len(edges) - 1)
    return {"axes": axis_counts, "pairs": pair_counts, "hist": hist, "unset": unset}


def drop_page_cache() -> bool:
    """Empty the kernel's page cache (root only) so the next audit reads from disk."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("1\n")
        return True
    except OSError:
        return False


def timed_audits(con, repeat: int, cold: bool) -> tuple[dict, float | None, list[float]]:
    """(report, cold seconds or None, warm seconds of `repeat` runs)."""
    from psynth_data.audit import run_audit

    cold_s = None
    if cold and drop_page_cache():
        t0 = time.perf_counter()
        report = run_audit(con)
        cold_s = time.perf_counter() - t0
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        report = run_audit(con)
        warm.append(time.perf_counter() - t0)
    return report, cold_s, warm


def run(root: Path, rows: int, shard_size: int, skip_pandas: bool, pandas_shards: int, repeat: int,
        cold: bool) -> None:
    import statistics

    import duckdb

    from psynth_data.index import build_index, open_index

    spec = bench_spec(rows, shard_size)
    storage, layout = LocalStorage(root), Layout.for_spec(spec)
    t0 = time.perf_counter()
    summary = build_index(storage, layout, spec=spec)
    t_index = time.perf_counter() - t0
    index_mb = storage.size(layout.index_key) / 1e6
    print(f"index: {len(summary.shards)} shards, {summary.samples:,} samples, {summary.qc_rows:,} QC rows; "
          f"built in {t_index:.1f} s (pilot and hashing-free manifest checks); file {index_mb:.2f} MB", flush=True)
    con = open_index(storage, layout)
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print(f"duckdb {duckdb.__version__}, threads {threads}")
    report, cold_s, warm = timed_audits(con, repeat, cold)
    con.close()
    cats = [a for a in report["axes"] if a["kind"] == "categorical"]
    nums = [a for a in report["axes"] if a["kind"] == "numeric"]
    print(f"psynth audit of {report['samples']:,} samples ({len(cats)} categorical axes, {len(report['pairs'])} "
          f"pairs, {len(nums)} numeric axes): "
          + (f"cold page cache {cold_s:.1f} s; " if cold_s is not None else "")
          + f"warm median {statistics.median(warm):.1f} s ({', '.join(f'{w:.1f}' for w in warm)}); "
          f"verdict {report['verdict']} (flagged: {', '.join(report['flagged_axes']) or 'none'})", flush=True)
    top = report["failure_by_value"][:3]
    print("  highest QC failure rates: " + ", ".join(f"{f['axis']}={f['value']} {f['failure_rate']:.1%}" for f in top))
    if skip_pandas:
        return
    shards = summary.shards[:pandas_shards] if pandas_shards else summary.shards
    if len(shards) < len(summary.shards):  # the comparison runs on the first shards, both tools alike
        build_index(storage, layout, shards, spec=spec)
    con = open_index(storage, layout)
    sub, _, sub_warm = timed_audits(con, repeat, cold=False)
    t_sub = statistics.median(sub_warm)
    edges = {}
    for a in nums:
        rows_ = con.execute("SELECT bin_low, bin_high FROM _expected WHERE column_name = ? AND bin IS NOT NULL "
                            "ORDER BY bin", [a["column"]]).fetchall()
        edges[a["column"]] = np.array([rows_[0][0]] + [r[1] for r in rows_])
    con.close()
    files = [(str(storage.path(layout.samples_key(s))), str(storage.path(layout.qc_key(s)))) for s in shards]
    types = {c.column: c.type for c in spec.columns}
    t0 = time.perf_counter()
    counts = pandas_counts(files, [a["column"] for a in cats], types, edges)
    t_pandas = time.perf_counter() - t0
    sub_axes = {a["axis"]: a for a in sub["axes"]}
    for a in cats:  # same counts as psynth's report
        ours = {v["value"]: (v["count"], v["failed"]) for v in sub_axes[a["axis"]]["values"] if v["count"] or v["failed"]}
        pand = {k: tuple(v) for k, v in counts["axes"][a["column"]].items()}
        assert ours == pand, f"{a['axis']}: pandas and psynth counts differ"
    for a in nums:
        ours = [b["count"] for b in sub_axes[a["axis"]]["bins"]]
        assert ours == counts["hist"][a["column"]].tolist(), f"{a['axis']}: histograms differ"
    print(f"same audit on {sub['samples']:,} samples ({len(shards)} shards): psynth {t_sub:.1f} s (median), "
          f"pandas (file by file, same counts) {t_pandas:.1f} s; pandas / psynth = {t_pandas / t_sub:.1f}x",
          flush=True)
    if len(shards) < len(summary.shards):
        build_index(storage, layout, None, spec=spec)  # leave the full index behind


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("what", choices=("generate", "run", "all"))
    p.add_argument("--root", default=str(ROOT / "data" / "bench_audit"))
    p.add_argument("--rows", type=int, default=100_000_000)
    p.add_argument("--shard-size", type=int, default=100_000)
    p.add_argument("--skip-pandas", action="store_true")
    p.add_argument("--pandas-shards", type=int, default=0,
                   help="compare with pandas on the first N shards only (0: all of them)")
    p.add_argument("--repeat", type=int, default=3, help="audits with a warm page cache (the median is quoted)")
    p.add_argument("--no-cold", action="store_true",
                   help="skip the first audit after emptying the page cache (that needs root)")
    args = p.parse_args(argv)
    root = Path(args.root)
    if args.what in ("generate", "all"):
        generate(root, args.rows, args.shard_size)
    if args.what in ("run", "all"):
        run(root, args.rows, args.shard_size, args.skip_pandas, args.pandas_shards, args.repeat, not args.no_cold)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("POLARS_MAX_THREADS", "2")
    sys.exit(main())

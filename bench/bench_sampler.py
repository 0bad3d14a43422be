"""Benchmark the sampler: samples/s through captions, Parquet rows/s, a per-row baseline, memory.

    .venv/bin/python bench/bench_sampler.py [--rows 1000000] [--repeats 5] [--baseline-rows 20000]

It also times the built-in dense caption (`caption_dense`) alone, as a share of all captions and
of sampling+captions.

The spec is `bench/bench_spec.psynth`: 20 stated axes, one `require`, 3 caption templates
(two caption names). Figures are medians of `--repeats` runs in this process; wall-clock time
is what the targets are about, CPU time (all threads of this process) is printed beside it
because the machine is shared and the load average (printed) moves wall-clock figures a lot.

Targets (issue 3): >= 1,000,000 samples/s sampling through captions into a polars frame,
>= 500,000 rows/s writing Parquet, < 500 MB peak memory for a 100,000-sample shard.
"""

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SPEC_PATH = Path(__file__).with_name("bench_spec.psynth")


def _load():
    from psynth_spec.compile import load_spec

    return load_spec(SPEC_PATH)


def _timed(fn, repeats: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of `repeats` calls, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


# ---------------------------------------------------------------- the per-row baseline
def _holds(cond, row) -> bool:
    kind = cond.kind
    if kind in ("compare", "in", "truthy"):
        value = row.get(cond.axis)
        if value is None:
            return False
        if kind == "truthy":
            return bool(value)
        if kind == "in":
            return value in cond.values
        return {
            "==": value == cond.value,
            "!=": value != cond.value,
            "<": value < cond.value,
            "<=": value <= cond.value,
            ">": value > cond.value,
            ">=": value >= cond.value,
        }[cond.op]
    if kind == "not":
        return not _holds(cond.item, row)
    if kind == "and":
        return all(_holds(c, row) for c in cond.items)
    return any(_holds(c, row) for c in cond.items)


def _draw_one(rng, statement):
    d = statement.dist
    kind = d.kind
    if kind == "fixed":
        value = d.value
    elif kind == "choice":
        value = d.values[rng.choice(len(d.values), p=d.weights)]
    elif kind == "uniform":
        value = rng.uniform(d.low, d.high)
    elif kind == "loguniform":
        value = math.exp(rng.uniform(math.log(d.low), math.log(d.high)))
    elif kind == "normal":
        value = rng.normal(d.mean, d.std)
    elif kind == "lognormal":
        value = rng.lognormal(d.mu, d.sigma)
    elif kind == "beta":
        value = rng.beta(d.a, d.b)
    elif kind == "triangular":
        value = rng.triangular(d.low, d.mode, d.high)
    elif kind == "randint":
        value = int(rng.integers(d.low, d.high + 1))
    else:  # bernoulli
        value = bool(rng.random() < d.p)
    if statement.clamp is not None:
        value = min(max(value, statement.clamp[0]), statement.clamp[1])
    return value


def _format_string(template) -> tuple[str, list]:
    parts, keys = [], []
    for segment in template.segments:
        if segment.kind == "text":
            parts.append(segment.text.replace("{", "{{").replace("}", "}}"))
        else:
            parts.append(f"{{{len(keys)}{':' + segment.format if segment.format else ''}}}")
            keys.append(segment)
    return "".join(parts), keys


def baseline(spec, start: int, stop: int):
    """What one writes by hand: a numpy Generator per row, str.format per caption."""
    import polars as pl

    captions = {}
    for t in spec.captions:
        captions.setdefault(t.column, []).append((t.weight, *_format_string(t)))
    rows = []
    for i in range(start, stop):
        rng = np.random.default_rng([spec.seed, i])
        while True:
            row = {}
            for statement in spec.statements:
                if statement.when is not None and not _holds(statement.when, row):
                    row[statement.axis] = None
                else:
                    row[statement.axis] = _draw_one(rng, statement)
            if all((r.when is not None and not _holds(r.when, row)) or _holds(r.cond, row) for r in spec.requires):
                break
        out = {"sample_id": i, "seed": int(rng.integers(0, 2**63 - 1))}
        out.update({s.column: row[s.axis] for s in spec.statements})
        for column, options in captions.items():
            eligible = [o for o in options if all(row.get(k.axis) is not None for k in o[2])]
            weights = np.array([o[0] for o in eligible])
            _, text, keys = eligible[rng.choice(len(eligible), p=weights / weights.sum())]
            values = []
            for k in keys:
                value = row[k.axis]
                if isinstance(value, str):
                    concept = spec.concept_text[k.axis][value]
                    value = f"{concept.article} {concept.label}" if k.filter == "a" else concept.label
                values.append(value)
            out[column] = text.format(*values)
        rows.append(out)
    return pl.DataFrame(rows)


# ---------------------------------------------------------------- memory (child process)
def _high_water_kib() -> int:
    """Peak RSS of this process (VmHWM; ru_maxrss would include the parent's RSS before exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child_memory(rows: int) -> None:
    before = _high_water_kib()
    from psynth_spec.sampler import sample_shard, write_samples_parquet

    spec = _load().model_copy(update={"shard_size": rows})
    sample_shard(spec, 0, limit=1)  # warm the caches (beta tables) before the baseline RSS
    imported = _high_water_kib()
    frame = sample_shard(spec, 0)
    with tempfile.TemporaryDirectory() as tmp:
        write_samples_parquet(frame, Path(tmp) / "shard.parquet")
    peak = _high_water_kib()
    print(f"{before} {imported} {peak} {len(frame)}")


def _peak_memory(rows: int) -> tuple[float, float, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child-memory", str(rows)], check=True, capture_output=True, text=True
    ).stdout.split()
    before, imported, peak, _ = (int(v) for v in out)
    return before / 1024, imported / 1024, peak / 1024


def _dense_cost(spec, n: int, repeats: int) -> None:
    """The built-in dense caption's share of sampling: the same rows with and without it."""
    from psynth_spec.captions import caption_series
    from psynth_spec.dense_caption import dense_caption
    from psynth_spec.sampler import draw_statements, sample_range

    ids = np.arange(n, dtype=np.int64)
    batch = draw_statements(spec, ids)
    dense_wall, dense_cpu, _ = _timed(lambda: dense_caption(spec, ids, batch), repeats)
    all_wall, _, _ = _timed(lambda: caption_series(spec, ids, batch), repeats)
    total_wall, total_cpu, _ = _timed(lambda: sample_range(spec, 0, n), repeats)
    print(f"dense caption alone {n:>9,} rows: {n / dense_wall:>11,.0f} rows/s wall, {n / dense_cpu:,.0f} per "
          f"CPU-second; {dense_wall / all_wall:.0%} of all captions, {dense_wall / total_wall:.0%} of sampling+captions")
    from psynth_spec.spec import Spec

    columns = Spec.caption_columns  # the same sampling without the built-in caption, for comparison
    Spec.caption_columns = property(lambda s: [c for c in columns.fget(s) if c != "caption_dense"])
    try:
        bare_wall, bare_cpu, _ = _timed(lambda: sample_range(spec, 0, n), repeats)
    finally:
        Spec.caption_columns = columns
    print(f"sampling+captions {n:>9,} rows without the dense caption: {n / bare_wall:>11,.0f} samples/s wall, "
          f"{n / bare_cpu:,.0f} per CPU-second (with it: {n / total_wall:,.0f} wall, {n / total_cpu:,.0f} per CPU-second)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--child-memory", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        _child_memory(args.child_memory)
        return

    import polars as pl

    from psynth_spec.sampler import sample_range, write_samples_parquet

    spec = _load()
    print(f"spec {SPEC_PATH.name}: {len(spec.statements)} stated axes, {len(spec.requires)} require, "
          f"{len(spec.captions)} caption templates, {len(spec.columns)} columns; cpus {os.cpu_count()}, "
          f"polars threads {pl.thread_pool_size()}; load average {os.getloadavg()[0]:.2f}")
    sample_range(spec, 0, 10_000)  # warm-up: beta tables, polars

    for n in (100_000, args.rows):
        wall, cpu, frame = _timed(lambda: sample_range(spec, 0, n), args.repeats)
        print(f"sampling+captions {n:>9,} rows: {n / wall:>11,.0f} samples/s wall (median of {args.repeats}), "
              f"{n / cpu:>11,.0f} samples/s per CPU-second")
    rate = n / wall
    _dense_cost(spec, min(n, 200_000), args.repeats)

    from psynth_spec.sampler import sample_shard, sample_shards

    shards = range(100)  # 1,000-sample shards, as the pipeline stores them
    wall, cpu, _ = _timed(lambda: [sample_shard(spec, s) for s in shards], 1)
    print(f"100 shards of 1,000, one call each: {100_000 / wall:>11,.0f} samples/s wall, "
          f"{100_000 / cpu:,.0f} per CPU-second")
    wall, cpu, _ = _timed(lambda: list(sample_shards(spec, shards)), 1)
    print(f"100 shards of 1,000, sample_shards:  {100_000 / wall:>11,.0f} samples/s wall, "
          f"{100_000 / cpu:,.0f} per CPU-second")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "samples.parquet"
        wall, cpu, _ = _timed(lambda: write_samples_parquet(frame, path), args.repeats)
        size = path.stat().st_size
    print(f"parquet write   {len(frame):>9,} rows: {len(frame) / wall:>11,.0f} rows/s wall, "
          f"{size / len(frame):.1f} bytes/row (zstd)")

    b = args.baseline_rows
    wall, _, base = _timed(lambda: baseline(spec, 0, b), 1)
    print(f"per-row baseline {b:>8,} rows: {b / wall:>11,.0f} samples/s; vectorized is {rate / (b / wall):,.0f}x faster")
    assert len(base) == b

    before, imported, peak = _peak_memory(100_000)
    print(f"peak memory, 100,000-sample shard (sample + write, own process): {peak:,.0f} MB max RSS "
          f"({imported:,.0f} MB after imports and compile, {peak - imported:,.0f} MB for the shard)")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

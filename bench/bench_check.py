"""Benchmark: `check` of a generated spec that states every registry axis, with 50 `require`
statements and 50 captions (issue 2 target: under 100 ms after start-up).

    .venv/bin/python bench/bench_check.py [--runs 20]

Prints the median and best of parse+check (the language's own work) and of the full compile,
which adds the pilot acceptance draw for the 50 requires.
"""

import argparse
import statistics
import time

from psynth_spec.build import build
from psynth_spec.check import check
from psynth_spec.compile import compile_text
from psynth_spec.parser import parse_tree
from psynth_spec.taxonomy import default_taxonomy


def generated_spec() -> str:
    taxonomy = default_taxonomy()
    lines = ["dataset bench_every_axis {", "    samples 500_000_000", "    shard_size 1_000", "    seed 1"]
    numeric = []
    for axis in taxonomy.axes:
        if axis.type == "category":
            lines.append(f"    {axis.path} ~ one_of({axis.domain})")
        elif axis.type == "bool":
            lines.append(f"    {axis.path} ~ bernoulli(0.5)")
        elif axis.type == "int":
            lo, hi = axis.range
            lines.append(f"    {axis.path} ~ randint({int(lo)}, {int(min(hi, lo + 3))})")
        else:
            lo, hi = axis.range
            lines.append(f"    {axis.path} ~ uniform({lo}, {hi})")
            numeric.append(axis)
    for index in range(50):
        axis = numeric[index % len(numeric)]
        lo, hi = axis.range
        threshold = lo + (hi - lo) * 0.001 * (index % 7)
        lines.append(f"    require {axis.path} >= {threshold:.6g} or {numeric[(index + 1) % len(numeric)].path} > {lo}")
    categorical = [a for a in taxonomy.axes if a.type == "category"]
    for index in range(50):
        a, b = categorical[index % len(categorical)], categorical[(index + 3) % len(categorical)]
        f = numeric[index % len(numeric)]
        lines.append(f'    caption c{index % 5} "{{{a.path}|a}} with {{{b.path}|synonym}} at {{{f.path}:.2f}}"')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    text = generated_spec()
    taxonomy = default_taxonomy()
    compile_text(text, "bench.psynth", taxonomy)  # start-up: grammar, taxonomy, imports
    check_times, compile_times = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        spec, diagnostics = check(build(parse_tree(text, "bench.psynth")), taxonomy, "bench.psynth")
        check_times.append(time.perf_counter() - start)
        assert spec is not None and not diagnostics, diagnostics
        start = time.perf_counter()
        compile_text(text, "bench.psynth", taxonomy)
        compile_times.append(time.perf_counter() - start)
    print(f"spec: {len(text.splitlines())} lines, {len(spec.statements)} axes, {len(spec.requires)} requires, {len(spec.captions)} captions")
    print(f"parse+check: median {statistics.median(check_times) * 1e3:.1f} ms, best {min(check_times) * 1e3:.1f} ms (target < 100 ms)")
    print(f"full compile incl. pilot: median {statistics.median(compile_times) * 1e3:.1f} ms, best {min(compile_times) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()

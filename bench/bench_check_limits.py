"""Benchmark: `check` of hostile specs just under the size limit (issue 19: under 2 s each).

    .venv/bin/python bench/bench_check_limits.py [--runs 3]

Each generator fills `MAX_BYTES` with one kind of trouble: thousands of duplicate statements
(one diagnostic each), unknown axes with near-miss names ("did you mean" for each), a `one_of`
with thousands of numbers, captions full of placeholders, `require`s, and deep nesting. Prints,
per generator, the median wall and CPU time of `load_spec` (read, parse, check, pilot) plus
rendering its diagnostics, with the size, line count and diagnostic count.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from psynth_spec.compile import load_spec
from psynth_spec.errors import SpecError
from psynth_spec.parser import MAX_BYTES


def _fill(head: str, line: str, tail: str = "}\n") -> str:
    room = MAX_BYTES - len(head.encode()) - len(tail.encode())
    return head + line * (room // len(line.encode())) + tail


HEAD = "dataset hostile {\n    samples 1000\n"
GENERATORS = {
    "duplicate statements": lambda: _fill(HEAD, "    camera.fstop ~ loguniform(1.4, 16)\n"),
    "unknown axes (did you mean)": lambda: _fill(HEAD, "    camera.fstp ~ loguniform(1.4, 16)\n"),
    "unknown concepts": lambda: _fill(HEAD + "    material ~ one_of {\n", "        metal.gld: 1,\n", "    }\n}\n"),
    "numbers in one_of": lambda: _fill(HEAD + "    camera.focal_length ~ one_of [", "35, ", "50]\n}\n"),
    "caption placeholders": lambda: _fill(HEAD, '    caption "{material|a} {camera.fstop:.2f} {geometry.shape}"\n'),
    "bad caption formats": lambda: _fill(HEAD, '    caption "{camera.fstop:.99f} {material:x}"\n'),
    "requires": lambda: _fill(HEAD + "    camera.fstop ~ loguniform(1.4, 16)\n", "    require camera.fstop >= 1.5 or camera.fstop < 16\n"),
    "deep nesting": lambda: _fill(HEAD + "    camera.fstop ~ loguniform(1.4, 16)\n", "    require " + "(" * 30 + "camera.fstop > 2" + ")" * 30 + "\n"),
}


def _time(path: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, diagnostics) of load_spec and printing them."""
    start, cpu = time.perf_counter(), time.process_time()
    try:
        load_spec(path)
        diagnostics = 0
    except SpecError as exc:
        str(exc)  # the rendered diagnostics, capped
        diagnostics = len(exc.diagnostics)
    return time.perf_counter() - start, time.process_time() - cpu, diagnostics


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_spec(Path(__file__).resolve().parent / "bench_spec.psynth")  # start-up: grammar, taxonomy, imports
    worst = worst_cpu = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name, generate in GENERATORS.items():
            text = generate()
            path = Path(folder, "hostile.psynth")
            path.write_text(text, encoding="utf-8")
            assert len(text.encode()) <= MAX_BYTES
            runs = [_time(path) for _ in range(args.runs)]
            total = statistics.median(r[0] for r in runs)
            worst = max(worst, total)
            cpu = statistics.median(r[1] for r in runs)
            worst_cpu = max(worst_cpu, cpu)
            print(f"{name:28s} {len(text.encode()) / 1024:5.1f} KiB {text.count(chr(10)):6,d} lines "
                  f"{runs[0][2]:6,d} diagnostics  wall {total:6.3f} s  cpu {cpu:6.3f} s")
    print(f"worst median: wall {worst:.3f} s, cpu {worst_cpu:.3f} s (target: under 2 s; on a shared machine "
          "wall time includes waiting for a core, CPU time is what a quiet machine takes)")


if __name__ == "__main__":
    main()

"""Render worker benchmark: per-sample overhead vs a process per sample, images per minute, and
the per-view overhead of multi-view samples.

    .venv/bin/python bench/bench_render.py [--samples 12] [--size 256] [--spp 16] [--engine cycles] [--views 4]

Two runs of the same shard (Cycles 16 spp at 256x256 by default), in the same invocation:
  persistent   one worker process renders every sample (the production path)
  baseline     a fresh process per sample (the same worker, recycled after every sample by a
               1 MiB memory bound: bpy import, spec load and scene set-up paid per sample)
Per-sample overhead is everything except the engine's render call: from the worker journal,
(sample seconds - render seconds) per sample in the persistent run; for the baseline,
(wall time - render seconds) / samples, since its cost is the process around each render.
  views        the persistent run with `views N  rig orbit` (0 skips it): views share the scene
               build, so a sample should cost about N renders; per-view overhead is
               (sample seconds - render seconds) / N, against the single-view sample's overhead.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from psynth_data.layout import Layout  # noqa: E402
from psynth_data.storage import LocalStorage  # noqa: E402
from psynth_render.supervisor import run_shard  # noqa: E402
from psynth_render.worker import default_work_dir  # noqa: E402
from psynth_spec.compile import compile_text  # noqa: E402

SPEC = """dataset bench_{tag} {{
    samples    {samples}
    shard_size {samples}
    seed       5
    outputs    [image, caption, metadata]

    geometry.shape     ~ one_of(geometry.primitives)
    geometry.rotation  ~ uniform(0, 360)
    material           ~ one_of {{ metal: 1, plastic: 1, ceramic: 1 }}
    lighting.kelvin    ~ uniform(3000, 8000)
    caption "{{material|a}} {{geometry.shape}}"

    render {{
        engine     {engine}
        device     cpu
        resolution {size} x {size}
        samples    {spp}
        {render}
    }}
}}
"""


def _run(tag: str, args, root: Path, max_rss_mb: float, render: str = "") -> dict:
    spec = compile_text(SPEC.format(tag=tag, samples=args.samples, size=args.size, spp=args.spp,
                                    engine=args.engine, render=render))
    started = time.perf_counter()
    result = run_shard(spec, 0, str(root), max_rss_mb=max_rss_mb, keep_work=True)
    wall = time.perf_counter() - started
    work = Path(default_work_dir(LocalStorage(root), Layout.for_spec(spec), 0))
    done = [json.loads(line) for line in (work / "journal.jsonl").read_text().splitlines()]
    done = [e for e in done if e["event"] == "done"]
    render = [e["render_seconds"] for e in done]
    overhead = [e["seconds"] - e["render_seconds"] for e in done]
    return {
        "launches": result.launches,
        "wall_s": wall,
        "render_total_s": sum(render),
        "render_p50_s": statistics.median(render),
        "overhead_p50_ms": 1000 * statistics.median(overhead),
        "sample_p50_s": statistics.median(e["seconds"] for e in done),
        "overhead_max_ms": 1000 * max(overhead),
        "wall_overhead_per_sample_ms": 1000 * (wall - sum(render)) / len(done),
        "images_per_min_wall": 60 * len(done) / wall,
        "images_per_min_steady": 60 * len(done) / sum(e["seconds"] for e in done),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--samples", type=int, default=12)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--spp", type=int, default=16)
    p.add_argument("--engine", default="cycles", choices=("cycles", "workbench", "eevee"))
    p.add_argument("--views", type=int, default=4, help="views of the multi-view run (0: skip it)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="psynth-bench-") as tmp:
        persistent = _run("persistent", args, Path(tmp) / "a", max_rss_mb=0)
        baseline = _run("baseline", args, Path(tmp) / "b", max_rss_mb=1)
        views = _run("views", args, Path(tmp) / "c", 0, f"views {args.views}  rig orbit") if args.views > 1 else None
    print(f"{args.samples} samples, {args.engine} {args.spp} spp, {args.size}x{args.size}, CPU")
    for name, r in (("persistent", persistent), ("baseline (process per sample)", baseline)):
        print(f"  {name}: launches {r['launches']}, wall {r['wall_s']:.2f} s, render p50 {r['render_p50_s']:.3f} s, "
              f"in-loop overhead p50 {r['overhead_p50_ms']:.1f} ms (max {r['overhead_max_ms']:.1f}), "
              f"wall overhead/sample {r['wall_overhead_per_sample_ms']:.0f} ms, "
              f"{r['images_per_min_wall']:.1f} img/min wall, {r['images_per_min_steady']:.1f} img/min steady")
    ratio = baseline["wall_overhead_per_sample_ms"] / persistent["overhead_p50_ms"]
    ratio_amortized = baseline["wall_overhead_per_sample_ms"] / persistent["wall_overhead_per_sample_ms"]
    print(f"per-sample overhead {persistent['overhead_p50_ms']:.1f} ms (target < 50 ms): "
          f"{ratio:.0f}x lower than a process per sample (target >= 10x); "
          f"{ratio_amortized:.1f}x counting the worker's start-up amortized over {args.samples} samples")
    if views is not None:
        n = args.views
        print(f"  views ({n} per sample, orbit): sample p50 {views['sample_p50_s']:.3f} s = "
              f"{views['sample_p50_s'] / persistent['sample_p50_s']:.2f}x a single-view sample "
              f"({views['sample_p50_s'] / (n * persistent['sample_p50_s']):.2f} of {n} separate samples); "
              f"overhead per view {views['overhead_p50_ms'] / n:.1f} ms vs {persistent['overhead_p50_ms']:.1f} ms "
              f"per single-view sample (the scene build is paid once)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

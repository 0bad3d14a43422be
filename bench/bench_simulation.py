"""What a simulated clip (`render { simulate true }`) costs per frame, against the same clip unsimulated.

    .venv/bin/python bench/bench_simulation.py [--size 128] [--spp 8] [--frames 8] [--particles 3000] [--only NAME...]

Each case renders one sample's video (a static camera) through the worker's Renderer twice:
with the effect as built (its still look, the same every frame) and simulated (the solver's
particles, baked to a scratch folder, turned into a volume or a liquid surface each frame, plus
the per-frame id render that records the effect's box and coverage). Reports seconds per frame
of both, their ratio, and the solver's own seconds per frame (numpy, `vfx_solver.simulate`).
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CASES = {
    "gas smoke": "gas = smoke",
    "gas fire": "gas = fire",
    "gas explosion": "gas = explosion",
    "liquid water pour": "liquid = water\n    liquid.form = pour",
    "liquid milk splash": "liquid = milk\n    liquid.form = splash",
    "liquid honey drip": "liquid = honey\n    liquid.form = drip",
}


def _spec(axes: str, args, simulate: bool):
    from psynth_spec.compile import compile_text

    settings = f"simulate true particles {args.particles}" if simulate else ""
    return compile_text(f"""dataset bench_simulation {{
    samples 1
    seed 5
    outputs [video, metadata]
    geometry.shape = primitives.sphere
    camera.movement = static
    {axes}
    render {{ engine cycles device cpu resolution {args.size} x {args.size} samples {args.spp} {settings} }}
    video {{ frames {args.frames} fps 12 }}
    caption "x"
}}""", path="<bench>")


def _clip_seconds(spec, tax) -> float:
    from psynth_render.renderer import Renderer
    from psynth_spec.sampler import sample_range

    row = sample_range(spec, 0, 1).to_dicts()[0]
    renderer = Renderer(spec, tax, "cpu")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        renderer.render_sample(row, Path(out))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--spp", type=int, default=8)
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--particles", type=int, default=3000)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()

    from psynth_render.vfx_solver import Setup, simulate
    from psynth_spec.taxonomy import default_taxonomy

    tax = default_taxonomy()
    started = time.perf_counter()
    for kind in ("plume", "pour"):
        simulate(Setup(kind=kind, origin=(0, 0, 1), size=0.8, height=3.0, floor_z=0.0), args.particles, args.frames, 12.0, 1)
    solver = (time.perf_counter() - started) / (2 * args.frames)
    print(f"{args.size}x{args.size}, {args.spp} spp, {args.frames} frames, {args.particles} particles; "
          f"solver alone {solver * 1000:.1f} ms/frame")
    print(f"{'case':22s} {'still look s/frame':>18s} {'simulated s/frame':>18s} {'ratio':>6s}")
    for name, axes in CASES.items():
        if args.only and name not in args.only:
            continue
        _clip_seconds(_spec(axes, args, False), tax)  # warm-up: shaders, BVH
        plain = _clip_seconds(_spec(axes, args, False), tax) / args.frames
        simulated = _clip_seconds(_spec(axes, args, True), tax) / args.frames
        print(f"{name:22s} {plain:18.3f} {simulated:18.3f} {simulated / plain:6.2f}", flush=True)


if __name__ == "__main__":
    main()

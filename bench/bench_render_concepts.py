"""Per-sample render time of the slow concepts against a plain primitive.

    .venv/bin/python bench/bench_render_concepts.py [--size 256] [--spp 16] [--runs 3] [--only NAME...]

Each case is one scene (the registry defaults plus a few axes) built once and rendered `runs`
times in this process with Cycles at `size` x `size`, `spp` samples (denoising as the engine
concept says); the figure is the median of the renders after a warm-up render, which pays
one-off shader and BVH work. Reports seconds per render and the ratio to the plain primitive,
which is timed first and last (its figure is the median of both) since a shared machine's load
drifts during the run.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CASES = {
    "plain primitive": {},
    "gas smoke": {"gas": "smoke"},
    "gas fog": {"gas": "fog"},
    "gas cloud": {"gas": "cloud"},
    "gas fire": {"gas": "fire"},
    "gas steam": {"gas": "steam"},
    "liquid water pool": {"liquid": "water", "liquid.form": "pool"},
    "liquid milk splash": {"liquid": "milk", "liquid.form": "splash"},
    "liquid honey pour": {"liquid": "honey", "liquid.form": "pour"},
    "liquid wine ripple": {"liquid": "wine", "liquid.form": "ripple"},
    "texture voronoi box": {"texture.pattern": "procedural.voronoi", "texture.mapping": "box"},
    "post all effects": {"post.bloom": 0.8, "post.vignette": 0.8, "post.grain": 0.5,
                         "post.chromatic_aberration": 0.5, "post.grade": "teal_orange"},
    "style clay": {"style": "stylized.clay"},
    "style low_poly": {"style": "stylized.low_poly"},
    "style toon": {"style": "npr.toon"},
    "style sketch (lines)": {"style": "npr.sketch"},
    "style cartoon": {"style": "cartoon"},
    "style anime": {"style": "anime"},
    "style pixel_art": {"style": "stylized.pixel_art"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--spp", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="case names to run (plain primitive always runs)")
    args = parser.parse_args()

    import bpy

    from psynth_render.scene import configure_device
    from psynth_render.scene.build.builder import build
    from psynth_render.scene.describe import describe
    from psynth_spec.taxonomy import default_taxonomy
    from tests.render_fixtures import make_row, make_spec

    tax = default_taxonomy()
    spec = make_spec(tax, size=args.size, samples=args.spp)
    configure_device("cpu")
    cases = [(k, v) for k, v in CASES.items() if not args.only or k == "plain primitive" or k in args.only]
    cases.append(("plain primitive", {}))  # again at the end: the machine's load drifts
    results, plain = {}, []
    for name, axes in cases:
        row = make_row(tax, seed=3, **{k.replace(".", "__"): v for k, v in axes.items()})
        build(describe(row, spec, tax))
        bpy.ops.render.render()  # warm-up
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            bpy.ops.render.render()
            times.append(time.perf_counter() - started)
        results[name] = statistics.median(times)
        if name == "plain primitive":
            plain += times
        print(f"{name:24s} {results[name]:7.3f} s", flush=True)
    base = results["plain primitive"] = statistics.median(plain)
    print(f"\n{args.size}x{args.size}, Cycles {args.spp} spp, CPU, median of {args.runs}:")
    print(f"{'case':24s} {'s/render':>9s} {'x plain':>8s}")
    for name, seconds in results.items():
        print(f"{name:24s} {seconds:9.3f} {seconds / base:8.2f}")


if __name__ == "__main__":
    main()

"""Scene setup time of multi-object scenes: describe + build (no render) for 1 and 8 objects.

    .venv/bin/python bench/bench_multi_object.py [--samples 12] [--objects 8] [--render] [--arrangement stacked]

Describes and builds `--samples` consecutive samples of a spec with `scene.objects = N` (a mix
of primitives, metals, glass and plastics per object, each object turned) once with N = 1 and
once with N = `--objects`, in one Blender session; the first build of each run is a warm-up
(mesh and material creation). Prints the median seconds per scene for describe and for build,
and the ratio of the N-object to the 1-object build. With `--render`, it also renders each
scene (Cycles, `--size` px square, `--spp` samples) and prints the median render seconds and what one more object
adds, as cost_model.OBJECT_SETUP_S and OBJECT_RENDER_SHARE take them (psynth plan's per-object
term).
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import bpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from psynth_render.scene.build.builder import build  # noqa: E402
from psynth_render.scene.describe import describe  # noqa: E402
from psynth_spec.compile import compile_text  # noqa: E402
from psynth_spec.sampler import sample_range  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402

SPEC = """dataset bench_multi {{
    samples 1000
    scene.objects = {objects}
    scene.arrangement = {arrangement}
    geometry.shape ~ one_of [primitives.cube, primitives.torus, primitives.sphere, primitives.monkey]
    material ~ one_of(plastic)
    each object {{
        material          ~ one_of [metal.copper, glass.clear, plastic.matte, metal.gold]
        geometry.shape    ~ one_of [primitives.sphere, primitives.cube, primitives.torus, primitives.cone, primitives.monkey]
        geometry.rotation ~ uniform(0, 360)
    }}
    render {{
        engine cycles
        resolution {size}x{size}
        samples {spp}
    }}
}}
"""


def run(objects: int, samples: int, render: bool = False, size: int = 128, spp: int = 4,
        arrangement: str = "scattered") -> tuple[float, float, float]:
    spec = compile_text(SPEC.format(objects=objects, size=size, spp=spp, arrangement=arrangement), "bench_multi.psynth")
    taxonomy = default_taxonomy()
    rows = sample_range(spec, 0, samples + 1).iter_rows(named=True)
    describe_s, build_s, render_s = [], [], []
    scratch = Path(tempfile.mkdtemp(prefix="bench_multi_"))
    for index, row in enumerate(rows):
        start = time.perf_counter()
        desc = describe(row, spec, taxonomy)
        middle = time.perf_counter()
        build(desc)
        end = time.perf_counter()
        if render:
            bpy.context.scene.render.filepath = str(scratch / "still.png")
            bpy.ops.render.render(write_still=True)
        if index:  # the first is a warm-up
            describe_s.append(middle - start)
            build_s.append(end - middle)
            render_s.append(time.perf_counter() - end)
    shutil.rmtree(scratch, ignore_errors=True)
    return statistics.median(describe_s), statistics.median(build_s), statistics.median(render_s) if render else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=12)
    parser.add_argument("--objects", type=int, default=8)
    parser.add_argument("--render", action="store_true", help="also render each scene (Cycles)")
    parser.add_argument("--size", type=int, default=128, help="render width and height (px)")
    parser.add_argument("--spp", type=int, default=4, help="Cycles samples per pixel")
    parser.add_argument("--arrangement", default="scattered", help="scene.arrangement: scattered, stacked, mixed")
    args = parser.parse_args()
    one = run(1, args.samples, args.render, args.size, args.spp, args.arrangement)
    many = run(args.objects, args.samples, args.render, args.size, args.spp, args.arrangement)
    print(f"1 object : describe {one[0] * 1000:.1f} ms, build {one[1] * 1000:.1f} ms (median of {args.samples})")
    print(f"{args.objects} objects: describe {many[0] * 1000:.1f} ms, build {many[1] * 1000:.1f} ms")
    print(f"build ratio {args.objects}/1: {many[1] / one[1]:.2f}x")
    extra = args.objects - 1
    print(f"per extra object: setup {((many[0] + many[1]) - (one[0] + one[1])) / extra * 1000:.1f} ms")
    if args.render:
        print(f"render: 1 object {one[2]:.3f} s, {args.objects} objects {many[2]:.3f} s; "
              f"per extra object {(many[2] / one[2] - 1) / extra:.3f} of the 1-object frame")


if __name__ == "__main__":
    main()

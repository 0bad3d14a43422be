"""Scene setup time of multi-object scenes: describe + build (no render) for 1 and 8 objects.

    .venv/bin/python bench/bench_multi_object.py [--samples 12] [--objects 8]

Describes and builds `--samples` consecutive samples of a spec with `scene.objects = N` (a mix
of primitives, metals, glass and plastics per object, each object turned) once with N = 1 and
once with N = `--objects`, in one Blender session; the first build of each run is a warm-up
(mesh and material creation). Prints the median seconds per scene for describe and for build,
and the ratio of the N-object to the 1-object build.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

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
    geometry.shape ~ one_of [primitives.cube, primitives.torus, primitives.sphere, primitives.monkey]
    material ~ one_of(plastic)
    each object {{
        material          ~ one_of [metal.copper, glass.clear, plastic.matte, metal.gold]
        geometry.shape    ~ one_of [primitives.sphere, primitives.cube, primitives.torus, primitives.cone, primitives.monkey]
        geometry.rotation ~ uniform(0, 360)
    }}
    render {{
        engine cycles
        resolution 128x128
        samples 4
    }}
}}
"""


def run(objects: int, samples: int) -> tuple[float, float]:
    spec = compile_text(SPEC.format(objects=objects), "bench_multi.psynth")
    taxonomy = default_taxonomy()
    rows = sample_range(spec, 0, samples + 1).iter_rows(named=True)
    describe_s, build_s = [], []
    for index, row in enumerate(rows):
        start = time.perf_counter()
        desc = describe(row, spec, taxonomy)
        middle = time.perf_counter()
        build(desc)
        end = time.perf_counter()
        if index:  # the first is a warm-up
            describe_s.append(middle - start)
            build_s.append(end - middle)
    return statistics.median(describe_s), statistics.median(build_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=12)
    parser.add_argument("--objects", type=int, default=8)
    args = parser.parse_args()
    one = run(1, args.samples)
    many = run(args.objects, args.samples)
    print(f"1 object : describe {one[0] * 1000:.1f} ms, build {one[1] * 1000:.1f} ms (median of {args.samples})")
    print(f"{args.objects} objects: describe {many[0] * 1000:.1f} ms, build {many[1] * 1000:.1f} ms")
    print(f"build ratio {args.objects}/1: {many[1] / one[1]:.2f}x")


if __name__ == "__main__":
    main()

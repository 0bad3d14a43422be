"""Measure the render cost model's constants with real bpy renders on this machine's CPU.

    .venv/bin/python bench/calibrate_cost_model.py [--repeats 2]

Renders Blender's default scene (cube, point light, camera) with each engine at a few
resolutions and sample counts, then least-squares fits

    cycles:           seconds = overhead + per_pixel_sample * width * height * samples
    eevee, workbench: seconds = overhead + per_pixel * width * height

and prints the constants for `psynth_spec/cost_model.py`. Timings are wall-clock for one render
(scene already built), medians of `--repeats` runs, with Blender's default thread count.
This is a calibration tool, not part of the package: it imports bpy, which only the render
package does otherwise.
"""

import argparse
import statistics
import time

import numpy as np

CYCLES_CASES = [(32, 32, 1), (64, 64, 16), (128, 128, 16), (128, 128, 64), (192, 192, 32)]
RASTER_CASES = [(32, 32), (128, 128), (256, 256)]


def _scene(bpy, engine: str, width: int, height: int, samples: int = 1):
    scene = bpy.context.scene
    scene.render.engine = engine
    scene.render.resolution_x = width
    scene.render.resolution_y = height
    scene.render.resolution_percentage = 100
    if engine == "CYCLES":
        scene.cycles.device = "CPU"
        scene.cycles.samples = samples
        scene.cycles.use_adaptive_sampling = False
        scene.cycles.use_denoising = False
    elif engine.startswith("BLENDER_EEVEE"):
        scene.eevee.taa_render_samples = 16
    return scene


def _time_render(bpy, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        bpy.ops.render.render(write_still=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    design = np.column_stack([np.ones(len(xs)), xs])
    (overhead, slope), *_ = np.linalg.lstsq(design, np.asarray(ys), rcond=None)
    return max(float(overhead), 0.0), float(slope)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=False)
    print(f"blender {bpy.app.version_string}")
    xs, ys = [], []
    for w, h, s in CYCLES_CASES:
        _scene(bpy, "CYCLES", w, h, s)
        seconds = _time_render(bpy, args.repeats)
        print(f"cycles {w}x{h} {s}spp: {seconds:.3f}s")
        xs.append(w * h * s)
        ys.append(seconds)
    overhead, slope = _fit(xs, ys)
    print(f"CYCLES_CPU = EngineCost(overhead_s={overhead:.3f}, per_unit_s={slope:.3e})  # per pixel-sample")
    for label, engine in (("eevee", "BLENDER_EEVEE"), ("workbench", "BLENDER_WORKBENCH")):
        xs, ys = [], []
        try:
            for w, h in RASTER_CASES:
                _scene(bpy, engine, w, h)
                seconds = _time_render(bpy, args.repeats)
                print(f"{label} {w}x{h}: {seconds:.3f}s")
                xs.append(w * h)
                ys.append(seconds)
        except Exception as exc:  # noqa: BLE001 - a headless machine may lack a GPU context
            print(f"{label}: cannot render here ({exc})")
            continue
        overhead, slope = _fit(xs, ys)
        print(f"{label.upper()}_CPU = EngineCost(overhead_s={overhead:.3f}, per_unit_s={slope:.3e})  # per pixel")


if __name__ == "__main__":
    main()

"""Measure the render cost model's constants with real bpy renders on this machine's CPU.

    .venv/bin/python bench/calibrate_cost_model.py [--repeats 2] [--simulation]

Renders Blender's default scene (cube, point light, camera) with each engine at a few
resolutions and sample counts, then least-squares fits

    cycles:           seconds = overhead + per_pixel_sample * width * height * samples
    eevee, workbench: seconds = overhead + per_pixel * width * height

and prints the constants for `psynth_spec/cost_model.py`. With `--simulation` it also measures the
simulated-effects terms (`render { simulate true }`): the numpy solver's seconds per particle and
frame (plume, pour and splash clips at 1,000-10,000 particles) and Blender's Points to Volume
(+ Volume to Mesh) evaluation per particle and frame (a built smoke and water-pour scene, each
frame's points put in and the depsgraph evaluated, no render). Timings are wall-clock for one render
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
    parser.add_argument("--simulation", action="store_true", help="also fit the simulated-effects terms")
    parser.add_argument("--only-simulation", action="store_true", help="fit the simulated-effects terms only")
    args = parser.parse_args()
    import bpy

    if args.simulation or args.only_simulation:
        _calibrate_simulation(args.repeats)
        if args.only_simulation:
            return

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


SIM_PARTICLES = (1000, 3000, 10000)
SIM_FRAMES = 12


def _calibrate_simulation(repeats: int) -> None:
    """Fit SIM_SOLVE_S_PER_PARTICLE_FRAME and SIM_MESH_S_PER_PARTICLE_FRAME (through the origin)."""
    import tempfile
    from pathlib import Path

    import bpy

    from psynth_render.scene.build.builder import build
    from psynth_render.scene.build.simulation import SimulatedClip
    from psynth_render.scene.describe import describe
    from psynth_render.vfx_solver import Setup, simulate
    from psynth_spec.compile import compile_text
    from psynth_spec.sampler import sample_range
    from psynth_spec.taxonomy import default_taxonomy

    work, seconds = [], []
    for kind in ("plume", "pour", "splash"):
        setup = Setup(kind=kind, origin=(0.0, 0.0, 1.0), size=0.5, height=2.0, floor_z=0.0,
                      subject_centre=(0.0, 0.0, 0.5), subject_radius=0.5, facing=0.0)
        for n in SIM_PARTICLES:
            took = statistics.median(_timed(lambda: simulate(setup, n, SIM_FRAMES, 24.0, seed=1)) for _ in range(repeats))
            print(f"solve {kind} {n} particles: {1000 * took / SIM_FRAMES:.2f} ms/frame")
            work.append(n * SIM_FRAMES)
            seconds.append(took)
    print(f"SIM_SOLVE_S_PER_PARTICLE_FRAME = {_slope(work, seconds):.2e}")

    taxonomy = default_taxonomy()
    work, seconds = [], []
    for axes in ("gas = smoke", "liquid = water\n    liquid.form = pour"):
        for n in SIM_PARTICLES:
            spec = compile_text(f"""dataset calibrate {{
    samples 1
    outputs [video, metadata]
    camera.movement = static
    {axes}
    render {{ engine cycles device cpu resolution 64 x 64 samples 1 simulate true particles {n} }}
    video {{ frames {SIM_FRAMES} fps 24 }}
    caption "x"
}}""", path="<calibrate>")
            desc = describe(sample_range(spec, 0, 1).to_dicts()[0], spec, taxonomy)
            bpy.ops.wm.read_factory_settings(use_empty=True)
            build(desc)
            with tempfile.TemporaryDirectory() as scratch, SimulatedClip(
                    desc, n, spec.render.voxel_size, SIM_FRAMES, 24.0, Path(scratch)) as clip:
                def show_all():
                    for index in range(SIM_FRAMES):
                        clip.show(index)
                        bpy.context.evaluated_depsgraph_get().update()
                took = statistics.median(_timed(show_all) for _ in range(repeats))
            print(f"mesh {axes.splitlines()[0]} {n} particles: {1000 * took / SIM_FRAMES:.2f} ms/frame")
            work.append(n * SIM_FRAMES)
            seconds.append(took)
    print(f"SIM_MESH_S_PER_PARTICLE_FRAME = {_slope(work, seconds):.2e}")


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of y = a * x (no intercept: no particles, no work)."""
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return float(x @ y / (x @ x))


if __name__ == "__main__":
    main()

"""Render-time and storage cost model for `psynth plan` (estimates, not promises).

Render time per image (one frame), on CPU:

    cycles:           overhead_s + per_unit_s * width * height * samples     (per pixel-sample)
    eevee, workbench: overhead_s + per_unit_s * width * height               (per pixel)

The CPU constants were MEASURED on this project's 2-core build machine (Blender 5.0.1, default
thread count) with `.venv/bin/python bench/calibrate_cost_model.py --repeats 2` on 2026-11-25:
Blender's default cube scene, Cycles with denoising and adaptive sampling off; EEVEE ran on
Mesa's software OpenGL (hence its ~11 s of per-render overhead, mostly shader compilation).
Everything else below is an ASSUMPTION, named as such:

- SCENE_FACTOR: psynth's studio scenes (several objects, glass/metal shaders, a light rig) cost
  about 3x the default cube, from the render worker's ~0.7 s at 256x256/16 spp.
- PER_SAMPLE_OVERHEAD_S: building the scene from the sample row, writing the image, json, py
  script and USD, and QC: about 0.25 s per sample on CPU.
- GPU_SPEEDUP: a current datacenter GPU (A100/H100 class) renders Cycles about 30x faster than
  this 2-core CPU, EEVEE about 200x (real OpenGL/Vulkan instead of software GL), Workbench
  about 20x; the per-sample overhead is CPU work and does not speed up.
"""

from typing import NamedTuple


class EngineCost(NamedTuple):
    overhead_s: float  # per rendered frame
    per_unit_s: float  # per pixel-sample (cycles) or per pixel (eevee, workbench)


CPU_COST = {
    "cycles": EngineCost(overhead_s=0.008, per_unit_s=2.050e-07),
    "eevee": EngineCost(overhead_s=10.831, per_unit_s=4.337e-05),
    "workbench": EngineCost(overhead_s=0.043, per_unit_s=4.355e-07),
}
SCENE_FACTOR = 3.0
PER_SAMPLE_OVERHEAD_S = 0.25
GPU_SPEEDUP = {"cycles": 30.0, "eevee": 200.0, "workbench": 20.0}

# ---------------------------------------------------------------- objects (scene.objects)
OBJECT_SETUP_S = 0.020
"""Seconds each object beyond the first adds to a sample's CPU work (describe + build; it does
not speed up on a GPU). MEASURED 2026-11-28 with `bench/bench_multi_object.py --samples 8
--render --size 128 --spp 64` on the 2 shared build cores: 17-23 ms per extra object (medians,
primitives in copper, gold, glass and plastic, 1 vs 8 objects)."""
OBJECT_RENDER_SHARE = 0.068
"""Share of a one-object frame's render time each further object adds (more geometry to
intersect, more glass and metal in view). MEASURED in the same run: Cycles 128x128 at 64 spp,
7.20 s for 1 object, 10.60 s for 8 (medians of 8), (10.60 / 7.20 - 1) / 7 = 0.068. At 4 spp
the per-render overhead hides it (1.94 s vs 1.92 s), so this slightly overstates cheap frames."""


def extra_object_seconds(extra_objects: float, render_seconds: float) -> float:
    """Seconds the objects beyond the first add to a sample whose frames take `render_seconds`
    with one object: their setup plus their share of every render."""
    return extra_objects * (OBJECT_SETUP_S + OBJECT_RENDER_SHARE * render_seconds)

# taxonomy `rendering.engines` leaves -> render block engines
ENGINE_OF_CONCEPT = {"path_tracing": "cycles", "rasterization": "eevee", "solid": "workbench"}


def frame_seconds(engine: str, width: int, height: int, samples: int, *, gpu: bool = False) -> float:
    """Estimated seconds to render one frame (without the per-sample overhead)."""
    cost = CPU_COST[engine]
    units = width * height * (samples if engine == "cycles" else 1)
    seconds = SCENE_FACTOR * (cost.overhead_s + cost.per_unit_s * units)
    return seconds / GPU_SPEEDUP[engine] if gpu else seconds


# ---------------------------------------------------------------- simulated video effects
SIM_SOLVE_S_PER_PARTICLE_FRAME = 3.6e-7
"""The particle solver (psynth_render.vfx_solver), per particle and frame. MEASURED 2026-11-28 by
`bench/calibrate_cost_model.py --only-simulation` on the 2-core CPU machine (plume, pour and
splash at 1,000 / 3,000 / 10,000 particles, 12 frames: 0.4-0.7 / 1.0-1.5 / 3.1-4.2 ms per frame);
numpy on the CPU, so no GPU speedup."""
SIM_MESH_S_PER_PARTICLE_FRAME = 2.75e-6
"""Points to Volume (+ Volume to Mesh) per particle and frame at the default voxel size. MEASURED
2026-11-28 by the same run (smoke 7.5 / 16 / 43 ms per frame, a water pour 6.2 / 6.9 / 9.7 ms)."""
SIM_ID_SAMPLES = 4
"""Each simulated frame gets an id render (instances.ID_SAMPLES, Cycles) for its effect's box."""


def simulation_seconds(frames: int, particles: int, width: int, height: int, *, gpu: bool = False) -> float:
    """Extra seconds a simulated clip costs per sample: solving and meshing `particles` each
    frame (CPU work) and each frame's id render."""
    cpu_work = frames * particles * (SIM_SOLVE_S_PER_PARTICLE_FRAME + SIM_MESH_S_PER_PARTICLE_FRAME)
    return cpu_work + frames * frame_seconds("cycles", width, height, SIM_ID_SAMPLES, gpu=gpu)


# ---------------------------------------------------------------- storage (bytes, assumptions)
# Image bytes per pixel: 8-bit RGBA PNG of a noisy render compresses to ~40% of 4 bytes;
# half-float RGBA EXR with ZIP to ~75% of 8 bytes; lossy WebP (quality 90) ~0.35 bytes.
IMAGE_BYTES_PER_PIXEL = {"png": 1.6, "exr": 6.0, "webp": 0.35}
# Passes: depth as 32-bit single-channel EXR (ZIP), normal as half RGB EXR, segmentation as an
# 8-bit index PNG (flat regions compress well), albedo as a float RGB EXR (flat colours: ZIP
# takes 12 bytes to about a third).
PASS_BYTES_PER_PIXEL = {"depth": 3.0, "normal": 9.0, "segmentation": 0.08, "albedo": 4.0,
                        "roughness": 1.5, "metallic": 0.5, "hdr": 9.0, "flow": 6.0,
                        "instances": 0.1}
"""Normal is two files (world and camera space); flow is one file per video frame."""
PASS_FILES = {"normal": 2}
"""Files per view of a pass (the others: one)."""
JSON_BASE_BYTES = 1_800  # axis values, camera K and 4x4 matrix, engine, timings, versions
JSON_FRAME_BYTES = 400  # per video frame: index, time, camera matrix, focal length
SCENE_CODE_BYTES = 8_000
"""The compact `py` scene script (issue 16): the helper's parts as constructor calls; the render
settings, the lens, the materials (the objects', the backdrop's, the liquid's and the gas's),
the objects, the lights, the world and the compositor's look as direct bpy; without the
record-only fields and default values. MEASURED 2026-11-28 with bench/bench_scene_code.py
--rows 20: medians 7.4-8.2 KB over the shipped specs, 12.6 KB for vfx_elements, whose samples
add a liquid or a gas (their materials as nodes) and grade and add bloom, aberration, vignette
and grain as compositor nodes (11.7 KB while the effects' materials were constructor data and
the compositor code less dense; the script that inlined the builder was 232 KB); 8.0 KB the
median over the specs (7.7 KB before)."""
SCENE_HELPER_BYTES = 240_400
"""The `__psynth_scene__` member (scene model and builder, what scripts reach) every scene
script of a shard loads: once per shard. MEASURED 2026-11-28: 240.4 KB (`len(helper_module())`;
240.2 KB before the effects' materials were stated, 242.2 KB while the builder built the
compositor's look from data, 319.3 KB today's whole model and builder, builder_source)."""
VARIANT_JSON_BYTES = 220  # per variant in the json's `variants` list: index, changed values, files
JSON_VIEW_BYTES = 1_550
"""Per view in a multi-view json's `views` list: K, two 4x4 poses, files, instances and the view's
QC. MEASURED 2026-11-28: 1.3-1.6 KB (mean 1.54-1.66 KB) over orbit, sphere and fixed6 samples of
6 views with a subject and a set (`len(json.dumps(view, indent=1))`)."""


def scene_code_bytes(spec) -> float:
    """Scene-code bytes per sample: its `py` member and its variants' (`{id}.var{k}.py`), plus
    its share of the shard's helper module; the ONE place the plan's code size comes from."""
    scripts = SCENE_CODE_BYTES * (1 + spec.variant_count)
    return scripts + SCENE_HELPER_BYTES / max(1, min(spec.shard_size, spec.samples))


USD_BYTES = 45_000  # binary .usdc of a small studio scene (meshes dominate)
GLB_BYTES = 60_000  # the subject alone as binary glTF (a subdivided mesh)
TRANSFORMS_VIEW_BYTES = 420  # per view in transforms.json: file path and a 4x4 matrix
TAR_MEMBER_OVERHEAD = 768  # 512-byte tar header + 256 bytes of padding on average
QC_ROW_BYTES = 60  # qc/*.parquet per sample, zstd
MANIFEST_MEMBER_BYTES = 160  # manifests/*.json per stored object

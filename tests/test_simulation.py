"""Simulated VFX for video (`render { simulate true }`): the solver (no bpy), the spec's checks,
and real clips whose effect moves from frame to frame, the same for the same seed."""

import json

import numpy as np
import pytest

from psynth_render.vfx_solver import Setup, simulate
from psynth_spec.compile import compile_text
from psynth_spec.errors import SpecError

FRAMES = 6


def _setup(kind, **kw):
    base = dict(origin=(0.0, 0.0, 0.0), size=0.8, height=3.0, floor_z=0.0, subject_centre=(0.0, 0.0, 1.0),
                subject_radius=1.0)
    base.update(kw)
    return Setup(kind=kind, **base)


def test_the_solver_is_deterministic_per_seed():
    setup = _setup("plume")
    a, b, c = (simulate(setup, 800, 8, 12.0, seed) for seed in (3, 3, 4))
    assert all(np.array_equal(x.positions, y.positions) and np.array_equal(x.radii, y.radii) for x, y in zip(a, b))
    assert not np.allclose(a[-1].positions[:100], c[-1].positions[:100])


def test_smoke_rises_and_spreads_and_flames_die_young():
    smoke = simulate(_setup("plume"), 1500, 12, 12.0, 1)
    assert smoke[-1].positions[:, 2].max() > smoke[2].positions[:, 2].max() + 0.5
    assert len(smoke[-1].positions) > len(smoke[2].positions)  # still being emitted
    assert smoke[-1].radii.mean() > smoke[2].radii.mean()  # older smoke is wider
    fire = simulate(_setup("plume", burning=True), 1500, 24, 12.0, 1)
    assert len(fire[-1].positions) < 0.5 * 1500  # a flame's particles burn out


def test_a_pour_lands_and_fills_outward_less_when_viscous():
    def spread(viscosity):
        frames = simulate(_setup("pour", origin=(1.2, -0.35, 2.0), size=0.06, viscosity=viscosity), 1500, 12, 12.0, 2)
        landed = [f.positions[f.positions[:, 2] < 0.1] for f in frames]
        assert len(landed[3]) < len(landed[-1])  # the pool fills
        return np.hypot(landed[-1][:, 0] - 1.2, landed[-1][:, 1] + 0.35).max()

    assert spread(0.001) > 1.5 * spread(10.0)  # water runs, honey piles


def test_a_splash_throws_droplets_up_that_fall_back():
    frames = simulate(_setup("splash", size=1.05, height=0.6), 1500, 24, 12.0, 3)
    tops = [f.positions[:, 2].max() for f in frames]
    assert max(tops) > 0.3 and tops[-1] < 0.5 * max(tops)


def _spec(render="simulate true", video="video { frames 4 fps 12 }", outputs="video, metadata"):
    return f"""dataset sim {{
    samples 1
    outputs [{outputs}]
    gas = smoke
    render {{ {render} }}
    {video}
    caption "x"
}}"""


@pytest.mark.parametrize("render, video, outputs, message", [
    ("simulate true", "", "image", "simulate moves the effects over a clip's frames"),
    ("particles 500", "video { frames 4 }", "video", "particles bounds a simulation"),
    ("simulate true particles 10", "video { frames 4 }", "video", "particles must be 100..100,000"),
    ("simulate true voxel_size 2", "video { frames 4 }", "video", "voxel_size must be a number in"),
    ("simulate maybe", "video { frames 4 }", "video", "simulate takes true or false"),
])
def test_simulation_settings_are_checked_with_located_errors(render, video, outputs, message):
    with pytest.raises(SpecError) as caught:
        compile_text(_spec(render, video, outputs), path="sim.psynth")
    diagnostics = caught.value.diagnostics
    assert any(message in d.message and d.line == 5 for d in diagnostics), [d.message for d in diagnostics]


def test_simulation_settings_change_the_version_id():
    plain = compile_text(_spec("samples 4"), path="a.psynth")
    simulated = compile_text(_spec("samples 4 simulate true"), path="a.psynth")
    finer = compile_text(_spec("samples 4 simulate true voxel_size 0.02"), path="a.psynth")
    assert simulated.render.simulate and simulated.render.particles == 3000 and finer.render.voxel_size == 0.02
    assert len({plain.version_id, simulated.version_id, finer.version_id}) == 3


# ---------------------------------------------------------------- real clips
def _clip(tmp_path, gas="colored_smoke", seed=5, simulate_=True, size=48, tag=""):
    pytest.importorskip("bpy")
    from tests.render_fixtures import render_clip

    return render_clip(tmp_path / f"{gas}-{seed}-{simulate_}{tag}",
                       f"geometry.shape = primitives.sphere\n    gas = {gas}\n    gas.density = 0.8", size=size,
                       frames=FRAMES, seed=seed, simulate="simulate true particles 1500" if simulate_ else "")


@pytest.mark.render
def test_a_simulated_clip_moves_its_effect_and_repeats_per_seed(tmp_path):
    frames, meta = _clip(tmp_path)
    reference, _ = _clip(tmp_path, gas="none", simulate_=False)  # the same shot without the smoke
    masks = [np.abs(f - reference[0]).max(axis=2) > 12 for f in frames]
    assert all(m.sum() > 5 for m in masks[2:]), [int(m.sum()) for m in masks]
    changes = [np.count_nonzero(a ^ b) for a, b in zip(masks, masks[1:])]
    assert all(c > 0 for c in changes), changes  # the effect's mask changes every frame
    first, last = masks[1], masks[-1]
    assert np.count_nonzero(first & last) < 0.8 * np.count_nonzero(first | last)
    boxes = [f["effects"][0] for f in meta["frames"]]
    assert all(b["element"] == "gas" and b["concept"] == "colored_smoke" for b in boxes)
    assert boxes[-1]["bbox"] is not None and boxes[-1]["coverage"] > 0
    assert len({json.dumps(b) for b in boxes}) > 1  # the recorded box and coverage move too
    again, meta_again = _clip(tmp_path, tag="-again")
    assert all(np.array_equal(a, b) for a, b in zip(frames, again))
    assert meta_again["frames"] == meta["frames"]
    other, _ = _clip(tmp_path, seed=6)
    assert any(np.abs(a - b).max() > 12 for a, b in zip(frames[1:], other[1:]))


def test_the_plan_counts_the_simulation_by_particles():
    from psynth_spec.plan import make_plan

    def plan(render):
        return make_plan(compile_text(_spec(render, "video { frames 8 fps 12 }", "video, metadata"), path="p.psynth"), 50).render

    plain, few, many = plan("samples 4"), plan("samples 4 simulate true particles 1000"), plan("samples 4 simulate true particles 50000")
    assert plain.simulation_cpu_seconds_per_sample == 0.0
    assert 0 < few.simulation_cpu_seconds_per_sample < many.simulation_cpu_seconds_per_sample
    assert many.cpu_seconds_per_sample - plain.cpu_seconds_per_sample == pytest.approx(many.simulation_cpu_seconds_per_sample)


def _liquid_surfaces(tmp_path, seed, tag):
    """The evaluated liquid surface (vertices) of every frame of a simulated water pour."""
    pytest.importorskip("bpy")
    import bpy

    from psynth_render.scene.build.builder import build
    from psynth_render.scene.build.media import LIQUID
    from psynth_render.scene.build.simulation import SimulatedClip
    from psynth_render.scene.describe import describe
    from psynth_spec.taxonomy import default_taxonomy
    from tests.render_fixtures import make_row, make_spec

    tax = default_taxonomy()
    desc = describe(make_row(tax, seed=3, liquid="water", liquid__form="pour"), make_spec(tax, size=32, samples=1), tax)
    desc.effects[0].seed = seed
    build(desc)
    surfaces = []
    with SimulatedClip(desc, 1500, 0.05, FRAMES, 12.0, tmp_path / tag) as clip:
        assert clip.effects == [LIQUID]
        for index in range(FRAMES):
            clip.show(index)
            obj = bpy.data.objects[LIQUID]
            mesh = obj.evaluated_get(bpy.context.evaluated_depsgraph_get()).to_mesh()
            verts = np.array([v.co[:] for v in mesh.vertices])
            obj.evaluated_get(bpy.context.evaluated_depsgraph_get()).to_mesh_clear()
            surfaces.append(verts)
    built = bpy.data.objects[LIQUID]
    assert not built.modifiers and len(built.data.polygons) > 0  # the still's body is back
    return surfaces


@pytest.mark.render
def test_a_simulated_pour_is_a_liquid_surface_that_fills_and_repeats_per_seed(tmp_path):
    a = _liquid_surfaces(tmp_path, 1, "a")
    b = _liquid_surfaces(tmp_path, 1, "b")
    c = _liquid_surfaces(tmp_path, 2, "c")
    assert all(len(v) > 0 for v in a)
    floor = min(v[:, 2].min() for v in a)
    assert all(v[:, 2].max() - floor > 1.0 and v[:, 2].min() < floor + 0.05 for v in a)  # spout to floor

    def pool_width(v):
        low = v[v[:, 2] < floor + 0.05]
        return max(np.ptp(low[:, 0]), np.ptp(low[:, 1]))

    assert pool_width(a[-1]) > 1.3 * pool_width(a[0])  # the pool spreads as the stream fills it
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert any(len(x) != len(y) or not np.allclose(x, y) for x, y in zip(a, c))

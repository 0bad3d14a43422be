"""Simulated effects read as what they are: an explosion is a fireball (flame-coloured, with
dark smoke at its rim), not a faint glow. Measured on the pixels of tiny simulated clips against
the same shot without the effect."""

import math

import numpy as np
import pytest

FRAMES = 6
SIZE = 48


def _flame(frame):
    """Flame-coloured pixels: bright, red well above blue (the backdrop's warm grey is not)."""
    r, g, b = frame[..., 0], frame[..., 1], frame[..., 2]
    return (r > 120) & (r - b > 90) & (r >= g)


@pytest.mark.render
def test_a_simulated_explosion_is_a_flame_coloured_fireball_wrapped_in_smoke(tmp_path):
    pytest.importorskip("bpy")
    from tests.render_fixtures import render_clip

    axes = "geometry.shape = primitives.sphere\n    gas = {}"
    frames, meta = render_clip(tmp_path / "boom", axes.format("explosion"), size=SIZE, frames=FRAMES,
                               simulate="simulate true particles 1500")
    plain, _ = render_clip(tmp_path / "plain", axes.format("none"), size=SIZE, frames=1)
    assert not _flame(plain[0]).any()
    flames = [_flame(f).mean() for f in frames]
    assert flames[-1] > 0.03 and flames[-1] > flames[0], flames  # a fireball that grows
    last = frames[-1]
    effect = np.abs(last - plain[0]).max(axis=2) > 20
    darker = (last.sum(axis=2) < plain[0].sum(axis=2) - 60) & effect & ~_flame(last)
    assert darker.mean() > 0.005, darker.mean()  # smoke darkens the backdrop around the flames
    boxes = [f["effects"][0] for f in meta["frames"]]
    assert boxes[-1]["concept"] == "explosion" and boxes[-1]["coverage"] > boxes[1]["coverage"]


def _solved(kind, viscosity=0.001, frames=12, **kw):
    from psynth_render.vfx_solver import Setup, simulate

    base = dict(origin=(0.0, 0.0, -0.98), size=1.05, height=0.8, floor_z=-1.0, subject_centre=(0.0, 0.0, 0.0),
                subject_radius=1.0, viscosity=viscosity, facing=-math.pi / 2)
    base.update(kw)
    return simulate(Setup(kind=kind, **base), 2000, frames, 12.0, 7)


def test_a_splash_is_a_spiked_crown_round_the_foot_not_a_spreading_disc():
    frames = _solved("splash")
    apex = max(frames, key=lambda f: f.positions[:, 2].max())
    p = apex.positions
    assert p[:, 2].max() > -1.0 + 0.6  # it rises most of its height
    radius = np.hypot(p[:, 0], p[:, 1])
    assert np.percentile(radius, 95) < 1.05 + 0.5  # a wall flaring a little, not thrown across the floor
    angle = np.arctan2(p[:, 1], p[:, 0])
    tops = [p[(angle >= a) & (angle < a + 0.15), 2].max() for a in np.arange(-math.pi, math.pi - 0.15, 0.15)]
    assert np.ptp(tops) > 0.15  # spikes: the rim rises higher at some angles than between them
    last = frames[-1].positions
    assert np.percentile(np.hypot(last[:, 0], last[:, 1]), 95) < 1.05 + 0.7  # landed drops stay near


def test_drips_run_down_in_a_few_rivulets_slower_when_viscous():
    water, honey = _solved("drip"), _solved("drip", viscosity=10.0)
    p = water[5].positions
    on_flank = p[p[:, 2] > -0.9]
    angle = np.round(np.degrees(np.arctan2(on_flank[:, 1], on_flank[:, 0])) / 3)  # 3-degree bins
    assert 2 <= len(np.unique(angle)) <= 3 * 6  # a few rivulets, not a film over the flank
    assert all(f.positions[:, 1].mean() < 0 for f in water[2:])  # on the camera's side (facing -y)

    def fallen(frames):
        return np.mean([f.positions[:, 2].mean() for f in frames[3:]])

    assert fallen(honey) > fallen(water) + 0.1  # honey creeps, water runs off

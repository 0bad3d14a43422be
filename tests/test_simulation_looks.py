"""Simulated effects read as what they are: an explosion is a fireball (flame-coloured, with
dark smoke at its rim), not a faint glow. Measured on the pixels of tiny simulated clips against
the same shot without the effect."""

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

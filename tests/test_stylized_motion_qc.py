"""Rows of `specs/stylized_motion.psynth` that failed QC in bench/bench_fidelity.py, crafted
and rendered small: each cluster is prevented in the builder, and the pixels prove it."""

import pytest

pytest.importorskip("bpy")

from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.test_prevention import still_and_ids  # noqa: E402


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


ORTHO_DOF = {"camera__lens": "orthographic", "camera__dof": True, "camera__fstop": 2.2,
             "scene__background": "studio_sweep", "material": "ceramic"}
"""An orthographic lens with an open aperture on a sweep (stylized_motion 151, 176, 185, 39)."""


@pytest.mark.parametrize("move, framing, shape", [
    ("dolly_out", "wide", "complex.jagged_rock"),  # sample 151
    ("roll", "medium", "complex.bottle"),  # sample 176
    ("crane", "wide", "primitives.monkey"),  # sample 39
])
def test_an_open_orthographic_aperture_starts_no_ray_under_the_floor(tax, tmp_path, move, framing, shape):
    reasons, metrics = still_and_ids(tax, tmp_path, camera__movement=move, camera__framing=framing,
                                     camera__focal_length=40.0, geometry__shape=shape, **ORTHO_DOF)
    assert metrics["void_frac"] == 0.0, (reasons, metrics)


PIXEL_ART_ON_VOID = {"style": "stylized.pixel_art", "scene__background": "void", "material": "rubber",
                     "geometry__shape": "primitives.monkey"}
"""Pixel art on the black void (stylized_motion 47, 80, 167: a blank or too dark frame)."""


@pytest.mark.parametrize("mood", ["cool", "neutral", "pastel"])
def test_pixel_art_keeps_a_subject_on_the_void_readable(tax, tmp_path, mood):
    reasons, metrics = still_and_ids(tax, tmp_path, color__mood=mood, **PIXEL_ART_ON_VOID)
    assert not {"blank", "too_dark"} & set(reasons), (reasons, metrics)
    assert metrics["subject_contrast"] > 0.1, metrics

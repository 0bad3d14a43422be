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

"""Rows of `specs/stylized_motion.psynth` that failed QC in bench/bench_fidelity.py, crafted
and rendered small: each cluster is prevented in the builder, and the pixels prove it."""

import pytest

pytest.importorskip("bpy")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from psynth_data.qc import QcThresholds, image_metrics, qc_reasons  # noqa: E402
from PIL import Image  # noqa: E402

from psynth_render.instances import compose_ids, outside_lens, render_id_layers  # noqa: E402
from psynth_render.scene import render_still  # noqa: E402
from psynth_render.scene.describe import describe  # noqa: E402
from psynth_spec.compile import load_spec  # noqa: E402
from psynth_spec.sampler import sample_range  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.test_prevention import SIZE, still_and_ids  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


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



def spec_reasons(tax, tmp_path, sample_id, size=SIZE, spp=4):
    """QC reasons and metrics of a row of specs/stylized_motion.psynth as the bench draws and
    renders it (Cycles, `spp` samples, no denoising), at `size` px."""
    spec = load_spec(ROOT / "specs" / "stylized_motion.psynth", tax)
    desc = describe(sample_range(spec, sample_id, sample_id + 1).to_dicts()[0], spec, tax)
    desc.render.engine, desc.render.samples, desc.render.denoise = "CYCLES", spp, False
    desc.render.width = desc.render.height = size
    render_still(desc, tmp_path / "still.png")
    image = np.asarray(Image.open(tmp_path / "still.png").convert("RGB"))
    index, alpha, table = render_id_layers(desc)
    ids, instances = compose_ids(index, alpha, table, outside_lens(desc.camera.main, size, size))
    metrics = image_metrics(image, (np.rint(index) == 1).astype(np.uint8) * 255, instance_ids=ids,
                            instances=instances, expected=("subject",), crop_allowed=False)
    return qc_reasons(metrics, QcThresholds()), metrics


def test_a_panorama_dolly_in_stops_outside_the_subject(tax, tmp_path):
    """stylized_motion 77: framed at the near margin, a dolly in drove a panoramic camera into
    the knot, whose far side wrapped round the frame's edges (subject_cropped)."""
    reasons, metrics = spec_reasons(tax, tmp_path, 77)
    assert metrics["subject_border_frac"] == 0.0, (reasons, metrics)


def test_an_orthographic_tilt_up_keeps_the_subject_whole(tax, tmp_path):
    """stylized_motion 150: a tilt up brought the orthographic camera level, the floor lifted it
    with its aim and the monkey slid out of the frame's foot (subject_cropped)."""
    reasons, metrics = spec_reasons(tax, tmp_path, 150)
    assert metrics["subject_border_frac"] == 0.0, (reasons, metrics)
    assert reasons == [], metrics


def test_the_equisolid_fisheye_outside_mask_is_the_black_rim(tax, tmp_path):
    """stylized_motion 80, 133, 198: the ids marked half the lit circle's radius as outside the
    lens, so a fisheye subject QC saw (seg mask 2.8%) counted as unseen (ids 1.4%)."""
    from tests.render_fixtures import make_row, make_spec

    size = 64
    desc = describe(make_row(tax, camera__lens="fisheye", scene__background="studio_sweep"),
                    make_spec(tax, size=size, samples=4), tax)
    desc.render.denoise = False
    render_still(desc, tmp_path / "still.png")
    lit = np.asarray(Image.open(tmp_path / "still.png").convert("RGB")).astype(int).sum(axis=2) > 0
    outside = outside_lens(desc.camera.main, size, size)
    assert lit[~outside].mean() > 0.97, lit[~outside].mean()
    assert lit[outside].mean() < 0.2, lit[outside].mean()  # the black rim: the look's film grain at most

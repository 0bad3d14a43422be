"""Framing from the subject's bounds and a set that fills every frame, measured on the instance-id
pass of tiny renders: the subject's projected extent stays in its framing's band across focal
lengths, primitives and lenses, and no frame of any camera move sees past the set."""

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from psynth_data.qc import QcThresholds  # noqa: E402
from psynth_data.visibility import border_frac  # noqa: E402
from psynth_render.instances import OUTSIDE_LENS, render_instance_ids  # noqa: E402
from psynth_render.scene.build.builder import build, pose_camera  # noqa: E402
from psynth_render.scene.describe import describe  # noqa: E402
from psynth_spec.render_params import render_params  # noqa: E402
from psynth_spec.spec import VideoSettings  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.render_fixtures import make_row, make_spec  # noqa: E402

SIZE = 48
BAND = (-0.09, 0.04)
"""Measured extent minus the framing's share: the hull bounds the mesh (never much over) and a
48 px mask is coarse (one pixel is 0.04 of the extent)."""


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


def scene_ids(tax, size=SIZE, **overrides):
    desc = describe(make_row(tax, **overrides), make_spec(tax, size=size, samples=1), tax)
    build(desc)
    ids, instances = render_instance_ids(desc)
    return desc, ids, instances


def pixel_extent(mask):
    """The span of the subject's pixels over the frame's side (the larger of x and y)."""
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    return max((xs.max() - xs.min() + 1) / w, (ys.max() - ys.min() + 1) / h)


def share(tax, framing):
    return render_params(tax, f"camera.framings.{framing}").share


PRIMITIVES = ["cube", "sphere", "cylinder", "cone", "torus", "icosphere", "monkey", "plane", "disc",
              "truncated_cone", "rounded_cube"]


@pytest.mark.parametrize("focal", [18.0, 50.0, 200.0])
@pytest.mark.parametrize("shape", PRIMITIVES)
def test_medium_framing_keeps_the_subject_in_its_band_across_focal_lengths(tax, shape, focal):
    desc, ids, _ = scene_ids(tax, geometry__shape=f"primitives.{shape}", camera__focal_length=focal,
                             scene__background="void")
    measured = pixel_extent(ids == 1)
    target = share(tax, "medium")
    assert target + BAND[0] <= measured <= target + BAND[1], (shape, focal, measured, desc.camera.main.distance)


def test_focal_length_changes_distance_not_fit(tax):
    near = scene_ids(tax, camera__focal_length=18.0)[0].camera.main.distance
    far = scene_ids(tax, camera__focal_length=200.0)[0].camera.main.distance
    assert far > 8 * near  # a long lens stands far back for the same framing


@pytest.mark.parametrize("framing", ["close_up", "medium", "wide", "establishing"])
@pytest.mark.parametrize("lens", ["perspective", "orthographic", "tilt_shift"])
def test_every_framing_is_met_by_every_flat_lens(tax, framing, lens):
    _, ids, _ = scene_ids(tax, camera__framing=framing, camera__lens=lens, geometry__shape="primitives.monkey",
                          camera__angle="three_quarter")
    mask = ids == 1
    measured = pixel_extent(mask)
    target = share(tax, framing)
    # a shifted lens puts the subject off-centre: it backs away to fit, at a smaller share
    low = target + BAND[0] if lens != "tilt_shift" else 0.6 * target
    # an establishing shot of a monkey (its silhouette fills ~0.4 of its bounds' square) would
    # cover 1.2% of the frame: the framing brings it closer, to COVERAGE_GOAL, still wider than wide
    high = target + BAND[1] if framing != "establishing" else share(tax, "wide")
    assert low <= measured <= high, (framing, lens, measured)
    assert mask.mean() >= QcThresholds().min_coverage, (framing, lens, mask.mean())
    assert not np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]]).any()


def test_extreme_close_up_crops_and_the_others_do_not(tax):
    _, ids, _ = scene_ids(tax, camera__framing="extreme_close_up")
    mask = ids == 1
    border = np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]])
    assert border.mean() > 0.3
    _, ids, _ = scene_ids(tax, camera__framing="close_up")
    mask = ids == 1
    assert not np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]]).any()


def test_fisheye_framing_keeps_the_subject_whole(tax):
    _, ids, _ = scene_ids(tax, camera__lens="fisheye", camera__framing="close_up")
    mask = ids == 1
    assert 0.05 < mask.mean() < 0.6
    assert (ids == OUTSIDE_LENS).any() and not (ids == 0).any()


def test_a_stated_distance_overrides_the_framing(tax):
    desc, ids, _ = scene_ids(tax, camera__distance=9.0)
    assert desc.camera.main.distance == pytest.approx(9.0)
    assert not desc.camera.main.distance_stated or pixel_extent(ids == 1) < 0.45


MOVEMENTS = ["static", "dolly_in", "dolly_out", "truck", "pedestal", "pan", "tilt", "orbit", "crane", "zoom_in",
             "zoom_out", "handheld", "dolly_zoom", "arc", "roll"]


def test_every_movement_is_tested(tax):
    assert sorted(MOVEMENTS) == sorted(leaf.rsplit(".", 1)[-1] for leaf in tax.leaves("camera.movements"))


def void_over_move(desc, frames=24, step=4):
    worst = 0.0
    for frame in range(0, frames, step):
        pose_camera(desc, frame, frames)
        ids, _ = render_instance_ids(desc)
        worst = max(worst, float((ids == 0).mean()))
    return worst


@pytest.mark.parametrize("background", ["studio_sweep", "wall"])
@pytest.mark.parametrize("movement", MOVEMENTS)
def test_no_frame_of_a_camera_move_sees_past_the_set(tax, movement, background):
    desc = describe(make_row(tax, camera__movement=movement, camera__focal_length=18.0, camera__framing="wide",
                             scene__background=background), make_spec(tax, size=32, samples=1), tax)
    build(desc)
    assert void_over_move(desc) == 0.0


@pytest.mark.parametrize("lens", ["fisheye", "fisheye_equidistant", "panoramic", "cylindrical", "mirror_ball"])
def test_wide_lenses_see_only_the_set(tax, lens):
    desc = describe(make_row(tax, camera__movement="orbit", camera__lens=lens, scene__background="studio_sweep"),
                    make_spec(tax, size=32, samples=1), tax)
    build(desc)
    assert void_over_move(desc, step=8) == 0.0


def test_a_flat_sweep_turned_away_from_shows_void(tax):
    """The check can fail: the same set seen from behind (the builder aims it at the camera)."""
    desc = describe(make_row(tax, camera__focal_length=18.0, scene__background="studio_sweep"),
                    make_spec(tax, size=32, samples=1), tax)
    build(desc)
    desc.camera.main.azimuth_deg += 180.0
    desc.camera.main.elevation_deg = 0.0
    pose_camera(desc)
    ids, _ = render_instance_ids(desc)
    assert (ids == 0).mean() > 0.05


@pytest.mark.parametrize("movement", MOVEMENTS)
def test_an_orthographic_camera_never_starts_rays_under_the_floor(tax, movement):
    desc = describe(make_row(tax, camera__movement=movement, camera__lens="orthographic", camera__framing="wide",
                             scene__background="studio_sweep"), make_spec(tax, size=32, samples=1), tax)
    build(desc)
    assert void_over_move(desc) == 0.0


def video_spec(tax, frames=9, size=64):
    """A tiny spec that renders a clip: the framing then covers every frame's pose."""
    spec = make_spec(tax, size=size, samples=1)
    return spec.model_copy(update={"outputs": (*spec.outputs, "video"),
                                   "video": VideoSettings(frames=frames, fps=12.0)})


def border_over_move(desc, frames):
    """The largest share of the image border the subject touches over the clip's frames."""
    worst = 0.0
    for frame in range(frames):
        pose_camera(desc, frame, frames)
        ids, _ = render_instance_ids(desc)
        worst = max(worst, border_frac(ids == 1))
    return worst


@pytest.mark.parametrize("movement", MOVEMENTS)
def test_no_frame_of_a_camera_move_crops_the_subject(tax, movement):
    """A close-up (the tightest framing that does not crop) of a wide subject, over 9 frames."""
    desc = describe(make_row(tax, camera__movement=movement, camera__framing="close_up",
                             geometry__shape="primitives.monkey", scene__background="studio_sweep"),
                    video_spec(tax), tax)
    assert desc.camera.main.movement.frames == 9
    build(desc)
    assert border_over_move(desc, 9) <= QcThresholds().max_subject_border  # QC's subject_cropped


def test_a_still_is_framed_at_its_own_pose_only(tax):
    """The check can fail: framed for the still's pose alone, a handheld close-up's shake and a
    roll's turn push the subject over the edge in some frame."""
    cropped = []
    for movement in ("handheld", "roll", "orbit", "arc", "crane"):
        desc = describe(make_row(tax, camera__movement=movement, camera__framing="close_up",
                                 geometry__shape="primitives.monkey", scene__background="studio_sweep"),
                        make_spec(tax, size=64, samples=1), tax)
        assert desc.camera.main.movement.frames == 0
        build(desc)
        cropped.append(border_over_move(desc, 9) > QcThresholds().max_subject_border)
    assert any(cropped)

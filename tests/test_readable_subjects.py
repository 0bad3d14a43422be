"""Single subjects readable on screen (issue 12): rows crafted after stylized_motion samples that
passed QC unreadable or failed it, rendered small. Each is prevented in the builder (pixel art's
value floor, framing by the silhouette's fill, the hull as the camera's near limit, a dolly the
framing cannot absorb shortened), and QC's `subject_unreadable` catches the sprite without the
floor. Measured on the final image and the instance ids."""

import pytest

pytest.importorskip("bpy")

from psynth_data.qc import QcThresholds  # noqa: E402
from psynth_data.visibility import dilate  # noqa: E402
from psynth_render.instances import outside_lens  # noqa: E402
from psynth_render.scene.describe import palette  # noqa: E402
from psynth_spec.render_params import render_params  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from psynth_render.scene.build.builder import SUBJECT  # noqa: E402
from psynth_render.scene.build.looks import OUTLINE  # noqa: E402
from tests.render_fixtures import built_scene, make_row  # noqa: E402
from tests.test_prevention import _render_crafted, still_and_ids  # noqa: E402
from tests.test_stylized_motion_qc import spec_reasons  # noqa: E402

MIN = QcThresholds().min_coverage


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


SPRITES = {80: "a table in a fisheye: an empty grey disc", 127: "a dark velvet shelf: blank",
           167: "a monkey head in a panorama: a few pixels"}
"""stylized_motion rows in pixel art on the void, dark or cool moods, that passed QC (or were
blank) with no subject on screen."""
BENCH_SIZE, BENCH_SPP = 128, 8
"""bench_fidelity's settings: pixel art's blocks (8 px at 256) are 4 px, which average a thin
table leg with the void around it (at 40 px they are 1 px and keep the leg's colour)."""


def spec_row_qc(tax, tmp_path, sample_id):
    """QC reasons and metrics of a row of specs/stylized_motion.psynth as the bench renders it."""
    return spec_reasons(tax, tmp_path, sample_id, size=BENCH_SIZE, spp=BENCH_SPP)


@pytest.mark.parametrize("sample_id", sorted(SPRITES))
def test_a_dark_pixel_art_sprite_stands_out_from_the_void(tax, tmp_path, sample_id):
    reasons, metrics = spec_row_qc(tax, tmp_path, sample_id)
    assert reasons == [], (SPRITES[sample_id], reasons, metrics)
    assert metrics["subject_visible_frac"] >= MIN, metrics


@pytest.mark.parametrize("sample_id", sorted(SPRITES))
def test_qc_calls_a_sprite_in_the_voids_colour_unreadable(tax, tmp_path, monkeypatch, sample_id):
    """Without the value floor the sprite is posterized into the void's band: its mask is
    there, its pixels are not (QC passed 80 and 167 before subject_visible_frac)."""
    monkeypatch.setattr(palette, "SPRITE_VALUE_FLOOR", 0.0)
    reasons, metrics = spec_row_qc(tax, tmp_path, sample_id)
    assert metrics["object_coverage"] >= MIN, metrics
    assert metrics["subject_visible_frac"] < MIN, metrics
    assert {"subject_unreadable", "blank"} & set(reasons), (reasons, metrics)


@pytest.mark.parametrize("move, framing, shortened", [("dolly_out", "close_up", True),
                                                      ("dolly_zoom", "medium", False)])
def test_a_panoramic_dolly_away_ends_with_the_subject_in_view(tax, tmp_path, move, framing, shortened):
    """Samples 84 and 129: a panorama's share is reached only close up, and the still at the end
    of a dolly out stood 1.6-1.8 times further than the closest base (the monkey on 1.5-1.8% of
    the frame). The camera now comes as close as the hull allows and, where the share is still
    out of reach (a close-up), the dolly is shortened."""
    stated = render_params(tax, f"camera.movements.{move}").dolly
    kept = {}

    def note(desc):
        kept["dolly"] = desc.camera.main.movement.dolly

    reasons, metrics = still_and_ids(tax, tmp_path, after_build=note, geometry__shape="primitives.monkey",
                                     camera__lens="panoramic", camera__movement=move, camera__framing=framing,
                                     scene__background="sky")
    assert reasons == [] and metrics["object_coverage"] >= 1.5 * MIN, (reasons, metrics)
    assert 0.25 * stated <= kept["dolly"] <= stated  # the clip still moves away
    assert (kept["dolly"] < stated) == shortened, kept


SPARSE = {73: "a chair, perspective, wide, pan: 1.4% of the frame",
          81: "a crystal's thin prism, panoramic, wide, tilt: 1.9%",
          164: "a bent pipe, panoramic, medium, pan: 1.3%"}
"""stylized_motion rows whose sparse or thin subject, framed by its bounds, was too small."""


@pytest.mark.parametrize("sample_id", sorted(SPARSE))
def test_a_sparse_or_thin_subject_covers_its_share(tax, tmp_path, sample_id):
    reasons, metrics = spec_row_qc(tax, tmp_path, sample_id)
    assert reasons == [] and metrics["object_coverage"] >= MIN, (SPARSE[sample_id], reasons, metrics)


INKED = {18: "an ink chair in a fisheye", 58: "an ink shelf in a fisheye"}
"""stylized_motion rows whose ink lines Freestyle projected as a perspective camera would: they
crossed the frame and its black corners, and the paper-white subject was not drawn."""


@pytest.mark.parametrize("sample_id", sorted(INKED))
def test_a_fisheye_draws_an_ink_subject_by_its_outline(tax, tmp_path, sample_id):
    reasons, metrics = spec_row_qc(tax, tmp_path, sample_id)
    assert reasons == [] and metrics["subject_visible_frac"] >= MIN, (INKED[sample_id], reasons, metrics)


@pytest.mark.parametrize("style", ["npr.ink", "npr.sketch"])
def test_no_line_falls_outside_a_fisheyes_disc(tax, tmp_path, style):
    row = make_row(tax, style=style, camera__lens="fisheye", geometry__shape="complex.chair",
                   scene__background="studio_sweep")
    desc, image, _ = _render_crafted(tax, tmp_path, row, 64, 4)
    outside = outside_lens(desc.camera.main, 64, 64)
    corners = outside & ~dilate(~outside, 2)  # 2 px clear of the disc's soft rim
    assert corners.mean() > 0.3 and image[corners].max() <= 8, image[corners].max()  # they stay black


def test_an_ink_shell_is_gone_before_the_next_sample_is_framed(tax):
    """The builder reuses the subject: a shell left from a fisheye ink sample made the next
    sample's hull 3% larger and its camera stand further back (its coverage then differed)."""
    import bpy

    plain = built_scene(tax, 40, geometry__shape="primitives.monkey").camera.main.distance
    built_scene(tax, 40, geometry__shape="primitives.monkey", style="npr.ink", camera__lens="fisheye")
    assert OUTLINE in bpy.data.objects[SUBJECT].modifiers
    again = built_scene(tax, 40, geometry__shape="primitives.monkey").camera.main.distance
    assert again == pytest.approx(plain, rel=1e-9) and OUTLINE not in bpy.data.objects[SUBJECT].modifiers


def test_an_ink_shell_takes_one_slot_however_often_the_subject_is_lined(tax):
    """The shell's ink slot is the object's, after its own: lining the shared mesh again (the
    next fisheye ink sample) reuses it instead of appending another slot each time."""
    import bpy

    built_scene(tax, 40, geometry__shape="primitives.monkey", style="npr.ink", camera__lens="fisheye")
    subject = bpy.data.objects[SUBJECT]
    slots = len(subject.material_slots)
    built_scene(tax, 40, geometry__shape="primitives.monkey", style="npr.ink", camera__lens="fisheye")
    assert len(subject.material_slots) == slots == 2
    assert subject.material_slots[1].material.name == OUTLINE
    assert subject.modifiers[OUTLINE].material_offset == 1

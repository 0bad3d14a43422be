"""The builder places what the caption states where the camera sees it (issue 12, item 4), and
each visibility QC reason is raised by a scene crafted to break it and not by a good one.
Measured on tiny renders: the instance ids (coverage) and, for contrast, the image."""

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from PIL import Image  # noqa: E402

from psynth_data.qc import QcThresholds, image_metrics, qc_reasons  # noqa: E402
from psynth_render.instances import compose_ids, outside_lens, render_id_layers  # noqa: E402
from psynth_render.scene.build import framing  # noqa: E402
from psynth_render.scene.build.builder import build, pose_camera  # noqa: E402
from psynth_render.scene.describe import describe  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.render_fixtures import built_scene, make_row, make_spec  # noqa: E402

SIZE = 40


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


def coverage_of(tax, **overrides):
    desc = built_scene(tax, SIZE, **overrides)
    index, alpha, table = render_id_layers(desc)
    ids, instances = compose_ids(index, alpha, table)
    return {i["element"]: i["coverage"] for i in instances}, ids


@pytest.mark.parametrize("angle", ["eye_level", "profile", "ground_level", "dutch"])
@pytest.mark.parametrize("shape", ["plane", "disc"])
def test_flat_subjects_are_never_seen_edge_on(tax, shape, angle):
    coverage, _ = coverage_of(tax, geometry__shape=f"primitives.{shape}", camera__angle=angle)
    assert coverage["subject"] > 0.05, coverage  # edge-on, a plane covers well under 1%


def _iou(a, b):
    return (a & b).sum() / max((a | b).sum(), 1)


def test_subdivision_keeps_a_cube_a_cube(tax):
    view = {"camera__angle": "high_angle", "geometry__rotation": 30.0, "scene__background": "void"}
    plain = coverage_of(tax, geometry__shape="primitives.cube", geometry__subdivision=0, **view)[1] == 1
    smooth = coverage_of(tax, geometry__shape="primitives.cube", geometry__subdivision=3, **view)[1] == 1
    sphere = coverage_of(tax, geometry__shape="primitives.sphere", **view)[1] == 1
    assert _iou(plain, smooth) > 0.9
    assert _iou(plain, sphere) < _iou(plain, smooth) - 0.05  # the check can tell a sphere


FORMS = ["pool", "splash", "drip", "pour", "ripple"]
"""The forms that stand beside or under the subject (droplets and coating sit on its surface:
on a thin plane or torus they can cover under 1% of the frame, which QC then reports)."""


@pytest.mark.parametrize("shape", ["cube", "plane", "torus", "monkey"])
@pytest.mark.parametrize("form", FORMS)
def test_liquids_are_in_view_beside_or_under_the_subject(tax, form, shape):
    coverage, _ = coverage_of(tax, liquid="water", liquid__form=form, geometry__shape=f"primitives.{shape}")
    assert coverage["liquid"] > 0.01, coverage
    assert coverage["subject"] > 0.02, coverage


def _render_crafted(tax, tmp_path, row, size, samples, edit=None, after_build=None):
    """Build a crafted row (Cycles, no denoising; `edit` the description before the build,
    `after_build` the scene after it) and render its still: (desc, RGB array, id layers)."""
    desc = describe(row, make_spec(tax, size=size, samples=samples), tax)
    desc.render.denoise = False
    if edit is not None:
        edit(desc)
    build(desc)
    if after_build is not None:
        after_build(desc)
        pose_camera(desc)
    path = tmp_path / "still.png"
    bpy.context.scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)
    with Image.open(path) as im:
        image = np.asarray(im.convert("RGB"))
    return desc, image, render_id_layers(desc)


def still_and_ids(tax, tmp_path, edit=None, after_build=None, **overrides):
    """QC metrics of a crafted scene: the still (Cycles, 4 spp) and its instance ids."""
    row = make_row(tax, **overrides)
    desc, image, (index, alpha, table) = _render_crafted(tax, tmp_path, row, SIZE, 4, edit, after_build)
    ids, instances = compose_ids(index, alpha, table, outside_lens(desc.camera.main, SIZE, SIZE))
    expected = ("subject", *(k for k in ("liquid", "gas") if (row.get(k) or "none") != "none"))
    crop = row.get("camera_framing") == "extreme_close_up"
    metrics = image_metrics(image, (np.rint(index) == 1).astype(np.uint8) * 255, instance_ids=ids,
                            instances=instances, expected=expected, crop_allowed=crop)
    return qc_reasons(metrics, QcThresholds()), metrics


GOOD = {"liquid": "water", "liquid__form": "pool", "gas": "smoke", "gas__density": 0.5,
        "geometry__shape": "primitives.cube", "scene__background": "dark_sweep"}
"""A bright cube on a dark sweep: the luma contrast QC measures is high without a gas."""


def clean(desc):
    """Denoised, so the contrast of a fogged subject is not the render's noise."""
    desc.render.denoise = True
    desc.render.samples = 16


def test_a_good_scene_passes_visibility_qc(tax, tmp_path):
    reasons, metrics = still_and_ids(tax, tmp_path, **GOOD)
    assert reasons == [], metrics


def test_a_subject_cut_by_the_frame_is_cropped_unless_the_framing_asks(tax, tmp_path):
    assert "subject_cropped" in still_and_ids(tax, tmp_path, camera__distance=1.3, **GOOD)[0]
    assert "subject_cropped" not in still_and_ids(tax, tmp_path, camera__framing="extreme_close_up", **GOOD)[0]


def test_a_far_subject_is_too_small(tax, tmp_path):
    assert "subject_too_small" in still_and_ids(tax, tmp_path, camera__distance=20.0,
                                                camera__focal_length=18.0, **GOOD)[0]


def test_a_set_turned_away_leaves_void_in_frame(tax, tmp_path):
    def turn(desc):
        desc.camera.main.azimuth_deg += 180.0
        desc.camera.main.elevation_deg = 0.0

    assert "void_in_frame" in still_and_ids(tax, tmp_path, after_build=turn, camera__focal_length=18.0, **GOOD)[0]


def _move(name):
    def away(desc):
        bpy.data.objects[name].location.z -= 80.0
    return away


def test_a_liquid_out_of_sight_is_not_visible(tax, tmp_path):
    reasons = still_and_ids(tax, tmp_path, after_build=_move("psynth_liquid"), **GOOD)[0]
    assert "liquid_not_visible" in reasons and "gas_not_visible" not in reasons


def test_a_gas_out_of_sight_is_not_visible(tax, tmp_path):
    reasons = still_and_ids(tax, tmp_path, after_build=_move("psynth_gas"), **GOOD)[0]
    assert "gas_not_visible" in reasons and "liquid_not_visible" not in reasons


def test_a_fog_past_the_readable_cap_hides_the_subject(tax, tmp_path, monkeypatch):
    fog = dict(GOOD, gas="fog", gas__density=1.0, camera__focal_length=135.0)

    def thick(desc):  # a fog 20x the concept's own density: only the cap keeps the subject
        clean(desc)
        next(e for e in desc.effects if e.element == "gas").density_value *= 20.0

    assert "gas_hides_subject" not in still_and_ids(tax, tmp_path, edit=thick, **fog)[0]  # the cap
    monkeypatch.setattr(framing, "MAX_FILL_DEPTH", 40.0)
    assert "gas_hides_subject" in still_and_ids(tax, tmp_path, edit=thick, **fog)[0]


@pytest.mark.parametrize("gas", ["smoke", "fog", "cloud", "fire", "steam", "dust", "haze", "mist", "explosion",
                                 "colored_smoke", "magic_glow"])
def test_every_gas_at_full_density_is_visible_and_leaves_the_subject_readable(tax, tmp_path, gas):
    reasons, metrics = still_and_ids(tax, tmp_path, edit=clean, gas=gas, gas__density=1.0, camera__focal_length=85.0,
                                     geometry__shape="primitives.cube", scene__background="dark_sweep")
    assert "gas_hides_subject" not in reasons and "gas_not_visible" not in reasons, metrics


SURFACE_FORMS = ["droplets", "coating"]
ALL_PRIMITIVES = ["cube", "sphere", "cylinder", "cone", "torus", "icosphere", "monkey", "plane", "disc",
                  "truncated_cone", "rounded_cube"]


@pytest.mark.parametrize("shape", ALL_PRIMITIVES)
@pytest.mark.parametrize("form", SURFACE_FORMS)
def test_liquids_on_the_surface_are_visible_on_every_primitive(tax, form, shape):
    """Droplets and a coating sit on the subject's surface where the camera sees it, sized from
    its bounds: thin subjects (a plane, a disc, a torus, a cone's tip) included."""
    coverage, _ = coverage_of(tax, liquid="water", liquid__form=form, geometry__shape=f"primitives.{shape}")
    assert coverage["liquid"] > 2 * QcThresholds().min_element_coverage, coverage


def _still(tax, tmp_path, edit=None, **overrides):
    """The still (Cycles 8 spp, 48 px) of a crafted row as an RGB array, and its instance ids."""
    _, image, layers = _render_crafted(tax, tmp_path, make_row(tax, **overrides), 48, 8, edit)
    return image, compose_ids(*layers)[0]


def _unmetered(desc):
    desc.lighting.metering_ev = 0.0


@pytest.mark.parametrize("setup", ["natural.night", "artificial.candle"])
def test_a_dim_rig_is_metered_readable_and_stays_dark(tax, tmp_path, setup):
    """At the darkest exposure a shipped spec draws (-2 EV), the setup's metering keeps the
    frame out of `too_dark` and the subject readable; the same rig unmetered clips far more of
    the frame to black (the check can fail), and the metered scene is still darker than noon."""
    row = {"lighting__setup": setup, "lighting__exposure": -2.0, "geometry__shape": "primitives.sphere"}
    metered, ids = _still(tax, tmp_path, **row)
    dark, _ = _still(tax, tmp_path, edit=_unmetered, **row)
    noon, _ = _still(tax, tmp_path, **dict(row, lighting__setup="natural.noon", lighting__exposure=0.0))
    lit, unlit = image_metrics(metered)["dark_clip_frac"], image_metrics(dark)["dark_clip_frac"]
    assert "too_dark" not in qc_reasons(image_metrics(metered)) and lit < unlit - 0.15, (lit, unlit)
    y = metered.astype(float) / 255 @ np.array([0.2126, 0.7152, 0.0722])
    assert y[ids == 1].mean() > 0.1  # the subject reads
    assert y.mean() < (noon.astype(float) / 255 @ np.array([0.2126, 0.7152, 0.0722])).mean()


def test_a_glowing_subject_at_night_is_metered_on_its_glow(tax, tmp_path):
    """The night's metering (+2.5 EV) exposed an LED (emission 4) at 5.7 times its glow: a white
    frame (vfx_elements 119: +1.3 EV, in steam, `too_bright`). Metered on the glow it is a glowing
    shape in the dark; with the setup's full metering the same scene is blown out."""
    from psynth_render.scene.describe.from_row import emission_glow, metered_on_glow

    row = {"lighting__setup": "natural.night", "lighting__exposure": 1.26, "material": "emissive.led",
           "geometry__shape": "primitives.truncated_cone", "gas": "steam", "gas__density": 0.62}
    metered, ids = _still(tax, tmp_path, **row)
    blown, _ = _still(tax, tmp_path, edit=lambda d: setattr(d.lighting, "metering_ev", 2.5), **row)
    lit, white = image_metrics(metered), image_metrics(blown)
    # measured: 0.30 of the frame clipped white, mean luma 0.85; metered on the glow 0.0, 0.66
    assert white["bright_clip_frac"] > 0.2 and white["mean_luma"] > 0.8  # the check can fail
    assert lit["bright_clip_frac"] < 0.05 and "too_bright" not in qc_reasons(lit)
    y = metered.astype(float) / 255 @ np.array([0.2126, 0.7152, 0.0722])
    assert y[ids == 1].mean() > y[ids != 1].mean() + 0.3  # the glow stands out (measured 0.97 in 0.54 of lit steam)
    assert metered_on_glow(2.5, emission_glow({"emission_strength": 0.0, "emission_color": None})) == 2.5  # no glow
    hot_metal = emission_glow({"emission_strength": 2.5, "emission_color": (1.0, 0.2, 0.0)})
    assert metered_on_glow(2.5, hot_metal) == pytest.approx(0.678, abs=1e-3)


def test_thin_steam_stays_on_screen(tax):
    coverage, _ = coverage_of(tax, gas="steam", gas__density=0.1, geometry__shape="primitives.cylinder")
    assert coverage["gas"] > QcThresholds().min_element_coverage, coverage


@pytest.mark.parametrize("grade", ["high_contrast", "noir"])
def test_a_contrast_grade_keeps_a_night_image(tax, tmp_path, grade):
    """A grade's contrast pivots on scene-linear mid-grey (a power curve): a night image keeps
    its lit subject instead of going black (Blender's Bright/Contrast crushed it)."""
    image, ids = _still(tax, tmp_path, lighting__setup="natural.night", lighting__exposure=-1.0,
                        post__grade=grade, geometry__shape="primitives.monkey")
    assert "too_dark" not in qc_reasons(image_metrics(image)), image_metrics(image)
    y = image.astype(float) / 255 @ np.array([0.2126, 0.7152, 0.0722])
    assert y[ids == 1].mean() > 0.05

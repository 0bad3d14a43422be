"""Visibility QC on crafted arrays: each reason fires on a bad input and not on a good one; the
metrics are null (and judge nothing) where the renderer gave no input; the `qc` block takes the
new thresholds; the worker reads the instance pass and the JSON's `instances`."""

import json

import numpy as np
import pytest
from PIL import Image

from psynth_data.qc import SCHEMA, QcError, QcThresholds, image_metrics, qc_frame, qc_reasons, qc_row
from psynth_data.visibility import (
    OUTSIDE_LENS, border_frac, crop_allowed, dilate, expected_elements, visibility_metrics, visibility_reasons,
)
from psynth_render.outputs import PASS_SUFFIX, member_name
from psynth_render.qc_probe import QC_DIR, measure_sample, measure_variant, variant_failures
from psynth_spec.compile import compile_text
from psynth_spec.errors import SpecError

T = QcThresholds()
H = W = 100


def _scene(subject=(30, 70, 30, 70), subject_luma=0.8, ground_luma=0.3):
    """A luma image with a bright textured-free square subject on a darker ground, and its mask."""
    y0, y1, x0, x1 = subject
    luma = np.full((H, W), ground_luma)
    mask = np.zeros((H, W), np.uint8)
    mask[y0:y1, x0:x1] = 1
    luma[mask > 0] = subject_luma
    return luma, mask


def _ids(mask, liquid_rows=(80, 95), gas_rows=None, void_cols=0):
    """Instance ids: 1 subject, 2 liquid, 3 gas, 4 backdrop; 0 (void) in the first columns."""
    ids = np.full((H, W), 4, np.uint16)
    if liquid_rows:
        ids[liquid_rows[0]:liquid_rows[1], 10:90] = 2
    if gas_rows:
        ids[gas_rows[0]:gas_rows[1], :] = 3
    ids[mask > 0] = 1
    ids[:, :void_cols] = 0
    return ids


INSTANCES = [{"id": 1, "element": "subject", "concept": "primitives.cube"},
             {"id": 2, "element": "liquid", "concept": "water"},
             {"id": 4, "element": "backdrop", "concept": "studio_sweep"}]


def _reasons(**inputs):
    return visibility_reasons(visibility_metrics(**inputs), T)


# ---------------------------------------------------------------- the measurements
def test_border_frac_and_dilate():
    mask = np.zeros((10, 10), bool)
    assert border_frac(mask) == 0.0
    mask[0, :5] = True  # 5 of the 36 border pixels
    assert border_frac(mask) == pytest.approx(5 / 36)
    dot = np.zeros((9, 9), bool)
    dot[4, 4] = True
    grown = dilate(dot, 2)
    assert grown.sum() == 25 and grown[2:7, 2:7].all()


def test_a_good_scene_passes_every_visibility_check():
    luma, mask = _scene()
    ids = _ids(mask)
    m = visibility_metrics(subject_mask=mask, luma=luma, instance_ids=ids, instances=INSTANCES,
                           expected=("subject", "liquid"))
    assert m["subject_border_frac"] == 0.0 and m["void_frac"] == 0.0
    assert m["min_element_coverage"] == pytest.approx(0.12)  # the liquid's 15 x 80 px, measured from ids
    assert m["subject_contrast"] == pytest.approx(0.495, abs=0.002)  # delta E 49.5: L* 82.0 vs 32.5
    assert visibility_reasons(m, T) == []


def test_subject_cropped_unless_the_framing_crops():
    luma, mask = _scene(subject=(0, 40, 30, 70))  # touches the top edge over 40 px
    m = visibility_metrics(subject_mask=mask, luma=luma)
    assert m["subject_border_frac"] == pytest.approx(40 / 396)
    assert visibility_reasons(m, T) == ["subject_cropped"]
    assert visibility_reasons(m, T, crop_allowed=True) == []
    assert crop_allowed({"camera_framing": "extreme_close_up"}) and not crop_allowed({"camera_framing": "medium"})


def test_void_in_frame_from_the_instance_pass_or_a_void_mask():
    luma, mask = _scene()
    assert _reasons(subject_mask=mask, luma=luma, instance_ids=_ids(mask, void_cols=3), instances=INSTANCES) == ["void_in_frame"]
    void = np.zeros((H, W), bool)
    void[0, 0] = True  # 1 pixel in 10,000: under the default 0.1 %
    assert _reasons(subject_mask=mask, luma=luma, void_mask=void) == []
    void[:2] = True
    assert _reasons(subject_mask=mask, luma=luma, void_mask=void) == ["void_in_frame"]


def test_liquid_not_visible_small_or_left_out():
    luma, mask = _scene()
    sliver = _ids(mask, liquid_rows=(90, 91))  # 80 px: 0.8 % of the frame
    assert _reasons(subject_mask=mask, luma=luma, instance_ids=sliver, instances=INSTANCES) == ["liquid_not_visible"]
    stated_but_missing = [i for i in INSTANCES if i["element"] != "liquid"]
    assert _reasons(subject_mask=mask, luma=luma, instance_ids=_ids(mask, liquid_rows=None),
                    instances=stated_but_missing, expected=("subject", "liquid")) == ["liquid_not_visible"]
    assert _reasons(subject_mask=mask, luma=luma, instance_ids=_ids(mask, liquid_rows=None),
                    instances=stated_but_missing, expected=("subject",)) == []


def test_gas_not_visible_by_the_renderers_coverage():
    luma, mask = _scene()
    ids = _ids(mask, gas_rows=(0, 10))
    thin = INSTANCES + [{"id": 3, "element": "gas", "concept": "fog", "coverage": 0.004}]
    thick = INSTANCES + [{"id": 3, "element": "gas", "concept": "fog", "coverage": 0.6}]
    assert _reasons(subject_mask=mask, luma=luma, instance_ids=ids, instances=thin) == ["gas_not_visible"]
    assert _reasons(subject_mask=mask, luma=luma, instance_ids=ids, instances=thick) == []


def test_gas_hides_subject_only_with_a_gas():
    luma, mask = _scene(subject_luma=0.61, ground_luma=0.6)  # fog: subject and ground the same grey
    hidden = visibility_metrics(subject_mask=mask, luma=luma, expected=("subject", "gas"))
    assert hidden["subject_contrast"] == pytest.approx(0.0097, abs=0.0003)  # delta E ~1
    assert visibility_reasons(hidden, T) == ["gas_hides_subject"]
    # no gas to blame: the same grey subject is unreadable by its pixels, not hidden by a gas
    assert _reasons(subject_mask=mask, luma=luma, expected=("subject",)) == ["subject_unreadable"]
    clear_luma, _ = _scene()
    assert _reasons(subject_mask=mask, luma=clear_luma, expected=("subject", "gas")) == []
    shaded = luma.copy()
    shaded[30:70, 30:50] = 0.3  # flat mean difference, but shading inside the subject shows it
    assert _reasons(subject_mask=mask, luma=shaded, expected=("subject", "gas")) == []


def _colour_scene(subject_rgb, ground_rgb):
    """An 8-bit RGB image of a flat square subject on a flat ground, and the subject's mask."""
    _, mask = _scene()
    image = np.empty((H, W, 3), np.uint8)
    image[...] = np.round(np.asarray(ground_rgb) * 255)
    image[mask > 0] = np.round(np.asarray(subject_rgb) * 255)
    return image, mask


def test_contrast_is_a_colour_difference_red_on_green_of_equal_luma():
    red, green = (0.9, 0.0, 0.0), (0.0, 0.9 * 0.2126 / 0.7152, 0.0)  # equal Rec. 709 luma
    image, mask = _colour_scene(red, green)
    m = image_metrics(image, mask, expected=("subject", "gas"))
    y = image.astype(float) / 255 @ np.array([0.2126, 0.7152, 0.0722])
    assert abs(y[mask > 0].mean() - y[mask == 0].mean()) < 0.005  # luma cannot tell them apart
    assert m["subject_contrast"] > 0.5  # delta E > 50: plainly different colours
    assert "gas_hides_subject" not in qc_reasons(m)
    same, _ = _colour_scene(red, (0.89, 0.0, 0.0))  # red on a red one step darker: hidden
    hidden = image_metrics(same, mask, expected=("subject", "gas"))
    assert hidden["subject_contrast"] < T.min_subject_contrast
    assert "gas_hides_subject" in qc_reasons(hidden)


def test_contrast_of_a_grey_image_matches_its_rgb_twin():
    luma, mask = _scene(subject_luma=0.7, ground_luma=0.4)
    rgb = np.repeat(luma[..., None], 3, 2)
    from_luma = visibility_metrics(subject_mask=mask, luma=luma)["subject_contrast"]
    from_rgb = visibility_metrics(subject_mask=mask, luma=luma, rgb=rgb)["subject_contrast"]
    assert from_luma == pytest.approx(from_rgb) and from_luma > 0.25
    with pytest.raises(ValueError, match="colours"):
        visibility_metrics(subject_mask=mask, rgb=rgb[..., :2])


def test_too_small_subject_by_default_from_the_mask_or_the_instances():
    image = np.repeat(np.linspace(0.2, 0.8, W)[None, :, None], H, 0).repeat(3, 2)
    image = (image * 255).round().astype(np.uint8)
    small = np.zeros((H, W), np.uint8)
    small[40:52, 40:52] = 255  # 1.44 % of the frame
    assert qc_reasons(image_metrics(image, small)) == ["subject_too_small"]
    big = np.zeros((H, W), np.uint8)
    big[40:55, 40:55] = 255  # 2.25 %
    assert qc_reasons(image_metrics(image, big)) == ["subject_unreadable"]  # a mask, nothing on screen
    drawn = image.copy()
    drawn[big > 0] = (200, 40, 40)
    assert qc_reasons(image_metrics(drawn, big)) == []
    ids = np.full((H, W), 4, np.uint16)
    ids[small > 0] = 1
    no_mask = image_metrics(image, None, instance_ids=ids, instances=INSTANCES[:1] + INSTANCES[2:])
    assert no_mask["object_coverage"] is None and qc_reasons(no_mask) == ["subject_too_small"]


def test_no_renderer_input_measures_nothing_and_nan_is_null():
    m = visibility_metrics()
    assert all(m[k] is None for k in ("subject_border_frac", "void_frac", "min_element_coverage", "subject_contrast"))
    assert visibility_reasons(m, T) == []
    image = np.full((8, 8, 3), 128, np.uint8)
    image[:4] = 60
    row = qc_row(1, 0, image_metrics(image))
    assert row["qc_pass"] and row["void_frac"] is None and row["subject_contrast"] is None
    # a NaN coverage from a renderer: measured from the ids instead; a NaN metric is stored as null
    luma, mask = _scene()
    nan_cov = [dict(INSTANCES[1], coverage=float("nan"))]
    m = visibility_metrics(subject_mask=mask, luma=luma, instance_ids=_ids(mask), instances=nan_cov)
    assert m["element_coverage"]["liquid"] == pytest.approx(0.12)
    frame = qc_frame([qc_row(2, 0, {**image_metrics(image), "subject_contrast": float("nan")})])
    assert frame.schema == SCHEMA and frame["subject_contrast"].to_list() == [None]
    with pytest.raises(ValueError, match="instance ids"):
        visibility_metrics(subject_mask=mask, instance_ids=np.zeros((5, 5), np.uint16))


def test_expected_elements_from_a_sample_row():
    assert expected_elements({"liquid": "water", "gas": "none"}) == ("subject", "liquid")
    assert expected_elements({"liquid": None, "gas": "fog"}) == ("subject", "gas")
    assert expected_elements({}) == ("subject",)


# ---------------------------------------------------------------- the qc block
def test_the_qc_block_takes_the_visibility_thresholds():
    spec = compile_text("dataset d {\n    samples 4\n    qc {\n        max_subject_border 0.05\n"
                        "        min_element_coverage 0.002\n        max_void_frac 0.01\n"
                        "        min_subject_contrast 0.1\n    }\n}\n")
    t = QcThresholds.for_spec(spec)
    assert (t.max_subject_border, t.min_element_coverage, t.max_void_frac, t.min_subject_contrast) == (0.05, 0.002, 0.01, 0.1)
    assert QcThresholds().min_coverage == 0.02 and QcThresholds().min_element_coverage == 0.01
    with pytest.raises(SpecError) as info:
        compile_text("dataset d {\n    samples 4\n    qc {\n        max_void_frac 2\n        min_subject_contrst 0.1\n    }\n}\n")
    assert [(d.code, d.line, d.col) for d in info.value.diagnostics] == [("out-of-range", 4, 23), ("unknown-setting", 5, 9)]
    assert info.value.diagnostics[1].hint == "did you mean 'min_subject_contrast'?"


# ---------------------------------------------------------------- the worker reads the inputs
def test_the_worker_reads_the_instance_pass_and_the_json(tmp_path):
    spec = compile_text("dataset d {\n    samples 4\n}\n")
    luma, mask = _scene()
    image = (np.repeat(luma[..., None], 3, 2) * 255).round().astype(np.uint8)
    Image.fromarray(image).save(tmp_path / member_name(7, "png"))
    (tmp_path / QC_DIR).mkdir()
    Image.fromarray((mask * 255).astype(np.uint8)).save(tmp_path / QC_DIR / member_name(7, PASS_SUFFIX["segmentation"]))
    row = {"sample_id": 7, "caption": "x", "liquid": "water", "gas": "none"}
    plain = measure_sample(spec, tmp_path, row, 0.1, 0)
    assert plain["qc_pass"] and plain["subject_border_frac"] == 0.0 and plain["void_frac"] is None
    assert plain["subject_contrast"] == pytest.approx(0.495, abs=0.01)
    Image.fromarray(_ids(mask, liquid_rows=(90, 91), void_cols=2)).save(tmp_path / QC_DIR / member_name(7, "inst.png"))
    (tmp_path / member_name(7, "json")).write_text(json.dumps({"instances": INSTANCES}))
    judged = measure_sample(spec, tmp_path, row, 0.1, 0)
    assert judged["void_frac"] == pytest.approx(0.02) and judged["min_element_coverage"] == pytest.approx(0.008)
    assert judged["qc_reasons"] == ["void_in_frame", "liquid_not_visible"] and not judged["qc_pass"]


def test_a_variant_is_judged_like_the_base_and_a_failing_one_flags_the_sample(tmp_path):
    spec = compile_text("dataset d {\n    samples 4\n}\n")
    luma, mask = _scene()
    image = (np.repeat(luma[..., None], 3, 2) * 255).round().astype(np.uint8)
    path = tmp_path / "v.png"
    Image.fromarray(image).save(path)
    row = {"sample_id": 7, "liquid": "water", "gas": "none"}
    good = measure_variant(spec, path, mask * 255, _ids(mask), INSTANCES, row)
    assert good["pass"] and good["reasons"] == [] and good["min_element_coverage"] == pytest.approx(0.12)
    hidden = measure_variant(spec, path, mask * 255, _ids(mask, liquid_rows=(90, 91)), INSTANCES, row)
    assert not hidden["pass"] and hidden["reasons"] == ["liquid_not_visible"]
    no_image = measure_variant(spec, tmp_path / "missing.png", mask * 255, _ids(mask), INSTANCES, row)
    assert no_image["pass"] and no_image["mean_luma"] is None, no_image  # ids alone: visibility only
    meta = {"variants": [{"variant": 1, "qc": good}, {"variant": 2, "qc": hidden}]}
    assert variant_failures(meta) == [2] and variant_failures({"variants": [{"variant": 1}]}) == []
    # the worker's base row: a failing variant flags the sample, a passing one does not
    Image.fromarray(image).save(tmp_path / member_name(7, "png"))
    (tmp_path / QC_DIR).mkdir()
    Image.fromarray((mask * 255).astype(np.uint8)).save(tmp_path / QC_DIR / member_name(7, PASS_SUFFIX["segmentation"]))
    (tmp_path / member_name(7, "json")).write_text(json.dumps(meta))
    flagged = measure_sample(spec, tmp_path, row, 0.1, 0)
    assert flagged["qc_reasons"] == ["variant_failed"] and not flagged["qc_pass"]
    (tmp_path / member_name(7, "json")).write_text(json.dumps({"variants": meta["variants"][:1]}))
    assert measure_sample(spec, tmp_path, row, 0.1, 0)["qc_pass"]


def _lens_scene(drawn_share):
    """A circular fisheye's frame: black outside the lens disc (ids OUTSIDE_LENS), a dark grey
    void inside, and a sprite near the disc's rim whose pixels are the void's grey but for its top
    `drawn_share` of rows, drawn red."""
    yy, xx = np.mgrid[:H, :W]
    outside = np.hypot(yy - 49.5, xx - 49.5) > 40
    ids = np.full((H, W), 4, np.uint16)
    ids[outside] = OUTSIDE_LENS
    image = np.repeat(np.linspace(34, 48, W).round().astype(np.uint8)[None, :, None], H, 0).repeat(3, 2)
    image[outside] = 0  # inside, a dark grey void (34..48 left to right: not a blank image)
    mask = np.zeros((H, W), np.uint8)
    mask[40:60, 12:32] = 1  # 4% of the frame
    ids[mask > 0] = 1
    drawn = mask.copy()
    drawn[40 + round(drawn_share * 20):] = 0
    image[drawn > 0] = (200, 40, 40)
    return image, mask, ids


def test_a_subject_the_colour_of_its_surroundings_is_unreadable_inside_the_lens():
    """A posterized sprite in the void's band (stylized_motion 80, a fisheye): the mask covers
    4% of the frame, its pixels show nothing. The frame a seen subject is measured against is
    the lens's disc."""
    instances = INSTANCES[:1] + INSTANCES[2:]
    hidden, mask, ids = _lens_scene(0.0)
    m = image_metrics(hidden, mask, instance_ids=ids, instances=instances)
    assert m["object_coverage"] > T.min_coverage and m["subject_visible_frac"] == 0.0
    assert qc_reasons(m) == ["subject_unreadable"]
    few, _, _ = _lens_scene(0.1)  # a few red pixels (stylized_motion 167): still unreadable
    assert 0 < image_metrics(few, mask, instance_ids=ids, instances=instances)["subject_visible_frac"] < T.min_coverage
    assert qc_reasons(image_metrics(few, mask, instance_ids=ids, instances=instances)) == ["subject_unreadable"]
    seen, _, _ = _lens_scene(1.0)
    good = image_metrics(seen, mask, instance_ids=ids, instances=instances)
    inside = np.count_nonzero(ids != OUTSIDE_LENS)
    assert good["subject_visible_frac"] == pytest.approx(np.count_nonzero(mask) / inside)  # the lens is the frame
    assert qc_reasons(good) == []
    blank = image_metrics(np.zeros((H, W, 3), np.uint8), mask, instance_ids=ids, instances=instances)
    assert qc_reasons(blank) == ["blank", "too_dark"]  # blank says why; no second reason for it
    flat = hidden.copy()
    flat[ids != OUTSIDE_LENS] = 41  # flat inside the disc: blank, however black the corners
    assert qc_reasons(image_metrics(flat, mask, instance_ids=ids, instances=instances)) == ["blank"]


def test_a_subject_drawn_by_its_outline_reads_whole():
    """Ink and sketch styles leave the subject the paper's white inside a black line: its pixels
    are mostly the paper's colour, but its outline is seen all round (stylized_motion 18, 58,
    135 were called unreadable); the same outline half erased is not enough."""
    paper = np.full((H, W, 3), 240, np.uint8)
    mask = np.zeros((H, W), np.uint8)
    mask[35:65, 35:65] = 1  # 9% of the frame
    inked = paper.copy()
    inked[35:65, 35:65] = 20
    inked[36:64, 36:64] = 240  # a 1 px black outline, the inside the paper's white
    m = image_metrics(inked, mask)
    assert m["subject_visible_frac"] == pytest.approx(0.09) and qc_reasons(m) == []
    half = inked.copy()
    half[35:65, 50:65] = 240  # the right half of the outline erased, 0.7% of the frame still drawn
    m = image_metrics(half, mask)
    assert m["subject_visible_frac"] < T.min_coverage and qc_reasons(m) == ["subject_unreadable"]


def test_a_fisheyes_black_outside_its_disc_is_not_the_exposure():
    """stylized_motion 177: a dark subject filling a fisheye's disc, half the frame black
    outside it, was `too_dark`; the luma numbers are of the lens's image."""
    image, mask, ids = _lens_scene(1.0)
    image[(ids != OUTSIDE_LENS) & (mask == 0)] = 180  # a pale set in the disc
    image[mask > 0] = (60, 20, 20)
    whole = image_metrics(image, mask)
    assert whole["dark_clip_frac"] > 0.45  # the corners outside the disc
    m = image_metrics(image, mask, instance_ids=ids, instances=INSTANCES[:1] + INSTANCES[2:])
    assert m["dark_clip_frac"] == 0.0 and m["mean_luma"] > whole["mean_luma"]
    with pytest.raises(QcError, match="instance ids"):
        image_metrics(image, mask, instance_ids=ids[:50])

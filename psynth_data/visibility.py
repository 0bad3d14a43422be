"""Visibility QC: is what the caption states on screen? Pure numpy over what the renderer gives.

    visibility_metrics(subject_mask=, luma=, rgb=, instance_ids=, instances=, void_mask=, expected=)
        -> {"subject_border_frac", "void_frac", "min_element_coverage", "subject_contrast",
            "subject_visible_frac", "element_coverage"}   (None for what the inputs cannot tell)
    visibility_reasons(metrics, thresholds, crop_allowed=False) -> list[str]

Inputs (any may be None; a metric whose inputs are missing is None and judges nothing):
    subject_mask   HxW, > 0 on the subject (the `seg.png` mask)
    luma           HxW float, 0..1 (`psynth_data.qc.luma` of the image)
    rgb            HxWx3 float, 0..1 display-encoded sRGB (the image's colours); without it
                   the contrast is taken from `luma` as greys
    instance_ids   HxW uint16, 0 = nothing of the set seen (the `inst.png` pass)
    instances      the sample JSON's list of {"id", "element", "concept", "coverage"}
                   (data-contract.md); `coverage` is the renderer's, which counts a volume where
                   its accumulated opacity >= 0.1; missing, it is measured from `instance_ids`
    void_mask      HxW, > 0 where the camera sees nothing of the set; None: `instance_ids == 0`
    expected       element kinds the sample states with a non-none concept ("liquid", "gas",
                   ...): one the renderer left out counts as coverage 0, i.e. not visible

Metrics:
    subject_border_frac   share of the image's border pixels (the outermost ring) on the subject
    void_frac             share of pixels that see nothing of the set
    min_element_coverage  smallest coverage among the stated elements (subject, object, liquid,
                          gas, effect; never the backdrop or ground)
    subject_contrast      a colour difference, CIE76 delta E / 100 (psynth_data.colour): the
                          larger of the delta E between the subject's mean CIE Lab colour and a
                          ring around it, and the RMS delta E of the subject's pixels from
                          their mean (its own shading and texture). Near 0 when the subject is
                          a flat patch the colour of its surroundings (a gas hiding it); a red
                          subject on a green ground of equal luma is far from 0. For greys,
                          0.01 is about a 0.01 step of display-encoded luma in mid-tones.
    subject_visible_frac  share of the frame where the subject is both there and seen: its
                          pixels whose colour in the final image (after the look's posterizing,
                          grading, fog...) is at least VISIBLE_DELTA_E from the median colour
                          of the ring around it. The frame is the lens's image: a circular
                          fisheye's pixels outside its disc (instance id OUTSIDE_LENS) are
                          neither counted nor part of the ring. A dark sprite posterized into
                          the void's colour has a mask but no visible pixel (stylized_motion 80).
                          A subject whose outline is seen (TRACED_SHARE of its outermost
                          pixels next to a seen one: ink, sketch) counts whole
    element_coverage      {element kind: smallest coverage among its instances} (not a column)
    gas_stated            whether `expected` names a gas (so low contrast is blamed on it)
"""

import numpy as np

from psynth_data.colour import delta_e, grey_to_lab, srgb_to_lab

STATED_ELEMENTS = ("subject", "object", "liquid", "gas", "effect")
ELEMENTS = STATED_ELEMENTS + ("backdrop", "ground")
RING_SHARE = 0.04  # ring around the subject for contrast: this share of the image's short side
MIN_RING_PIXELS = 2
VISIBLE_DELTA_E = 0.05
"""A subject pixel is seen when its colour is this far (CIE76 delta E / 100) from the median of
the ring around the subject: twice the just-noticeable 2.3, so the render's noise alone
does not make a hidden subject seen, while a shaded subject's darkest side still counts."""
OUTLINE_REACH = 1
TRACED_SHARE = 0.6
"""A subject whose outermost pixels are this often within OUTLINE_REACH pixels of a seen one is
drawn by its outline and counts whole: ink and sketch styles leave a subject the paper's white
inside black lines (stylized_motion 18, 58, 135); a sprite in the void's colour has no outline."""
OUTSIDE_LENS = 65535
"""The instance id of pixels outside a circular lens's image (data-contract.md)."""


INSTANCE_SUFFIX = "inst.png"  # the instance-id pass of a sample (data-contract.md)
# element kind -> the samples-table column whose non-none concept states it
ELEMENT_COLUMNS = {"liquid": "liquid", "gas": "gas"}
CROP_FRAMINGS = ("extreme_close_up",)  # camera.framing concepts that crop the subject on purpose


OBJECTS_COLUMN = "scene_objects"  # the samples-table column of `scene.objects`


def expected_elements(row: dict) -> tuple[str, ...]:
    """Element kinds a sample row states with a non-none concept (the subject always; `object`
    when `scene.objects` is over 1, so an object the renderer lost counts as not visible)."""
    stated = [kind for kind, column in ELEMENT_COLUMNS.items() if row.get(column) not in (None, "none")]
    if int(row.get(OBJECTS_COLUMN) or 1) > 1:
        stated.append("object")
    return ("subject", *stated)


def crop_allowed(row: dict) -> bool:
    """Whether the sample's framing (when the spec has one) asks for a cropped subject."""
    return row.get("camera_framing") in CROP_FRAMINGS


def _mask(array, name: str, shape: tuple[int, int] | None = None) -> np.ndarray:
    m = np.asarray(array)
    if m.ndim == 3:
        m = m[..., 0]
    if m.ndim != 2:
        raise ValueError(f"visibility QC: {name} must be HxW, got shape {m.shape}")
    if shape is not None and m.shape != shape:
        raise ValueError(f"visibility QC: {name} is {m.shape}, the image {shape}")
    return m > 0


def border_frac(mask: np.ndarray) -> float:
    """Share of the border pixels (outermost ring of the image) where `mask` is set."""
    h, w = mask.shape
    if h < 2 or w < 2:
        return float(mask.mean()) if mask.size else 0.0
    ring = np.concatenate((mask[0, :], mask[-1, :], mask[1:-1, 0], mask[1:-1, -1]))
    return float(np.count_nonzero(ring)) / ring.size


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """`mask` grown by a (2r+1)-square, via an integral image (no Python loop over pixels)."""
    if radius <= 0:
        return mask.copy()
    padded = np.pad(mask.astype(np.int32), radius)
    integral = np.pad(padded.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    k = 2 * radius + 1
    h, w = mask.shape
    window = integral[k:k + h, k:k + w] - integral[:h, k:k + w] - integral[k:k + h, :w] + integral[:h, :w]
    return window > 0


def ring_around(subject: np.ndarray) -> np.ndarray:
    """The pixels within RING_SHARE of the image's short side (MIN_RING_PIXELS at least) around
    the subject, outside it: its surroundings for `contrast` and `visible_frac`."""
    radius = max(MIN_RING_PIXELS, round(RING_SHARE * min(subject.shape)))
    return dilate(subject, radius) & ~subject


def contrast(lab: np.ndarray, subject: np.ndarray) -> float | None:
    """Subject vs its surroundings in CIE Lab (see the module docstring; `lab` HxWx3, or HxW
    display-encoded greys); None without the subject's pixels."""
    if not subject.any():
        return None
    lab = np.asarray(lab, dtype=np.float64)
    if lab.ndim == 2:
        lab = grey_to_lab(lab)
    ring = ring_around(subject)
    finite = np.isfinite(lab).all(axis=-1)
    inside = lab[subject & finite]
    around = lab[ring & finite]
    if inside.size == 0:
        return None
    mean = inside.mean(axis=0)
    spread = float(np.sqrt(np.mean(delta_e(inside, mean) ** 2))) / 100.0
    if around.size == 0:  # the subject fills the frame: only its own shading tells
        return spread
    return max(float(delta_e(mean, around.mean(axis=0))) / 100.0, spread)


def visible_frac(lab: np.ndarray, subject: np.ndarray, inside: np.ndarray | None = None) -> float | None:
    """Share of the frame (the pixels `inside` the lens; all without it) where the subject's
    colour stands out from its surroundings (see the module docstring); None without a ring
    (the subject fills the lens) or without the subject's pixels."""
    lab = np.asarray(lab, dtype=np.float64)
    if lab.ndim == 2:
        lab = grey_to_lab(lab)
    inside = np.ones(subject.shape, dtype=bool) if inside is None else inside
    finite = np.isfinite(lab).all(axis=-1) & inside
    shown = subject & finite
    ring = ring_around(subject) & finite
    if not shown.any() or not ring.any():
        return None
    background = np.median(lab[ring], axis=0)
    seen = np.zeros(subject.shape, dtype=bool)
    seen[shown] = delta_e(lab[shown], background) / 100.0 >= VISIBLE_DELTA_E
    area = max(int(np.count_nonzero(inside)), 1)
    edge = shown & dilate(~subject, 1)  # the subject's outermost pixels
    traced = np.count_nonzero(edge & dilate(seen, OUTLINE_REACH)) / max(int(np.count_nonzero(edge)), 1)
    if traced >= TRACED_SHARE:  # drawn by its outline (ink, a sketch): the whole shape reads
        return float(np.count_nonzero(shown)) / area
    return float(np.count_nonzero(seen)) / area


def element_coverage(
    instances: list[dict] | None, instance_ids: np.ndarray | None, expected=()
) -> dict[str, float]:
    """Per stated element kind, the smallest coverage among its instances (0 if expected but absent)."""
    out: dict[str, float] = {}
    counts = None
    if instance_ids is not None:
        ids = np.asarray(instance_ids)
        if ids.ndim == 3:
            ids = ids[..., 0]
        counts = np.bincount(ids.ravel().astype(np.int64)) / max(ids.size, 1)
    for entry in instances or ():
        kind = entry.get("element")
        if kind not in STATED_ELEMENTS:
            continue
        coverage = entry.get("coverage")
        if coverage is not None and not np.isfinite(float(coverage)):
            coverage = None  # NaN from a renderer: measure it from the ids instead
        if coverage is None and counts is not None:
            i = int(entry.get("id", 0))
            coverage = float(counts[i]) if 0 < i < counts.size else 0.0
        if coverage is None:
            continue
        out[kind] = min(out.get(kind, 1.0), float(coverage))
    for kind in expected:
        out.setdefault(kind, 0.0)
    return out


def visibility_metrics(
    *,
    subject_mask=None,
    luma=None,
    rgb=None,
    instance_ids=None,
    instances: list[dict] | None = None,
    void_mask=None,
    expected=(),
) -> dict:
    """The visibility numbers of one image (see the module docstring); None where not measurable."""
    shape = None
    for array in (luma, rgb, subject_mask, instance_ids, void_mask):
        if array is not None:
            shape = np.asarray(array).shape[:2]
            break
    out: dict = {"subject_border_frac": None, "void_frac": None, "min_element_coverage": None,
                 "subject_contrast": None, "subject_visible_frac": None, "element_coverage": None,
                 "gas_stated": "gas" in expected}
    subject = _mask(subject_mask, "subject mask", shape) if subject_mask is not None else None
    if subject is not None:
        out["subject_border_frac"] = border_frac(subject)
        lab = None
        if rgb is not None:
            colours = np.asarray(rgb, dtype=np.float64)
            if colours.shape[:2] != subject.shape or colours.ndim != 3 or colours.shape[2] < 3:
                raise ValueError(f"visibility QC: the colours are {colours.shape}, the subject mask {subject.shape}")
            lab = srgb_to_lab(colours[..., :3])
        elif luma is not None:
            lab = np.asarray(luma, dtype=np.float64)
            if lab.shape != subject.shape:
                raise ValueError(f"visibility QC: luma is {lab.shape}, the subject mask {subject.shape}")
        if lab is not None:
            out["subject_contrast"] = contrast(lab, subject)
            inside = lens_image(instance_ids, shape)
            out["subject_visible_frac"] = visible_frac(lab, subject, inside)
    if void_mask is not None:
        out["void_frac"] = float(_mask(void_mask, "void mask", shape).mean())
    elif instance_ids is not None:
        out["void_frac"] = float((~_mask(instance_ids, "instance ids", shape)).mean())
    if instances is not None or instance_ids is not None:
        coverage = element_coverage(instances, instance_ids, expected)
        if subject is not None and "subject" not in coverage:
            coverage["subject"] = float(subject.mean())
        out["element_coverage"] = coverage
        out["min_element_coverage"] = min(coverage.values()) if coverage else None
    return out


def lens_image(instance_ids, shape) -> np.ndarray:
    """Pixels inside the lens's image (all but those the instance pass marks OUTSIDE_LENS;
    all of them without an instance pass)."""
    if instance_ids is None:
        return np.ones(shape, dtype=bool)
    ids = np.asarray(instance_ids)
    if ids.ndim == 3:
        ids = ids[..., 0]
    if ids.shape != shape:
        raise ValueError(f"visibility QC: instance ids are {ids.shape}, the image {shape}")
    return ids != OUTSIDE_LENS


def visibility_reasons(metrics: dict, thresholds, crop_allowed: bool = False) -> list[str]:
    """Why the stated elements are not all on screen (empty: they are), in a fixed order.

    `thresholds` has `max_subject_border`, `max_void_frac`, `min_coverage` (the subject, also
    as it is seen: `subject_unreadable` when `subject_visible_frac` is under it),
    `min_element_coverage` (every other stated element) and `min_subject_contrast`.
    `crop_allowed`: the framing asks for a crop (an extreme close-up), so no `subject_cropped`.
    """
    out: list[str] = []
    border = metrics.get("subject_border_frac")
    if border is not None and not crop_allowed and border > thresholds.max_subject_border:
        out.append("subject_cropped")
    void = metrics.get("void_frac")
    if void is not None and void > thresholds.max_void_frac:
        out.append("void_in_frame")
    coverage = metrics.get("element_coverage") or {}
    if coverage.get("subject", 1.0) < thresholds.min_coverage and metrics.get("object_coverage") is None:
        out.append("subject_too_small")  # no seg mask: the instance pass judges the subject
    contrast_value = metrics.get("subject_contrast")
    hidden_by_gas = (contrast_value is not None and contrast_value < thresholds.min_subject_contrast
                     and (coverage.get("gas", 0.0) > 0.0 or bool(metrics.get("gas_stated"))))
    if _unreadable(metrics, coverage, thresholds) and not hidden_by_gas:
        out.append("subject_unreadable")
    for kind in STATED_ELEMENTS[1:]:
        if kind in coverage and coverage[kind] < thresholds.min_element_coverage:
            out.append(f"{kind}_not_visible")
    if hidden_by_gas:
        out.append("gas_hides_subject")
    return out


def _unreadable(metrics: dict, coverage: dict, thresholds) -> bool:
    """Large enough by its mask, too small as seen: the subject's pixels do not stand out
    from its surroundings on enough of the frame (a small mask is `subject_too_small` instead)."""
    seen = metrics.get("subject_visible_frac")
    if seen is None or seen >= thresholds.min_coverage:
        return False
    mask = metrics.get("object_coverage")
    mask = coverage.get("subject") if mask is None else mask
    return mask is None or mask >= thresholds.min_coverage

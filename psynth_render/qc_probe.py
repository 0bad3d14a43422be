"""Per-sample QC inside the render worker: the subject mask is always rendered, the metrics are
measured right after a sample commits, and the shard's QC table is written before its manifest.

    qc_passes(spec) -> passes to render           the spec's passes, plus segmentation for QC
    stash_qc_mask(spec, staging, sid)             a mask the user did not ask for moves to
                                                  `{staging}/_qc/` (committed with the sample,
                                                  never in the tar: the tar takes files only)
    measure_sample(spec, sample_dir, row, render_seconds, shard) -> QC row (psynth_data.qc),
                                                  by `QcThresholds.for_spec(spec)`; the
                                                  visibility metrics read `{id}.inst.png` (member
                                                  or `_qc/`) and the JSON's `instances` when the
                                                  renderer wrote them; a multi-view sample
                                                  takes its worst view (`worst_view`); a variant
                                                  that failed its QC (`measure_variant`, in its
                                                  JSON entry) flags the row `variant_failed`
    view_qc(spec, staging, row, view, instances)  one view's coverage, visibility metrics and
                                                  reasons, for the JSON's `views[k].qc`
    record_qc(work, row) / shard_qc_frame(work, spec, rows, done, shard) -> the shard's QC table

Images are read with Pillow (png, webp); EXR images and float passes with bpy when it is loaded
(a worker with nothing left to render skips bpy: then float passes are not checked).
"""

import json
import logging
import sys
from pathlib import Path

import numpy as np

from psynth_data.qc import QcThresholds, decode_png, image_metrics, qc_frame, qc_reasons, qc_row
from psynth_data.visibility import INSTANCE_SUFFIX, crop_allowed, expected_elements
from psynth_render.outputs import PASS_SUFFIX, member_name, view_indices, view_suffix

log = logging.getLogger("psynth.worker")

QC_DIR = "_qc"
FLOAT_PASSES = ("depth", "normal")


def qc_passes(spec) -> tuple[str, ...]:
    """The passes to render: the spec's, plus the subject mask when there is a still image."""
    passes = tuple(spec.render.passes)
    if "image" in spec.outputs and "segmentation" not in passes:
        passes += ("segmentation",)
    return passes


def stash_qc_mask(spec, staging: Path, sample_id: int, view: int | None = None) -> None:
    """Move a QC-only mask (of `view`, see outputs.view_suffix) out of the members (into
    `_qc/`, beside them)."""
    if "segmentation" in spec.render.passes:
        return
    mask = staging / member_name(sample_id, view_suffix(PASS_SUFFIX["segmentation"], view))
    if mask.is_file():
        (staging / QC_DIR).mkdir(exist_ok=True)
        mask.replace(staging / QC_DIR / mask.name)


def _load_float(path: Path) -> np.ndarray | None:
    """An EXR's pixels through bpy (None when bpy is not loaded in this process)."""
    if "bpy" not in sys.modules:
        return None
    import bpy

    image = bpy.data.images.load(str(path), check_existing=False)
    try:
        width, height = image.size
        buffer = np.empty(width * height * image.channels, dtype=np.float32)
        image.pixels.foreach_get(buffer)
        return buffer.reshape(height, width, image.channels)
    finally:
        bpy.data.images.remove(image)


def measure_sample(spec, sample_dir: Path, row: dict, render_seconds: float | None, shard: int) -> dict:
    """The QC row of a committed sample, judged by the spec's thresholds (`qc` block or defaults;
    see psynth_data.qc for the metrics and reasons). A multi-view sample is measured view by
    view and takes its worst view (`worst_view`)."""
    thresholds = QcThresholds.for_spec(spec)
    sid = int(row["sample_id"])
    caption = row.get("caption")
    chars = len(caption) if isinstance(caption, str) else None
    record = _sample_record(sample_dir, sid)
    per_view = _view_instances(record, len(view_indices(spec)))
    measured = [view_metrics(spec, sample_dir, row, view, instances, thresholds)
                for view, instances in zip(view_indices(spec), per_view, strict=True)]
    metrics = worst_view(measured, thresholds)
    if metrics is not None:
        metrics["variant_failures"] = variant_failures(record)
    return qc_row(sid, shard, metrics if metrics is not None else {"mean_luma": None}, render_seconds, chars, thresholds)


def view_metrics(spec, sample_dir: Path, row: dict, view: int | None, instances: list | None,
                 thresholds: QcThresholds) -> dict | None:
    """`image_metrics` of one view's still (view None: a single-view sample), from its image,
    subject mask, float passes and instance ids (members or `_qc/`); None when its image is
    missing or cannot be read here (an EXR without bpy)."""
    sid = int(row["sample_id"])
    image_path = sample_dir / member_name(sid, view_suffix(spec.render.format, view))
    if not image_path.is_file():
        return None
    if spec.render.format == "exr":
        image = _load_float(image_path)
        if image is None:
            return None
        image = np.clip(image[..., :3], 0.0, None)
    else:
        image = decode_png(image_path.read_bytes())
    mask_name = member_name(sid, view_suffix(PASS_SUFFIX["segmentation"], view))
    mask_path = sample_dir / mask_name if (sample_dir / mask_name).is_file() else sample_dir / QC_DIR / mask_name
    mask = decode_png(mask_path.read_bytes()) if mask_path.is_file() else None
    if mask is not None and mask.shape[:2] != image.shape[:2]:
        log.warning("sample %d: mask %s and image %s differ in size; coverage not measured",
                    sid, mask.shape, image.shape)
        mask = None
    floats = {}
    for name in FLOAT_PASSES:
        path = sample_dir / member_name(sid, view_suffix(PASS_SUFFIX[name], view))
        if name in spec.render.passes and path.is_file():
            data = _load_float(path)
            if data is not None:
                floats[name] = data
    ids = _instance_ids(sample_dir, sid, view_suffix(INSTANCE_SUFFIX, view), image.shape[:2])
    return image_metrics(image, mask, floats or None, thresholds, instance_ids=ids, instances=instances,
                         expected=expected_elements(row), crop_allowed=crop_allowed(row))


VIEW_QC_FIELDS = ("object_coverage", "subject_border_frac", "void_frac", "min_element_coverage", "subject_contrast",
                  "subject_visible_frac")


def view_qc(spec, staging: Path, row: dict, view: int, instances: list | None) -> dict | None:
    """What a multi-view sample's JSON records of view `view`'s QC: its subject coverage and
    visibility metrics and the reasons it would fail (None when it cannot be measured)."""
    thresholds = QcThresholds.for_spec(spec)
    metrics = view_metrics(spec, staging, row, view, instances, thresholds)
    if metrics is None:
        return None
    return {**{k: metrics.get(k) for k in VIEW_QC_FIELDS}, "qc_reasons": qc_reasons(metrics, thresholds)}


VARIANT_METRICS = ("object_coverage", "subject_border_frac", "void_frac", "min_element_coverage",
                   "subject_contrast", "subject_visible_frac", "mean_luma", "dark_clip_frac", "bright_clip_frac")
IMAGE_REASONS = ("blank", "too_dark", "too_bright", "gas_hides_subject", "subject_unreadable")
"""Reasons only an image can give (a variant without a readable still is judged without them)."""


def measure_variant(spec, image_path: Path, subject_mask, ids, instances, row: dict) -> dict:
    """The QC of a counterfactual variant's still, for its JSON entry: {"pass", "reasons", and
    the numbers of VARIANT_METRICS}. Judged like the base (same thresholds, the variant row's
    stated elements and framing); the subject mask is the id render's subject surface (what
    seg.png shows), so no extra mask render is needed. No image (a spec without `image`, or an
    EXR still): only the visibility numbers the ids give."""
    thresholds = QcThresholds.for_spec(spec)
    readable = image_path.is_file() and image_path.suffix != ".exr"
    if readable:
        image = decode_png(image_path.read_bytes())
    else:  # nothing to read the light from: judge what the ids say, on a mid-grey stand-in
        image = np.full((*np.asarray(ids).shape[:2], 3), 128, np.uint8)
    metrics = image_metrics(image, subject_mask, thresholds=thresholds, instance_ids=ids, instances=instances,
                            expected=expected_elements(row), crop_allowed=crop_allowed(row))
    reasons = qc_reasons(metrics, thresholds)
    if not readable:  # the stand-in's light says nothing: drop what it decided
        reasons = [r for r in reasons if r not in IMAGE_REASONS]
        metrics.update(dict.fromkeys(("mean_luma", "dark_clip_frac", "bright_clip_frac", "subject_contrast",
                                      "subject_visible_frac")))
    out = {"pass": not reasons, "reasons": reasons}
    out.update({k: _number(metrics.get(k)) for k in VARIANT_METRICS})
    return out


def _number(value):
    return None if value is None or not np.isfinite(float(value)) else round(float(value), 5)


def variant_failures(meta: dict | None) -> list[int]:
    """The variants whose QC failed, from a sample's JSON (or its `_qc/` record)."""
    return [int(v.get("variant", 0)) for v in (meta or {}).get("variants") or ()
            if isinstance(v, dict) and isinstance(v.get("qc"), dict) and not v["qc"].get("pass", True)]


def worst_view(measured: list[dict | None], thresholds: QcThresholds) -> dict | None:
    """The metrics of the worst measured view (most QC reasons, then the least subject coverage),
    with `worst_view` its index; None when no view could be measured."""
    ranked = [(len(qc_reasons(m, thresholds)), -(m.get("object_coverage") or 0.0), k, m)
              for k, m in enumerate(measured) if m is not None]
    if not ranked:
        return None
    *_, index, metrics = max(ranked, key=lambda r: (r[0], r[1], -r[2]))
    return {**metrics, "worst_view": index}


def _instance_ids(sample_dir: Path, sid: int, suffix: str, shape) -> np.ndarray | None:
    """A view's instance-id pass (`suffix`; member or `_qc/`), None when the renderer wrote none."""
    name = member_name(sid, suffix)
    path = sample_dir / name if (sample_dir / name).is_file() else sample_dir / QC_DIR / name
    ids = decode_png(path.read_bytes()) if path.is_file() else None
    if ids is not None and ids.shape[:2] != tuple(shape):
        log.warning("sample %d: instance ids %s and image %s differ in size; not measured", sid, ids.shape, shape)
        ids = None
    return ids


def _sample_record(sample_dir: Path, sid: int) -> dict:
    """The sample's JSON (member, or `_qc/` without a metadata member); {} when there is none."""
    meta = sample_dir / member_name(sid, "json")
    if not meta.is_file():  # no metadata member: the renderer keeps them in `_qc/`
        meta = sample_dir / QC_DIR / member_name(sid, "json")
    data: dict = {}
    if meta.is_file():
        try:
            data = json.loads(meta.read_text())
        except ValueError:
            data = {}
    return data if isinstance(data, dict) else {}


def _view_instances(data: dict, views: int) -> list[list | None]:
    """Each view's `instances` list from the sample's JSON record: `views[k].instances` of a
    multi-view sample, else `instances`."""
    if views == 1:
        return [data.get("instances")]
    records = data.get("views") or []
    return [records[k].get("instances") if k < len(records) and isinstance(records[k], dict) else None
            for k in range(views)]


def _record_path(work, sample_id: int) -> Path:
    return Path(work.path) / "qc" / f"{sample_id:09d}.json"


def record_qc(work, row: dict) -> None:
    """Keep a sample's QC row in the work folder until the shard is finalized."""
    path = _record_path(work, row["sample_id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(row))
    tmp.replace(path)


def shard_qc_frame(work, spec, rows: list[dict], done: set[int], render_seconds: dict[int, float], shard: int):
    """The QC table of a shard: recorded rows, measured now for done samples without one (a
    worker stopped between commit and record), `render_failed` for the rest."""
    out = []
    for row in rows:
        sid = int(row["sample_id"])
        path = _record_path(work, sid)
        if sid not in done:
            out.append(qc_row(sid, shard, None))
        elif path.is_file():
            out.append(json.loads(path.read_text()))
        else:
            out.append(measure_sample(spec, work.sample_dir(sid), row, render_seconds.get(sid), shard))
    return qc_frame(out)

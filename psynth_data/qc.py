"""Per-sample QC: image metrics (pure numpy), a verdict with reasons, and the `qc/*.parquet` table.

    image_metrics(rgb, mask=None, float_passes=None) -> dict     the numbers of one image
    qc_reasons(metrics, thresholds) -> list[str]                  why it fails (empty: passes)
    qc_frame(rows) -> polars DataFrame                            data-contract columns + extras
    shard_qc(storage, layout, shard, sample_ids, thresholds)      QC of a stored tar (fallback)
    write_qc_table(storage, layout, shard, frame) -> key          the QC Parquet (before a manifest)
    write_shard_qc(storage, layout, shard, frame) -> Manifest     ... and rewrite the manifest last
    partition_qc(storage, layout, shards) -> DataFrame | None     the listed QC tables of shards
    qc_summary(frame) -> dict                                     what the QC asset checks judge

Metrics (luma = Rec. 709 weights on the stored, display-encoded 0..1 values; float images are
taken as they are; with an instance pass, the luma numbers are of the lens's image: a circular
fisheye's black outside its disc, about half the frame, is not the exposure's):
    mean_luma, std_luma        brightness and spread
    dark_clip_frac             fraction of pixels with luma <= `clip_dark`
    bright_clip_frac           fraction of pixels with luma >= `clip_bright`
    object_coverage            fraction of pixels the subject mask covers (null: no mask)
    nan_frac                   fraction of non-finite values over the float passes (depth, normal)
    subject_border_frac        share of the image's border pixels on the subject (null: no mask)
    void_frac                  share of pixels that see nothing of the set (null: no instance
                               pass or void mask from the renderer)
    min_element_coverage       smallest coverage among the stated elements (null: no instances)
    subject_contrast           subject vs a ring around it, a colour difference (CIE76 delta E
                               / 100 in CIE Lab; null: no mask or an empty one)
    subject_visible_frac       share of the lens's image where subject pixels stand out from
                               the ring's median colour in the final image (null: no mask)
  (the last five: `psynth_data.visibility`, which documents their inputs)

Verdict reasons, with the defaults of `QcThresholds`; a spec overrides any of them in its
`qc { ... }` block (e.g. `qc { max_dark_clip 0.7 }`), and `QcThresholds.for_spec(spec)` is how
every QC verdict (render worker, Dagster fallback) gets the spec's thresholds:
    render_failed       the sample is not in the tar (its failure is in the manifest)
    missing_image       rendered, but no image member
    blank               std_luma < 0.004 (a flat image: nothing rendered, or all clipped)
    too_dark            dark_clip_frac > 0.5
    too_bright          bright_clip_frac > 0.5
    subject_missing     a mask was rendered and covers no pixel
    subject_too_small   0 < object_coverage < 0.02 (under 2% of the frame; without a mask, the
                        subject's instance coverage)
    subject_fills_frame object_coverage > 0.98 (the camera is inside or against the subject)
    non_finite_pass     nan_frac > 0 (NaN or inf in a float pass)
    subject_cropped     subject_border_frac > 0.005 (`max_subject_border`; not when the metrics
                        say `crop_allowed`, i.e. the framing asks for a crop)
    void_in_frame       void_frac > 0.001 (`max_void_frac`)
    liquid_not_visible, gas_not_visible, object_not_visible, effect_not_visible
                        a stated element's coverage < 0.01 (`min_element_coverage`; an element
                        the sample states but the renderer did not report counts as 0)
    subject_unreadable  subject_visible_frac < 0.02 (`min_coverage`) while the mask is large
                        enough: the subject is there but its pixels are the colour of its
                        surroundings (a posterized sprite in the void's band); not with
                        gas_hides_subject, which names the cause
    gas_hides_subject   subject_contrast < 0.03 (`min_subject_contrast`, i.e. delta E < 3) while
                        a gas is stated
    variant_failed      a counterfactual variant of the sample failed its own QC (the same
                        checks, recorded in the variant's JSON entry `qc`): a pair whose other
                        half does not show what its caption says is not a pair
Failing samples are kept and flagged, never dropped.
"""

import io
import json
import tarfile

import numpy as np
import polars as pl

from psynth_data.layout import Layout
from psynth_data.members import member_sample_id
from psynth_data.manifest import Manifest, ObjectEntry, read_manifest
from psynth_data.storage import Storage, StorageError
from psynth_data.visibility import INSTANCE_SUFFIX, lens_image, visibility_metrics, visibility_reasons
from psynth_spec.check_qc import QcThresholds
from psynth_spec.errors import PsynthError

LUMA_WEIGHTS = np.array([0.2126, 0.7152, 0.0722], dtype=np.float64)
IMAGE_SUFFIXES = ("png", "webp")
MASK_SUFFIX = "seg.png"


DEFAULT_THRESHOLDS = QcThresholds()


class QcError(PsynthError):
    """An image or mask QC cannot measure (wrong shape)."""

SCHEMA = {
    "sample_id": pl.Int64, "shard": pl.Int32, "mean_luma": pl.Float64, "std_luma": pl.Float64,
    "dark_clip_frac": pl.Float64, "bright_clip_frac": pl.Float64, "object_coverage": pl.Float64,
    "render_seconds": pl.Float64, "caption_chars": pl.Int64, "qc_pass": pl.Boolean,
    "qc_reasons": pl.List(pl.Utf8), "nan_frac": pl.Float64,
    "subject_border_frac": pl.Float64, "void_frac": pl.Float64, "min_element_coverage": pl.Float64,
    "subject_contrast": pl.Float64, "subject_visible_frac": pl.Float64,
}
VISIBILITY_COLUMNS = ("subject_border_frac", "void_frac", "min_element_coverage", "subject_contrast",
                      "subject_visible_frac")


def to_unit(image: np.ndarray) -> np.ndarray:
    """An image as float64 in its 0..1 scale (uint8 / 255, uint16 / 65535, floats as they are)."""
    if image.dtype == np.uint8:
        return image.astype(np.float64) / 255.0
    if image.dtype == np.uint16:
        return image.astype(np.float64) / 65535.0
    return image.astype(np.float64)


def luma(image: np.ndarray) -> np.ndarray:
    """Rec. 709 luma of an HxW (grey), HxWx3 or HxWx4 (alpha ignored) image, 0..1 scale."""
    unit = to_unit(np.asarray(image))
    if unit.ndim == 2:
        return unit
    if unit.ndim == 3 and unit.shape[2] in (1, 3, 4):
        if unit.shape[2] == 1:
            return unit[..., 0]
        return unit[..., :3] @ LUMA_WEIGHTS
    raise QcError(f"QC: cannot take the luma of an image of shape {unit.shape}")


def image_metrics(image: np.ndarray, mask: np.ndarray | None = None,
                  float_passes: dict[str, np.ndarray] | None = None,
                  thresholds: QcThresholds = DEFAULT_THRESHOLDS, *,
                  instance_ids: np.ndarray | None = None, instances: list[dict] | None = None,
                  void_mask: np.ndarray | None = None, expected=(), crop_allowed: bool = False) -> dict:
    """The QC numbers of one image; `mask` > 0 marks subject pixels (same height and width).

    The visibility inputs (`instance_ids`, `instances`, `void_mask`, `expected`) are those of
    `psynth_data.visibility.visibility_metrics`; each may be None (its metrics are then None).
    `crop_allowed`: the sample's framing crops the subject on purpose (no `subject_cropped`).
    """
    y = luma(image)
    finite = np.isfinite(y)
    try:
        values = y[finite & lens_image(instance_ids, y.shape)]
    except ValueError as exc:
        raise QcError(f"QC: {exc}") from None
    size = max(values.size, 1)
    out: dict[str, float | None] = {
        "mean_luma": float(values.mean()) if values.size else 0.0,
        "std_luma": float(values.std()) if values.size else 0.0,
        "dark_clip_frac": float(np.count_nonzero(values <= thresholds.clip_dark)) / size,
        "bright_clip_frac": float(np.count_nonzero(values >= thresholds.clip_bright)) / size,
        "object_coverage": None,
        "nan_frac": None,
        "crop_allowed": crop_allowed,
    }
    if mask is not None:
        m = np.asarray(mask)
        if m.ndim == 3:
            m = m[..., 0]
        if m.shape != y.shape:
            raise QcError(f"QC: mask shape {m.shape} differs from the image's {y.shape}")
        out["object_coverage"] = float(np.count_nonzero(m > 0)) / max(m.size, 1)
    try:
        out.update(visibility_metrics(subject_mask=mask, luma=y, rgb=_colours(image), instance_ids=instance_ids,
                                      instances=instances, void_mask=void_mask, expected=expected))
    except ValueError as exc:
        raise QcError(f"QC: {exc}") from None
    nonfinite = int(y.size - np.count_nonzero(finite))
    total = y.size
    for array in (float_passes or {}).values():
        a = np.asarray(array)
        nonfinite += int(a.size - np.count_nonzero(np.isfinite(a)))
        total += a.size
    if float_passes or nonfinite:
        out["nan_frac"] = nonfinite / max(total, 1)
    return out


def _colours(image: np.ndarray) -> np.ndarray | None:
    """The image's R, G, B in 0..1 (None for a grey image: contrast then uses its luma)."""
    unit = np.asarray(image)
    if unit.ndim != 3 or unit.shape[2] not in (3, 4):
        return None
    return to_unit(unit[..., :3])


def qc_reasons(metrics: dict | None, thresholds: QcThresholds = DEFAULT_THRESHOLDS) -> list[str]:
    """Why a sample fails QC, in a fixed order (empty when it passes); None: not rendered."""
    if metrics is None:
        return ["render_failed"]
    if metrics.get("mean_luma") is None:
        return ["missing_image"]
    out = []
    if metrics["std_luma"] < thresholds.blank_std:
        out.append("blank")
    if metrics["dark_clip_frac"] > thresholds.max_dark_clip:
        out.append("too_dark")
    if metrics["bright_clip_frac"] > thresholds.max_bright_clip:
        out.append("too_bright")
    coverage = metrics.get("object_coverage")
    if coverage is not None:
        if coverage == 0:
            out.append("subject_missing")
        elif coverage < thresholds.min_coverage:
            out.append("subject_too_small")
        elif coverage > thresholds.max_coverage:
            out.append("subject_fills_frame")
    if (metrics.get("nan_frac") or 0.0) > thresholds.max_nan_frac:
        out.append("non_finite_pass")
    out.extend(r for r in visibility_reasons(metrics, thresholds, bool(metrics.get("crop_allowed")))
               if r not in out and not (r == "subject_unreadable" and "blank" in out))  # blank says why
    if metrics.get("variant_failures"):
        out.append("variant_failed")
    return out


def qc_row(sample_id: int, shard: int, metrics: dict | None, render_seconds: float | None = None,
           caption_chars: int | None = None, thresholds: QcThresholds = DEFAULT_THRESHOLDS) -> dict:
    """One row of the QC table (metrics None: the sample was not rendered)."""
    reasons = qc_reasons(metrics, thresholds)
    base = metrics or {}
    return {
        "sample_id": int(sample_id), "shard": int(shard),
        **{k: base.get(k) for k in ("mean_luma", "std_luma", "dark_clip_frac", "bright_clip_frac",
                                    "object_coverage")},
        "render_seconds": render_seconds, "caption_chars": caption_chars,
        "qc_pass": not reasons, "qc_reasons": reasons, "nan_frac": base.get("nan_frac"),
        **{k: _finite_or_none(base.get(k)) for k in VISIBILITY_COLUMNS},
    }


def _finite_or_none(value) -> float | None:
    """A metric for the table: NaN (an unmeasurable number from a renderer) is stored as null."""
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def qc_frame(rows: list[dict]) -> pl.DataFrame:
    """The QC table of a shard, sorted by sample_id, with the contract's column types."""
    return pl.DataFrame(rows, schema=SCHEMA).sort("sample_id")


def decode_png(data: bytes) -> np.ndarray:
    """An 8/16-bit PNG or WebP as a numpy array (Pillow)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        if im.mode in ("I;16", "I;16B", "I"):
            return np.asarray(im).astype(np.uint16)
        return np.asarray(im.convert("RGB") if im.mode not in ("L", "RGB", "RGBA") else im)


def _tar_rows(tar: tarfile.TarFile, thresholds: QcThresholds) -> dict[int, dict]:
    parts: dict[int, dict] = {}
    for member in tar:
        sid = member_sample_id(member.name)
        if sid is None:
            continue  # a shard-level member (the scene scripts' helper module)
        suffix = member.name.partition(".")[2]
        part = parts.setdefault(sid, {})
        if suffix in IMAGE_SUFFIXES:
            part["image"] = decode_png(tar.extractfile(member).read())
        elif suffix == MASK_SUFFIX:
            part["mask"] = decode_png(tar.extractfile(member).read())
        elif suffix == INSTANCE_SUFFIX:
            part["ids"] = decode_png(tar.extractfile(member).read())
        elif suffix == "json":
            meta = json.loads(tar.extractfile(member).read())
            part["render_seconds"] = (meta.get("render") or {}).get("seconds")  # older tars only: new ones hold no timings
            part["instances"] = meta.get("instances")
        elif suffix == "txt":
            part["caption_chars"] = len(tar.extractfile(member).read().decode("utf-8"))
    rows = {}
    for sid, part in parts.items():
        metrics = (image_metrics(part["image"], part.get("mask"), thresholds=thresholds,
                                 instance_ids=part.get("ids"), instances=part.get("instances"))
                   if "image" in part else {"mean_luma": None})
        rows[sid] = (metrics, part.get("render_seconds"), part.get("caption_chars"))
    return rows


def shard_qc(storage: Storage, layout: Layout, shard: int, sample_ids: list[int],
             thresholds: QcThresholds = DEFAULT_THRESHOLDS) -> pl.DataFrame:
    """QC rows computed from a stored tar (for shards whose worker wrote no QC table).

    Coverage comes from `seg.png` members when the tar has them (else null), element coverage
    from `inst.png` members and the JSON's `instances`; samples missing from the tar are
    `render_failed`.
    """
    key = layout.render_key(shard)
    with storage.open(key) as source, tarfile.open(fileobj=source, mode="r:") as tar:
        rendered = _tar_rows(tar, thresholds)
    rows = []
    for sid in sorted(sample_ids):
        metrics, seconds, chars = rendered.get(sid, (None, None, None))
        rows.append(qc_row(sid, shard, metrics, seconds, chars, thresholds))
    return qc_frame(rows)


def write_qc_table(storage: Storage, layout: Layout, shard: int, frame: pl.DataFrame) -> str:
    """Store the shard's QC Parquet (zstd); the caller writes the manifest after it."""
    key = layout.qc_key(shard)
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    storage.put_bytes(key, buffer.getvalue())
    return key


def write_shard_qc(storage: Storage, layout: Layout, shard: int, frame: pl.DataFrame) -> Manifest:
    """Store the QC table, then rewrite the shard's manifest listing it (the manifest stays last)."""
    manifest = read_manifest(storage, layout, shard)
    if manifest is None:
        raise StorageError(f"shard {shard}: no manifest; render the shard before its QC")
    key = write_qc_table(storage, layout, shard, frame)
    entry = ObjectEntry(key=key, size=storage.size(key), sha256=storage.sha256(key))
    objects = tuple(sorted([o for o in manifest.objects if o.key != key] + [entry], key=lambda o: o.key))
    updated = manifest.model_copy(update={"objects": objects})
    storage.put_bytes(layout.manifest_key(shard), updated.model_dump_json(indent=2).encode())
    return updated


def partition_qc(storage: Storage, layout: Layout, shards: list[int]) -> pl.DataFrame | None:
    """The QC tables listed by the shards' manifests, concatenated (None when there is none)."""
    frames = []
    for shard in shards:
        manifest = read_manifest(storage, layout, shard)
        key = layout.qc_key(shard)
        if manifest is None or not any(o.key == key for o in manifest.objects):
            continue
        with storage.open(key) as source:
            frame = pl.read_parquet(source)
        frames.append(frame.select([c for c in SCHEMA if c in frame.columns]))
    return pl.concat(frames, how="diagonal_relaxed") if frames else None


def qc_summary(frame: pl.DataFrame) -> dict:
    """Numbers the QC asset checks judge: rows, failures, blank images, coverage present, reasons."""
    rows = frame.height
    failed = int((~frame["qc_pass"]).sum()) if rows else 0
    rendered = frame.filter(pl.col("mean_luma").is_not_null())
    reasons = (frame.select(pl.col("qc_reasons").explode().drop_nulls().alias("r")).group_by("r").len()
               .sort(["len", "r"], descending=[True, False])) if rows else None
    return {
        "rows": rows,
        "failed": failed,
        "failure_rate": failed / rows if rows else 0.0,
        "rendered": rendered.height,
        "blank": int(frame["qc_reasons"].list.contains("blank").sum()) if rows else 0,
        "coverage_present": int(rendered["object_coverage"].is_not_null().sum()),
        "mean_coverage": float(rendered["object_coverage"].mean() or 0.0) if rendered.height else 0.0,
        "mean_luma": float(rendered["mean_luma"].mean() or 0.0) if rendered.height else 0.0,
        "reasons": dict(reasons.iter_rows()) if reasons is not None else {},
    }

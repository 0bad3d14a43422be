"""Per-sample QC of a rendered shard (`qc/shard=NNNNNN.parquet`), from its tar alone.

    shard_qc(storage, layout, shard, sample_ids) -> polars DataFrame (data-contract columns)
    write_shard_qc(storage, layout, shard, frame) -> Manifest  (QC Parquet, then the manifest)

A baseline: luminance statistics of the image, subject coverage from the `seg.png` pass when
the shard has one (else null), render time from the `json` member, caption length. Verdict
reasons (thresholds below): `render_failed`, `missing_image`, `blank`, `too_dark`, `too_bright`.
Failing samples are kept and flagged. The QC stage of the QC/audit work may replace the
metrics; the Parquet file and the rule "manifest last" stay.
"""

import io
import json
import tarfile

import numpy as np
import polars as pl

from psynth_data.layout import Layout
from psynth_data.manifest import Manifest, ObjectEntry, read_manifest
from psynth_data.storage import Storage, StorageError

BLANK_STD = 0.004          # luma std (0..1) under which an image is blank
CLIP_DARK = 0.02           # luma at or under this is clipped dark
CLIP_BRIGHT = 0.98         # luma at or over this is clipped bright
CLIP_LIMIT = 0.5           # more than this fraction clipped fails the sample
IMAGE_SUFFIXES = ("png", "webp")

SCHEMA = {
    "sample_id": pl.Int64, "shard": pl.Int32, "mean_luma": pl.Float64, "std_luma": pl.Float64,
    "dark_clip_frac": pl.Float64, "bright_clip_frac": pl.Float64, "object_coverage": pl.Float64,
    "render_seconds": pl.Float64, "caption_chars": pl.Int64, "qc_pass": pl.Boolean,
    "qc_reasons": pl.List(pl.Utf8),
}


def _luma(data: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0
    return rgb @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


def _coverage(data: bytes) -> float:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        mask = np.asarray(im.convert("L"))
    return float((mask > 0).mean())


def _sample_rows(tar: tarfile.TarFile) -> dict[int, dict]:
    rows: dict[int, dict] = {}
    for member in tar:
        sid_text, _, suffix = member.name.partition(".")
        row = rows.setdefault(int(sid_text), {})
        if suffix in IMAGE_SUFFIXES:
            luma = _luma(tar.extractfile(member).read())
            row.update(mean_luma=float(luma.mean()), std_luma=float(luma.std()),
                       dark_clip_frac=float((luma <= CLIP_DARK).mean()),
                       bright_clip_frac=float((luma >= CLIP_BRIGHT).mean()))
        elif suffix == "seg.png":
            row["object_coverage"] = _coverage(tar.extractfile(member).read())
        elif suffix == "json":
            meta = json.loads(tar.extractfile(member).read())
            row["render_seconds"] = (meta.get("render") or {}).get("seconds")
        elif suffix == "txt":
            row["caption_chars"] = len(tar.extractfile(member).read().decode("utf-8"))
    return rows


def _reasons(row: dict | None) -> list[str]:
    if row is None:
        return ["render_failed"]
    if "mean_luma" not in row:
        return ["missing_image"]
    out = []
    if row["std_luma"] < BLANK_STD:
        out.append("blank")
    if row["dark_clip_frac"] > CLIP_LIMIT:
        out.append("too_dark")
    if row["bright_clip_frac"] > CLIP_LIMIT:
        out.append("too_bright")
    return out


def shard_qc(storage: Storage, layout: Layout, shard: int, sample_ids: list[int]) -> pl.DataFrame:
    """One QC row per sample id of the shard (samples missing from the tar: `render_failed`)."""
    key = layout.render_key(shard)
    local = storage.local_path(key)
    source = open(local, "rb") if local is not None else io.BytesIO(storage.get(key))
    with source, tarfile.open(fileobj=source, mode="r:") as tar:
        rendered = _sample_rows(tar)
    records = []
    for sid in sorted(sample_ids):
        row = rendered.get(sid)
        reasons = _reasons(row)
        base = row or {}
        records.append({
            "sample_id": sid, "shard": shard,
            "mean_luma": base.get("mean_luma"), "std_luma": base.get("std_luma"),
            "dark_clip_frac": base.get("dark_clip_frac"), "bright_clip_frac": base.get("bright_clip_frac"),
            "object_coverage": base.get("object_coverage"), "render_seconds": base.get("render_seconds"),
            "caption_chars": base.get("caption_chars"), "qc_pass": not reasons, "qc_reasons": reasons,
        })
    return pl.DataFrame(records, schema=SCHEMA)


def write_shard_qc(storage: Storage, layout: Layout, shard: int, frame: pl.DataFrame) -> Manifest:
    """Store the QC table, then rewrite the shard's manifest listing it (the manifest stays last)."""
    manifest = read_manifest(storage, layout, shard)
    if manifest is None:
        raise StorageError(f"shard {shard}: no manifest; render the shard before its QC")
    key = layout.qc_key(shard)
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    storage.put_bytes(key, buffer.getvalue())
    entry = ObjectEntry(key=key, size=storage.size(key), sha256=storage.sha256(key))
    objects = tuple(sorted([o for o in manifest.objects if o.key != key] + [entry], key=lambda o: o.key))
    updated = manifest.model_copy(update={"objects": objects})
    storage.put_bytes(layout.manifest_key(shard), updated.model_dump_json(indent=2).encode())
    return updated

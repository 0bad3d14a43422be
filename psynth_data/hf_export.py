"""The `hf` export format: image-text Parquet that Hugging Face `datasets` opens as is.

One row per image (the base sample's, then each variant's): the image bytes, its caption, and
provenance. The schema carries the `huggingface` metadata key with the column features, so
`datasets.load_dataset("parquet", data_files=...)` types `image` as an `Image` (decoded to PIL)
instead of a plain struct. Rows go out in row groups of ROW_GROUP rows, so a writer holds at
most that many images in memory.
"""

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from psynth_data.export_source import ShardSample
from psynth_data.instruct import image_suffix
from psynth_data.layout import Layout

ROW_GROUP = 256

SCHEMA = pa.schema([
    ("image", pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
    ("text", pa.string()),
    ("caption_dense", pa.string()),
    ("dataset", pa.string()),
    ("version_id", pa.string()),
    ("sample_id", pa.int64()),
    ("shard", pa.int32()),
    ("variant", pa.int32()),
    ("changes", pa.string()),
    ("axes", pa.string()),
])

FEATURES = {field.name: {"_type": "Image"} if field.name == "image" else {"dtype": str(field.type), "_type": "Value"}
            for field in SCHEMA}
"""`datasets` Features as JSON (`Features.to_dict()` form): `variant` 0 is the base image;
`changes` and `axes` are JSON objects as text (a variant's changed values; every axis value)."""


def hf_schema() -> pa.Schema:
    return SCHEMA.with_metadata({b"huggingface": json.dumps({"info": {"features": FEATURES}}).encode()})


def sample_rows(sample: ShardSample, layout: Layout) -> list[dict]:
    """The rows of one sample: its image, then every variant's that was rendered."""
    meta = json.loads(sample.members["json"]) if "json" in sample.members else {}
    captions = meta.get("captions") or {}
    text = captions.get("caption") or (sample.members["txt"].decode("utf-8") if "txt" in sample.members else None)
    versions = [(0, text, captions.get("caption_dense"), {})]
    for entry in meta.get("variants") or []:
        other = entry.get("captions") or {}
        versions.append((int(entry["variant"]), other.get("caption", text), other.get("caption_dense"),
                         entry.get("changed") or {}))
    rows = []
    for variant, caption, dense, changes in versions:
        suffix = image_suffix(sample, variant)
        if suffix is None:
            continue
        rows.append({
            "image": {"bytes": sample.members[suffix], "path": sample.member_name(suffix)},
            "text": caption, "caption_dense": dense, "dataset": layout.dataset, "version_id": layout.version_id,
            "sample_id": sample.sample_id, "shard": sample.shard, "variant": variant,
            "changes": json.dumps(changes, sort_keys=True), "axes": json.dumps(meta.get("axes") or {}, sort_keys=True),
        })
    return rows


class HfWriter:
    """Writes rows to one Parquet file (temporary name, renamed on close)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.partial")
        self.writer = pq.ParquetWriter(self.tmp, hf_schema(), compression="zstd")
        self.pending: list[dict] = []
        self.rows = 0

    def add(self, rows: list[dict]) -> None:
        self.pending.extend(rows)
        if len(self.pending) >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.writer.write_table(pa.Table.from_pylist(self.pending, schema=hf_schema()))
            self.rows += len(self.pending)
            self.pending = []

    def close(self) -> None:
        self._flush()
        self.writer.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.writer.close()
        self.tmp.unlink(missing_ok=True)

"""What an object is, read from its key and bytes: the tags and metadata an S3 object carries.

    object_tags(key) -> {"dataset", "version_id", "shard", "kind"} (those the key names)
    object_metadata(key, sha256, source) -> {"sha256", "samples"}

`kind` is the object's folder in the data contract (`samples`, `renders`, `qc`, `manifests`),
`index` for `index.duckdb`, else the folder's name. `samples` counts the samples an object
holds: rows of a samples/QC Parquet, distinct sample ids of a tar, `counts.samples` of a
manifest; objects of other kinds get no count.
"""

import io
import json
import os
import re
import tarfile

from psynth_data.members import member_sample_id

_SHARD = re.compile(r"(?:shard=|-)(\d{6})\.[a-z0-9.]+$")


def object_kind(key: str) -> str | None:
    parts = key.split("/")
    if len(parts) < 3:
        return None
    folder = parts[2]
    return "index" if folder == "index.duckdb" else folder


def object_tags(key: str) -> dict[str, str]:
    """Tags of a key `{dataset}/{version_id}/{folder}/...` (a key outside the layout: none)."""
    parts = key.split("/")
    if len(parts) < 3:
        return {}
    tags = {"dataset": parts[0], "version_id": parts[1], "kind": object_kind(key)}
    match = _SHARD.search(parts[-1])
    if match:
        tags["shard"] = match.group(1)
    return tags


def _parquet_rows(source: bytes | str | os.PathLike) -> int:
    import polars as pl

    return int(pl.scan_parquet(source).select(pl.len()).collect().item())


def _tar_samples(source: bytes | str | os.PathLike) -> int:
    stream = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    ids = set()
    with stream, tarfile.open(fileobj=stream, mode="r:") as tar:
        for member in tar:
            ids.add(member_sample_id(member.name))
    return len(ids - {None})


def _manifest_samples(source: bytes | str | os.PathLike) -> int:
    data = source if isinstance(source, bytes) else open(source, "rb").read()
    return int(json.loads(data)["counts"]["samples"])


_COUNTERS = {"samples": _parquet_rows, "qc": _parquet_rows, "renders": _tar_samples, "manifests": _manifest_samples}


def sample_count(key: str, source: bytes | str | os.PathLike) -> int | None:
    """How many samples the object holds, or None (unknown kind, or unreadable content)."""
    counter = _COUNTERS.get(object_kind(key) or "")
    if counter is None or not key.endswith((".parquet", ".tar", ".json")):
        return None
    try:
        return counter(source)
    except Exception:  # noqa: BLE001 - a label is best effort: a foreign object still uploads
        return None


def object_metadata(key: str, sha256: str, source: bytes | str | os.PathLike) -> dict[str, str]:
    """User metadata of an object: its sha256 and (when known) its sample count."""
    out = {"sha256": sha256}
    count = sample_count(key, source)
    if count is not None:
        out["samples"] = str(count)
    return out

"""Shard manifests: written last, they make a shard exist.

`manifests/shard=NNNNNN.json` lists every object of the shard with its size and sha256, the
sample counts, the failures, timings and software versions. A shard is complete exactly when
its manifest exists and every object it lists matches its sha256 (`is_complete`).
"""

import json
import platform
import time
from importlib import metadata as importlib_metadata
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from psynth_data.layout import Layout
from psynth_data.storage import Storage, StorageError

MANIFEST_FORMAT = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ObjectEntry(_Frozen):
    key: str
    size: int
    sha256: str


class FailedSample(_Frozen):
    sample_id: int
    attempts: int
    error: str


class Counts(_Frozen):
    samples: int
    rendered: int
    failed: int


class Manifest(_Frozen):
    format: int = MANIFEST_FORMAT
    dataset: str
    version_id: str
    shard: int
    created_unix: float
    objects: tuple[ObjectEntry, ...]
    counts: Counts
    failed: tuple[FailedSample, ...] = ()
    timings: dict[str, float] = {}
    software: dict[str, str] = {}
    extra: dict[str, Any] = {}


def software_versions(**more: str) -> dict[str, str]:
    """Python, psynth and the main libraries' versions (plus any given, e.g. Blender's)."""
    out = {"python": platform.python_version()}
    for dist in ("psynth", "polars", "numpy", "webdataset"):
        try:
            out[dist] = importlib_metadata.version(dist)
        except importlib_metadata.PackageNotFoundError:
            pass
    out.update(more)
    return out


def describe_objects(storage: Storage, keys: list[str]) -> tuple[ObjectEntry, ...]:
    """Size and sha256 of each key (all must exist)."""
    return tuple(ObjectEntry(key=k, size=storage.size(k), sha256=storage.sha256(k)) for k in keys)


def write_manifest(
    storage: Storage,
    layout: Layout,
    shard: int,
    keys: list[str],
    counts: Counts,
    failed: list[FailedSample] = (),
    timings: dict[str, float] | None = None,
    software: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Manifest:
    """Hash the shard's objects and write its manifest (call this last)."""
    manifest = Manifest(
        dataset=layout.dataset,
        version_id=layout.version_id,
        shard=shard,
        created_unix=time.time(),
        objects=describe_objects(storage, sorted(keys)),
        counts=counts,
        failed=tuple(failed),
        timings=timings or {},
        software=software or software_versions(),
        extra=extra or {},
    )
    storage.put_bytes(layout.manifest_key(shard), manifest.model_dump_json(indent=2).encode())
    return manifest


def read_manifest(storage: Storage, layout: Layout, shard: int) -> Manifest | None:
    """The shard's manifest, or None when it is absent or unreadable."""
    key = layout.manifest_key(shard)
    if not storage.exists(key):
        return None
    try:
        return Manifest.model_validate(json.loads(storage.get(key)))
    except (ValueError, ValidationError, StorageError):
        return None


def is_complete(storage: Storage, layout: Layout, shard: int) -> bool:
    """True when the manifest exists and every object it lists matches its size and sha256."""
    manifest = read_manifest(storage, layout, shard)
    if manifest is None or manifest.shard != shard:
        return False
    for entry in manifest.objects:
        try:
            if storage.size(entry.key) != entry.size or storage.sha256(entry.key) != entry.sha256:
                return False
        except StorageError:
            return False
    return True

"""A shard's samples table in storage: the one way it is written and read.

Every writer (the Dagster `samples` asset, the render worker when a shard has no table yet, a
table given on the worker's command line) stores the bytes of `samples_parquet_bytes`, so the
same shard always has the same bytes whoever wrote it.
"""

import hashlib

import polars as pl

from psynth_data.layout import Layout
from psynth_data.manifest import is_complete
from psynth_data.storage import Storage
from psynth_spec.sampler import samples_parquet_bytes


def store_samples(storage: Storage, layout: Layout, shard: int, frame: pl.DataFrame) -> str:
    """Store a shard's samples table: 'written', 'unchanged' (same bytes) or 'kept'.

    The sampler is deterministic, so the bytes normally match what is stored; an object that
    differs while its shard is complete is kept (rewriting it would break the manifest).
    """
    key = layout.samples_key(shard)
    data = samples_parquet_bytes(frame)
    if storage.exists(key):
        if storage.sha256(key) == hashlib.sha256(data).hexdigest():
            return "unchanged"
        if is_complete(storage, layout, shard):
            return "kept"
    storage.put_bytes(key, data)
    return "written"


def read_samples(storage: Storage, layout: Layout, shard: int) -> pl.DataFrame:
    """A shard's stored samples table (`StorageError` when it has none)."""
    with storage.open(layout.samples_key(shard)) as source:
        return pl.read_parquet(source)

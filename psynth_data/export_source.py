"""Read a dataset's complete shards for export: tar members grouped by sample, streamed.

    complete_shards(storage, layout) -> [shard, ...]          complete shards (the index's rule)
    shard_samples(storage, layout, shard) -> iterator of ShardSample

A tar is read front to back (`tarfile` stream mode), one sample's members at a time, so memory
stays one sample whatever the shard size. A local store's tar is read in place; a remote one
(S3) is first copied to a temporary file that is removed when the iterator is done.
"""

import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from psynth_data.layout import Layout
from psynth_data.storage import Storage


@dataclass
class ShardSample:
    """One sample's tar members: suffix (`png`, `json`, `var1.png`, ...) -> bytes."""

    sample_id: int
    shard: int
    tar_key: str
    members: dict[str, bytes]

    def member_name(self, suffix: str) -> str:
        return f"{self.sample_id:09d}.{suffix}"


def complete_shards(storage: Storage, layout: Layout) -> list[int]:
    """Shards that are complete (manifest present, its objects of the listed size), ascending:
    the index's own rule (`psynth_data.index.complete_shards`)."""
    from psynth_data.index import complete_shards as indexed

    return [shard for shard, _manifest in indexed(storage, layout)]


@contextmanager
def _local_tar(storage: Storage, key: str):
    path = storage.local_path(key)
    if path is not None:
        yield path
        return
    fd, tmp = tempfile.mkstemp(prefix="psynth-export-", suffix=".tar", dir=os.environ.get("PSYNTH_WORK_DIR"))
    os.close(fd)
    try:
        storage.get_file(key, tmp)
        yield tmp
    finally:
        os.unlink(tmp)


def shard_samples(storage: Storage, layout: Layout, shard: int) -> Iterator[ShardSample]:
    """The samples of one shard's tar, in tar order (ascending sample id)."""
    key = layout.render_key(shard)
    with _local_tar(storage, key) as path, tarfile.open(path, mode="r|") as tar:
        current: ShardSample | None = None
        for info in tar:
            if not info.isfile():
                continue
            stem, _, suffix = info.name.partition(".")
            sample_id = int(stem)
            if current is not None and current.sample_id != sample_id:
                yield current
                current = None
            if current is None:
                current = ShardSample(sample_id, shard, key, {})
            handle = tar.extractfile(info)
            current.members[suffix] = handle.read() if handle is not None else b""
        if current is not None:
            yield current

"""Check a dataset version's stored objects against its manifests: what `psynth verify` reports.

A manifest lists every object of its shard with size and sha256 (`manifest.py`); an object that
is missing, of another size or of another sha256 is a problem of its shard. Objects are hashed
in parallel threads (hashing reads files or S3 objects: I/O bound, the GIL is released), through
the storage layer, so the same check runs on a local disk and on S3.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from psynth_data.layout import Layout
from psynth_data.manifest import Manifest, ObjectEntry, read_manifest
from psynth_data.storage import Storage, StorageError

DEFAULT_THREADS = 8
_MANIFEST_NAME = re.compile(r"shard=(\d+)\.json$")


@dataclass(frozen=True)
class ObjectProblem:
    """One listed object that does not match: `kind` is missing, size or sha256."""

    key: str
    kind: str
    expected: str = ""
    found: str = ""

    def describe(self) -> str:
        if self.kind == "missing":
            return f"{self.key}: missing"
        return f"{self.key}: {self.kind} {self.found} does not match the manifest's {self.expected}"


@dataclass
class ShardCheck:
    """The verdict on one shard: its manifest (None when unreadable) and its problems."""

    shard: int
    manifest: Manifest | None
    problems: list[ObjectProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.manifest is not None and not self.problems


def check_object(storage: Storage, entry: ObjectEntry) -> ObjectProblem | None:
    """Compare one stored object with its manifest entry (size first: it costs no read)."""
    try:
        size = storage.size(entry.key)
        if size != entry.size:
            return ObjectProblem(entry.key, "size", f"{entry.size:,} bytes", f"{size:,} bytes")
        digest = storage.sha256(entry.key)
    except StorageError:
        return ObjectProblem(entry.key, "missing")
    if digest != entry.sha256:
        return ObjectProblem(entry.key, "sha256", entry.sha256[:12], digest[:12])
    return None


def manifest_shards(storage: Storage, layout: Layout) -> list[int]:
    """Shards that have a manifest, sorted."""
    shards = []
    for key in storage.list(layout.manifests_prefix):
        match = _MANIFEST_NAME.search(key)
        if match:
            shards.append(int(match.group(1)))
    return sorted(shards)


def check_shard(storage: Storage, layout: Layout, shard: int, pool: ThreadPoolExecutor | None = None) -> ShardCheck:
    """One shard's manifest against its stored objects (objects hashed in `pool` when given)."""
    manifest = read_manifest(storage, layout, shard)
    if manifest is None or manifest.shard != shard:
        return ShardCheck(shard, None, [ObjectProblem(layout.manifest_key(shard), "missing")])
    if pool is None:
        found = [check_object(storage, entry) for entry in manifest.objects]
    else:
        found = list(pool.map(lambda entry: check_object(storage, entry), manifest.objects))
    return ShardCheck(shard, manifest, [p for p in found if p is not None])


def verify_dataset(storage: Storage, layout: Layout, threads: int = DEFAULT_THREADS,
                   shards: list[int] | None = None) -> list[ShardCheck]:
    """Every shard with a manifest (or the given shards), checked object by object in parallel."""
    shards = manifest_shards(storage, layout) if shards is None else shards
    with ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="psynth-verify") as pool:
        manifests = list(pool.map(lambda s: (s, read_manifest(storage, layout, s)), shards))
        jobs = [(shard, entry) for shard, m in manifests if m is not None and m.shard == shard for entry in m.objects]
        results = list(pool.map(lambda job: check_object(storage, job[1]), jobs))
    checks = {s: ShardCheck(s, m if m is not None and m.shard == s else None) for s, m in manifests}
    for shard, check in checks.items():
        if check.manifest is None:
            check.problems.append(ObjectProblem(layout.manifest_key(shard), "missing"))
    for (shard, _entry), problem in zip(jobs, results):
        if problem is not None:
            checks[shard].problems.append(problem)
    return [checks[s] for s in shards]

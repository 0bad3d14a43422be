"""Is a stored shard what its manifest says? The data contract's checks, usable without Dagster
(the asset checks of `dagster_project.checks` report these; the CLI and benches call them).

    tar_problem(storage, layout, spec, shard)       -> why the tar disagrees with the manifest, or None
    qc_table_problem(storage, layout, spec, shard)  -> (QC rows, why the QC table is incomplete or None)
    failed_samples(storage, layout, shards)         -> "sample_id: error" of every failed sample
"""

import tarfile

import polars as pl

from psynth_data.layout import Layout
from psynth_data.manifest import is_complete, read_manifest
from psynth_data.storage import Storage
from psynth_spec.spec import Spec


def tar_problem(storage: Storage, layout: Layout, spec: Spec, shard: int) -> str | None:
    """Why a shard's tar is not complete and consistent with its manifest, or None."""
    if not is_complete(storage, layout, shard):
        return "no manifest, or an object differs from its size/sha256 in the manifest"
    manifest = read_manifest(storage, layout, shard)
    key = layout.render_key(shard)
    if not any(o.key == key for o in manifest.objects):
        return "the manifest does not list the tar"
    try:
        with storage.open(key) as source, tarfile.open(fileobj=source, mode="r:") as tar:
            names = tar.getnames()
    except tarfile.TarError as exc:
        return f"unreadable tar: {exc}"
    expected_members = manifest.extra.get("members")
    if expected_members is not None and len(names) != int(expected_members):
        return f"{len(names)} members, manifest says {expected_members}"
    ids = {int(n.split(".", 1)[0]) for n in names}
    failed = {f.sample_id for f in manifest.failed}
    missing = [sid for sid in spec.shard_range(shard) if sid not in ids and sid not in failed]
    if missing:
        return f"{len(missing)} samples neither in the tar nor recorded as failed (first {missing[0]})"
    if manifest.counts.rendered != len(ids):
        return f"{len(ids)} samples in the tar, manifest counts {manifest.counts.rendered}"
    return None


def qc_table_problem(storage: Storage, layout: Layout, spec: Spec, shard: int) -> tuple[int, str | None]:
    """(rows of the shard's QC table, why it is incomplete or None): the manifest must list it and
    it must hold one row per sample of the shard."""
    manifest = read_manifest(storage, layout, shard)
    key = layout.qc_key(shard)
    if manifest is None or not any(o.key == key for o in manifest.objects):
        return 0, "the manifest lists no QC table"
    with storage.open(key) as source:
        rows = pl.read_parquet(source, columns=["sample_id"]).height
    expected = len(spec.shard_range(shard))
    return rows, (None if rows == expected else f"{rows} QC rows for {expected} samples")


def failed_samples(storage: Storage, layout: Layout, shards: list[int]) -> list[str]:
    """`"sample_id: error"` of every sample the shards' manifests record as failed."""
    failed = []
    for shard in shards:
        manifest = read_manifest(storage, layout, shard)
        failed += [f"{f.sample_id}: {f.error}" for f in (manifest.failed if manifest else ())]
    return failed

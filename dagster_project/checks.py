"""Asset checks of one dataset. The data guards are partitioned and blocking: a partition whose
tars do not match their manifests stops its `qc` (and the index never sees it)."""

import tarfile

import dagster as dg

from dagster_project.partitions import context_shards
from dagster_project.qc_checks import build_qc_checks
from dagster_project.resources import PsynthStorage
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
    local = storage.local_path(key)
    try:
        if local is not None:
            with tarfile.open(local, mode="r:") as tar:
                names = tar.getnames()
        else:
            import io

            with tarfile.open(fileobj=io.BytesIO(storage.get(key)), mode="r:") as tar:
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


def _problems_md(problems: dict[int, str]) -> str:
    return "| shard | problem |\n|---|---|\n" + "".join(f"| {s} | {p} |\n" for s, p in sorted(problems.items()))


def build_checks(spec: Spec, parts: dg.PartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    name = spec.dataset
    renders_key = dg.AssetKey([name, "renders"])
    qc_key = dg.AssetKey([name, "qc"])

    @dg.asset_check(
        asset=renders_key,
        name="tars_match_manifests",
        partitions_def=parts,
        blocking=True,
        description="Every shard of the partition is complete: its tar is listed in its manifest, matches "
        "its size and sha256, and holds every sample (or records it as failed).",
    )
    def tars_match_manifests(context: dg.AssetCheckExecutionContext, psynth_storage: PsynthStorage) -> dg.AssetCheckResult:
        storage, layout = psynth_storage.open(), Layout.for_spec(spec)
        shards = context_shards(spec, context)
        problems = {s: p for s in shards if (p := tar_problem(storage, layout, spec, s)) is not None}
        return dg.AssetCheckResult(
            passed=not problems,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"shards": len(shards), "shards_ok": len(shards) - len(problems),
                      "problems": dg.MetadataValue.md(_problems_md(problems) if problems else "none")},
        )

    @dg.asset_check(
        asset=renders_key,
        name="no_failed_samples",
        partitions_def=parts,
        description="No sample of the partition failed to render (failed samples are recorded in the manifest).",
    )
    def no_failed_samples(context: dg.AssetCheckExecutionContext, psynth_storage: PsynthStorage) -> dg.AssetCheckResult:
        storage, layout = psynth_storage.open(), Layout.for_spec(spec)
        failed = []
        for shard in context_shards(spec, context):
            manifest = read_manifest(storage, layout, shard)
            failed += [f"{f.sample_id}: {f.error}" for f in (manifest.failed if manifest else ())]
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"failed": len(failed), "first": "; ".join(failed[:5]) or "none"},
        )

    @dg.asset_check(
        asset=qc_key,
        name="qc_tables_complete",
        partitions_def=parts,
        blocking=True,
        description="Every shard's manifest lists its QC table and the table has one row per sample.",
    )
    def qc_tables_complete(context: dg.AssetCheckExecutionContext, psynth_storage: PsynthStorage) -> dg.AssetCheckResult:
        import polars as pl

        storage, layout = psynth_storage.open(), Layout.for_spec(spec)
        problems: dict[int, str] = {}
        rows = 0
        for shard in context_shards(spec, context):
            manifest = read_manifest(storage, layout, shard)
            if manifest is None or not any(o.key == layout.qc_key(shard) for o in manifest.objects):
                problems[shard] = "the manifest lists no QC table"
                continue
            local = storage.local_path(layout.qc_key(shard))
            n = pl.read_parquet(local or storage.get(layout.qc_key(shard)), columns=["sample_id"]).height
            rows += n
            if n != len(spec.shard_range(shard)):
                problems[shard] = f"{n} QC rows for {len(spec.shard_range(shard))} samples"
        return dg.AssetCheckResult(
            passed=not problems,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"rows": rows, "problems": dg.MetadataValue.md(_problems_md(problems) if problems else "none")},
        )

    return [tars_match_manifests, no_failed_samples, qc_tables_complete, *build_qc_checks(spec, parts)]

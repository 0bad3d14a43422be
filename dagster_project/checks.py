"""Asset checks of one dataset. The data guards are partitioned and blocking: a partition whose
tars do not match their manifests stops its `qc` (and the index never sees it)."""

import dagster as dg

from dagster_project.partitions import context_shards
from dagster_project.qc_checks import build_qc_checks
from dagster_project.resources import PsynthStorage
from psynth_data.layout import Layout
from psynth_data.shard_checks import failed_samples, qc_table_problem, tar_problem
from psynth_spec.spec import Spec


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
        failed = failed_samples(psynth_storage.open(), Layout.for_spec(spec), context_shards(spec, context))
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
        storage, layout = psynth_storage.open(), Layout.for_spec(spec)
        problems: dict[int, str] = {}
        rows = 0
        for shard in context_shards(spec, context):
            n, problem = qc_table_problem(storage, layout, spec, shard)
            rows += n
            if problem is not None:
                problems[shard] = problem
        return dg.AssetCheckResult(
            passed=not problems,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"rows": rows, "problems": dg.MetadataValue.md(_problems_md(problems) if problems else "none")},
        )

    return [tars_match_manifests, no_failed_samples, qc_tables_complete, *build_qc_checks(spec, parts)]

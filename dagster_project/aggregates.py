"""The unpartitioned assets of one dataset: `{dataset}/index` and `{dataset}/balance_audit`.

Both cover every complete shard (manifest present and matching), whatever partitions produced
them. The index is rebuilt from scratch each time (views over the files, written atomically), so
it never holds a row twice; the `balance_audit` asset runs the audit (audit_asset.py).
"""

import dagster as dg

from dagster_project.resources import PsynthStorage
from psynth_data.layout import Layout
from psynth_spec.spec import Spec


def build_index_asset(spec: Spec, parts: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    name = spec.dataset

    @dg.asset(
        key=[name, "index"],
        deps=[dg.AssetKey([name, "qc"])],
        group_name=name,
        kinds={"duckdb"},
        description=f"`index.duckdb` of `{name}`: views samples, qc, renders (one row per tar member) and "
        "manifests over every complete shard.",
    )
    def index(context: dg.AssetExecutionContext, psynth_storage: PsynthStorage) -> dg.MaterializeResult:
        from psynth_data.index import build_index  # duckdb: imported by runs, not by every load

        storage, layout = psynth_storage.open(), Layout.for_spec(spec)
        summary = build_index(storage, layout, range(spec.shards), spec=spec)
        context.log.info(f"indexed {len(summary.shards)} of {spec.shards} shards: {summary.samples} samples")
        return dg.MaterializeResult(metadata={
            "shards_indexed": dg.MetadataValue.int(len(summary.shards)),
            "shards_total": dg.MetadataValue.int(spec.shards),
            "samples": dg.MetadataValue.int(summary.samples),
            "render_members": dg.MetadataValue.int(summary.members),
            "qc_rows": dg.MetadataValue.int(summary.qc_rows),
            "path": dg.MetadataValue.path(storage.url(summary.key)),
        })

    @dg.asset_check(
        asset=index,
        name="rows_match_manifests",
        blocking=True,
        description="The index holds each sample of every complete shard exactly once.",
    )
    def rows_match_manifests(psynth_storage: PsynthStorage) -> dg.AssetCheckResult:
        from psynth_data.index import open_index

        storage, layout = psynth_storage.open(), Layout.for_spec(spec)
        con = open_index(storage, layout)
        try:
            rows, distinct = con.execute("SELECT count(*), count(DISTINCT sample_id) FROM samples").fetchone()
            expected = con.execute("SELECT coalesce(sum(samples), 0) FROM manifests").fetchone()[0]
        finally:
            con.close()
        return dg.AssetCheckResult(
            passed=rows == distinct == expected,
            metadata={"rows": int(rows), "distinct_sample_ids": int(distinct), "manifest_samples": int(expected)},
        )

    return index, rows_match_manifests


def build_audit_asset(spec: Spec) -> dg.AssetsDefinition:
    """The full audit (every axis, pairs, QC by value, plots): see audit_asset.py."""
    from dagster_project.audit_asset import build_balance_audit_asset

    return build_balance_audit_asset(spec)

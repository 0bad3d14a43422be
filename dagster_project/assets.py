"""The partitioned assets of one dataset: `{dataset}/samples`, `{dataset}/renders`, `{dataset}/qc`.

Each partition is a contiguous range of shards. Every write goes through the `psynth_storage`
resource (atomic, manifest last); every asset skips work that is already done, so
re-materializing a partition rewrites nothing and re-renders nothing.
"""

import collections
import os
from pathlib import Path

import dagster as dg

from dagster_project.partitions import context_shards
from dagster_project.resources import PsynthRenderer, PsynthStorage
from psynth_data.layout import Layout
from psynth_data.manifest import is_complete, read_manifest
from psynth_data.qc import QcThresholds, shard_qc, write_shard_qc
from psynth_data.storage import Storage
from psynth_spec.spec import Spec


def write_samples(storage: Storage, layout: Layout, spec: Spec, shard: int) -> str:
    """Sample a shard and store its table (`psynth_data.samples_table.store_samples`)."""
    from psynth_data.samples_table import store_samples
    from psynth_spec.sampler import sample_shard

    return store_samples(storage, layout, shard, sample_shard(spec, shard))


def build_samples_asset(spec: Spec, parts: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    name = spec.dataset

    @dg.asset(
        key=[name, "samples"],
        group_name=name,
        partitions_def=parts,
        kinds={"parquet", "polars"},
        description=f"Samples tables of `{name}` (one zstd Parquet per shard), from the deterministic sampler.",
        metadata={"spec": spec.source, "version_id": spec.version_id, "shards": spec.shards,
                  "shards_per_partition": spec.shards_per_partition},
    )
    def samples(context: dg.AssetExecutionContext, psynth_storage: PsynthStorage) -> dg.MaterializeResult:
        storage = psynth_storage.open()
        layout = Layout.for_spec(spec)
        shards = context_shards(spec, context)
        outcome = collections.Counter(write_samples(storage, layout, spec, shard) for shard in shards)
        if outcome["kept"]:
            context.log.warning(f"{outcome['kept']} complete shard(s) hold samples with other bytes; kept them")
        rows = sum(len(spec.shard_range(s)) for s in shards)
        return dg.MaterializeResult(metadata={
            "shards": dg.MetadataValue.int(len(shards)),
            "rows": dg.MetadataValue.int(rows),
            "shards_written": dg.MetadataValue.int(outcome["written"]),
            "shards_unchanged": dg.MetadataValue.int(outcome["unchanged"] + outcome["kept"]),
            "first_key": dg.MetadataValue.path(storage.url(layout.samples_key(shards[0]))),
        })

    return samples


def build_renders_asset(spec: Spec, parts: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    name = spec.dataset
    spec_json = spec.model_dump(mode="json")

    @dg.asset(
        key=[name, "renders"],
        deps=[dg.AssetKey([name, "samples"])],
        group_name=name,
        partitions_def=parts,
        kinds={"blender", "webdataset"},
        description=(
            f"WebDataset tars of `{name}`: the Blender render worker, launched through Dagster Pipes for "
            "the partition's shards (shard ids in the Pipes extras); complete shards are skipped."
        ),
        metadata={"engine": spec.render.engine, "resolution": f"{spec.render.width}x{spec.render.height}",
                  "render_samples": spec.render.samples},
    )
    def renders(
        context: dg.AssetExecutionContext,
        psynth_storage: PsynthStorage,
        psynth_renderer: PsynthRenderer,
        pipes_subprocess_client: dg.PipesSubprocessClient,
    ) -> dg.MaterializeResult:
        shards = context_shards(spec, context)
        keys = list(context.partition_keys)
        extras = {
            "spec": spec_json,
            "shards": shards,
            "partition": keys[0] if len(keys) == 1 else f"{keys[0]}-{keys[-1]}",
            "root": psynth_storage.resolved_root(),
            "device": psynth_renderer.resolved_device(),
            "max_rss_mb": psynth_renderer.max_rss_mb,
            "sample_timeout_s": psynth_renderer.sample_timeout_s,
        }
        context.log.info(f"rendering shards {shards[0]}..{shards[-1]} of {name} through Pipes")
        invocation = pipes_subprocess_client.run(
            context=context,
            command=psynth_renderer.launch_command(),
            extras=extras,
            env={"PYTHONUNBUFFERED": "1", "PYTHONPATH": _pythonpath()},
        )
        return invocation.get_materialize_result()

    return renders


def _pythonpath() -> str:
    """This checkout first, so the Pipes program imports the same psynth code as the run."""
    repo = str(Path(__file__).resolve().parent.parent)
    rest = os.environ.get("PYTHONPATH", "")
    return repo + (os.pathsep + rest if rest else "")


def build_qc_asset(spec: Spec, parts: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    name = spec.dataset

    @dg.asset(
        key=[name, "qc"],
        deps=[dg.AssetKey([name, "renders"])],
        group_name=name,
        partitions_def=parts,
        kinds={"parquet"},
        description=f"Per-sample QC of `{name}` (qc/shard=N.parquet); the shard manifest is rewritten last.",
    )
    def qc(context: dg.AssetExecutionContext, psynth_storage: PsynthStorage) -> dg.MaterializeResult:
        import polars as pl

        storage = psynth_storage.open()
        layout = Layout.for_spec(spec)
        frames, computed = [], 0
        for shard in context_shards(spec, context):
            manifest = read_manifest(storage, layout, shard)
            if manifest is None:
                raise dg.Failure(f"shard {shard} has no manifest: materialize {name}/renders first")
            listed = any(o.key == layout.qc_key(shard) for o in manifest.objects)
            if listed and is_complete(storage, layout, shard):
                with storage.open(layout.qc_key(shard)) as source:
                    frames.append(pl.read_parquet(source))
                continue
            frame = shard_qc(storage, layout, shard, list(spec.shard_range(shard)), QcThresholds.for_spec(spec))
            write_shard_qc(storage, layout, shard, frame)
            frames.append(frame)
            computed += 1
        table = pl.concat(frames)
        reasons = collections.Counter(r for rs in table["qc_reasons"].to_list() for r in rs)
        passed = int(table["qc_pass"].sum())
        md = "| reason | samples |\n|---|---|\n" + "".join(f"| {r} | {n} |\n" for r, n in reasons.most_common())
        return dg.MaterializeResult(metadata={
            "rows": dg.MetadataValue.int(table.height),
            "passed": dg.MetadataValue.int(passed),
            "pass_rate": dg.MetadataValue.float(round(passed / max(1, table.height), 4)),
            "mean_luma": dg.MetadataValue.float(round(float(table["mean_luma"].mean() or 0.0), 4)),
            "shards_computed": dg.MetadataValue.int(computed),
            "failure_reasons": dg.MetadataValue.md(md if reasons else "no failures"),
        })

    return qc

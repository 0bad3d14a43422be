"""Dagster benchmarks for psynth (run by hand: `.venv/bin/python bench/bench_dagster.py`).

1. Loading the definitions of 10 specs of 10,000 partitions each (compile + build + resolve).
2. Dagster's overhead per partition run: a run of samples/renders/qc (+ checks) with a no-bpy
   renderer (tests/fake_render_pipes.py, same Pipes protocol) minus the same work done by direct
   calls; in process (execute_in_process) and through the CLI with the multiprocess executor.
3. Launching a backfill of 1,000 partitions: registering it, then the backfill daemon's
   iterations until every run is submitted (queued run coordinator: runs are queued, not run).
"""

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

warnings.filterwarnings("ignore")

BIG_SPEC = """dataset big{i} {{
    samples    10_000_000
    shard_size 1000
    seed       {i}
    geometry.shape ~ one_of(geometry.primitives)
    material       ~ one_of {{ metal: 2, glass: 1, plastic: 1 }}
    lighting.kelvin ~ uniform(3000, 7000)
    caption "{{material|a}} {{geometry.shape}}"
}}
"""

SMALL_SPEC = """dataset small {
    samples    {samples}
    shard_size {shard_size}
    shards_per_partition 1
    seed       3
    geometry.shape ~ one_of(geometry.primitives)
    material       ~ one_of { metal: 2, glass: 1, plastic: 1 }
    caption "{material|a} {geometry.shape}"
    render { engine workbench  device cpu  resolution 32 x 32  samples 1 }
}
"""


def env(**values):
    os.environ.update({k: str(v) for k, v in values.items()})


def bench_load(tmp: Path) -> None:
    specs = tmp / "big_specs"
    specs.mkdir()
    for i in range(10):
        (specs / f"big{i}.psynth").write_text(BIG_SPEC.format(i=i))
    env(PSYNTH_SPECS=specs)
    code = (
        "import time, warnings; warnings.filterwarnings('ignore'); t0 = time.perf_counter()\n"
        "from dagster_project.definitions import build_definitions\n"
        "t1 = time.perf_counter(); defs = build_definitions(); t2 = time.perf_counter()\n"
        "repo = defs.get_repository_def(); g = repo.asset_graph; t3 = time.perf_counter()\n"
        "n = sum(len(g.get(k).partitions_def.get_partition_keys()) for k in g.get_all_asset_keys() "
        "if g.get(k).partitions_def)\n"
        "print(f'{t1-t0:.2f} {t2-t1:.2f} {t3-t2:.2f} {len(list(g.get_all_asset_keys()))} {n}')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    imports, build, resolve, assets, keys = out.stdout.split()
    print(f"[load] 10 specs x 10,000 partitions: {assets} assets, {keys} asset-partitions")
    print(f"[load] imports {imports} s; compile + build Definitions {build} s; resolve repository {resolve} s; "
          f"build + resolve {float(build) + float(resolve):.2f} s (target < 5 s)")


def direct_work(spec, storage, layout, shards) -> float:
    """The partition's work without Dagster: sample, fake render, report, QC, check."""
    from dagster_project.assets import write_samples
    from psynth_data.partition_report import summarize_partition
    from psynth_data.qc import QcThresholds, shard_qc, write_shard_qc
    from psynth_data.shard_checks import tar_problem
    from tests import fake_render_pipes

    t = time.perf_counter()
    for shard in shards:
        write_samples(storage, layout, spec, shard)
        fake_render_pipes.fake_render_shard(storage, layout, spec, shard)
        summarize_partition(storage, layout, [shard], [shard])
        assert tar_problem(storage, layout, spec, shard) is None
        write_shard_qc(storage, layout, shard, shard_qc(storage, layout, shard, list(spec.shard_range(shard)),
                                                        QcThresholds.for_spec(spec)))
    return time.perf_counter() - t


def bench_overhead(tmp: Path, runs: int) -> None:
    import dagster as dg

    from dagster_project.definitions import build_definitions
    from psynth_data.layout import Layout
    from psynth_data.storage import open_storage
    from psynth_spec.compile import load_spec

    specs, root = tmp / "small_specs", tmp / "small_data"
    specs.mkdir()
    path = specs / "small.psynth"
    path.write_text(SMALL_SPEC.replace("{samples}", str(100 * (2 * runs + 2))).replace("{shard_size}", "100"))
    env(PSYNTH_SPECS=specs, PSYNTH_DATA_ROOT=root)
    spec = load_spec(path)
    storage, layout = open_storage(root), Layout.for_spec(spec)
    fake = [sys.executable, str(REPO / "tests" / "fake_render_pipes.py")]
    run_config = {"resources": {"psynth_renderer": {"config": {"command": fake}}}}
    keys = [dg.AssetKey(["small", a]) for a in ("samples", "renders", "qc")]
    job = build_definitions().get_repository_def().get_implicit_job_def_for_assets(keys)

    direct = [direct_work(spec, storage, layout, list(spec.partition_shards(p))) for p in range(runs)]
    dagster_times = []
    with dg.instance_for_test() as instance:
        for p in range(runs, 2 * runs):
            t = time.perf_counter()
            result = job.execute_in_process(partition_key=spec.partition_key(p), instance=instance,
                                            asset_selection=keys, run_config=run_config)
            dagster_times.append(time.perf_counter() - t)
            assert result.success
    d, r = statistics.median(direct), statistics.median(dagster_times)
    print(f"[overhead] partition of 1 shard x 100 samples, no-bpy renderer; median of {runs}")
    print(f"[overhead] direct calls {d * 1000:.0f} ms; Dagster run in process {r * 1000:.0f} ms "
          f"-> overhead {(r - d) * 1000:.0f} ms per partition run (Pipes subprocess, events, 3 checks)")

    home = tmp / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    key = spec.partition_key(2 * runs)
    config = json.dumps(run_config)
    command = [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "dagster_project",
               "--select", "small/samples,small/renders,small/qc", "--partition", key, "--config-json", config]
    t = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, env={**os.environ, "DAGSTER_HOME": str(home)},
                          capture_output=True, text=True)
    cli = time.perf_counter() - t
    if proc.returncode != 0:
        print(proc.stderr[-2000:])
        raise SystemExit("CLI run failed")
    print(f"[overhead] `dagster asset materialize` (multiprocess executor, 6 steps): {cli:.1f} s wall "
          f"-> overhead {cli - d:.1f} s per partition run (process start-ups, definitions loaded per step)")


def bench_backfill(tmp: Path, partitions: int) -> None:
    import dagster as dg
    from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.test_utils import create_test_daemon_workspace_context, instance_for_test
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
    from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
    from dagster._daemon.backfill import execute_backfill_iteration

    specs = tmp / "backfill_specs"
    specs.mkdir()
    (specs / "small.psynth").write_text(SMALL_SPEC.replace("{samples}", str(partitions)).replace("{shard_size}", "1"))
    env(PSYNTH_SPECS=specs, PSYNTH_DATA_ROOT=tmp / "backfill_data")
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(executable_path=sys.executable, module_name="dagster_project",
                             working_directory=str(REPO)),
        location_name="dagster_project",
    )
    overrides = {"run_coordinator": {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator"}}
    with instance_for_test(overrides=overrides) as instance, \
            create_test_daemon_workspace_context(InProcessWorkspaceLoadTarget(origin), instance) as context:
        graph = context.create_request_context().asset_graph
        keys = [dg.AssetKey(["small", a]) for a in ("samples", "renders", "qc")]
        names = graph.get(keys[0]).partitions_def.get_partition_keys()
        assert len(names) == partitions
        t0 = time.perf_counter()
        backfill = PartitionBackfill.from_asset_partitions(
            backfill_id=uuid.uuid4().hex[:8], asset_graph=graph, partition_names=names, asset_selection=keys,
            backfill_timestamp=time.time(), tags={}, dynamic_partitions_store=instance, all_partitions=False,
            title=None, description=None, run_config=None,
        )
        instance.add_backfill(backfill)
        t1 = time.perf_counter()
        logger = logging.getLogger("bench_backfill")
        logger.setLevel(logging.WARNING)
        iterations = 0
        while instance.get_runs_count() < partitions and iterations < 50:
            list(execute_backfill_iteration(context, logger))
            iterations += 1
        t2 = time.perf_counter()
        runs = instance.get_runs_count()
        status = instance.get_backfill(backfill.backfill_id).status
    print(f"[backfill] {partitions} partitions x 3 assets: registered in {t1 - t0:.2f} s; daemon submitted "
          f"{runs} runs in {t2 - t1:.1f} s ({iterations} iterations, {(t2 - t1) / max(runs, 1) * 1000:.0f} ms/run; "
          f"backfill {status.value if isinstance(status, BulkActionStatus) else status})")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=5, help="partition runs for the overhead figure")
    p.add_argument("--backfill", type=int, default=1000, help="partitions in the backfill")
    p.add_argument("--only", choices=("load", "overhead", "backfill"), default=None)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dagster-") as tmp:
        tmp = Path(tmp)
        if args.only in (None, "load"):
            bench_load(tmp)
        if args.only in (None, "overhead"):
            bench_overhead(tmp, args.runs)
        if args.only in (None, "backfill"):
            bench_backfill(tmp, args.backfill)
    return 0


if __name__ == "__main__":
    sys.exit(main())

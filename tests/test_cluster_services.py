"""Scale-out on real services: PostgreSQL 15 (the Dagster instance of deploy/celery/dagster.yaml),
Redis, and two dagster-celery workers (`-q gpu` and `-q dagster`), with the real bpy worker.

One module with module-scoped services (tests/cluster_services.py starts them, so this file runs
alone with plain pytest; `.ci/run` -> scripts/test -> scripts/bootstrap installs them). A service
that cannot start fails the tests with the command that fixes it; nothing is skipped. Under
`pytest -n 2` the module stays on one worker (`--dist loadgroup` in pyproject.toml), so its tests
share one set of services; each test makes the runs it checks.
"""

import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import dagster as dg
import pytest

from tests.cluster_services import BIN, REPO, CeleryWorker, Postgres, Redis
from tests.dagster_fixtures import TINY_SPEC, environment

pytestmark = [
    pytest.mark.render,
    pytest.mark.xdist_group("cluster_services"),  # one xdist worker: the services are module-scoped
    pytest.mark.filterwarnings("ignore::dagster.BetaWarning", "ignore::dagster.PreviewWarning"),
]

SPEC = """dataset {name} {{
    samples              {samples}
    shard_size           2
    shards_per_partition {per}
    seed                 11
    geometry.shape ~ one_of [primitives.sphere, primitives.cube]
    caption "a {{geometry.shape}}"
    render {{
        engine     workbench
        device     cpu
        resolution 32 x 32
        samples    1
    }}
}}
"""
SPECS = {
    "tiny.psynth": TINY_SPEC,                                  # tinyd: 2 partitions of 1 shard
    "pooled.psynth": SPEC.format(name="pooled", samples=6, per=1),  # 3 partitions of 1 shard
    "killed.psynth": SPEC.format(name="killed", samples=8, per=4),  # 1 partition of 4 shards
}
PARTITIONED = ("samples", "renders", "qc")


class Cluster:
    def __init__(self, base: Path, env: dict[str, str], workers: dict[str, CeleryWorker]):
        self.base, self.env, self.workers = base, env, workers
        self.data = Path(env["PSYNTH_DATA_ROOT"])

    def materialize(self, dataset: str, partition: str, backend: str = "celery", timeout: float = 400,
                    **popen) -> subprocess.Popen:
        select = ",".join(f"{dataset}/{a}" for a in PARTITIONED)
        cmd = [str(BIN / "dagster"), "asset", "materialize", "-m", "dagster_project", "--select", select,
               "--partition", partition]
        log = open(self.base / f"materialize-{dataset}-{partition}-{time.monotonic_ns()}.log", "wb")
        return subprocess.Popen(cmd, cwd=REPO, env={**self.env, "PSYNTH_RENDER_BACKEND": backend},
                                stdout=log, stderr=subprocess.STDOUT, **popen)

    def run(self, dataset: str, partition: str, **kw) -> None:
        proc = self.materialize(dataset, partition, **kw)
        rc = proc.wait(timeout=400)
        assert rc == 0, Path(proc.stdout.name).read_text(errors="replace")[-4000:]

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(self.env["DAGSTER_HOME"])

    def runs(self, dataset: str) -> list[dg.DagsterRun]:
        with self.instance() as instance:
            return [r for r in instance.get_runs() if any(k.path[0] == dataset for k in r.asset_selection or ())]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    base = tmp_path_factory.mktemp("cluster")
    specs = base / "specs"
    specs.mkdir()
    for name, text in SPECS.items():
        (specs / name).write_text(text)
    home = base / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "celery" / "dagster.yaml", home / "dagster.yaml")
    with Postgres() as pg, Redis(base / "redis") as redis:
        env = {**os.environ, **pg.env(), **redis.env(), "DAGSTER_HOME": str(home), "PSYNTH_SPECS": str(specs),
               "PSYNTH_DATA_ROOT": str(base / "data"), "PSYNTH_RENDER_BACKEND": "celery",
               "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
        env.pop("PSYNTH_RENDER_DEVICE", None)
        done = subprocess.run([str(BIN / "dagster"), "instance", "migrate"], env=env, capture_output=True,
                              text=True, timeout=180)
        assert done.returncode == 0, f"dagster instance migrate on Postgres failed: {done.stderr[-2000:]}"
        workers = {"gpu": CeleryWorker("gpu", "gpu", env, base / "worker-gpu.log"),
                   "cpu": CeleryWorker("cpu", "dagster", env, base / "worker-cpu.log")}
        try:
            for worker in workers.values():
                worker.start()
            for worker in workers.values():
                worker.wait_ready()
            with environment(**pg.env()):
                yield Cluster(base, env, workers)
        finally:
            for worker in workers.values():
                worker.stop()


def _reference_shards(tmp: Path) -> Path:
    """tinyd's two partitions through the in-process path (multiprocess-free, subprocess backend)."""
    from dagster_project.definitions import build_definitions

    specs, root = tmp / "ref_specs", tmp / "ref_data"
    specs.mkdir()
    (specs / "tiny.psynth").write_text(TINY_SPEC)
    with environment(PSYNTH_SPECS=str(specs), PSYNTH_DATA_ROOT=str(root), PSYNTH_RENDER_BACKEND="subprocess"), \
            dg.instance_for_test() as instance:
        keys = [dg.AssetKey(["tinyd", a]) for a in PARTITIONED]
        job = build_definitions().get_repository_def().get_implicit_job_def_for_assets(keys)
        for partition in ("000000", "000001"):
            assert job.execute_in_process(partition_key=partition, instance=instance, asset_selection=keys).success
    return root


def _shard_contents(root: Path, dataset: str) -> dict:
    """What must not depend on where a shard was rendered: every tar member (images as pixels:
    Blender stamps the render time into PNG text chunks; the per-sample json without its measured
    `render.seconds`), and each manifest without times and checksums of files that hold timings."""
    import io
    import json

    from PIL import Image

    out = {}
    for tar_path in sorted(root.glob(f"{dataset}/*/renders/*.tar")):
        with tarfile.open(tar_path) as tar:
            for member in tar.getmembers():
                data = tar.extractfile(member).read()
                if member.name.endswith(".json"):
                    doc = json.loads(data)
                    doc.get("render", {}).pop("seconds", None)  # older workers measured it here
                    data = json.dumps(doc, sort_keys=True).encode()
                elif member.name.endswith(".png"):
                    image = Image.open(io.BytesIO(data))
                    data = (image.mode, image.size, image.tobytes())
                out[f"{tar_path.name}/{member.name}"] = data
    for manifest_path in sorted(root.glob(f"{dataset}/*/manifests/*.json")):
        doc = json.loads(manifest_path.read_text())
        doc.pop("created_unix")
        doc.pop("timings")
        doc["objects"] = [{"key": o["key"], **({"sha256": o["sha256"]} if "/samples/" in o["key"] else {})}
                          for o in doc["objects"]]
        out[manifest_path.name] = doc
    return out


def test_celery_routes_renders_to_the_gpu_worker_and_matches_in_process(cluster, tmp_path):
    """Renders on the gpu worker, the rest on the other (the workers' own logs); the shards equal
    the in-process path's; one Dagster event per shard."""
    for partition in ("000000", "000001"):
        cluster.run("tinyd", partition)
    run_ids = {r.run_id for r in cluster.runs("tinyd")}
    assert len(run_ids) == 2
    ran = {name: [(run, step) for run, step in w.steps() if run in run_ids] for name, w in cluster.workers.items()}
    assert sorted(ran["gpu"]) == sorted((run, "tinyd__renders") for run in run_ids)
    cpu_steps = {step for _, step in ran["cpu"]}
    assert {"tinyd__samples", "tinyd__qc"} <= cpu_steps and "tinyd__renders" not in cpu_steps
    assert len(ran["cpu"]) == len(cpu_steps) * 2  # every other step of both runs, once each

    reference = _shard_contents(_reference_shards(tmp_path), "tinyd")
    assert reference and _shard_contents(cluster.data, "tinyd") == reference
    _assert_one_dagster_event_per_shard(cluster)


def _assert_one_dagster_event_per_shard(cluster):
    """The Pipes side reports once per shard; the renders step's event count does not grow with
    samples (progress lines go to the step's log file)."""
    runs = [r for r in cluster.runs("tinyd") if r.status == dg.DagsterRunStatus.SUCCESS]
    assert len(runs) == 2
    with cluster.instance() as instance:
        for run in runs:
            records = [r for r in instance.all_logs(run.run_id) if r.step_key == "tinyd__renders"]
            pipes = [r for r in records if r.user_message.startswith("[pipes]")]
            shard_events = [r for r in records if r.user_message.endswith("complete, 2 rendered, 0 failed")]
            assert len(shard_events) == 1, [r.user_message for r in records]
            assert not any("samples (last" in r.user_message for r in records)
            assert len(records) <= RENDERS_STEP_EVENTS_FIXED + 1, [r.user_message for r in records]
            assert len(pipes) <= 3


# Events of a renders step besides the per-shard ones (step start/success, Pipes session opened/
# closed, resources, the materialization and its check plan, the engine's celery events, logs).
RENDERS_STEP_EVENTS_FIXED = 16


def _step_window(instance, run_id: str, step_key: str) -> tuple[float, float]:
    records = [r for r in instance.all_logs(run_id) if r.step_key == step_key and r.is_dagster_event]
    start = min(r.timestamp for r in records if r.dagster_event.event_type_value == "STEP_START")
    end = max(r.timestamp for r in records if r.dagster_event.event_type_value == "STEP_SUCCESS")
    return start, end


def test_gpu_pool_serialises_concurrent_partition_runs(cluster):
    """Three runs at once, one `gpu` slot: their render steps run strictly one after another."""
    done = subprocess.run([str(BIN / "dagster"), "instance", "concurrency", "set", "gpu", "1"], env=cluster.env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    procs = [cluster.materialize("pooled", p, backend="subprocess") for p in ("000000", "000001", "000002")]
    for proc in procs:
        assert proc.wait(timeout=600) == 0, Path(proc.stdout.name).read_text(errors="replace")[-4000:]
    runs = cluster.runs("pooled")
    assert len(runs) == 3
    with cluster.instance() as instance:
        renders = sorted(_step_window(instance, r.run_id, "pooled__renders") for r in runs)
        records = [instance.get_run_record_by_id(r.run_id) for r in runs]
        info = instance.event_log_storage.get_concurrency_info("gpu")
    for (_, end), (start, _) in zip(renders, renders[1:]):
        assert end <= start, f"render steps overlap: {renders}"
    # ...while the runs themselves were in flight together
    spans = sorted((r.start_time, r.end_time) for r in records)
    assert spans[1][0] < spans[0][1] and spans[2][0] < spans[1][1], spans
    assert info.slot_count == 1 and not info.claimed_slots  # every slot given back


def _complete_shards(root: Path, dataset: str) -> list[int]:
    from psynth_data.layout import Layout
    from psynth_data.manifest import is_complete
    from psynth_data.storage import open_storage
    from psynth_spec.compile import load_spec

    spec = load_spec(root.parent / "specs" / f"{dataset}.psynth")
    storage, layout = open_storage(str(root)), Layout.for_spec(spec)
    return [s for s in range(spec.shards) if is_complete(storage, layout, s)]


def test_sigkill_of_the_gpu_worker_leaves_no_partial_shard_and_the_retry_completes(cluster):
    gpu = cluster.workers["gpu"]
    proc = cluster.materialize("killed", "000000")
    manifests = cluster.data / "killed"
    deadline = time.monotonic() + 400
    while not any(manifests.glob("*/manifests/*.json")):
        assert proc.poll() is None and time.monotonic() < deadline, "the partition never started rendering"
        time.sleep(0.05)
    gpu.kill()  # SIGKILL: the Celery worker, its pool process, the Pipes program and the render worker
    done_before = _complete_shards(cluster.data, "killed")
    assert 1 <= len(done_before) < 4, done_before

    # no partial shard: every manifest verifies; every tar in place reads to its end
    for tar_path in manifests.glob("*/renders/*.tar"):
        with tarfile.open(tar_path) as tar:
            assert all(tar.extractfile(m).read() is not None for m in tar.getmembers() if m.isfile())
    listed = {int(p.stem.split("=")[1]) for p in manifests.glob("*/manifests/*.json")}
    assert listed == set(done_before)

    # the run's orchestrator never hears back; run monitoring fails such a run, here by hand
    proc.terminate()
    proc.wait(timeout=120)
    (run,) = cluster.runs("killed")
    with cluster.instance() as instance:
        run = instance.get_run_by_id(run.run_id)
        if run.status != dg.DagsterRunStatus.FAILURE:
            instance.report_run_failed(run)
        # and gives back the gpu slot its killed render step held (free_slots_after_run_end_seconds);
        # without this the retry's render step can wait for that slot forever
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    cluster.workers["gpu"] = CeleryWorker("gpu", "gpu", cluster.env, cluster.base / "worker-gpu-2.log").start()
    cluster.workers["gpu"].wait_ready()

    retry = subprocess.run([sys.executable, str(REPO / "tests" / "retry_run.py"), run.run_id], cwd=REPO,
                           env=cluster.env, capture_output=True, text=True, timeout=600)
    assert retry.returncode == 0, retry.stdout[-2000:] + retry.stderr[-4000:]
    retry_id = retry.stdout.split()[0]
    assert _complete_shards(cluster.data, "killed") == [0, 1, 2, 3]
    with cluster.instance() as instance:
        mats = instance.fetch_materializations(dg.AssetKey(["killed", "renders"]), limit=5).records
        meta = next(m for m in mats if m.run_id == retry_id).asset_materialization.metadata
    assert meta["shards_rendered"].value == 4 - len(done_before)
    assert meta["samples"].value == 8
    assert (retry_id, "killed__renders") in cluster.workers["gpu"].steps()


@pytest.mark.parametrize("config", ["deploy/dagster.yaml", "deploy/celery/dagster.yaml"])
def test_shipped_instances_load_on_postgres(cluster, tmp_path, config):
    """The production instance files: migrate on Postgres; backfills capped below the run limit, the
    gpu pool per step, dead runs failed with their slots given back, one retry from the failure."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPO / config, home / "dagster.yaml")
    env = {**cluster.env, "DAGSTER_HOME": str(home)}
    done = subprocess.run([str(BIN / "dagster"), "instance", "migrate"], env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        concurrency = instance.get_concurrency_config()
        queue = concurrency.run_queue_config
        (backfill_limit,) = [t["limit"] for t in queue.tag_concurrency_limits if t["key"] == "dagster/backfill"]
        assert 0 < backfill_limit < queue.max_concurrent_runs
        assert concurrency.pool_config.pool_granularity.value == "op"
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] > 0
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 1
        assert instance.run_retries_retry_on_asset_or_op_failure

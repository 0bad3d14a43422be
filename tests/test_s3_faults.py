"""The S3 server dies in the middle of a shard's upload (SIGKILL, then a restart on the same data
and ports): nothing is lost or duplicated, and no incomplete shard is ever visible."""

import hashlib
import io
import os
import tarfile
import threading
import time

import dagster as dg
import pytest

from dagster_project.definitions import build_definitions
from psynth_data.index import build_index, complete_shards
from psynth_data.layout import Layout
from psynth_data.manifest import is_complete, read_manifest
from psynth_data.storage import StorageError, open_storage
from tests.dagster_fixtures import TINY_SPEC, environment
from tests.s3_server import SeaweedS3

pytestmark = pytest.mark.filterwarnings("ignore::dagster.BetaWarning", "ignore::dagster.PreviewWarning")

BUCKET = "psynth-faults"
MIB = 1 << 20
NAME = "tinyd"
PARTITIONED = [dg.AssetKey([NAME, a]) for a in ("samples", "renders", "qc")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with SeaweedS3(tmp_path_factory.mktemp("s3faults")) as srv:
        srv.create_bucket(BUCKET)
        yield srv


def _uploads(server, prefix: str) -> list[dict]:
    try:
        return server.client().list_multipart_uploads(Bucket=BUCKET, Prefix=prefix).get("Uploads", [])
    except Exception:  # noqa: BLE001 - the server is down
        return []


def _kill_when_uploading(server, prefix: str, min_parts: int, then_restart: bool, report: dict) -> threading.Thread:
    """A thread that SIGKILLs the server once an upload under `prefix` has `min_parts` parts."""

    def watch():
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            for upload in _uploads(server, prefix):
                try:
                    parts = server.client().list_parts(Bucket=BUCKET, Key=upload["Key"],
                                                       UploadId=upload["UploadId"]).get("Parts", [])
                except Exception:  # noqa: BLE001
                    continue
                if len(parts) >= min_parts:
                    report["parts_at_kill"] = len(parts)
                    server.kill()
                    report["killed"] = time.monotonic()
                    if then_restart:
                        server.start()
                        report["restarted"] = time.monotonic()
                    return
            time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_upload_survives_a_server_restart(server, tmp_path, monkeypatch):
    """Killed after the first of three parts, restarted: the upload's own retries finish it."""
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PSYNTH_S3_MULTIPART_MB", "1")
    monkeypatch.setenv("PSYNTH_S3_PART_MB", "5")
    monkeypatch.setenv("PSYNTH_S3_CONCURRENCY", "1")
    monkeypatch.setenv("PSYNTH_S3_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("PSYNTH_S3_UPLOAD_ATTEMPTS", "6")
    monkeypatch.setenv("PSYNTH_TEST_S3_PART_DELAY_S", "0.5")
    store = open_storage(f"s3://{BUCKET}/retry")
    layout = Layout("big", "v1")
    path = tmp_path / "shard.tar"
    path.write_bytes(os.urandom(12 * MIB))
    want = hashlib.sha256(path.read_bytes()).hexdigest()
    report: dict = {}
    watcher = _kill_when_uploading(server, "retry/", 1, then_restart=True, report=report)
    store.put_file(layout.render_key(0), path)
    watcher.join(timeout=120)
    assert report.get("parts_at_kill", 0) >= 1 and "restarted" in report  # it really died mid-upload
    assert store.sha256(layout.render_key(0)) == want
    assert hashlib.sha256(store.get(layout.render_key(0))).hexdigest() == want
    assert store.list("big") == [layout.render_key(0)]
    assert _uploads(server, "retry/") == []  # the abandoned upload was aborted, not left behind


def test_partition_rerun_after_the_server_died_mid_upload(server, tmp_path):
    """Dagster partition run; the server is killed while the worker uploads the shard's tar, so
    the run fails; the server restarts and the partition is re-run: it succeeds and the shard
    holds every sample once. A watcher checks throughout that a visible
    manifest always means a complete shard."""
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "tiny.psynth").write_text(TINY_SPEC)
    root = f"s3://{BUCKET}/rerun"
    base_env = {**server.env(), "PSYNTH_SPECS": str(specs), "PSYNTH_DATA_ROOT": root,
                "PSYNTH_WORK_DIR": str(tmp_path / "work"), "PSYNTH_S3_MAX_ATTEMPTS": "2",
                "PSYNTH_S3_UPLOAD_ATTEMPTS": "2", "PSYNTH_S3_MULTIPART_MB": "0.001"}
    violations, stop = [], threading.Event()

    def guard(storage, layout):
        while not stop.is_set():
            try:
                if read_manifest(storage, layout, 0) is not None and not is_complete(storage, layout, 0):
                    violations.append(time.monotonic())
                if complete_shards(storage, layout, [0]) and not is_complete(storage, layout, 0):
                    violations.append(time.monotonic())
            except StorageError:
                pass  # the server is down
            time.sleep(0.1)

    with environment(**base_env), dg.instance_for_test() as instance:
        defs = build_definitions()
        job = defs.get_repository_def().get_implicit_job_def_for_assets(PARTITIONED)
        from psynth_spec.compile import load_spec

        layout = Layout.for_spec(load_spec(specs / "tiny.psynth"))
        storage = open_storage(root)
        watcher_thread = threading.Thread(target=guard, args=(storage, layout), daemon=True)
        watcher_thread.start()
        report: dict = {}
        tar_prefix = f"rerun/{layout.render_key(0)}"
        with environment(PSYNTH_TEST_S3_PART_DELAY_S="2"):
            killer = _kill_when_uploading(server, tar_prefix, 0, then_restart=False, report=report)
            first = job.execute_in_process(partition_key="000000", instance=instance, asset_selection=PARTITIONED,
                                           raise_on_error=False)
        killer.join(timeout=5)
        assert "killed" in report and not first.success
        server.start()
        client = server.client()
        keys = {o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix="rerun/").get("Contents", [])}
        assert f"rerun/{layout.render_key(0)}" not in keys and f"rerun/{layout.manifest_key(0)}" not in keys
        assert f"rerun/{layout.samples_key(0)}" in keys
        assert build_index(open_storage(root), layout, [0]).shards == []  # the index does not see it

        second = job.execute_in_process(partition_key="000000", instance=instance, asset_selection=PARTITIONED)
        stop.set()
        watcher_thread.join(timeout=10)
        assert second.success
        renders = next(e.event_specific_data.materialization.metadata for e in second.get_asset_materialization_events()
                       if e.event_specific_data.materialization.asset_key == dg.AssetKey([NAME, "renders"]))
        assert renders["rendered"].value == 2 and renders["failed"].value == 0

        assert violations == []
        storage = open_storage(root)
        assert is_complete(storage, layout, 0)
        with tarfile.open(fileobj=io.BytesIO(storage.get(layout.render_key(0)))) as tar:
            names = tar.getnames()
        assert names == [f"{sid:09d}.{ext}" for sid in (0, 1) for ext in ("png", "txt", "json")]  # each once
        objects = [o["Key"] for o in server.client().list_objects_v2(Bucket=BUCKET, Prefix="rerun/").get("Contents", [])]
        assert sorted(k for k in objects if "/renders/" in k) == [f"rerun/{layout.render_key(0)}"]
        assert _uploads(server, "rerun/") == []
        summary = build_index(storage, layout, [0])
        assert summary.shards == [0] and summary.samples == 2 and summary.members == 6

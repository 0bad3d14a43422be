"""Faults: kill and resume, memory recycling, a sample that raises, a sample that hangs.

Real bpy workers at 32 px with Workbench; each worker start costs about a second.
"""

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from psynth_data.layout import Layout
from psynth_data.manifest import is_complete, read_manifest
from psynth_data.storage import LocalStorage
from psynth_render.journal import ShardWork
from psynth_render.supervisor import WorkerError, run_shard
from psynth_render.worker import default_work_dir
from tests.worker_specs import PYTHON, journal_events, tar_members, tiny_spec

pytestmark = pytest.mark.render


def _work(root, spec, shard=0) -> Path:
    return Path(default_work_dir(LocalStorage(root), Layout.for_spec(spec), shard))


class _TarWatcher(threading.Thread):
    """Polls the final tar name; records every size it sees there (a partial tar would show)."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.sizes, self.stop = path, set(), threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.sizes.add(self.path.stat().st_size)
            except FileNotFoundError:
                pass
            time.sleep(0.005)


def test_killed_worker_resumes_without_redoing_finished_samples(tmp_path):
    spec = tiny_spec(name="killres", samples=4)
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(spec.model_dump_json())
    root = tmp_path / "data"
    final = root / Layout.for_spec(spec).render_key(0)
    watcher = _TarWatcher(final)
    watcher.start()
    env = {**os.environ, "PSYNTH_TEST_SAMPLE_DELAY_S": "0.4"}
    child = subprocess.Popen(
        [PYTHON, "-m", "psynth_render.worker", "--spec", str(spec_path), "--shard", "0", "--root", str(root)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
    )
    done_before = []
    for line in child.stdout:  # progress events; kill right after the second finished sample
        event = json.loads(line)
        if event["event"] == "done":
            done_before.append(event["sample_id"])
            if len(done_before) == 2:
                child.send_signal(signal.SIGKILL)
                break
    child.wait()
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert not final.exists()
    work = _work(root, spec)
    committed = sorted(int(p.name) for p in (work / "samples").iterdir() if p.name.isdigit())
    assert committed == done_before == [0, 1]
    mtimes = {sid: (work / "samples" / f"{sid:09d}").stat().st_mtime_ns for sid in done_before}
    events_before = journal_events(work)

    result = run_shard(spec, 0, str(root), keep_work=True)
    watcher.stop.set()
    watcher.join()

    assert result.manifest.counts.rendered == 4 and result.manifest.counts.failed == 0
    assert is_complete(LocalStorage(root), Layout.for_spec(spec), 0)
    for sid in done_before:  # not re-rendered: same folder, one start in the whole journal
        assert (work / "samples" / f"{sid:09d}").stat().st_mtime_ns == mtimes[sid]
        starts = [e for e in journal_events(work) if e["event"] == "start" and e["sample_id"] == sid]
        assert len(starts) == 1
    new_starts = journal_events(work)[len(events_before):]
    assert sorted(e["sample_id"] for e in new_starts if e["event"] == "start") == [2, 3]
    names = list(tar_members(root, spec))
    assert [n.split(".")[0] for n in names[::3]] == [f"{i:09d}" for i in range(4)]
    assert watcher.sizes == {final.stat().st_size}  # only ever the whole tar under its name


def test_memory_bound_recycles_the_worker_and_the_shard_completes(tmp_path):
    spec = tiny_spec(name="recycle", samples=3)
    result = run_shard(spec, 0, str(tmp_path), max_rss_mb=1, keep_work=True)
    assert result.launches == 3 and result.recycles == 2
    assert [e["event"] for e in result.events].count("recycle") == 2
    assert result.manifest.counts.rendered == 3
    starts = [e for e in journal_events(_work(tmp_path, spec)) if e["event"] == "start"]
    assert sorted(e["sample_id"] for e in starts) == [0, 1, 2]  # each rendered exactly once
    assert len(tar_members(tmp_path, spec)) == 3 * 3


def test_a_sample_that_raises_is_retried_once_then_recorded_as_failed(tmp_path):
    spec = tiny_spec(name="raises", samples=3)
    result = run_shard(spec, 0, str(tmp_path), env={"PSYNTH_TEST_FAIL_SAMPLE": "1"})
    manifest = result.manifest
    assert (manifest.counts.samples, manifest.counts.rendered, manifest.counts.failed) == (3, 2, 1)
    (failed,) = manifest.failed
    assert failed.sample_id == 1 and failed.attempts == 2
    assert "injected failure of sample 1" in failed.error
    errors = [e for e in result.events if e["event"] == "error"]
    assert [e["attempt"] for e in errors] == [1, 2]
    assert result.launches == 1  # raising never kills the worker
    assert sorted({n.split(".")[0] for n in tar_members(tmp_path, spec)}) == ["000000000", "000000002"]
    on_disk = json.loads((tmp_path / Layout.for_spec(spec).manifest_key(0)).read_text())
    assert on_disk["failed"][0]["sample_id"] == 1
    assert not _work(tmp_path, spec).exists()  # scratch removed once the shard is complete


@pytest.mark.parametrize("alarm", ["worker alarm", "supervisor kill"])
def test_a_hanging_sample_times_out_twice_then_is_recorded_as_failed(tmp_path, alarm):
    spec = tiny_spec(name="hangs", samples=1)  # one sample: no real render races the clock
    env = {"PSYNTH_TEST_HANG_SAMPLE": "0"}
    grace = 5.0  # the worker's alarm ends it long before the supervisor would
    if alarm == "supervisor kill":
        env["PSYNTH_TEST_HANG_BLOCKS_ALARM"] = "1"
        grace = 0.5
    result = run_shard(spec, 0, str(tmp_path), sample_timeout=2, env=env, timeout_grace_s=grace)
    assert result.timeouts == 2 and result.launches == 3
    exits = [e["code"] for e in result.events if e["event"] == "exit"]
    assert exits[:2] == ([-signal.SIGALRM] * 2 if alarm == "worker alarm" else [-signal.SIGKILL] * 2)
    (failed,) = result.manifest.failed
    assert failed.sample_id == 0 and "timed out after 2 s" in failed.error
    assert result.manifest.counts.rendered == 0


def test_a_complete_shard_is_not_rendered_again(tmp_path):
    spec = tiny_spec(name="again", samples=1)
    run_shard(spec, 0, str(tmp_path))
    key = Layout.for_spec(spec).render_key(0)
    before = (tmp_path / key).stat().st_mtime_ns
    result = run_shard(spec, 0, str(tmp_path))
    assert any(e.get("already") for e in result.events if e["event"] == "complete")
    assert (tmp_path / key).stat().st_mtime_ns == before
    assert read_manifest(LocalStorage(tmp_path), Layout.for_spec(spec), 0).counts.rendered == 1


def test_a_worker_that_cannot_start_is_an_error_not_a_loop(tmp_path):
    spec = tiny_spec(name="broken", samples=1)
    bad = tmp_path / "samples.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(WorkerError, match="before rendering anything"):
        run_shard(spec, 0, str(tmp_path), samples_path=str(bad))


def test_stopping_the_supervisor_stops_its_worker(tmp_path):
    spec = tiny_spec(name="cancel", samples=2)
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(spec.model_dump_json())
    env = {**os.environ, "PSYNTH_TEST_HANG_SAMPLE": "0"}
    sup = subprocess.Popen(
        [PYTHON, "-m", "psynth_render.supervisor", "--spec", str(spec_path), "--shard", "0",
         "--root", str(tmp_path / "data")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
    )
    for line in sup.stdout:
        if json.loads(line)["event"] == "start":
            break
    worker_pid = next(e["pid"] for e in journal_events(_work(tmp_path / "data", spec)) if e["event"] == "start")
    sup.send_signal(signal.SIGTERM)
    assert sup.wait(timeout=30) != 0
    sup.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"worker {worker_pid} still runs after its supervisor stopped")


def test_a_sample_that_crashes_the_process_is_retried_in_a_new_one_then_recorded(tmp_path):
    spec = tiny_spec(name="crashes", samples=2)
    result = run_shard(spec, 0, str(tmp_path), env={"PSYNTH_TEST_CRASH_SAMPLE": "0"})
    exits = [e["code"] for e in result.events if e["event"] == "exit"]
    assert exits == [-signal.SIGABRT, -signal.SIGABRT, 0]
    (failed,) = result.manifest.failed
    assert failed.sample_id == 0 and failed.attempts == 2 and "died" in failed.error
    assert result.manifest.counts.rendered == 1


def test_two_workers_never_render_the_same_shard(tmp_path):
    spec = tiny_spec(name="busy", samples=1)
    work = ShardWork(_work(tmp_path, spec))
    fd = work.lock()  # as if a live worker held the shard
    try:
        with pytest.raises(WorkerError, match="another worker"):
            run_shard(spec, 0, str(tmp_path))
    finally:
        os.close(fd)
    assert run_shard(spec, 0, str(tmp_path)).manifest.counts.rendered == 1  # free again: renders

"""No orphan workers (issue 19, item 5): a worker dies with the process that started it, even
one killed by SIGKILL, and an expected shutdown leaves no traceback in the shard log."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from psynth_data.layout import Layout
from psynth_data.storage import LocalStorage
from psynth_render.progress import EXIT_READER_GONE
from psynth_render.worker import default_work_dir
from tests.worker_specs import PYTHON, journal_events, tiny_spec

pytestmark = pytest.mark.render

PSYNTH = str(Path(PYTHON).parent / "psynth")
SPEC = """dataset orphans {
    samples 2
    shard_size 2
    geometry.shape ~ one_of [primitives.sphere, primitives.cube]
    render {
        engine     workbench
        device     cpu
        resolution 32 x 32
    }
}
"""


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (a dead child not yet reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _running(pid):
            return True
        time.sleep(0.1)
    return False


def _worker_pid(work: Path, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            starts = [e for e in journal_events(work) if e["event"] == "start"]
        except FileNotFoundError:
            starts = []
        if starts:
            return starts[0]["pid"]
        time.sleep(0.2)
    raise AssertionError("the worker never started a sample")


def test_sigkill_of_psynth_render_takes_the_worker_with_it(tmp_path):
    spec_file = tmp_path / "orphans.psynth"
    spec_file.write_text(SPEC)
    root = tmp_path / "data"
    env = {**os.environ, "PSYNTH_TEST_HANG_SAMPLE": "0"}  # the worker would render (hang) forever
    render = subprocess.Popen([PSYNTH, "render", str(spec_file), "--shard", "0", "--root", str(root), "--quiet"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    from psynth_spec.compile import load_spec

    work = Path(default_work_dir(LocalStorage(root), Layout.for_spec(load_spec(spec_file)), 0))
    worker = _worker_pid(work)
    assert _running(worker)
    render.send_signal(signal.SIGKILL)
    render.wait(timeout=10)
    assert _wait_gone(worker, 5), f"worker {worker} still runs after psynth render was killed"
    log = (work / "worker.log").read_text(errors="replace")
    assert "Traceback" not in log and "BrokenPipeError" not in log


def test_a_worker_whose_reader_is_gone_exits_quietly(tmp_path):
    """Without the parent watch (no --parent-pid), a closed progress pipe ends the worker: its
    next event finds the pipe broken; status EXIT_READER_GONE, no traceback."""
    spec = tiny_spec(name="reader_gone", samples=3)
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(spec.model_dump_json())
    log = tmp_path / "worker.log"
    env = {**os.environ, "PSYNTH_TEST_SAMPLE_DELAY_S": "1"}
    with open(log, "wb") as err:
        worker = subprocess.Popen(
            [PYTHON, "-m", "psynth_render.worker", "--spec", str(spec_path), "--shard", "0",
             "--root", str(tmp_path / "data"), "--work-dir", str(tmp_path / "work")],
            stdout=subprocess.PIPE, stderr=err, env=env)
    for line in worker.stdout:
        if json.loads(line)["event"] == "shard":
            break
    worker.stdout.close()  # the reader is gone
    assert worker.wait(timeout=60) == EXIT_READER_GONE
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "the supervisor is gone" in text

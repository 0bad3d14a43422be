"""Run one shard to completion: start worker processes, restart them, time samples out.

    run_shard(spec, shard, root) -> ShardResult

The supervisor never imports bpy. It starts `python -m psynth_render.worker`, reads its progress
events (stdout) and sends its stderr (Blender's output, the worker log) to the shard's
`worker.log`. It starts a fresh worker when one exits to recycle memory (status 75) or dies;
the new one resumes from the work folder's journal. A sample running past `sample_timeout`
ends its worker (the worker's own SIGALRM, or the supervisor's SIGKILL a few seconds later) and
gets an `error` line in the journal; the next worker retries it once and then records it as
failed. A worker that dies before starting any sample is an error.

Also runnable as `python -m psynth_render.supervisor --spec FILE --shard N [--root DIR] ...`
(the shape a Dagster Pipes subprocess or a pod launches), printing the events as JSON lines.
"""

import argparse
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

from psynth_data.layout import Layout
from psynth_data.manifest import Manifest, read_manifest
from psynth_data.storage import default_root, open_storage
from psynth_data.verify import check_shard
from psynth_render.journal import ShardWork
from psynth_render.memory import EXIT_RECYCLE
from psynth_render.progress import parse_event
from psynth_render.worker import default_work_dir
from psynth_spec.errors import PsynthError
from psynth_spec.vocabulary import Device
from psynth_spec.spec import Spec


_GRACE_S = 5.0
"""How long past the sample timeout the supervisor waits for the worker's own alarm."""


class WorkerError(PsynthError):
    """The worker cannot render the shard (it fails before rendering anything)."""


@dataclass
class ShardResult:
    shard: int
    manifest: Manifest | None
    launches: int = 0
    recycles: int = 0
    timeouts: int = 0
    events: list[dict] = field(default_factory=list)


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def run_shard(
    spec: Spec | str | os.PathLike,
    shard: int,
    root: str | None = None,
    *,
    device: str | None = None,
    max_rss_mb: float = 0,
    sample_timeout: float | None = None,
    samples_path: str | None = None,
    work_dir: str | None = None,
    on_event: Callable[[dict], None] | None = None,
    env: dict[str, str] | None = None,
    max_launches: int | None = None,
    keep_work: bool = False,
    timeout_grace_s: float = _GRACE_S,
) -> ShardResult:
    """Render one shard with restarting worker processes; returns when its manifest is written.

    Args:
        spec: a compiled `Spec`, or the path of a `.psynth` / compiled `.json` spec.
        sample_timeout: seconds one sample may take before its worker is killed (None: no limit).
        on_event: called with every progress event (see progress.py), plus the supervisor's own
            `launch`, `timeout` and `exit` events.
        env: extra environment for the workers (e.g. test hooks).
        timeout_grace_s: how long past `sample_timeout` to wait for the worker's own alarm
            before killing it.
    """
    root = root or default_root()
    storage = open_storage(root)
    if isinstance(spec, Spec):
        spec_obj, spec_path = spec, None
    else:
        from psynth_render.shard_inputs import load_spec_file

        spec_obj, spec_path = load_spec_file(spec), str(spec)
    layout = Layout.for_spec(spec_obj)
    result = ShardResult(shard=shard, manifest=None)
    previous = check_shard(storage, layout, shard) if storage.exists(layout.manifest_key(shard)) else None
    if previous is not None and previous.ok:  # idempotent: a complete shard costs no process
        result.manifest = previous.manifest
        event = {"event": "complete", "shard": shard, "rendered": result.manifest.counts.rendered,
                 "failed": result.manifest.counts.failed, "already": True}
        result.events.append(event)
        if on_event is not None:
            on_event(event)
        return result
    if previous is not None:  # said before anything is replaced
        event = {"event": "mismatch", "shard": shard, "problems": [p.describe() for p in previous.problems]}
        result.events.append(event)
        if on_event is not None:
            on_event(event)
    work = ShardWork(work_dir or default_work_dir(storage, layout, shard))
    work.ensure()
    if spec_path is None or not spec_path.endswith(".json"):
        spec_path = str(work.path / "spec.json")  # the child reads the compiled spec: no recompile
        Path(spec_path).write_text(spec_obj.model_dump_json(), encoding="utf-8")

    command = [sys.executable, "-m", "psynth_render.worker", "--spec", spec_path, "--shard", str(shard),
               "--root", str(root), "--work-dir", str(work.path), "--parent-pid", str(os.getpid())]
    if device:
        command += ["--device", device]
    if max_rss_mb:
        command += ["--max-rss-mb", str(max_rss_mb)]
    if sample_timeout:
        command += ["--sample-timeout", str(sample_timeout)]
    if samples_path:
        command += ["--samples", str(samples_path)]
    if keep_work:
        command += ["--keep-work"]
    child_env = {**os.environ, **(env or {})}
    limit = max_launches or (2 * len(spec_obj.shard_range(shard)) + 5)

    def emit(event: dict) -> None:
        result.events.append(event)
        if on_event is not None:
            on_event(event)

    while True:
        if result.launches >= limit:
            raise WorkerError(f"shard {shard}: gave up after {result.launches} worker launches")
        result.launches += 1
        emit({"event": "launch", "launch": result.launches})
        code, progressed, timed_out = _run_once(command, child_env, work, sample_timeout, timeout_grace_s, emit)
        emit({"event": "exit", "code": code})
        if code == 0:
            break
        if timed_out:
            result.timeouts += 1
        elif code == EXIT_RECYCLE:
            result.recycles += 1
        elif not progressed:
            raise WorkerError(
                f"shard {shard}: the worker exited with status {code} before rendering anything; "
                f"log {work.log_path}:\n{_log_tail(work.log_path)}"
            )
    result.manifest = read_manifest(storage, layout, shard)
    if result.manifest is None:
        raise WorkerError(f"shard {shard}: the worker finished but wrote no manifest")
    return result


def _run_once(command, env, work: ShardWork, sample_timeout, grace, emit) -> tuple[int, bool, bool]:
    """One worker process: (exit status, whether it started a sample, whether it was timed out)."""
    work.path.mkdir(parents=True, exist_ok=True)
    with open(work.log_path, "ab") as log:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env, start_new_session=True)
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    running: dict | None = None  # the sample in progress and when it started
    progressed = timed_out = False
    buffer = b""
    try:
        while True:
            wait = 1.0
            if running is not None and sample_timeout:
                wait = max(0.0, min(wait, running["since"] + sample_timeout + grace - time.monotonic()))
            if selector.select(timeout=wait):
                chunk = os.read(child.stdout.fileno(), 65536)
                if not chunk:
                    break
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    event = parse_event(line)
                    if event is None:
                        continue
                    kind = event["event"]
                    if kind == "start":
                        running = {"sample_id": event["sample_id"], "since": time.monotonic()}
                        progressed = True
                    elif kind in ("done", "error", "failed"):
                        running = None
                    emit(event)
            overdue = running is not None and sample_timeout and (
                time.monotonic() - running["since"] > sample_timeout + grace)
            if overdue:  # the worker's own alarm did not end it: the supervisor does
                _kill(child)
                timed_out = True
                break
    except BaseException:
        _kill(child)  # the supervisor is stopping (Ctrl-C, SIGTERM): take the worker with it
        raise
    finally:
        selector.close()
        child.stdout.close()
    code = child.wait()
    timed_out = timed_out or (code == -signal.SIGALRM and running is not None)
    if timed_out:
        sid = running["sample_id"]
        error = f"timed out after {sample_timeout:g} s"
        work.append({"event": "error", "sample_id": sid, "error": error})
        emit({"event": "timeout", "sample_id": sid, "error": error})
    return code, progressed, timed_out


def _kill(child: subprocess.Popen) -> None:
    """SIGKILL the worker's whole process group (Blender may have helper threads/processes)."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.wait()


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m psynth_render.supervisor", description="render one shard")
    p.add_argument("--spec", required=True)
    p.add_argument("--shard", type=int, required=True)
    p.add_argument("--root", default=None)
    p.add_argument("--device", choices=get_args(Device), default=None)
    p.add_argument("--max-rss-mb", type=float, default=float(os.environ.get("PSYNTH_MAX_RSS_MB") or 0))
    p.add_argument("--sample-timeout", type=float, default=None)
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)  # a cancelled run stops its worker too
    try:
        result = run_shard(args.spec, args.shard, args.root, device=args.device, max_rss_mb=args.max_rss_mb,
                           sample_timeout=args.sample_timeout,
                           on_event=lambda e: print(json.dumps(e), flush=True))
    except PsynthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0 if result.manifest is not None else 1


if __name__ == "__main__":
    sys.exit(main())

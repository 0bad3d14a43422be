"""The render worker: one process that imports bpy once and renders a shard's samples.

    python -m psynth_render.worker --spec FILE --shard N [--root DIR] [--samples PARQUET]
        [--work-dir DIR] [--device auto|gpu|cpu] [--max-rss-mb M] [--sample-timeout S] [--keep-work]

Everything comes from arguments and the environment (`PSYNTH_DATA_ROOT`, `PSYNTH_MAX_RSS_MB`,
`PSYNTH_SAMPLE_TIMEOUT`), so
the same command runs as a local subprocess, a Dagster Pipes subprocess or a Kubernetes pod.
Per sample: describe -> build (updates the one scene) -> render -> write members into a staging
folder -> commit (rename) -> journal line. When every sample is done or failed it assembles the
tar (temporary name, then rename), stores it and writes the manifest last.

Channels: stdout carries only progress events (JSON lines, see progress.py); Blender's own
output and the log go to stderr (the supervisor sends it to `_work/.../worker.log`).

Exit status: 0 the shard is complete; 75 (`EXIT_RECYCLE`) stopped past `--max-rss-mb` after
finishing a sample, start a fresh process to resume; 1 an input error (message on stderr);
killed by SIGALRM: a sample ran past `--sample-timeout` (a C-level hang cannot be interrupted
otherwise). Restarted, a worker resumes; a sample started twice without finishing is recorded
as failed, so a bare restart loop (a Kubernetes pod's restart policy) also finishes a shard.

Test hooks (environment; fault tests only, no effect when unset):
    PSYNTH_TEST_FAIL_SAMPLE=ID[,ID]   rendering these samples raises, on every attempt
    PSYNTH_TEST_HANG_SAMPLE=ID[,ID]   these samples hang, on every attempt (sample timeout)
    PSYNTH_TEST_HANG_BLOCKS_ALARM=1   ... with SIGALRM blocked, so only the supervisor ends them
    PSYNTH_TEST_CRASH_SAMPLE=ID[,ID]  the process aborts (like a Blender segfault) on these samples
    PSYNTH_TEST_SAMPLE_DELAY_S=S      sleep S seconds before each sample (to kill mid-shard)
"""

import argparse
import logging
import math
import os
import signal
import sys
import time
import traceback
from typing import get_args

from psynth_data.layout import Layout
from psynth_data.manifest import Counts, FailedSample, is_complete, read_manifest, software_versions, write_manifest
from psynth_data.qc import write_qc_table
from psynth_data.samples_table import store_samples
from psynth_data.storage import LocalStorage, Storage, default_root, open_storage
from psynth_data.timings import render_seconds_summary
from psynth_render.journal import MAX_ATTEMPTS, ShardWork
from psynth_render.memory import EXIT_RECYCLE, over_limit
from psynth_render.parent_watch import die_with_parent
from psynth_render.progress import ProgressWriter
from psynth_render.qc_probe import measure_sample, record_qc, shard_qc_frame
from psynth_render.shard_inputs import load_spec_file, read_samples_file, shard_samples
from psynth_render.tar_writer import write_shard_tar
from psynth_spec.errors import PsynthError
from psynth_spec.vocabulary import Device

log = logging.getLogger("psynth.worker")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m psynth_render.worker", description=__doc__.split("\n")[0])
    p.add_argument("--spec", required=True, help="a .psynth spec, or a compiled spec as .json")
    p.add_argument("--shard", type=int, required=True)
    p.add_argument("--root", default=None, help="storage root (default $PSYNTH_DATA_ROOT or ./data)")
    p.add_argument("--samples", default=None, help="samples Parquet (default: the shard's in storage)")
    p.add_argument("--work-dir", default=None, help="local scratch folder (default: _work under the root)")
    p.add_argument("--device", choices=get_args(Device), default=None, help="default: the spec's")
    p.add_argument(
        "--max-rss-mb",
        type=float,
        default=float(os.environ.get("PSYNTH_MAX_RSS_MB") or 0),
        help="recycle the process past this resident memory (0: never)",
    )
    p.add_argument(
        "--sample-timeout",
        type=float,
        default=float(os.environ.get("PSYNTH_SAMPLE_TIMEOUT") or 0),
        help="seconds a sample may take; past it the process is ended by SIGALRM (0: no limit)",
    )
    p.add_argument("--keep-work", action="store_true", help="keep the work folder after completing")
    p.add_argument("--parent-pid", type=int, default=None, help="end when this process (the supervisor) ends")
    return p


def default_work_dir(storage: Storage, layout: Layout, shard: int) -> str:
    """Scratch beside the data on a local store; else `$PSYNTH_WORK_DIR` (or /tmp) per shard."""
    if isinstance(storage, LocalStorage):
        return str(storage.path(layout.work_key(shard)))
    base = os.environ.get("PSYNTH_WORK_DIR") or os.path.join(os.environ.get("TMPDIR", "/tmp"), "psynth-work")
    return os.path.join(base, layout.work_key(shard))


def _ids_from_env(name: str) -> set[int]:
    raw = os.environ.get(name, "")
    return {int(x) for x in raw.split(",") if x.strip()}


def _test_hooks(sample_id: int) -> None:
    delay = float(os.environ.get("PSYNTH_TEST_SAMPLE_DELAY_S") or 0)
    if delay:
        time.sleep(delay)
    if sample_id in _ids_from_env("PSYNTH_TEST_HANG_SAMPLE"):
        if os.environ.get("PSYNTH_TEST_HANG_BLOCKS_ALARM"):  # like a hang the alarm cannot end
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            time.sleep(3600)
    if sample_id in _ids_from_env("PSYNTH_TEST_CRASH_SAMPLE"):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a test crash leaves no core file
        os.abort()
    if sample_id in _ids_from_env("PSYNTH_TEST_FAIL_SAMPLE"):
        raise RuntimeError(f"PSYNTH_TEST_FAIL_SAMPLE: injected failure of sample {sample_id}")


def run_worker(args: argparse.Namespace, progress: ProgressWriter) -> int:
    spec = load_spec_file(args.spec)
    storage = open_storage(args.root or default_root())
    layout = Layout.for_spec(spec)
    shard = args.shard
    if is_complete(storage, layout, shard):
        manifest = read_manifest(storage, layout, shard)
        log.info("shard %d is already complete; nothing to do", shard)
        work = ShardWork(args.work_dir or default_work_dir(storage, layout, shard))
        if not args.keep_work:
            work.remove()  # left over when a worker died between the manifest and the clean-up
        progress.emit("complete", shard=shard, rendered=manifest.counts.rendered,
                      failed=manifest.counts.failed, already=True)
        return 0
    if args.samples:
        frame = read_samples_file(args.samples, shard)
        if not storage.exists(layout.samples_key(shard)):
            store_samples(storage, layout, shard, frame)
    else:
        frame = shard_samples(storage, layout, spec, shard)
    rows = frame.sort("sample_id").to_dicts()

    work = ShardWork(args.work_dir or default_work_dir(storage, layout, shard))
    work.ensure()
    work.lock()  # held until this process exits
    journal = work.replay()
    for row in rows:  # attempts used up by earlier processes (crashes, timeouts): no bpy needed
        _record_if_exhausted(work, journal.state(int(row["sample_id"])), int(row["sample_id"]), progress)
    todo = [r for r in rows if not (journal.state(r["sample_id"]).done or journal.state(r["sample_id"]).failed)]
    if todo:
        code = _render_samples(args, spec, work, journal, rows, todo, progress)
        if code:
            return code
    else:
        progress.emit("shard", shard=shard, samples=len(rows), todo=0, device="none")
    finalize_shard(storage, layout, spec, shard, work, rows, progress)
    if not args.keep_work:
        work.remove()
    return 0


def _render_samples(args, spec, work: ShardWork, journal, rows, todo, progress: ProgressWriter) -> int:
    """Render `todo` in this process; returns EXIT_RECYCLE when stopping early, else 0."""
    from psynth_render.renderer import Renderer  # imports bpy: only now
    from psynth_spec.taxonomy import default_taxonomy

    renderer = Renderer(spec, default_taxonomy(), args.device or spec.render.device)
    work.append({"event": "device", "device": renderer.device, "pid": os.getpid()})
    log.info("shard %d: %d samples, %d to render, device %s", args.shard, len(rows), len(todo), renderer.device)
    progress.emit("shard", shard=args.shard, samples=len(rows), todo=len(todo), device=renderer.device)
    if args.sample_timeout:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the alarm ends the process, even inside C
    for index, row in enumerate(todo):
        _render_with_retries(renderer, work, journal, row, progress, args.sample_timeout)
        over, rss = over_limit(args.max_rss_mb)
        if over and index + 1 < len(todo):
            log.info("resident memory %.0f MiB > %.0f MiB: recycling the worker", rss, args.max_rss_mb)
            progress.emit("recycle", rss_mb=round(rss, 1))
            return EXIT_RECYCLE
    return 0


def _record_if_exhausted(work: ShardWork, state, sid: int, progress: ProgressWriter) -> bool:
    """Record a sample as failed once its attempts are used up; True when it is (now) failed."""
    if state.done or state.failed:
        return state.failed
    if state.attempts < MAX_ATTEMPTS:
        return False
    error = state.last_error or "the worker died or was stopped during this sample"
    work.append({"event": "failed", "sample_id": sid, "attempts": state.attempts, "error": error})
    state.failed = True
    log.error("sample %d failed after %d attempts: %s", sid, state.attempts, error)
    progress.emit("failed", sample_id=sid, error=error)
    return True


def _render_with_retries(renderer, work: ShardWork, journal, row: dict, progress: ProgressWriter,
                         timeout: float = 0) -> None:
    sid = int(row["sample_id"])
    state = journal.state(sid)
    while not (state.done or state.failed):
        if _record_if_exhausted(work, state, sid, progress):
            return
        started = time.perf_counter()
        state.attempts += 1
        work.append({"event": "start", "sample_id": sid, "attempt": state.attempts, "pid": os.getpid()})
        progress.emit("start", sample_id=sid, attempt=state.attempts)
        staging = work.staging_dir(sid)
        if timeout:
            signal.alarm(max(1, math.ceil(timeout)))
        try:
            _test_hooks(sid)
            record = renderer.render_sample(row, staging)
        except Exception as exc:  # a failing sample must not kill the shard
            error = f"{type(exc).__name__}: {exc}"
            log.error("sample %d attempt %d raised:\n%s", sid, state.attempts, traceback.format_exc())
            work.append({"event": "error", "sample_id": sid, "attempt": state.attempts, "error": error})
            state.last_error = error
            progress.emit("error", sample_id=sid, attempt=state.attempts, error=error)
            continue
        finally:
            if timeout:
                signal.alarm(0)
        final = work.commit(sid, staging)
        try:  # QC never fails a rendered sample; finalize_shard measures it again if this did not
            record_qc(work, measure_sample(renderer.spec, final, row, record["render_seconds"], int(row["shard"])))
        except Exception:
            log.error("sample %d: QC measurement raised:\n%s", sid, traceback.format_exc())
        seconds = time.perf_counter() - started
        state.done = True
        work.append({"event": "done", "sample_id": sid, "seconds": round(seconds, 4),
                     "render_seconds": round(record["render_seconds"], 4)})
        progress.emit("done", sample_id=sid, seconds=round(seconds, 4),
                      render_seconds=round(record["render_seconds"], 4))


def finalize_shard(storage, layout, spec, shard, work: ShardWork, rows, progress) -> None:
    """Assemble the tar, store it, and write the manifest (last)."""
    journal = work.replay()
    devices = [e["device"] for e in work.events() if e.get("event") == "device"]
    versions = {"blender": _blender_version(), "device": devices[-1] if devices else "none"}
    ids = [int(r["sample_id"]) for r in rows]
    done = [sid for sid in ids if journal.state(sid).done]
    failed = [
        FailedSample(sample_id=sid, attempts=journal.state(sid).attempts, error=journal.state(sid).last_error or "")
        for sid in ids
        if journal.state(sid).failed and not journal.state(sid).done
    ]
    tar_path = work.path / "render.tar"
    members = write_shard_tar([(sid, work.sample_dir(sid)) for sid in done], tar_path)
    tar_bytes = tar_path.stat().st_size
    storage.put_file(layout.render_key(shard), tar_path, move=True)
    if work.log_path.exists():  # a snapshot of the log so far: Blender's output stays with the shard
        storage.put_file(layout.log_key(shard), work.log_path)  # diagnostics, not data: unlisted
    render_by_id = {int(e["sample_id"]): float(e.get("render_seconds") or 0) for e in work.events()
                    if e.get("event") == "done"}
    write_qc_table(storage, layout, shard, shard_qc_frame(work, spec, rows, set(done), render_by_id, shard))
    keys = [k for k in layout.data_keys(shard) if storage.exists(k)]  # the QC table too: manifest last
    all_events = work.events()
    events = [e for e in all_events if e.get("event") == "done"]
    sample_s = [float(e.get("seconds") or 0) for e in events]
    timings = {
        **render_seconds_summary(float(e.get("render_seconds") or 0) for e in events),
        "sample_seconds_total": round(sum(sample_s), 3),
        "wall_seconds": round(time.time() - all_events[0]["t"], 3) if all_events else 0.0,
    }
    write_manifest(
        storage, layout, shard, keys,
        counts=Counts(samples=len(ids), rendered=len(done), failed=len(failed)),
        failed=failed,
        timings=timings,
        software=software_versions(**versions),
        extra={"members": len(members), "device": versions.get("device", "")},
    )
    log.info("shard %d complete: %d rendered, %d failed, %d bytes", shard, len(done), len(failed), tar_bytes)
    progress.emit("complete", shard=shard, rendered=len(done), failed=len(failed), tar_bytes=tar_bytes)


def _blender_version() -> str:
    """bpy's version without importing it (a worker with nothing left to render never does)."""
    from importlib import metadata

    try:
        return metadata.version("bpy")
    except metadata.PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    die_with_parent(args.parent_pid)  # never an orphan rendering for nobody
    progress = ProgressWriter(os.dup(1))
    os.dup2(2, 1)  # Blender writes to fd 1 from C: send it to stderr, i.e. the log
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        return run_worker(args, progress)
    except PsynthError as exc:
        log.error("%s", exc)
        progress.emit("fatal", error=str(exc))
        return 1
    finally:
        progress.close()


if __name__ == "__main__":
    sys.exit(main())

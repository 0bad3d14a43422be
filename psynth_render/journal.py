"""A shard's work folder: per-sample commits and the journal that makes restarts resume.

    {work}/samples/{sample_id:09d}/     the sample's finished members; the rename of a
                                        temporary folder to this name is the commit
    {work}/journal.jsonl                one JSON object per line: start, done, error, failed
    {work}/worker.log                   Blender's and the worker's own output
    {work}/lock                         held (flock) by the one worker rendering the shard

A sample is done when its folder exists. Each `start` line counts an attempt, so a worker killed
mid-sample (a crash, or the supervisor's timeout) leaves an attempt without an end; after
`MAX_ATTEMPTS` attempts a sample is recorded as failed instead of tried again. A torn last line
(a kill during a write) is ignored.
"""

import fcntl
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from psynth_spec.errors import PsynthError

MAX_ATTEMPTS = 2


class ShardBusyError(PsynthError):
    """Another live worker holds the shard's work folder."""


@dataclass
class SampleState:
    attempts: int = 0
    done: bool = False
    failed: bool = False
    last_error: str | None = None
    seconds: float | None = None


@dataclass
class Journal:
    """The state of every sample the journal mentions, replayed from its lines."""

    states: dict[int, SampleState] = field(default_factory=dict)

    def state(self, sample_id: int) -> SampleState:
        return self.states.setdefault(sample_id, SampleState())

    def apply(self, event: dict) -> None:
        sid = event.get("sample_id")
        if not isinstance(sid, int):
            return
        state = self.state(sid)
        kind = event.get("event")
        if kind == "start":
            state.attempts += 1
        elif kind == "done":
            state.done = True
            state.seconds = event.get("seconds")
        elif kind == "error":
            state.last_error = str(event.get("error"))
        elif kind == "failed":
            state.failed = True
            state.last_error = str(event.get("error"))


class ShardWork:
    """The work folder of one shard (a local path, whatever the storage is)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    @property
    def samples_dir(self) -> Path:
        return self.path / "samples"

    @property
    def journal_path(self) -> Path:
        return self.path / "journal.jsonl"

    @property
    def log_path(self) -> Path:
        return self.path / "worker.log"

    def ensure(self) -> None:
        self.samples_dir.mkdir(parents=True, exist_ok=True)

    def lock(self) -> int:
        """Take the shard for this process (released by the OS when it exits, even by SIGKILL).

        Returns the lock's file descriptor; keep it open. Raises `ShardBusyError` when another
        process holds it: two workers must never render the same shard at once.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise ShardBusyError(f"{self.path}: another worker (pid {holder}) is rendering this shard") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        return fd

    def sample_dir(self, sample_id: int) -> Path:
        return self.samples_dir / f"{sample_id:09d}"

    def staging_dir(self, sample_id: int) -> Path:
        """A fresh, empty temporary folder for a sample's members (stale ones are removed)."""
        staging = self.samples_dir / f".{sample_id:09d}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        return staging

    def commit(self, sample_id: int, staging: Path) -> Path:
        """Publish a staged sample: one atomic rename."""
        final = self.sample_dir(sample_id)
        os.replace(staging, final)
        return final

    def done_ids(self) -> set[int]:
        if not self.samples_dir.is_dir():
            return set()
        return {int(p.name) for p in self.samples_dir.iterdir() if p.name.isdigit() and p.is_dir()}

    def append(self, event: dict) -> None:
        """Add one event line with a single O_APPEND write.

        The line survives the death of the process at once (it is in the kernel); it is not
        fsynced, since a machine crash loses little: the sample folders are the commits, and a
        lost `start` line only allows one more attempt.
        """
        event = {"t": round(time.time(), 3), **event}
        line = (json.dumps(event, separators=(",", ":")) + "\n").encode()
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def events(self) -> list[dict]:
        if not self.journal_path.exists():
            return []
        out = []
        for line in self.journal_path.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue  # torn write from a kill
            if isinstance(event, dict):
                out.append(event)
        return out

    def replay(self) -> Journal:
        journal = Journal()
        for event in self.events():
            journal.apply(event)
        for sid in self.done_ids():  # the folder is the truth, even if the done line was lost
            journal.state(sid).done = True
        return journal

    def remove(self) -> None:
        """Delete the work folder, and its parent (`_work`) when no other shard uses it."""
        shutil.rmtree(self.path, ignore_errors=True)
        try:
            self.path.parent.rmdir()
        except OSError:
            pass  # other shards' work folders are still there

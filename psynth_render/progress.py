"""Progress events: JSON lines the worker writes on its own channel, parsed by the supervisor.

The worker's stdout file descriptor carries only these lines (Blender's own output is moved to
stderr, which the supervisor sends to the shard's log). Events (`event` key):

    shard     {shard, samples, todo, device}       once per worker process, after start-up
    start     {sample_id, attempt}                 a sample begins (the timeout clock starts)
    done      {sample_id, seconds, render_seconds}
    error     {sample_id, attempt, error}          an attempt raised; it is retried once
    failed    {sample_id, error}                   recorded as failed, the shard goes on
    recycle   {rss_mb}                             the worker stops past its memory bound
    complete  {rendered, failed, tar_bytes}        tar and manifest written
"""

import json
import os
import sys
from typing import IO


EXIT_READER_GONE = 71
"""Exit status of a worker whose progress reader (the supervisor) is gone."""


class ProgressWriter:
    """Writes events to a file descriptor, one flushed line each.

    When the reader is gone (the supervisor was killed) the pipe breaks: that is an expected
    shutdown, so the worker exits at once with EXIT_READER_GONE and no traceback.
    """

    def __init__(self, fd: int):
        self._file: IO[str] = os.fdopen(fd, "w", encoding="utf-8", buffering=1)

    def emit(self, event: str, **fields) -> None:
        try:
            self._file.write(json.dumps({"event": event, **fields}, separators=(",", ":")) + "\n")
            self._file.flush()
        except BrokenPipeError:
            _reader_gone()

    def close(self) -> None:
        try:
            self._file.close()
        except BrokenPipeError:
            _reader_gone()


def _reader_gone() -> None:
    print("psynth worker: the supervisor is gone (progress pipe closed); stopping", file=sys.stderr, flush=True)
    os._exit(EXIT_READER_GONE)


def parse_event(line: str | bytes) -> dict | None:
    """One event from a line, or None for anything that is not an event object."""
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) and "event" in event else None

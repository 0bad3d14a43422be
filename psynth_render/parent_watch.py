"""A render worker dies with the process that started it (the supervisor, `psynth render`, a
Dagster run), instead of rendering on as an orphan.

On Linux the kernel does it: `prctl(PR_SET_PDEATHSIG, SIGKILL)` (through ctypes) kills the
worker the moment its parent exits, even by SIGKILL. Elsewhere a daemon thread polls the parent
pid once a second. Either way the worker checks the parent is still the expected one right
after arming, closing the race of a parent that died during start-up. A worker whose progress
pipe breaks (the reader is gone) exits quietly too: see `ProgressWriter`.

The kernel's "parent" is the thread that started the process: `run_shard` starts each worker and
waits for it in the same thread, so that thread lives exactly as long as the worker is wanted.
"""

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
EXIT_ORPHANED = 70
"""Exit status of a worker whose parent is gone (nothing was left half-written: see journal)."""


def _prctl_deathsig(sig: int) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _poll(parent: int, interval: float) -> None:
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(EXIT_ORPHANED)


def die_with_parent(parent: int | None, interval: float = 1.0) -> str:
    """Arm the worker to end when `parent` does; returns how ("prctl", "poll" or "none")."""
    if parent is None:
        return "none"
    how = "prctl" if sys.platform.startswith("linux") and _prctl_deathsig(signal.SIGKILL) else "poll"
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(EXIT_ORPHANED)
    if how == "poll":
        threading.Thread(target=_poll, args=(parent, interval), name="psynth-parent-watch", daemon=True).start()
    return how

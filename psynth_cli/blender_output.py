"""Blender writes its progress to the process's stdout (file descriptor 1, from C): commands
that render in-process send it to stderr, so their stdout holds only their own answer."""

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def chatter_to_stderr() -> Iterator[None]:
    """Within the block, file descriptor 1 points at stderr; restored after."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)

"""The worker's resident memory, watched so a leaking Blender process can be recycled."""

import psutil

EXIT_RECYCLE = 75
"""Exit status of a worker that stopped on purpose past its memory bound (EX_TEMPFAIL)."""


def rss_mb() -> float:
    """Resident set size of this process in MiB."""
    return psutil.Process().memory_info().rss / (1 << 20)


def over_limit(max_rss_mb: float | None) -> tuple[bool, float]:
    """(is the process past the bound, its RSS in MiB); no bound when `max_rss_mb` is None/0."""
    rss = rss_mb()
    return (bool(max_rss_mb) and rss > max_rss_mb), rss

"""Render-time figures: one percentile rule for manifests (per shard) and partition reports.

Nearest-rank percentiles (the smallest value with at least q % of the values at or below it):
always one of the measured values, and the same for a shard whether the worker summarizes its
journal or a report re-reads the tar.
"""

import math
from collections.abc import Iterable


def percentile(values: Iterable[float], q: float) -> float:
    """Nearest-rank `q`-th percentile (0 < q <= 100) of `values`, in any order; 0 for none."""
    ordered = sorted(float(v) for v in values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def render_seconds_summary(seconds: Iterable[float]) -> dict[str, float]:
    """`render_seconds_total`, `_p50` and `_p95` of per-sample render seconds."""
    values = [float(s) for s in seconds]
    return {
        "render_seconds_total": round(float(sum(values)), 3),  # a float even for none (Dagster metadata)
        "render_seconds_p50": round(percentile(values, 50), 4),
        "render_seconds_p95": round(percentile(values, 95), 4),
    }

"""Which samples a gallery renders: one row per value of an axis, everything else fixed.

Pure Python (no bpy): `gallery_rows` takes a base row (the spec's first sample) and returns one
(label, row) per value. Values of a categorical axis are the leaves of its domain (or of the
concepts named in `values`); of a numeric axis, `steps` values spread over its range (log-spaced
when it spans two decades or more), or the numbers named in `values`; of a bool axis, false and
true. Axes whose default is derived from the varied axis (`material.roughness` reads
`material`) are cleared, so each tile shows its concept's own numbers.
"""

import math
from difflib import get_close_matches
from typing import Any

from psynth_spec.errors import PsynthError
from psynth_spec.taxonomy import Axis, ConceptDefault, Taxonomy

DEFAULT_STEPS = 6
LOG_SPAN = 100.0
"""A numeric range whose max/min reaches this ratio (min > 0) is stepped on a log scale."""


class GalleryError(PsynthError):
    """A gallery request that cannot be met (unknown axis or value)."""


def gallery_axis(taxonomy: Taxonomy, path: str) -> Axis:
    """The registry axis `path`, or a GalleryError with a suggestion."""
    axis = taxonomy.axis_by_path.get(path)
    if axis is None:
        close = get_close_matches(path, list(taxonomy.axis_by_path), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise GalleryError(f"unknown axis {path!r}{hint} (see `psynth taxonomy`)")
    return axis


def axis_values(taxonomy: Taxonomy, axis: Axis, values: list[str] | None = None,
                steps: int = DEFAULT_STEPS) -> list[Any]:
    """The values a gallery of `axis` shows, in order (see the module docstring)."""
    if axis.type == "category":
        return _concepts(taxonomy, axis, values)
    if axis.type == "bool":
        return [_boolean(axis, v) for v in values] if values else [False, True]
    assert axis.range is not None
    lo, hi = axis.range
    if values:
        return [_number(axis, v, lo, hi) for v in values]
    if steps < 2:
        raise GalleryError(f"--steps must be at least 2, not {steps}")
    if lo > 0 and hi / lo >= LOG_SPAN:
        points = [math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * i / (steps - 1)) for i in range(steps)]
    else:
        points = [lo + (hi - lo) * i / (steps - 1) for i in range(steps)]
    return [round(p) for p in points] if axis.type == "int" else [float(f"{p:.4g}") for p in points]


def _concepts(taxonomy: Taxonomy, axis: Axis, values: list[str] | None) -> list[str]:
    assert axis.domain is not None
    if not values:
        return [taxonomy.relative(axis, leaf) for leaf in taxonomy.leaves(axis.domain)]
    out: list[str] = []
    for name in values:
        full = taxonomy.resolve(axis, name)
        if full is None:
            close = get_close_matches(name, taxonomy.domain_names(axis), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise GalleryError(f"{axis.path}: {name!r} is not a concept of {axis.domain}{hint}")
        out.extend(taxonomy.relative(axis, leaf) for leaf in taxonomy.leaves(full) if leaf != axis.domain)
    return out


def _boolean(axis: Axis, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise GalleryError(f"{axis.path}: {text!r} is not true or false")
    return lowered == "true"


def _number(axis: Axis, text: str, lo: float, hi: float) -> float | int:
    try:
        value = float(text)
    except ValueError:
        raise GalleryError(f"{axis.path}: {text!r} is not a number") from None
    if not lo <= value <= hi:
        raise GalleryError(f"{axis.path}: {value:g} is outside its range {lo:g}..{hi:g}")
    return round(value) if axis.type == "int" else value


def fixed_row(taxonomy: Taxonomy, base: dict[str, Any], assignments: list[str]) -> dict[str, Any]:
    """`base` with each `AXIS=VALUE` (the `--set` option) applied, each value checked as a
    gallery value of its axis would be, and the axes derived from it cleared."""
    row = dict(base)
    for text in assignments:
        path, sep, value = text.partition("=")
        if not sep or not value.strip():
            raise GalleryError(f"--set {text!r}: expected AXIS=VALUE")
        axis = gallery_axis(taxonomy, path.strip())
        row[axis.column] = axis_values(taxonomy, axis, [value.strip()])[0]
        for derived in derived_from(taxonomy, axis):
            row[derived.column] = None
    return row


def derived_from(taxonomy: Taxonomy, axis: Axis) -> list[Axis]:
    """Axes whose default reads a render parameter of the concept on `axis`."""
    return [a for a in taxonomy.axes
            if isinstance(a.default_from, ConceptDefault) and a.default_from.axis == axis.path]


def gallery_rows(taxonomy: Taxonomy, axis: Axis, values: list[Any],
                 base: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(label, row) per value: `base` with the axis's column set and its derived axes cleared."""
    cleared = [a.column for a in derived_from(taxonomy, axis)]
    out = []
    for value in values:
        row = dict(base)
        row[axis.column] = value
        for column in cleared:
            row[column] = None
        out.append((_label(value), row))
    return out


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)

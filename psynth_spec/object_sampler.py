"""Per-object values of a multi-object spec, as list columns of the samples table.

Object 0 is the subject: its entry is the row's top-level value, so a single-object spec and
the subject of a multi-object one are drawn exactly as before. Object k >= 1 draws each
per-object axis on its own counter stream `objects.<k>.<axis>` at round 0 (a pure function of
(seed, sample id, k, axis); `require` constrains only top-level axes, so a rejected round never
changes an object's value): from the `each object` statement of that axis, else from the
top-level statement, else it takes the axis default. A null entry (a `when` that did not hold)
means the axis default, as in the top-level columns.
"""

import numpy as np
import polars as pl

from psynth_spec.conditions import evaluate
from psynth_spec.counters import counters, uniforms_at
from psynth_spec.objects_axis import COUNT_AXIS, object_counts
from psynth_spec.spec import Fixed, ObjectsSpec, Spec


def object_series(spec: Spec, ids: np.ndarray, batch) -> list[pl.Series]:
    """One list Series per per-object axis (`objects_<column>`, registry order), each row as
    long as its `scene.objects`; [] for a single-object spec."""
    from psynth_spec.sampler import column_series as series

    objects = spec.objects
    if objects is None:
        return []
    counts = object_counts(batch(COUNT_AXIS))
    most = int(counts.max()) if len(counts) else 1
    positions = counters(ids, 0)
    own = {st.axis: st for st in objects.statements}
    top = {st.axis: st for st in spec.statements}
    registry = {c.axis: c for c in spec.columns}
    out = []
    for axis in objects.axes:
        parts = [series("o0", batch(axis))]
        statement = own.get(axis) or top.get(axis)
        for k in range(1, most):
            column = batch(axis) if statement is None else _draw(spec, statement, positions, batch, f"objects.{k}.{axis}")
            parts.append(series(f"o{k}", column))
        frame = pl.DataFrame([*parts, pl.Series("n", counts, dtype=pl.Int64)])
        name = ObjectsSpec.column(registry[axis].column)
        listed = frame.select(pl.concat_list([p.name for p in parts]).list.head(pl.col("n")).alias(name))
        out.append(listed.to_series())
    return out


def _draw(spec: Spec, statement, positions: np.ndarray, batch, stream: str):
    """One statement's column on the counter stream `stream` (its `when` reads the row's axes)."""
    from psynth_spec.sampler import draw_statement

    u = None if isinstance(statement.dist, Fixed) else uniforms_at(positions, spec.seed, stream)
    column = draw_statement(statement, u, batch.n)
    if statement.when is not None:
        column.valid = evaluate(statement.when, batch, batch.n)
    return column

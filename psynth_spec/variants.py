"""Counterfactual variants: K versions of every sample that change only the named axes.

Variant k (1..K) of sample i starts from the base sample's drawn columns and replaces the named
axes only:
- `redraw`: the axis's own statement (distribution and clamp) on the stream `variant:{k}:{AXIS}`;
- `choose`: uniform among the listed values on the same stream;
- `each`:   the k-th listed value.
The streams are counter-based like every other (`counters`): variant k of sample i depends on
(seed, k, axis, i) and the base sample only, so any shard recomputes alone, adding a variant
leaves the others unchanged, and the render seed and every other axis are held.

Then the `when` of every stated axis that reads a changed axis is evaluated again (in statement
order), so a variant is a sample the spec could produce: `material.ior ... when material in
glass` turns null when a variant makes the material metal, and takes the base sample's own
draw for it when a variant makes it glass. Unstated columns derived from a changed axis (a
material's default roughness) follow. `require` is honoured by drawn variants: a variant that
breaks one redraws its named axes in rounds 1, 2, ... (the counter's round), up to
MAX_VARIANT_ROUNDS; explicit `each` values are the author's choice and are taken as given.

The samples table carries `var{k}_{column}` for every changed column and every caption column
(`Spec.variant_columns()`); `variant_row` turns a base row back into variant k's row.
"""

from typing import Any

import numpy as np
import polars as pl

from psynth_spec.conditions import evaluate
from psynth_spec.counters import counters, uniforms_at
from psynth_spec.distributions import Column, constant, draw
from psynth_spec.errors import SamplingError
from psynth_spec.spec import Choice, Spec, VariantAxis, variant_column

MAX_VARIANT_ROUNDS = 1_000


def variant_stream(k: int, axis: str) -> str:
    """The counter stream of variant k's draws of `axis` (the colon keeps it off axis names)."""
    return f"variant:{k}:{axis}"


def _changed_axes(spec: Spec) -> set[str]:
    assert spec.variants is not None
    wanted = set(spec.variants.columns)
    return {c.axis for c in spec.columns if c.column in wanted}


def _draw_named(spec: Spec, axis: VariantAxis, ids: np.ndarray, k: int, rounds: int) -> Column:
    n = len(ids)
    if axis.mode == "each":
        return constant(axis.type, axis.values[k - 1], n)
    u = uniforms_at(counters(ids, rounds), spec.seed, variant_stream(k, axis.axis))
    if axis.mode == "choose":
        weights = tuple([1.0 / len(axis.values)] * len(axis.values))
        return draw(axis.type, Choice(values=axis.values, weights=weights), u, n)
    from psynth_spec.sampler import draw_statement

    statement = next(st for st in spec.statements if st.axis == axis.axis)
    return draw_statement(statement, u, n)


def variant_batch(spec: Spec, base, ids: np.ndarray, k: int, rounds: int = 0):
    """Variant k of a batch of base samples (a `sampler.Batch`), for one rejection round."""
    from psynth_spec.sampler import Batch

    assert spec.variants is not None
    n = len(ids)
    stated = dict(base.stated)
    for axis in spec.variants.axes:
        stated[axis.axis] = _draw_named(spec, axis, ids, k, rounds)
    batch = Batch(spec, stated, n)
    changed = _changed_axes(spec)
    for statement in spec.statements:
        if statement.when is None or statement.axis not in changed:
            continue
        held = stated[statement.axis]
        valid = evaluate(statement.when, batch, n)
        stated[statement.axis] = Column(held.type, held.values.copy(), valid, held.categories, held.levels)
        batch._resolved.clear()  # columns derived from this one must see its new nulls
    return batch


def _honour_requires(spec: Spec, base, ids: np.ndarray, k: int, batch, where: str):
    """Redraw the rows of a drawn variant that break a `require` (named axes only)."""
    from psynth_spec.sampler import Batch, accepted, require_masks

    if not spec.requires or not spec.variants.random:
        return batch
    pending = np.flatnonzero(~accepted(spec, batch))
    changed = _changed_axes(spec) | set(spec.variants.axis_names)
    for rounds in range(1, MAX_VARIANT_ROUNDS + 1):
        if not pending.size:
            return Batch(spec, batch.stated, batch.n)
        sub = Batch(spec, {a: c.take(pending) for a, c in base.stated.items()}, len(pending))
        candidates = variant_batch(spec, sub, ids[pending], k, rounds)
        ok = accepted(spec, candidates)
        for axis in changed & set(batch.stated):
            target = batch.stated[axis]
            if target is base.stated.get(axis):  # shared with the base: copy before writing
                target = batch.stated[axis] = target.take(np.arange(batch.n))
            target.put(pending[ok], candidates.stated[axis].take(np.flatnonzero(ok)))
        pending = pending[~ok]
    masks = require_masks(spec, variant_batch(spec, Batch(spec, {a: c.take(pending) for a, c in base.stated.items()},
                                                        len(pending)), ids[pending], k))
    worst = min(range(len(masks)), key=lambda i: int(masks[i].sum()))
    raise SamplingError(
        f"{spec.dataset}: cannot fill variant {k} of {where}: {len(pending)} samples (first id "
        f"{int(ids[pending[0]])}) break the require on line {spec.requires[worst].line} for every "
        f"one of {MAX_VARIANT_ROUNDS} redraws of {', '.join(spec.variants.axis_names)}"
    )


def variant_series(spec: Spec, ids: np.ndarray, base, where: str) -> list[pl.Series]:
    """The `var{k}_...` columns of a block of samples (Spec.variant_columns() order)."""
    from psynth_spec.captions import caption_series
    from psynth_spec.sampler import column_series

    assert spec.variants is not None
    registry = {c.column: c.axis for c in spec.columns}
    out: list[pl.Series] = []
    for k in range(1, spec.variants.count + 1):
        batch = _honour_requires(spec, base, ids, k, variant_batch(spec, base, ids, k), where)
        out.extend(column_series(variant_column(k, c), batch(registry[c])) for c in spec.variants.columns)
        out.extend(s.alias(variant_column(k, s.name)) for s in caption_series(spec, ids, batch))
    return out


def variant_row(spec: Spec, row: dict[str, Any], k: int) -> dict[str, Any]:
    """Variant k of a samples-table row: the base row with the variant's columns in place."""
    if spec.variants is None or not 1 <= k <= spec.variants.count:
        raise ValueError(f"{spec.dataset} has no variant {k}")
    out = dict(row)
    for column in (*spec.variants.columns, *spec.caption_columns):
        out[column] = row[variant_column(k, column)]
    return out


def changed_values(spec: Spec, row: dict[str, Any], k: int) -> dict[str, Any]:
    """Variant k's axis values that differ from the base row ({column: value})."""
    assert spec.variants is not None
    return {c: row[variant_column(k, c)] for c in spec.variants.columns if row[variant_column(k, c)] != row[c]}

"""Vectorized evaluation of `when` / `require` conditions over a batch of columns.

A comparison that reads a null axis is false (so `not` of it is true); `AXIS in ...` is
membership of the concept path in the admitted leaves. Categorical comparisons work on codes,
never on strings.
"""

import operator
from collections.abc import Callable, Mapping

import numpy as np

from psynth_spec.distributions import Column
from psynth_spec.errors import SamplingError
from psynth_spec.spec import And, Compare, Condition, Member, Not, Or, Truthy

_OPS: dict[str, Callable] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

ColumnLookup = Callable[[str], Column] | Mapping[str, Column]


def _get(columns: ColumnLookup, axis: str) -> Column:
    return columns[axis] if isinstance(columns, Mapping) else columns(axis)


def _codes_of(column: Column, names) -> np.ndarray:
    wanted = set(str(n) for n in names)
    return np.asarray([i for i, c in enumerate(column.categories) if c in wanted], dtype=np.int32)


def _compare(cond: Compare, column: Column) -> np.ndarray:
    op = _OPS[cond.op]
    if column.type == "category":
        if cond.op not in ("==", "!="):
            raise SamplingError(f"cannot order categorical axis {cond.axis} ({cond.op})")
        hit = np.isin(column.values, _codes_of(column, [cond.value]))
        result = hit if cond.op == "==" else ~hit
    elif column.type == "bool":
        result = op(column.values, bool(cond.value))
    else:
        result = op(column.values, float(cond.value))
    return result if column.valid is None else result & column.valid


def evaluate(cond: Condition, columns: ColumnLookup, n: int) -> np.ndarray:
    """Boolean mask of the rows (of `n`) where `cond` holds."""
    if isinstance(cond, Compare):
        return _compare(cond, _get(columns, cond.axis))
    if isinstance(cond, Member):
        column = _get(columns, cond.axis)
        result = np.isin(column.values, _codes_of(column, cond.values))
        return result if column.valid is None else result & column.valid
    if isinstance(cond, Truthy):
        column = _get(columns, cond.axis)
        result = column.values.astype(bool)
        return result if column.valid is None else result & column.valid
    if isinstance(cond, Not):
        return ~evaluate(cond.item, columns, n)
    if isinstance(cond, And):
        result = np.ones(n, dtype=bool)
        for item in cond.items:
            result &= evaluate(item, columns, n)
        return result
    if isinstance(cond, Or):
        result = np.zeros(n, dtype=bool)
        for item in cond.items:
            result |= evaluate(item, columns, n)
        return result
    raise SamplingError(f"unknown condition {cond!r}")

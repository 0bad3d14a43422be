"""Distributions as inverse CDFs of one uniform, and the in-memory column they fill.

Every law maps ONE uniform u in (0, 1) through its quantile function, so a draw depends on
nothing but its counter (see `counters`). The laws and their quantiles are registered in
`psynth_spec.laws`; choices and fixed values are drawn here.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from psynth_spec.spec import AssetChoice, Choice, Fixed


@dataclass
class Column:
    """One axis for a batch of samples.

    `values` is float64 / int64 / bool, or int32 codes into `categories` for a categorical axis.
    `valid` is False where the axis is null (None: never null); values under it are meaningless.
    `levels`, when set, lists every value a numeric column can hold (a `one_of` over numbers),
    so captions can format each level once instead of every row.
    """

    type: str
    values: np.ndarray
    valid: np.ndarray | None = None
    categories: tuple[str, ...] = ()
    levels: np.ndarray | None = None

    def take(self, index: np.ndarray) -> "Column":
        valid = None if self.valid is None else self.valid[index]
        return Column(self.type, self.values[index], valid, self.categories, self.levels)

    def put(self, mask: np.ndarray, other: "Column") -> None:
        """Overwrite the rows under `mask` with `other` (a column of mask.sum() rows)."""
        self.values[mask] = other.values
        if self.valid is None and other.valid is None:
            return
        if self.valid is None:
            self.valid = np.ones(len(self.values), dtype=bool)
        self.valid[mask] = True if other.valid is None else other.valid

    def valid_mask(self) -> np.ndarray:
        return np.ones(len(self.values), dtype=bool) if self.valid is None else self.valid


def _numeric(axis_type: str, values: np.ndarray) -> np.ndarray:
    if axis_type == "int":
        return np.rint(values).astype(np.int64)
    return values.astype(np.float64, copy=False)


@lru_cache(maxsize=1024)
def _cumulative(weights: tuple[float, ...]) -> np.ndarray:
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    return cum / cum[-1]


def choice_codes(d: Choice | AssetChoice, u: np.ndarray) -> np.ndarray:
    """Index into `d.values` per uniform, by weight (searchsorted on the cumulative weights)."""
    k = len(d.weights)
    if max(d.weights) - min(d.weights) <= 1e-12 * max(d.weights):  # uniform: no search needed
        return np.minimum(u * k, k - 1).astype(np.int32)
    cum = _cumulative(tuple(d.weights))
    return np.minimum(np.searchsorted(cum, u, side="right"), k - 1).astype(np.int32)


@lru_cache(maxsize=1024)
def _names(values: tuple) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _values_array(axis_type: str, values: tuple) -> np.ndarray:
    if axis_type == "bool":
        return np.asarray([bool(v) for v in values], dtype=bool)
    if axis_type == "int":
        return np.asarray([int(round(float(v))) for v in values], dtype=np.int64)
    return np.asarray([float(v) for v in values], dtype=np.float64)


def draw(axis_type: str, dist, u: np.ndarray | None, n: int) -> Column:
    """Map uniforms through a distribution into a column of `axis_type` (u unused for Fixed)."""
    if isinstance(dist, Fixed):
        if axis_type == "category":
            return Column(axis_type, np.zeros(n, dtype=np.int32), None, (str(dist.value),))
        return Column(axis_type, np.repeat(_values_array(axis_type, (dist.value,)), n))
    assert u is not None
    if isinstance(dist, AssetChoice):  # entries may repeat an asset id: codes index the entries
        return Column("category", choice_codes(dist, u), None, dist.values)
    if isinstance(dist, Choice):
        codes = choice_codes(dist, u)
        if axis_type == "category":
            return Column(axis_type, codes, None, _names(dist.values))
        levels = _values_array(axis_type, dist.values)
        return Column(axis_type, levels[codes], levels=None if axis_type == "bool" else levels)
    values = dist.quantile(u)  # a registered law (psynth_spec.laws)
    if axis_type == "bool":
        return Column(axis_type, values.astype(bool))
    return Column(axis_type, _numeric(axis_type, values))


def constant(axis_type: str, value, n: int) -> Column:
    """A column holding one value (null when value is None): registry defaults."""
    if axis_type == "asset":  # asset ids are strings, like concept paths
        axis_type = "category"
    if value is None:
        empty = np.zeros(n, dtype=np.int32 if axis_type == "category" else _dtype(axis_type))
        return Column(axis_type, empty, np.zeros(n, dtype=bool), ("",) if axis_type == "category" else ())
    return draw(axis_type, Fixed(value=value), None, n)


def _dtype(axis_type: str):
    return {"float": np.float64, "int": np.int64, "bool": bool}[axis_type]

"""What a spec expects of its dataset, axis by axis: the `expected` table of the index.

    audited_axes(spec) -> list[AuditAxis]                    the stated axes and how each is compared
    expected_frame(spec, pilot_samples, bins) -> DataFrame   one row per (axis, value) or (axis, bin)

Categorical axes (category, bool, and numbers drawn by `one_of`/`=`): one row per value with its
probability, `(unset)` for the share whose `when` was false. The probability is exact (`source`
= 'spec': the statement's weights) when the axis is drawn unconditionally and no `require`
reads it, directly or through the `when` of an axis it reads; otherwise it is measured on a
pilot (`source` = 'pilot', `pilot_samples` rows) drawn through `when` and `require` exactly as
the dataset is. The pilot uses sample ids past the dataset's last one, so it is independent of
the samples it is compared with (the audit's tests count its size).

Variants (`variants { ... }`): every stated axis a variant may change is audited a second time
as `AXIS (variants)`, over the values of all its `var{k}_` columns together (column name
`var*_COLUMN`, which the scan expands; `stacked_columns`), against a pilot of the same variant
draws: the variant images are part of the dataset, so their values are counted too.

Numeric axes: `bins` bins whose edges are the pilot's quantiles (integers: one bin per value
when there are few), right-closed like DuckDB's `histogram`: bin 0 holds v <= edge 1, bin k
holds edge k < v <= edge k+1, the last bin everything above; plus the `(unset)` row.
"""

from dataclasses import dataclass

import numpy as np
import polars as pl

from psynth_spec.asset_columns import asset_extra_columns
from psynth_spec.shares import UNSET, value_shares, value_text
from psynth_spec.spec import AssetChoice, Choice, Fixed, Spec, condition_axes

__all__ = ["UNSET", "value_text", "audited_axes", "expected_frame", "pilot_frame", "numeric_edges", "bin_counts"]

PILOT_SAMPLES = 200_000
VARIANT_AXIS = "{axis} (variants)"
STACKED_PREFIX = "var*_"
"""A column name `var*_COLUMN` stands for every `var{k}_COLUMN` of a shard, stacked."""
NUMERIC_BINS = 50

SCHEMA = {
    "axis": pl.Utf8, "column_name": pl.Utf8, "kind": pl.Utf8, "value": pl.Utf8, "bin": pl.Int32,
    "bin_low": pl.Float64, "bin_high": pl.Float64, "probability": pl.Float64, "source": pl.Utf8,
    "pilot_samples": pl.Int64,
}


@dataclass(frozen=True)
class AuditAxis:
    axis: str
    column: str
    type: str          # float, int, bool, category, asset
    kind: str          # categorical or numeric
    exact: bool        # probabilities from the spec's weights (no pilot)
    asset_field: str | None = None  # "tag" / "licence": a column beside an asset axis, not an axis


def _constrained_axes(spec: Spec) -> set[str]:
    """Axes a `require` reads, closed over the `when` conditions of those axes."""
    out: set[str] = set()
    for req in spec.requires:
        out |= condition_axes(req.cond)
        if req.when is not None:
            out |= condition_axes(req.when)
    whens = {s.axis: condition_axes(s.when) for s in spec.statements if s.when is not None}
    grown = True
    while grown:
        extra = set().union(*(whens.get(a, set()) for a in out)) - out if out else set()
        grown = bool(extra)
        out |= extra
    return out


def audited_axes(spec: Spec) -> list[AuditAxis]:
    """Every stated axis, in statement order, with its comparison kind."""
    constrained = _constrained_axes(spec)
    out = []
    for stmt in spec.statements:
        discrete = stmt.type in ("category", "bool", "asset") or isinstance(stmt.dist, (Choice, Fixed))
        exact = (discrete and stmt.when is None and stmt.clamp is None and stmt.axis not in constrained
                 and (isinstance(stmt.dist, (Choice, AssetChoice, Fixed)) or stmt.dist.shares() is not None))
        out.append(AuditAxis(stmt.axis, stmt.column, stmt.type, "categorical" if discrete else "numeric", exact))
        if isinstance(stmt.dist, AssetChoice):  # balance by tag (when the spec draws by tag) and licence
            tag, _tags, licence = asset_extra_columns(stmt.column)
            if any(t is not None for t in stmt.dist.tags):
                out.append(AuditAxis(f"{stmt.axis}.tag", tag, "category", "categorical", exact, "tag"))
            out.append(AuditAxis(f"{stmt.axis}.licence", licence, "category", "categorical", exact, "licence"))
    if spec.variants is not None:
        changed = set(spec.variants.columns)
        out += [AuditAxis(VARIANT_AXIS.format(axis=a.axis), STACKED_PREFIX + a.column, a.type, a.kind, False)
                for a in list(out) if a.column in changed]
    return out


def stacked_columns(column: str, names) -> list[str]:
    """The `var{k}_` columns among `names` that a `var*_COLUMN` name stands for, by k."""
    import re

    if not column.startswith(STACKED_PREFIX):
        return [column]
    pattern = re.compile(r"var(\d+)_" + re.escape(column[len(STACKED_PREFIX):]) + "$")
    found = [(int(m.group(1)), name) for name in names if (m := pattern.match(name))]
    return [name for _k, name in sorted(found)]


def _pilot_series(pilot: pl.DataFrame, column: str) -> pl.Series:
    return pl.concat([pilot[c] for c in stacked_columns(column, pilot.columns)]).alias(column)


def _asset_probabilities(spec: Spec, ax: AuditAxis) -> dict[str, float]:
    """Expected shares of an asset axis's ids, drawn tags or licences, from the entry weights."""
    base = ax.axis if ax.asset_field is None else ax.axis.rsplit(".", 1)[0]
    dist = next(s for s in spec.statements if s.axis == base).dist
    assert isinstance(dist, AssetChoice)
    records = spec.catalog(dist.catalog).assets
    probs: dict[str, float] = {}
    for asset_id, weight, tag in zip(dist.values, dist.weights, dist.tags):
        value = {None: asset_id, "tag": tag, "licence": records[asset_id].licence}[ax.asset_field]
        key = value_text(value, "category")
        probs[key] = probs.get(key, 0.0) + float(weight)
    return probs


def _exact_rows(spec: Spec, ax: AuditAxis) -> list[dict]:
    stmt = next((s for s in spec.statements if s.axis == ax.axis), None)
    dist = stmt.dist if stmt is not None else None
    if ax.asset_field is not None or isinstance(dist, AssetChoice):
        probs = _asset_probabilities(spec, ax)
    elif isinstance(dist, Choice):
        probs: dict[str, float] = {}
        for v, w in zip(dist.values, dist.weights):
            key = value_text(v, ax.type)
            probs[key] = probs.get(key, 0.0) + float(w)
    elif isinstance(dist, Fixed):
        probs = {value_text(dist.value, ax.type): 1.0}
    else:  # a law with finitely many outcomes (bernoulli)
        probs = {}
        for v, p in dist.shares().items():
            key = value_text(v, ax.type)
            probs[key] = probs.get(key, 0.0) + float(p)
    return [_row(ax, value=v, probability=p, source="spec", pilot=None) for v, p in probs.items() if p > 0]


def _row(ax: AuditAxis, *, value=None, bin=None, low=None, high=None, probability, source, pilot) -> dict:
    return {"axis": ax.axis, "column_name": ax.column, "kind": ax.kind, "value": value, "bin": bin,
            "bin_low": low, "bin_high": high, "probability": probability, "source": source,
            "pilot_samples": pilot}


def _categorical_pilot_rows(ax: AuditAxis, series: pl.Series) -> list[dict]:
    probs = value_shares(series, ax.type)
    return [_row(ax, value=t, probability=p, source="pilot", pilot=len(series)) for t, p in sorted(probs.items())]


def numeric_edges(values: np.ndarray, type_: str, bins: int) -> np.ndarray:
    """Bin edges for a numeric axis from its pilot values (non-null, finite)."""
    if values.size == 0:
        return np.array([0.0, 1.0])
    lo, hi = float(values.min()), float(values.max())
    if type_ == "int" and hi - lo + 1 <= bins:
        return np.arange(lo, hi + 2) - 0.5  # one bin per integer
    edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)))
    return edges if edges.size >= 2 else np.array([lo - 0.5, lo + 0.5])


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per right-closed bin (DuckDB `histogram(x, edges[1:-1])`'s convention; the audit
    bins observed values the same way, `binning.Binner`)."""
    from psynth_data.binning import Binner

    return Binner(edges[1:-1]).counts(values)


def _numeric_pilot_rows(ax: AuditAxis, series: pl.Series, bins: int) -> list[dict]:
    n = max(len(series), 1)
    values = series.drop_nulls().cast(pl.Float64).to_numpy()
    values = values[np.isfinite(values)]
    edges = numeric_edges(values, ax.type, bins)
    counts = bin_counts(values, edges)
    rows = [_row(ax, bin=i, low=float(edges[i]), high=float(edges[i + 1]), probability=c / n, source="pilot",
                 pilot=len(series)) for i, c in enumerate(counts.tolist())]
    unset = series.null_count() / n
    if unset > 0:
        rows.append(_row(ax, value=UNSET, probability=unset, source="pilot", pilot=len(series)))
    return rows


def pilot_frame(spec: Spec, pilot_samples: int = PILOT_SAMPLES) -> pl.DataFrame:
    """A pilot draw of the spec on ids past the dataset's last (independent of its samples)."""
    from psynth_spec.sampler import sample_range

    return sample_range(spec, spec.samples, spec.samples + pilot_samples,
                        where=f"the audit's pilot of {pilot_samples:,} samples")


def expected_frame(spec: Spec, pilot_samples: int = PILOT_SAMPLES, bins: int = NUMERIC_BINS) -> pl.DataFrame:
    """The `expected` table: categorical shares and numeric bins of every stated axis."""
    axes = audited_axes(spec)
    pilot = pilot_frame(spec, pilot_samples) if any(not a.exact for a in axes) else None
    rows: list[dict] = []
    for ax in axes:
        if ax.exact:
            rows += _exact_rows(spec, ax)
        elif ax.kind == "categorical":
            rows += _categorical_pilot_rows(ax, _pilot_series(pilot, ax.column))
        else:
            rows += _numeric_pilot_rows(ax, _pilot_series(pilot, ax.column), bins)
    return pl.DataFrame(rows, schema=SCHEMA)

"""The columns an asset axis adds to the samples table beside the asset id.

For `geometry.asset` (column `geometry_asset`):
    geometry_asset_tag      the tag the asset was drawn under (what `tag in {...}` balances), or null
    geometry_asset_tags     every tag of the asset (list)
    geometry_asset_licence  the asset's licence as its catalog states it, or null
They are functions of the drawn entry, so they cost one gather each; the audit compares the
first and the last with what the spec expects (balance by tag and licence).
"""

import numpy as np
import polars as pl

from psynth_spec.spec import AssetChoice, AxisStatement, Spec


def asset_extra_columns(column: str) -> tuple[str, str, str]:
    """(tag, tags, licence) column names of an asset axis's column."""
    return f"{column}_tag", f"{column}_tags", f"{column}_licence"


def _gather(values: list, codes: np.ndarray, valid: np.ndarray, name: str, dtype) -> pl.Series:
    table = pl.Series(name, values, dtype=dtype)
    out = table.gather(pl.Series(codes, dtype=pl.UInt32))
    if not valid.all():
        out = pl.select(pl.when(pl.Series(valid)).then(out)).to_series()
    return out.alias(name)


def asset_series(spec: Spec, statement: AxisStatement, codes: np.ndarray, valid: np.ndarray) -> list[pl.Series]:
    """The extra columns of one asset statement, from its entry codes and validity."""
    dist = statement.dist
    assert isinstance(dist, AssetChoice)
    records = spec.catalog(dist.catalog).assets
    tag, tags, licence = asset_extra_columns(statement.column)
    return [
        _gather(list(dist.tags), codes, valid, tag, pl.String),
        _gather([list(records[a].tags) for a in dist.values], codes, valid, tags, pl.List(pl.String)),
        _gather([records[a].licence for a in dist.values], codes, valid, licence, pl.String),
    ]

"""The asset of a sample (pure Python): which library file its subject is, from the row and the
spec's catalogs. `describe` then makes the subject an `AssetObject`; the builder imports the file
(once per process, `psynth_render.asset_cache`) and shows it."""

from typing import Any

from psynth_render.scene.describe.model import AssetRef
from psynth_spec.spec import AssetChoice, Spec


def asset_ref(row: dict[str, Any], spec: Spec, axis: str = "geometry.asset") -> AssetRef | None:
    """The row's asset on `axis`, or None when the spec draws none there (or its `when` was false)."""
    statement = next((s for s in spec.statements if s.axis == axis and isinstance(s.dist, AssetChoice)), None)
    if statement is None or row.get(statement.column) is None:
        return None
    asset_id = row[statement.column]
    record = spec.catalog(statement.dist.catalog).assets[asset_id]
    return AssetRef(id=asset_id, catalog=statement.dist.catalog, uri=record.uri, sha256=record.sha256,
                    format=record.format, up=record.up)

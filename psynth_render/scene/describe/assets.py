"""The assets of a sample (pure Python): which library file its subject is, from the row and the
spec's catalogs, and which the objects beside it are (`each object { geometry.asset ~ ... }`,
the list column `objects_geometry_asset`). `describe` then makes them `AssetObject`s; the
builder imports each file (once per process, `psynth_render.asset_cache`) and shows it."""

from typing import Any

from psynth_render.scene.describe.model import AssetRef
from psynth_spec.spec import AssetChoice, Spec


def asset_ref(row: dict[str, Any], spec: Spec, axis: str = "geometry.asset") -> AssetRef | None:
    """The row's asset on `axis`, or None when the spec draws none there (or its `when` was false)."""
    statement = next((s for s in spec.statements if s.axis == axis and isinstance(s.dist, AssetChoice)), None)
    if statement is None or row.get(statement.column) is None:
        return None
    return _ref(spec, statement.dist.catalog, row[statement.column])


def object_asset_ref(asset_id: str | None, spec: Spec, axis: str = "geometry.asset") -> AssetRef | None:
    """The asset an object beside the subject drew (its entry of the `objects_` list column), from
    the catalog of the `each object` statement of `axis`, else of the top-level one."""
    if asset_id is None or spec.objects is None:
        return None
    statements = [*spec.objects.statements, *spec.statements]
    statement = next((s for s in statements if s.axis == axis and isinstance(s.dist, AssetChoice)), None)
    return None if statement is None else _ref(spec, statement.dist.catalog, asset_id)


def _ref(spec: Spec, catalog: str, asset_id: str) -> AssetRef:
    record = spec.catalog(catalog).assets[asset_id]
    return AssetRef(id=asset_id, catalog=catalog, uri=record.uri, sha256=record.sha256, format=record.format,
                    up=record.up, tags=list(record.tags), licence=record.licence)

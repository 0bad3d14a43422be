"""The asset part of a scene description (pure Python): which library file the subject is.

`describe` puts it under `geometry.asset`; the builder imports the file through
`asset_cache.asset_mesh` (once per process) and shows it as the subject.
"""

from typing import Any

from psynth_spec.spec import AssetChoice, Spec


def asset_part(row: dict[str, Any], spec: Spec, axis: str = "geometry.asset") -> dict[str, Any] | None:
    """{id, catalog, uri, sha256, format, up} of the row's asset, or None (no asset drawn)."""
    statement = next((s for s in spec.statements if s.axis == axis and isinstance(s.dist, AssetChoice)), None)
    if statement is None or row.get(statement.column) is None:
        return None
    asset_id = row[statement.column]
    record = spec.catalog(statement.dist.catalog).assets[asset_id]
    return {"id": asset_id, "catalog": statement.dist.catalog, "uri": record.uri, "sha256": record.sha256,
            "format": record.format, "up": record.up}

"""A sample's `json` member: every axis value (nulls included), every caption, camera, render.

Layout of the object:
    sample_id, shard, seed, dataset, version_id
    axes       {column: value}     every registry column of the spec, null when not sampled
    captions   {column: text}      every caption column
    camera     what the scene builder reports: intrinsics K (3x3), world_to_camera and
               camera_to_world (4x4, row-major), focal length, ...
    render     engine, device, samples, width, height, blender_version, format (no timings:
               a re-render gives the same bytes; render seconds are in the QC table and manifest)
    asset      specs that draw assets only: {axis, catalog, id, sha256, uri, format, tag, tags,
               licence} of the sample's asset (null when its `when` was false)
    hdri       specs that draw environment images (`lighting.hdri`) only: the same record of the
               sample's image, plus its resolution [width, height]
    frames     video only: [{index, time, camera_to_world, world_to_camera, focal_length, ...}]
"""

import math
from typing import Any

from psynth_spec.asset_columns import asset_extra_columns
from psynth_spec.spec import AssetChoice, Spec


def json_safe(value: Any) -> Any:
    """Plain JSON data: numpy scalars to Python, tuples to lists, non-finite floats to null."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return json_safe(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def sample_metadata(
    row: dict[str, Any],
    spec: Spec,
    camera: dict[str, Any],
    render: dict[str, Any],
    frames: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The metadata object of one rendered sample (see the module docstring)."""
    out: dict[str, Any] = {
        "sample_id": row["sample_id"],
        "shard": row.get("shard"),
        "seed": row.get("seed"),
        "dataset": spec.dataset,
        "version_id": spec.version_id,
        "axes": {c.column: row.get(c.column) for c in spec.columns},
        "captions": {c: row.get(c) for c in spec.caption_columns},
        "camera": camera,
        "render": render,
    }
    for statement in spec.statements:
        if isinstance(statement.dist, AssetChoice):
            out["hdri" if statement.axis == "lighting.hdri" else "asset"] = asset_metadata(row, spec, statement)
    if frames is not None:
        out["frames"] = frames
    return json_safe(out)


def asset_metadata(row: dict[str, Any], spec: Spec, statement) -> dict[str, Any] | None:
    """What a sample records of its asset: identity, provenance and licence."""
    asset_id = row.get(statement.column)
    if asset_id is None:
        return None
    record = spec.catalog(statement.dist.catalog).assets[asset_id]
    tag, tags, licence = asset_extra_columns(statement.column)
    return {
        "axis": statement.axis, "catalog": statement.dist.catalog, "id": asset_id, "sha256": record.sha256,
        "uri": record.uri, "format": record.format, "tag": row.get(tag), "tags": list(record.tags),
        "licence": record.licence, **({"resolution": list(record.resolution)} if record.resolution else {}),
    }

"""Library assets as subject meshes: imported once per worker process, keyed by sha256.

The first sample that draws an asset fetches its file (a local path, or an s3:// object copied
to the worker's scratch folder and checked against the catalog's sha256), imports it with
`asset_import`, joins its meshes (modifiers applied, world transforms baked) into one mesh,
normalises that mesh to the scene's subject convention, and deletes everything the import made.
The mesh is kept (fake user) under a name carrying the sha256, so every later sample that draws
the asset costs a dictionary look-up: Blender's own data is the cache.

Normalised: up axis as the catalog states (`asset_import.up_rotation`), the bounding box centred
on the origin with a half-diagonal of 1 (the unit radius every built-in shape has), so camera
distances in subject radii frame it alike; the builder puts the floor under its lowest point,
so it rests on the ground.
"""

import hashlib
import os
import tempfile
from pathlib import Path

import bmesh
import bpy
from mathutils import Matrix, Vector

from psynth_render.asset_import import AssetImportError, data_snapshot, import_asset, remove_new

MESH_PREFIX = "psynth_asset_"


class AssetFetchError(Exception):
    """The asset's file is missing or differs from the catalog (its sha256 changed)."""


def mesh_name(sha256: str) -> str:
    return MESH_PREFIX + sha256[:32]


def cached_mesh(sha256: str):
    """The normalised mesh of an asset already imported by this process, or None."""
    return bpy.data.meshes.get(mesh_name(sha256))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def local_file(asset: dict) -> Path:
    """A local copy of the asset's file (S3 objects fetched once per worker into a folder named by
    their sha256), checked against its sha256."""
    uri = asset["uri"]
    if uri.startswith("s3://"):
        from psynth_data.asset_files import fetch_asset
        from psynth_data.storage import open_storage

        folder, _, key = uri.rpartition("/")
        scratch = Path(os.environ.get("PSYNTH_WORK_DIR") or tempfile.gettempdir()) / "psynth-assets" / asset["sha256"]
        local = scratch / key
        if not local.exists():
            scratch.mkdir(parents=True, exist_ok=True)
            fetch_asset(open_storage(folder), key, asset["format"], scratch)
    else:
        local = Path(uri)
        if not local.is_file():
            raise AssetFetchError(f"asset {asset['id']}: no file at {uri}")
    if _sha256(local) != asset["sha256"]:
        raise AssetFetchError(f"asset {asset['id']}: {uri} changed since the catalog was made (sha256 differs); rescan")
    return local


def _joined(objects, name: str):
    """One mesh of every mesh object's evaluated geometry, in world space."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    bm = bmesh.new()
    try:
        for obj in objects:
            if obj.type != "MESH":
                continue
            evaluated = obj.evaluated_get(depsgraph)
            part = bpy.data.meshes.new_from_object(evaluated)
            part.transform(evaluated.matrix_world)
            bm.from_mesh(part)  # appends to what the bmesh holds
            bpy.data.meshes.remove(part)
        mesh = bpy.data.meshes.new(name)
        bm.to_mesh(mesh)
    finally:
        bm.free()
    for poly in mesh.polygons:
        poly.material_index = 0  # one subject material
    return mesh


def normalise_mesh(mesh) -> Matrix:
    """Centre the mesh's box on the origin and scale its half-diagonal to 1; the transform."""
    count = len(mesh.vertices)
    if count == 0:
        raise AssetImportError("the file's meshes have no vertices")
    xs = [v.co for v in mesh.vertices]
    low = Vector((min(c.x for c in xs), min(c.y for c in xs), min(c.z for c in xs)))
    high = Vector((max(c.x for c in xs), max(c.y for c in xs), max(c.z for c in xs)))
    half = (high - low).length / 2
    scale = 1.0 / half if half > 0 else 1.0
    transform = Matrix.Diagonal((scale, scale, scale, 1.0)) @ Matrix.Translation(-(low + high) / 2)
    mesh.transform(transform)
    mesh.update()
    return transform


def asset_mesh(asset: dict):
    """The normalised subject mesh of an asset description ({id, uri, sha256, format, up}).

    Imported on first use in this process, then taken from the cache. Raises AssetFetchError or
    AssetImportError when the file cannot be used (the worker records the sample as failed).
    """
    mesh = cached_mesh(asset["sha256"])
    if mesh is not None:
        return mesh
    path = local_file(asset)
    before = data_snapshot()
    try:
        objects = import_asset(str(path), asset["format"], asset.get("up"))
        mesh = _joined(objects, mesh_name(asset["sha256"]))
    finally:
        remove_new(before, keep=mesh)
    normalise_mesh(mesh)
    mesh.use_fake_user = True  # kept while no subject shows it
    mesh["psynth_asset_id"] = asset["id"]
    return mesh

"""Import a library file into the current Blender scene and measure it (the scan's reader, the renderer's importer).

One importer per catalog format (`IMPORTERS`); Blender 5 reads every format a catalog lists,
so the scan (`read_stats`, run in `psynth assets scan`'s reader processes) and the renderer see
the same geometry through the same code.

Up axis: glTF, FBX and USD files declare theirs and the importers convert to Blender's Z up;
OBJ is read as Y up (its convention) and STL, PLY and .blend as Z up. A sidecar's `up` overrides
the guess for those four (`up_rotation`).
"""

import math
from pathlib import Path

import bpy
import numpy as np
from mathutils import Matrix

from psynth_spec.asset_catalogs import HDRI_FORMATS

# formats whose importer assumes an up axis instead of reading one from the file
_ASSUMED_UP = {"obj": "y", "stl": "z", "ply": "z", "blend": "z"}


class AssetImportError(Exception):
    """The file imported nothing usable (no mesh), or the importer refused it."""


def _import_blend(path: str) -> None:
    with bpy.data.libraries.load(path, link=False) as (data_from, data_to):
        data_to.objects = list(data_from.objects)
    collection = bpy.context.scene.collection
    for obj in data_to.objects:
        if obj is not None and obj.type in ("MESH", "EMPTY", "CURVE", "SURFACE", "META", "FONT"):
            collection.objects.link(obj)


def _import_fbx(path: str) -> None:
    if hasattr(bpy.ops.wm, "fbx_import"):  # Blender 5's native importer: several times faster
        bpy.ops.wm.fbx_import(filepath=path)
    else:
        bpy.ops.import_scene.fbx(filepath=path)


IMPORTERS = {
    "glb": lambda p: bpy.ops.import_scene.gltf(filepath=p),
    "gltf": lambda p: bpy.ops.import_scene.gltf(filepath=p),
    "obj": lambda p: bpy.ops.wm.obj_import(filepath=p),
    "fbx": _import_fbx,
    "ply": lambda p: bpy.ops.wm.ply_import(filepath=p),
    "stl": lambda p: bpy.ops.wm.stl_import(filepath=p),
    "usd": lambda p: bpy.ops.wm.usd_import(filepath=p),
    "usda": lambda p: bpy.ops.wm.usd_import(filepath=p),
    "usdc": lambda p: bpy.ops.wm.usd_import(filepath=p),
    "usdz": lambda p: bpy.ops.wm.usd_import(filepath=p),
    "blend": _import_blend,
}


def up_rotation(fmt: str, up: str | None) -> Matrix:
    """Rotation that brings a file stated to be `up` (y/z) to Blender's Z up after its importer."""
    assumed = _ASSUMED_UP.get(fmt)
    if up is None or assumed is None or up == assumed:
        return Matrix.Identity(4)
    angle = math.pi / 2 if up == "y" else -math.pi / 2  # Y up read as Z up: tip +90 deg about X
    return Matrix.Rotation(angle, 4, "X")


def import_asset(path: str, fmt: str, up: str | None = None) -> list:
    """Import a file into the current scene; the new objects (meshes first). Raises on failure."""
    if fmt not in IMPORTERS:
        raise AssetImportError(f"psynth cannot import .{fmt} files")
    if not Path(path).is_file():
        raise AssetImportError(f"no such file: {path}")
    before = set(bpy.data.objects)
    try:
        result = IMPORTERS[fmt](path)
    except RuntimeError as exc:  # operators report failure as RuntimeError with Blender's message
        lines = str(exc).strip().splitlines() or ["import failed"]
        raise AssetImportError(lines[-1].removeprefix("Error: ")) from None
    if isinstance(result, set) and "FINISHED" not in result:
        raise AssetImportError(f"the {fmt} importer gave up ({', '.join(sorted(result))})")
    new = [obj for obj in bpy.data.objects if obj not in before]
    if not any(obj.type == "MESH" for obj in new):
        raise AssetImportError("the file holds no mesh")
    rotation = up_rotation(fmt, up)
    if rotation != Matrix.Identity(4):
        for obj in new:
            if obj.parent is None:
                obj.matrix_world = rotation @ obj.matrix_world
    bpy.context.view_layer.update()
    return sorted(new, key=lambda o: (o.type != "MESH", o.name))


def _world_vertices(obj, depsgraph) -> tuple[np.ndarray, int]:
    """World-space vertex positions and the triangle count of an evaluated mesh object."""
    evaluated = obj.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    try:
        mesh.calc_loop_triangles()
        count = len(mesh.vertices)
        co = np.empty(count * 3, dtype=np.float64)
        mesh.vertices.foreach_get("co", co)
        co = co.reshape(count, 3)
        matrix = np.array(evaluated.matrix_world, dtype=np.float64)
        world = co @ matrix[:3, :3].T + matrix[:3, 3]
        return world, len(mesh.loop_triangles)
    finally:
        evaluated.to_mesh_clear()


def measure(objects) -> dict:
    """Triangles, distinct materials and the world-space box of the mesh objects among `objects`."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    triangles, materials, points = 0, set(), []
    for obj in objects:
        if obj.type != "MESH":
            continue
        world, tris = _world_vertices(obj, depsgraph)
        triangles += tris
        if len(world):
            points.append(world)
        materials.update(slot.material.name for slot in obj.material_slots if slot.material is not None)
    if not points:
        raise AssetImportError("the file's meshes have no vertices")
    allpoints = np.concatenate(points)
    if not np.isfinite(allpoints).all():
        raise AssetImportError("the file's vertices are not finite numbers")
    return {
        "triangles": int(triangles),
        "materials": len(materials),
        "bounds_min": [float(x) for x in allpoints.min(axis=0)],
        "bounds_max": [float(x) for x in allpoints.max(axis=0)],
    }


_DATA_KINDS = ("objects", "meshes", "materials", "images", "textures", "node_groups", "collections",
               "cameras", "lights", "armatures", "actions", "curves", "libraries")


def data_snapshot() -> dict[str, set]:
    """The datablocks that exist now, by kind (to delete what an import adds, see `remove_new`)."""
    return {kind: set(getattr(bpy.data, kind)) for kind in _DATA_KINDS}


def remove_new(before: dict[str, set], keep=None) -> None:
    """Delete every datablock made since `before` except `keep` (objects first: they use the rest).

    Cheaper than `read_factory_settings` (about 150 ms) by two orders of magnitude."""
    for kind in _DATA_KINDS:
        collection = getattr(bpy.data, kind)
        for block in [b for b in collection if b not in before[kind] and b is not keep]:
            collection.remove(block)


_EMPTIED = False


def read_stats(path: str, fmt: str, up: str | None = None) -> dict:
    """The catalog's geometry numbers for a file, read into an empty scene (the scan's reader).

    The process's scene is emptied once; after each file, what its import made is deleted.
    Environment images (.exr, .hdr) get their resolution instead (`hdri_files.image_stats`)."""
    global _EMPTIED
    if fmt in HDRI_FORMATS:
        from psynth_render.hdri_files import image_stats

        return image_stats(path)
    if not _EMPTIED:
        bpy.ops.wm.read_factory_settings(use_empty=True)
        _EMPTIED = True
    before = data_snapshot()
    try:
        return measure(import_asset(path, fmt, up))
    finally:
        remove_new(before)

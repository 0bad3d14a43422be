"""Make a small asset library for the tests: Blender exports generated meshes to every format.

    python -m tests.asset_library OUT_DIR

Layout (tags come from the folder names, licences from sidecars):
    furniture/chair/  chair_glb.glb  chair_obj.obj  chair_fbx.fbx
    furniture/table/  table_ply.ply  table_stl.stl  table_gltf.gltf (+ .bin)
    props/vase/       vase_usda.usda  vase_usdc.usdc  vase_usdz.usdz  vase_usd.usd  vase_blend.blend
    props/broken/     corrupt.glb (random bytes)
    furniture/chair/  chair_yup.stl (exported Y up) + chair_yup.stl.asset.yaml  up: y
    furniture/asset.yaml            licence: cc0
    props/vase/vase_usda.usda.asset.yaml   tags [ceramic], licence cc_by_4_0
Every mesh has a known size (EXTENTS) off the origin, so normalisation has work to do.
"""

import sys
from pathlib import Path

import bpy

# name -> (primitive, (x, y, z) size, location): deliberately not unit-sized nor centred
SHAPES = {
    "chair": ("cube", (0.5, 0.6, 1.1), (2.0, 1.0, 3.0)),
    "table": ("cylinder", (1.6, 1.6, 0.8), (-1.0, 0.5, -2.0)),
    "vase": ("uv_sphere", (0.4, 0.4, 0.9), (0.0, -3.0, 1.0)),
}
FILES = {
    "furniture/chair": ("chair", ["glb", "obj", "fbx"]),
    "furniture/table": ("table", ["ply", "stl", "gltf"]),
    "props/vase": ("vase", ["usda", "usdc", "usdz", "usd", "blend"]),
}


def _make(shape: str):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    kind, size, location = SHAPES[shape]
    add = {"cube": bpy.ops.mesh.primitive_cube_add, "cylinder": bpy.ops.mesh.primitive_cylinder_add,
           "uv_sphere": bpy.ops.mesh.primitive_uv_sphere_add}[kind]
    add(location=location)
    obj = bpy.context.active_object
    obj.name = shape
    obj.dimensions = size
    bpy.ops.object.transform_apply(location=False, rotation=False, scale=True)
    material = bpy.data.materials.new(f"{shape}_material")
    obj.data.materials.append(material)
    obj.select_set(True)
    return obj


def _export(path: Path, fmt: str) -> None:
    p = str(path)
    if fmt == "glb":
        bpy.ops.export_scene.gltf(filepath=p, export_format="GLB")
    elif fmt == "gltf":
        bpy.ops.export_scene.gltf(filepath=p, export_format="GLTF_SEPARATE")
    elif fmt == "obj":
        bpy.ops.wm.obj_export(filepath=p)
    elif fmt == "fbx":
        bpy.ops.export_scene.fbx(filepath=p)
    elif fmt == "ply":
        bpy.ops.wm.ply_export(filepath=p)
    elif fmt == "stl":
        bpy.ops.wm.stl_export(filepath=p)
    elif fmt in ("usd", "usda", "usdc", "usdz"):
        bpy.ops.wm.usd_export(filepath=p)
    elif fmt == "blend":
        bpy.ops.wm.save_as_mainfile(filepath=p, copy=True)


def make_library(root: Path) -> None:
    for folder, (shape, formats) in FILES.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            _make(shape)
            _export(root / folder / f"{shape}_{fmt}.{fmt}", fmt)
    _make("chair")  # an STL written Y up, which its sidecar declares (STL is read Z up otherwise)
    bpy.ops.wm.stl_export(filepath=str(root / "furniture/chair/chair_yup.stl"), up_axis="Y", forward_axis="NEGATIVE_Z")
    (root / "furniture/chair/chair_yup.stl.asset.yaml").write_text("up: y\n")
    broken = root / "props" / "broken"
    broken.mkdir(parents=True, exist_ok=True)
    (broken / "corrupt.glb").write_bytes(b"glTF\x02\x00\x00\x00" + bytes(range(256)) * 4)
    (root / "furniture" / "asset.yaml").write_text("licence: cc0\n")
    (root / "props" / "vase" / "vase_usda.usda.asset.yaml").write_text("tags: [ceramic]\nlicence: cc_by_4_0\n")


if __name__ == "__main__":
    make_library(Path(sys.argv[1]))

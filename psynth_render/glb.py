"""The subject alone as a binary glTF (`{id}.glb`), for (image, 3D) pairs.

The subject's evaluated mesh (modifiers applied) is copied into a temporary object, centred on
its bounding sphere's centre and scaled to radius 1, then exported by Blender's glTF exporter
with +Y up (glTF's axes) and its material: the Principled BSDF's base colour, roughness and
metallic travel where glTF can carry them (procedural textures cannot: their factors stay).
"""

from pathlib import Path

import bpy
import numpy as np

_TEMP = "psynth_glb_subject"
FIT = 1.0 - 1e-6
"""The normalised radius: a hair under 1 so float32 rounding stays inside the unit sphere."""


def bounding_sphere(points: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre and radius of a sphere holding every point: Ritter's two-pass approximation,
    refined until it holds them all (at most a few percent above the smallest sphere)."""
    start = points[0]
    far = points[np.argmax(np.linalg.norm(points - start, axis=1))]
    other = points[np.argmax(np.linalg.norm(points - far, axis=1))]
    centre, radius = (far + other) / 2.0, float(np.linalg.norm(other - far)) / 2.0
    for _ in range(len(points)):
        distance = np.linalg.norm(points - centre, axis=1)
        worst = int(np.argmax(distance))
        if distance[worst] <= radius:
            break
        grown = (radius + distance[worst]) / 2.0
        centre = centre + (points[worst] - centre) * ((grown - radius) / distance[worst])
        radius = grown
    return centre, radius


def export_subject_glb(path: Path, name: str) -> None:
    """Write the current scene's subject (the Blender object `name`), normalised to the unit
    sphere, as a GLB at `path`."""
    subject = bpy.data.objects[name]
    depsgraph = bpy.context.evaluated_depsgraph_get()
    mesh = bpy.data.meshes.new_from_object(subject.evaluated_get(depsgraph), depsgraph=depsgraph)
    mesh.name = _TEMP
    mesh.materials.clear()  # the subject's materials live in object-linked slots (shared meshes)
    for slot in subject.material_slots:
        mesh.materials.append(slot.material)
    mesh.transform(subject.matrix_world)
    points = np.empty(len(mesh.vertices) * 3, dtype=np.float64)
    mesh.vertices.foreach_get("co", points)
    centre, radius = bounding_sphere(points.reshape(-1, 3))
    scale = FIT / max(radius, 1e-12)
    from mathutils import Matrix, Vector

    mesh.transform(Matrix.Diagonal((scale, scale, scale, 1.0)) @ Matrix.Translation(-Vector(centre)))
    temp = bpy.data.objects.new(_TEMP, mesh)
    scene = bpy.context.scene
    scene.collection.objects.link(temp)
    selected = [o for o in scene.objects if o.select_get()]
    active = bpy.context.view_layer.objects.active
    try:
        for obj in selected:
            obj.select_set(False)
        temp.select_set(True)
        bpy.context.view_layer.objects.active = temp
        bpy.ops.export_scene.gltf(filepath=str(path), export_format="GLB", use_selection=True, export_yup=True,
                                  export_apply=False, export_materials="EXPORT", export_cameras=False,
                                  export_lights=False, export_animations=False)
    finally:
        bpy.data.objects.remove(temp, do_unlink=True)
        bpy.data.meshes.remove(mesh)
        for obj in selected:
            obj.select_set(True)
        bpy.context.view_layer.objects.active = active

"""Per-object ground truth of a built scene, for the sample's JSON (`"objects"`).

For every object of the Scene: its concept, material, instance id (= Blender pass index, the
value the instance-id pass and segmentation masks hold), pose (4x4 world matrix, rows), 3D
world-space bounds of the evaluated mesh, what it rests on (`rests_on`: an object's name, None
for the floor), and the 2D box of its projected vertices in the
still's image (pixels, x right, y down, clipped to the frame; None when it projects outside
or the camera is panoramic). Vertices are projected with numpy: no Python per vertex.
"""

import bpy
import numpy as np

RESTS_ON = "psynth_rests_on"
"""Custom property the builder sets on each object: the name of the object it rests on ("" the floor)."""


def objects_info(scene, desc):
    """One dict per `desc.objects` entry, in order (see the module docstring)."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    depsgraph.update()
    camera = scene.camera
    width, height = scene.render.resolution_x, scene.render.resolution_y
    projection = None
    if camera is not None and camera.data.type in ("PERSP", "ORTHO"):
        to_clip = camera.calc_matrix_camera(depsgraph, x=width, y=height) @ camera.matrix_world.inverted()
        projection = np.array(to_clip, dtype=np.float64)
    out = []
    for element in desc.objects:
        obj = bpy.data.objects[element.name]
        points = world_vertices(obj, depsgraph)
        out.append({
            "name": element.name,
            "element": element.element,
            "instance_id": element.pass_index,
            "concept": element.geometry.concept,
            "material": element.material.concept,
            "texture": element.texture.concept,
            "scale": element.scale,
            "rests_on": obj.get(RESTS_ON) or None,
            "pose": [list(row) for row in obj.matrix_world],
            "bounds_3d": {"min": points.min(axis=0).tolist(), "max": points.max(axis=0).tolist()},
            "bbox_2d": None if projection is None else image_box(points, projection, width, height),
        })
    return out


def world_vertices(obj, depsgraph) -> np.ndarray:
    """World-space vertices of the evaluated object (modifiers applied), shape (n, 3)."""
    evaluated = obj.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    try:
        local = np.empty(len(mesh.vertices) * 3, dtype=np.float64)
        mesh.vertices.foreach_get("co", local)
    finally:
        evaluated.to_mesh_clear()
    matrix = np.array(evaluated.matrix_world, dtype=np.float64)
    local = local.reshape(-1, 3)
    return local @ matrix[:3, :3].T + matrix[:3, 3]


def image_box(points: np.ndarray, projection: np.ndarray, width: int, height: int) -> list[float] | None:
    """[x0, y0, x1, y1] in pixels of the points in front of the camera, clipped to the image."""
    homogeneous = np.c_[points, np.ones(len(points))] @ projection.T
    front = homogeneous[:, 3] > 1e-9
    if not front.any():
        return None
    ndc = homogeneous[front, :2] / homogeneous[front, 3:4]
    x = (ndc[:, 0] + 1.0) * 0.5 * width
    y = (1.0 - ndc[:, 1]) * 0.5 * height
    x0, x1 = max(0.0, float(x.min())), min(float(width), float(x.max()))
    y0, y1 = max(0.0, float(y.min())), min(float(height), float(y.max()))
    if x0 >= x1 or y0 >= y1:
        return None
    return [x0, y0, x1, y1]

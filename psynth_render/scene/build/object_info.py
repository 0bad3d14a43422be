"""Per-object ground truth of a built scene, for the sample's JSON (`"objects"`).

For every object of the Scene: its concept, material, instance id (= Blender pass index, the
value the instance-id pass and segmentation masks hold), pose (4x4 world matrix, rows), 3D
world-space bounds of the evaluated mesh, what it rests on (`rests_on`: an object's name, None
for the floor), and the 2D box of its projected vertices in the
still's image (pixels, x right, y down, clipped to the frame; None when it projects outside
or the camera is panoramic). Vertices are projected with numpy: no Python per vertex.

Multi-view samples and clips add each object's box per view (`bbox_2d_views`) and per frame
(`bbox_2d_frames`): the renderer calls `image_boxes` once per posed view or frame and
`with_pose_boxes` joins them onto the objects' records.
"""

import bpy
import numpy as np

RESTS_ON = "psynth_rests_on"
"""Custom property the builder sets on each object: the name of the object it rests on ("" the floor)."""


def objects_info(scene, desc):
    """One dict per `desc.objects` entry, in order (see the module docstring)."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    depsgraph.update()
    width, height = scene.render.resolution_x, scene.render.resolution_y
    projection = _projection(scene, depsgraph)
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
            "asset": _asset_record(element),
            "pose": [list(row) for row in obj.matrix_world],
            "bounds_3d": {"min": points.min(axis=0).tolist(), "max": points.max(axis=0).tolist()},
            "bbox_2d": None if projection is None else image_box(points, projection, width, height),
        })
    return out


def _asset_record(element) -> dict | None:
    """A library asset's id, catalog, tags and licence (None: a generated shape)."""
    asset = getattr(element, "asset", None)
    if asset is None:
        return None
    return {"id": asset.id, "catalog": asset.catalog, "tags": list(asset.tags), "licence": asset.licence}


def image_boxes(scene, desc) -> list[list[float] | None]:
    """Each object's `bbox_2d` (in `desc.objects` order) as the scene's camera sees it now:
    call it once per posed view or video frame."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    depsgraph.update()
    projection = _projection(scene, depsgraph)
    if projection is None:
        return [None] * len(desc.objects)
    width, height = scene.render.resolution_x, scene.render.resolution_y
    return [image_box(world_vertices(bpy.data.objects[e.name], depsgraph), projection, width, height)
            for e in desc.objects]


def with_pose_boxes(objects: list[dict], views: list[list] | None, frames: list[list] | None) -> list[dict]:
    """`objects` (objects_info's records) with `bbox_2d_views` / `bbox_2d_frames`: one box per
    view / frame, from `image_boxes` lists in view / frame order (None: none rendered)."""
    for i, entry in enumerate(objects):
        if views is not None:
            entry["bbox_2d_views"] = [boxes[i] for boxes in views]
        if frames is not None:
            entry["bbox_2d_frames"] = [boxes[i] for boxes in frames]
    return objects


def _projection(scene, depsgraph) -> np.ndarray | None:
    """World to clip space of the scene's camera as posed (None: no camera, or panoramic)."""
    camera = scene.camera
    if camera is None or camera.data.type not in ("PERSP", "ORTHO"):
        return None
    width, height = scene.render.resolution_x, scene.render.resolution_y
    to_clip = camera.calc_matrix_camera(depsgraph, x=width, y=height) @ camera.matrix_world.inverted()
    return np.array(to_clip, dtype=np.float64)


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

"""Where and how the subject sits so the camera sees what the caption says: its hull for
framing, creased corners that survive subdivision, and flat subjects turned toward the camera.
Imports only bpy, mathutils, numpy (bpy's own dependency), math and motion.py, so it is inlined
into standalone scene scripts like the rest of the builder."""

import math

import bpy
import numpy as np
from mathutils import Matrix, Vector

from psynth_render.scene.build.motion import still_pose

MIN_FACE_ANGLE_DEG = 40.0
"""A flat subject (a plane, a disc) is tilted so that the camera sees its face at least this
steeply: never edge-on."""
FLAT_RATIO = 0.12
"""A subject thinner than this share of its width (along Z) is flat: a plane, a disc (what the
surface forms treat as a sheet, media.py)."""
TILT_RATIO = 0.3
"""A shape lying flat and thinner than this share of its width (along Z) is turned toward the
camera (face_the_camera): besides planes and discs, a torus (0.23), a gear (0.13), which seen
edge-on at eye level shrink to a sliver (a small object of a group to under 1% of the frame)."""

CREASE_ANGLE_DEG = 50.0
CREASE = 0.9
"""Edges whose faces meet at CREASE_ANGLE_DEG or more are creased this much, so subdivision
rounds a cube's corners a little and leaves it a cube (not a sphere)."""

def subject_hull(subject, directions=96):
    """A few world-space points that bound the evaluated subject: its furthest vertices along
    `directions` spread over the sphere (what framing projects, instead of every vertex)."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    evaluated = subject.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    try:
        coords = np.empty(3 * len(mesh.vertices), dtype=np.float64)
        mesh.vertices.foreach_get("co", coords)
    finally:
        evaluated.to_mesh_clear()
    local = coords.reshape(-1, 3)
    matrix = np.array(subject.matrix_world)
    world = local @ matrix[:3, :3].T + matrix[:3, 3]
    i = np.arange(directions) + 0.5
    z = 1 - 2 * i / directions
    r = np.sqrt(np.maximum(0.0, 1 - z * z))
    angle = math.pi * (3.0 - math.sqrt(5.0)) * i
    sphere = np.stack([r * np.cos(angle), r * np.sin(angle), z], axis=1)
    picks = np.unique(np.argmax(world @ sphere.T, axis=0))
    return [tuple(float(c) for c in world[j]) for j in picks]


def crease_corners(mesh):
    """Crease the mesh's sharp corners (CREASE_ANGLE_DEG) for the subdivision modifier."""
    faces_of = {}
    for poly in mesh.polygons:
        for key in poly.edge_keys:
            faces_of.setdefault(key, []).append(poly.index)
    limit = math.cos(math.radians(CREASE_ANGLE_DEG))
    normals = [p.normal.copy() for p in mesh.polygons]
    values = []
    for edge in mesh.edges:
        faces = faces_of.get(tuple(sorted(edge.vertices)), [])
        sharp = len(faces) == 2 and normals[faces[0]].dot(normals[faces[1]]) <= limit
        values.append(CREASE if sharp else 0.0)
    if not any(values):
        return
    attr = mesh.attributes.get("crease_edge") or mesh.attributes.new("crease_edge", "FLOAT", "EDGE")
    attr.data.foreach_set("value", values)


def face_the_camera(obj, geo, desc):
    """Tilt a flat shape lying in the XY plane (TILT_RATIO: a plane, a disc, a torus, a gear;
    the subject or any object of a group) toward the still's camera, about the horizontal axis
    across the view, until its face is seen at MIN_FACE_ANGLE_DEG or more. Keeps the
    object's location and scale."""
    coords = [v.co for v in obj.data.vertices]
    if not coords:
        return
    span = [max(c[k] for c in coords) - min(c[k] for c in coords) for k in range(3)]
    if span[2] > TILT_RATIO * max(span[0], span[1], 1e-9):
        return
    pose = still_pose(desc, None)
    # the view's direction, not the camera's place: that depends on the distance framing solves
    eye = Vector(pose["location"]) - Vector(pose["target"])
    across = Vector((eye.x, eye.y, 0.0))
    if across.length < 1e-6:  # straight above or below: the face is seen whole
        return
    elevation = math.degrees(math.atan2(abs(eye.z), across.length))
    tilt = math.radians(max(0.0, MIN_FACE_ANGLE_DEG - elevation))
    if tilt <= 0.0:
        return
    toward = across.normalized() if eye.z >= 0 else -across.normalized()
    axis = Vector((0.0, 0.0, 1.0)).cross(toward).normalized()  # turns +Z toward the camera
    spin = Matrix.Rotation(math.radians(geo.rotation_deg), 4, "Z")
    location, scale = Vector(obj.location), Vector(obj.scale)
    obj.matrix_world = Matrix.Translation(location) @ Matrix.Rotation(tilt, 4, axis) @ spin @ Matrix.Diagonal((*scale, 1.0))

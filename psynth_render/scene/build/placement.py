"""Where and how the subject sits so the camera sees what the caption says: its hull and how
much of its bounds its silhouette fills, for framing; creased corners that survive
subdivision; flat subjects turned toward the camera.
Imports only bpy, mathutils, numpy (bpy's own dependency), math and motion.py, so it is inlined
into standalone scene scripts like the rest of the builder."""

import math

import bpy
import numpy as np
from mathutils import Matrix, Vector
from mathutils.bvhtree import BVHTree

from psynth_render.scene.build.motion import still_pose

MIN_FACE_ANGLE_DEG = 40.0
"""A flat subject (a plane, a disc) is tilted so that the camera sees its face at least this
steeply: never edge-on."""
FLAT_RATIO = 0.12
"""A subject thinner than this share of its width (along Z) is flat: a plane, a disc (what the
surface forms treat as a sheet, media.py)."""
TILT_RATIO = 0.3
"""In a multi-object scene, a shape lying flat and thinner than this share of its width (along
Z) is turned toward the camera (face_the_camera): besides planes and discs, a torus (0.23), a
gear (0.13), which seen edge-on at eye level shrink to a sliver (the framing fits the group, so
a small object falls under 1% of the frame). A lone subject's framing sets its own share: only
FLAT_RATIO shapes tilt (a pour falls past a torus as it stands)."""

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


FILL_GRID = 24
"""Rays per side of the bounds rectangle that measure a silhouette's fill."""


def silhouette_fill(objects, points, eye, centre, grid=FILL_GRID):
    """Share of the square on the subject's bounds' larger side, seen from `eye` toward
    `centre`, that its surfaces cover: parallel rays along the view through a grid over the
    rectangle of the projected `points` (the hull), each hitting one of `objects` or not, times
    the rectangle's area over the square's. Framing sets the larger side; this says how much
    of the frame that leaves covered. A sphere fills about 0.8, a chair, a pipe or a crystal's
    thin prism a fifth or less (framed by the bounds alone, 1.3-1.9% of the frame at a wide
    or panoramic framing). None when the view or the hull is degenerate."""
    forward = Vector(centre) - Vector(eye)
    if forward.length < 1e-9:
        return None
    forward.normalize()
    right = forward.cross(Vector((0.0, 0.0, 1.0)))
    if right.length < 1e-6:
        right = forward.cross(Vector((0.0, 1.0, 0.0)))
    right.normalize()
    up = right.cross(forward)
    offsets = [Vector(p) - Vector(centre) for p in points]
    xs, ys = [o.dot(right) for o in offsets], [o.dot(up) for o in offsets]
    reach = max(o.length for o in offsets) + 1.0
    x0, y0 = min(xs), min(ys)
    width, height = max(xs) - x0, max(ys) - y0
    if width < 1e-9 or height < 1e-9:
        return None
    depsgraph = bpy.context.evaluated_depsgraph_get()
    inverses = [o.matrix_world.inverted() for o in objects]  # each ray in the object's own space
    trees = [(BVHTree.FromObject(o, depsgraph), inverse, (inverse.to_3x3() @ forward).normalized())
             for o, inverse in zip(objects, inverses)]
    hits = 0
    for i in range(grid):
        for j in range(grid):
            x = x0 + (i + 0.5) / grid * width
            y = y0 + (j + 0.5) / grid * height
            start = Vector(centre) + x * right + y * up - reach * forward
            for tree, inverse, local_dir in trees:
                if tree.ray_cast(inverse @ start, local_dir)[0] is not None:
                    hits += 1
                    break
    return hits / (grid * grid) * width * height / max(width, height) ** 2


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
    """Tilt a flat shape lying in the XY plane (FLAT_RATIO: a plane, a disc; in a group,
    TILT_RATIO: a torus, a gear too; the subject or any object outside a tower) toward the
    still's camera, about the horizontal axis across the view, until its face is seen at
    MIN_FACE_ANGLE_DEG or more. Keeps the object's location and scale."""
    coords = [v.co for v in obj.data.vertices]
    if not coords:
        return
    span = [max(c[k] for c in coords) - min(c[k] for c in coords) for k in range(3)]
    ratio = TILT_RATIO if len(desc.objects) > 1 else FLAT_RATIO
    if span[2] > ratio * max(span[0], span[1], 1e-9):
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

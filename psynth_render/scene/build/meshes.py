"""Blender mesh data from shape data (shapes.py layout: verts, faces, smooth, sharp) and back:
the subject's and backdrop's meshes, and the shapes only Blender makes (monkey, metaballs)."""

import math

import bpy

from psynth_render.scene.build.shapes import shape_mesh

MESH_NAME = "psynth_subject"
"""Name of every mesh datablock the builder makes (Blender suffixes repeats)."""

BACKDROP_GAP = 2.0
"""How far behind the subject's centre a sweep or wall begins to rise (object radii)."""


def from_operator(add):
    """Run a mesh-add operator and read its mesh back as shape data (then delete it)."""
    add()
    obj = bpy.context.active_object
    data = read_mesh(obj.data)
    mesh = obj.data
    bpy.data.objects.remove(obj, do_unlink=True)
    bpy.data.meshes.remove(mesh)
    return shape_mesh("data", data, 0)


def read_mesh(mesh):
    coords = [0.0] * (3 * len(mesh.vertices))
    mesh.vertices.foreach_get("co", coords)
    verts = [tuple(coords[i : i + 3]) for i in range(0, len(coords), 3)]
    faces = [list(p.vertices) for p in mesh.polygons]
    smooth = [p.use_smooth for p in mesh.polygons]
    return {"verts": verts, "faces": faces, "smooth": smooth, "sharp": []}


def metaballs_shape(params, seed):
    """Seeded metaballs, converted to a mesh through the depsgraph."""
    import random

    rng = random.Random(params.get("seed", 0) * 1000003 + seed)
    data = bpy.data.metaballs.new("psynth_meta")
    data.resolution = data.render_resolution = params["resolution"]
    data.threshold = params["threshold"]
    for _ in range(params["count"]):
        el = data.elements.new()
        el.co = [rng.uniform(-params["spread"], params["spread"]) for _ in range(3)]
        el.radius = params["radius"] * rng.uniform(0.7, 1.3)
    obj = bpy.data.objects.new("psynth_meta", data)
    bpy.context.scene.collection.objects.link(obj)
    depsgraph = bpy.context.evaluated_depsgraph_get()
    depsgraph.update()
    mesh = bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph))
    out = read_mesh(mesh)
    bpy.data.objects.remove(obj, do_unlink=True)
    bpy.data.metaballs.remove(data)
    bpy.data.meshes.remove(mesh)
    out["smooth"] = [True] * len(out["faces"])
    return shape_mesh("data", out, 0)


def mesh_from_shape(shape, smooth):
    mesh = bpy.data.meshes.new(MESH_NAME)
    mesh.from_pydata(shape["verts"], [], shape["faces"])
    flags = [bool(f) and smooth for f in shape["smooth"]]
    if len(flags) == len(mesh.polygons):
        mesh.polygons.foreach_set("use_smooth", flags)
    if shape["sharp"]:
        wanted = {(min(a, b), max(a, b)) for a, b in shape["sharp"]}
        marks = [tuple(sorted(e.vertices)) in wanted for e in mesh.edges]
        attr = mesh.attributes.get("sharp_edge") or mesh.attributes.new("sharp_edge", "BOOLEAN", "EDGE")
        attr.data.foreach_set("value", marks)
    mesh.update()
    return mesh


BACKDROP_CLEARANCE = 1.0
"""Least depth between an object's bounding sphere and where the sweep or wall starts to rise
(the subject alone: its radius 1 to BACKDROP_GAP)."""


def backdrop_setback(objects, camera_azimuth_deg, gap=BACKDROP_GAP):
    """How far back (away from the camera) a sweep or wall moves so it rises behind every
    object of a multi-object scene, not through those placed behind the subject: 0 for the
    subject alone. `objects`: what has `location` and `scale` (describe.model.SceneObject)."""
    a = math.radians(camera_azimuth_deg)
    behind = max(-o.location[0] * math.sin(a) + o.location[1] * math.cos(a) + o.scale for o in objects)
    return max(0.0, behind + BACKDROP_CLEARANCE - gap)


def backdrop_shape(kind, bend, room_radius=None):
    """Profile in (y, z), extruded along x: floor, then (sweep) an arc or (wall) a corner.
    With `room_radius` (a moving camera or a wide lens that would see past the edges): a
    closed round studio instead, see `room_shape`."""
    if room_radius is not None:
        return room_shape(kind, bend, room_radius)
    far, half_width, height = 400.0, 400.0, 200.0
    if kind == "floor":
        profile = [(-far, 0.0), (far, 0.0)]
    else:
        radius = bend if kind == "sweep" else 0.0
        profile = [(-far, 0.0), (BACKDROP_GAP, 0.0)]
        steps = 12 if radius > 0 else 0
        for i in range(1, steps + 1):
            a = (math.pi / 2) * i / steps
            profile.append((BACKDROP_GAP + radius * math.sin(a), radius * (1 - math.cos(a))))
        profile.append((BACKDROP_GAP + radius, height))
    verts = [(x, y, z) for y, z in profile for x in (-half_width, half_width)]
    faces = [[2 * i, 2 * i + 1, 2 * i + 3, 2 * i + 2] for i in range(len(profile) - 1)]
    smooth = [kind == "sweep"] * len(faces)
    return {"verts": verts, "faces": faces, "smooth": smooth, "sharp": []}


ROOM_SEGMENTS = 48


def room_shape(kind, bend, radius):
    """A round studio around the origin: floor disc, a cove (sweep: arc of `bend`; wall: a
    corner) up to a wall of `radius`, a ceiling as high as the room is wide with the same
    cove, so every direction from inside meets the set (orbits, fisheye and panoramic lenses)."""
    cove = bend if kind == "sweep" else 0.0
    height = 2.0 * radius
    steps = 8 if cove > 0 else 0
    profile = [(1e-3, 0.0), (radius - cove, 0.0)]  # not 0: no zero-area faces at the centre
    for i in range(1, steps + 1):  # floor to wall
        a = (math.pi / 2) * i / steps
        profile.append((radius - cove + cove * math.sin(a), cove * (1 - math.cos(a))))
    profile.append((radius, height - cove))
    for i in range(1, steps + 1):  # wall to ceiling
        a = (math.pi / 2) * i / steps
        profile.append((radius - cove + cove * math.cos(a), height - cove + cove * math.sin(a)))
    profile.append((radius - cove, height))
    profile.append((1e-3, height))
    n = ROOM_SEGMENTS
    verts, faces = [], []
    for r, z in profile:
        for j in range(n):
            a = 2 * math.pi * j / n
            verts.append((r * math.cos(a), r * math.sin(a), z))
    for i in range(len(profile) - 1):
        for j in range(n):
            k = (j + 1) % n
            face = [i * n + j, i * n + k, (i + 1) * n + k, (i + 1) * n + j]
            faces.append(face)
    smooth = [kind == "sweep"] * len(faces)
    return {"verts": verts, "faces": faces, "smooth": smooth, "sharp": []}

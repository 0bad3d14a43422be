"""Make the current bpy scene match a scene description (from `describe`), and render it.

The builder keeps a fixed cast of named objects (subject, camera, backdrop, lights) and updates
them in place between samples; what a sample does not need is removed. It imports only bpy,
mathutils, math, json, random and the other builder modules, so `builder_source()` can inline it
into a standalone script. World frame: Z up, subject centred on the origin with unit radius,
camera azimuth 0 on -Y looking toward +Y (see motion.py), floor under the subject's lowest point.
"""

import json
import math

import bpy
from mathutils import Matrix, Quaternion, Vector

from psynth_render.scene.looks import cel_shade, composite, lines, set_modifier, style_modifiers  # psynth:inline
from psynth_render.scene.media import gas, liquid, remove_object  # psynth:inline
from psynth_render.scene.motion import camera_at_frame, still_pose  # psynth:inline
from psynth_render.scene.patterns import apply_texture, cube_project_uvs  # psynth:inline
from psynth_render.scene.shapes import shape_mesh  # psynth:inline
from psynth_render.scene.surfaces import (  # psynth:inline
    backdrop_material, subject_material, world_nodes,  # psynth:inline
)  # psynth:inline

TAG = "psynth"
SUBJECT = "psynth_subject"
CAMERA = "psynth_camera"
BACKDROP = "psynth_backdrop"
LIGHT_PREFIX = "psynth_light_"
SUBJECT_PASS_INDEX = 1
"""Object index of the subject (segmentation masks read it)."""

BACKDROP_GAP = 2.0
"""How far behind the subject's centre a sweep or wall begins to rise (object radii)."""

SEEDED_GENERATORS = ("rock", "crystal", "metaballs")
"""Generators whose mesh depends on the sample's seed (others are reused across samples)."""

FLOOR_GAP = 0.002
"""Least gap between the subject's lowest point and the floor (object radii)."""

_FILE_FORMATS = {"png": "PNG", "exr": "OPEN_EXR", "webp": "WEBP", "jpg": "JPEG"}


def build(desc):
    """Make the current scene match `desc`; return camera info (see `camera_info`)."""
    scene = bpy.context.scene
    _remove_foreign(scene)
    subject = _subject(scene, desc["geometry"])
    style = desc["style"]
    style_modifiers(subject, style)
    mat = subject_material(subject, desc["material"])
    apply_texture(mat.node_tree, _principled(mat), desc["texture"])
    cel_shade(mat, style, desc["render"]["engine"])
    floor_z = _floor_height(subject, desc["geometry"])
    scene[TAG + "_floor_z"] = floor_z
    scene[TAG + "_description"] = json.dumps(desc)
    _backdrop(scene, desc["background"], floor_z, desc["camera"]["azimuth_deg"])
    _lights(scene, desc["lighting"]["lights"])
    world_nodes(scene, desc["lighting"]["world"], desc["background"])
    _render_settings(scene, desc["render"], desc["lighting"]["exposure"])
    body = liquid(subject, desc["liquid"], floor_z)
    gas(scene, desc["gas"], floor_z, desc["gas"]["reach"] if desc["gas"] else 0.0)
    lines(scene, style, [o for o in (subject, body) if o is not None])
    composite(scene, desc["post"], {k: style[k] for k in ("posterize", "pixel_size", "cel_levels")},
              max(desc["render"]["width"], desc["render"]["height"]))
    return pose_camera(desc)


def _principled(mat):
    return next(n for n in mat.node_tree.nodes if n.bl_idname == "ShaderNodeBsdfPrincipled")


def pose_camera(desc, frame=None, frames=1):
    """Pose the camera for a still (`frame` None: the movement's `still_at` point) or for
    `frame` of a `frames`-frame clip; returns camera info for that pose."""
    scene = bpy.context.scene
    floor_z = scene.get(TAG + "_floor_z")
    if frame is None:
        pose = still_pose(desc, floor_z)
    else:
        pose = camera_at_frame(desc, frame, frames, floor_z)
    obj = _ensure_object(scene, CAMERA, lambda: bpy.data.cameras.new(CAMERA))
    scene.camera = obj
    location, target = Vector(pose["location"]), Vector(pose["target"])
    aim = target - location
    if aim.length < 1e-9:
        aim = Vector((0.0, 1.0, 0.0))
    rotation = aim.to_track_quat("-Z", "Y") @ Quaternion((0.0, 0.0, 1.0), math.radians(pose["roll_deg"]))
    obj.matrix_world = Matrix.Translation(location) @ rotation.to_matrix().to_4x4()
    _lens(obj.data, desc["camera"], pose, scene.render.engine, location.length)
    return camera_info(scene, obj, pose)


def _lens(cam, spec, pose, engine, focus_distance):
    lens = spec["lens"]
    kind = lens["lens_type"]
    if kind == "PANO" and engine != "CYCLES":
        kind = "PERSP"  # panoramic projections are Cycles-only
    cam.type = kind
    cam.sensor_fit = "AUTO"
    cam.sensor_width = spec["sensor_width"]
    cam.lens = pose["focal_length"]
    cam.ortho_scale = pose["ortho_scale"]
    cam.shift_x, cam.shift_y = lens["shift_x"], lens["shift_y"]
    cam.clip_start, cam.clip_end = 0.01, 2000.0
    if kind == "PANO":
        cam.panorama_type = lens["panorama_type"]
        cam.fisheye_fov = math.radians(lens["fisheye_fov_deg"])
        cam.fisheye_lens = lens["fisheye_lens_mm"]
    cam.dof.use_dof = bool(spec["dof"])
    cam.dof.focus_object = None
    cam.dof.focus_distance = focus_distance  # the subject's centre
    cam.dof.aperture_fstop = spec["scene_fstop"]  # the f-number scaled to the scene's size
    cam.dof.aperture_ratio = lens["aperture_ratio"]
    cam.dof.aperture_blades = lens["aperture_blades"]


def camera_info(scene, obj, pose):
    """Intrinsics and extrinsics of the posed camera, as plain lists.

    `K` maps camera-space points to pixels (x right, y down, origin top-left); for a
    perspective camera u = fx*X/Z + cx with OpenCV axes, for orthographic u = fx*X + cx
    (then `K` holds pixels per scene unit); panoramic projections have no K (None).
    `world_to_camera` uses Blender's camera axes (looks down -Z, +Y up);
    `world_to_camera_opencv` the OpenCV ones (looks down +Z, +Y down).
    """
    cam = obj.data
    width, height = scene.render.resolution_x, scene.render.resolution_y
    size = max(width, height)
    if cam.type == "PERSP":
        fx = cam.lens / cam.sensor_width * size
    elif cam.type == "ORTHO":
        fx = size / cam.ortho_scale
    else:
        fx = None
    cx, cy = width / 2 - cam.shift_x * size, height / 2 + cam.shift_y * size
    K = None if fx is None else [[fx, 0.0, cx], [0.0, fx, cy], [0.0, 0.0, 1.0]]
    cam_to_world = obj.matrix_world.copy()
    world_to_cam = cam_to_world.inverted()
    flip = Matrix.Diagonal((1.0, -1.0, -1.0, 1.0))
    projection = {"PERSP": "perspective", "ORTHO": "orthographic"}.get(cam.type)
    return {
        "projection": projection or cam.panorama_type.lower(),
        "K": K,
        "world_to_camera": _rows(world_to_cam),
        "camera_to_world": _rows(cam_to_world),
        "world_to_camera_opencv": _rows(flip @ world_to_cam),
        "focal_length_mm": cam.lens,
        "sensor_width_mm": cam.sensor_width,
        "sensor_height_mm": cam.sensor_width * min(width, height) / size,
        "resolution": [width, height],
        "ortho_scale": cam.ortho_scale if cam.type == "ORTHO" else None,
        "fisheye_fov_deg": math.degrees(cam.fisheye_fov) if cam.type == "PANO" else None,
        "location": list(pose["location"]),
        "target": list(pose["target"]),
        "time": pose["time"],
        "floor_z": scene.get(TAG + "_floor_z"),
        "engine": scene.render.engine,
        "device": scene.cycles.device if scene.render.engine == "CYCLES" else "OPENGL",
        "samples": _samples(scene),
    }


def _rows(matrix):
    return [[float(v) for v in row] for row in matrix]


def _samples(scene):
    engine = scene.render.engine
    if engine == "CYCLES":
        return scene.cycles.samples
    if engine == "BLENDER_EEVEE":
        return scene.eevee.taa_render_samples
    return int(scene.display.render_aa) if scene.display.render_aa.isdigit() else 1


# ---------------------------------------------------------------- objects
def _remove_foreign(scene):
    """Remove objects the builder did not make (the startup cube, lamp and camera)."""
    for obj in list(scene.objects):
        if not obj.get(TAG):
            bpy.data.objects.remove(obj, do_unlink=True)


def _ensure_object(scene, name, make_data):
    obj = bpy.data.objects.get(name)
    if obj is None:
        obj = bpy.data.objects.new(name, make_data())
        obj[TAG] = True
    if obj.name not in scene.collection.objects:
        scene.collection.objects.link(obj)
    return obj


# ---------------------------------------------------------------- subject
def _subject(scene, geo):
    asset = geo.get("asset")
    params = geo["params"] if asset is None else {}
    seeded = geo["generator"] in SEEDED_GENERATORS
    flat = bool(geo.get("flat"))
    key = json.dumps([geo["generator"], params, geo["seed"] if seeded else None, flat], sort_keys=True)
    if asset is not None:
        key = json.dumps(["asset", asset["sha256"]])  # an asset keeps its own smooth/flat shading
    obj = _ensure_object(scene, SUBJECT, lambda: bpy.data.meshes.new(SUBJECT))
    if obj.get(TAG + "_key") != key:
        old = obj.data
        obj.data = _asset_mesh(asset) if asset is not None else _mesh(
            _shape_data(geo), bool(params.get("smooth", True)) and not flat)
        cube_project_uvs(obj.data)
        if old.users == 0:
            bpy.data.meshes.remove(old)
        obj[TAG + "_key"] = key
    obj.pass_index = SUBJECT_PASS_INDEX
    obj.location = (0.0, 0.0, 0.0)
    obj.rotation_euler = (0.0, 0.0, math.radians(geo["rotation_deg"]))
    # subdivide first: a bevel before it would add support loops that keep the corners sharp
    levels = int(geo["subdivision"])
    set_modifier(obj, "psynth_subsurf", "SUBSURF", levels > 0, levels=levels, render_levels=levels)
    bevel = params.get("bevel", 0.0)  # an asset's params are empty: no bevel
    set_modifier(obj, "psynth_bevel", "BEVEL", bevel > 0, width=bevel, segments=3, limit_method="ANGLE")
    mods = obj.modifiers
    if levels > 0 and bevel > 0 and mods.find("psynth_bevel") < mods.find("psynth_subsurf"):
        mods.move(mods.find("psynth_subsurf"), 0)
    return obj


def _asset_mesh(asset):
    """A library asset's normalised mesh (imported once per process; a scene-code script needs
    psynth_render importable to rebuild it)."""
    from psynth_render.asset_cache import asset_mesh

    return asset_mesh(asset)


def _shape_data(geo):
    """Mesh data (shapes.py layout) for the geometry; Blender's own meshes for the monkey."""
    params = dict(geo["params"])
    if geo["generator"] == "primitive" and params["op"] == "monkey":
        return _from_operator(lambda: bpy.ops.mesh.primitive_monkey_add(size=2.0))
    if geo["generator"] == "metaballs":
        return _metaballs(params, geo["seed"])
    return shape_mesh(geo["generator"], params, geo["seed"])


def _from_operator(add):
    """Run a mesh-add operator and read its mesh back as shape data (then delete it)."""
    add()
    obj = bpy.context.active_object
    data = _read_mesh(obj.data)
    mesh = obj.data
    bpy.data.objects.remove(obj, do_unlink=True)
    bpy.data.meshes.remove(mesh)
    return shape_mesh("data", data, 0)


def _read_mesh(mesh):
    coords = [0.0] * (3 * len(mesh.vertices))
    mesh.vertices.foreach_get("co", coords)
    verts = [tuple(coords[i : i + 3]) for i in range(0, len(coords), 3)]
    faces = [list(p.vertices) for p in mesh.polygons]
    smooth = [p.use_smooth for p in mesh.polygons]
    return {"verts": verts, "faces": faces, "smooth": smooth, "sharp": []}


def _metaballs(params, seed):
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
    out = _read_mesh(mesh)
    bpy.data.objects.remove(obj, do_unlink=True)
    bpy.data.metaballs.remove(data)
    bpy.data.meshes.remove(mesh)
    out["smooth"] = [True] * len(out["faces"])
    return shape_mesh("data", out, 0)


def _mesh(shape, smooth):
    mesh = bpy.data.meshes.new(SUBJECT)
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


def _floor_height(subject, geo):
    """Height of the floor: under the evaluated subject's lowest point, minus `float_above`."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    depsgraph.update()
    evaluated = subject.evaluated_get(depsgraph)
    lowest = min((evaluated.matrix_world @ Vector(corner)).z for corner in evaluated.bound_box)
    # a hair of clearance: a face lying on the floor would shadow itself (flat subjects)
    float_above = 0.0 if geo.get("asset") else geo["params"].get("float_above", 0.0)
    return lowest - max(float_above, FLOOR_GAP)


# ---------------------------------------------------------------- backdrop
def _backdrop(scene, bg, floor_z, camera_azimuth_deg):
    kind = bg["kind"]
    if kind in ("void", "sky"):
        remove_object(BACKDROP)
        return
    key = json.dumps([kind, bg["bend_radius"]])
    obj = _ensure_object(scene, BACKDROP, lambda: bpy.data.meshes.new(BACKDROP))
    if obj.get(TAG + "_key") != key:
        old = obj.data
        obj.data = _mesh(_backdrop_shape(kind, bg["bend_radius"]), True)
        if old.users == 0:
            bpy.data.meshes.remove(old)
        obj[TAG + "_key"] = key
    obj.location = (0.0, 0.0, floor_z)
    # the sweep or wall stays behind the subject as seen from the camera
    obj.rotation_euler = (0.0, 0.0, math.radians(camera_azimuth_deg))
    obj.pass_index = 0
    backdrop_material(obj, bg)


def _backdrop_shape(kind, bend):
    """Profile in (y, z), extruded along x: floor, then (sweep) an arc or (wall) a corner."""
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


# ---------------------------------------------------------------- lights
def _lights(scene, lights):
    for i, spec in enumerate(lights):
        name = f"{LIGHT_PREFIX}{i}"
        obj = _ensure_object(scene, name, lambda: bpy.data.lights.new(name, spec["type"].upper()))
        obj.data.type = spec["type"].upper()
        light = obj.data
        light.color = spec["rgb"]
        light.energy = spec["power"]
        light.use_temperature = False
        if light.type == "AREA":
            light.shape = spec["shape"]
            light.size = spec["size"]
            light.size_y = spec["size_y"] if spec["size_y"] is not None else spec["size"]
        elif light.type in ("POINT", "SPOT"):
            light.shadow_soft_size = spec["size"]
            if light.type == "SPOT":
                light.spot_size = math.radians(spec["spot_size_deg"])
                light.spot_blend = spec["spot_blend"]
        else:
            light.angle = math.radians(spec["size"])
        a, e = math.radians(spec["azimuth_deg"]), math.radians(spec["elevation_deg"])
        direction = Vector((math.sin(a) * math.cos(e), -math.cos(a) * math.cos(e), math.sin(e)))
        obj.location = direction * spec["distance"]
        obj.rotation_euler = (-direction).to_track_quat("-Z", "Y").to_euler()
    i = len(lights)
    while bpy.data.objects.get(f"{LIGHT_PREFIX}{i}") is not None:
        remove_object(f"{LIGHT_PREFIX}{i}")
        i += 1


# ---------------------------------------------------------------- render settings
def _render_settings(scene, render, exposure):
    r = scene.render
    r.engine = render["engine"]
    r.resolution_x, r.resolution_y = render["width"], render["height"]
    r.resolution_percentage = 100
    r.film_transparent = False
    r.use_persistent_data = True  # keep the BVH and shaders warm between samples
    scene.view_settings.view_transform = "AgX"
    scene.view_settings.look = "None"
    scene.view_settings.exposure = exposure
    scene.view_settings.gamma = 1.0
    if render["engine"] == "CYCLES":
        c = scene.cycles
        c.samples = render["samples"]
        c.seed = render["seed"]
        c.use_animated_seed = False
        c.use_denoising = bool(render["denoise"])
        c.max_bounces = render["max_bounces"]
        c.diffuse_bounces = render["diffuse_bounces"]
        c.glossy_bounces = render["glossy_bounces"]
        c.transmission_bounces = render["transmission_bounces"]
        c.volume_bounces = render["volume_bounces"]
    elif render["engine"] == "BLENDER_EEVEE":
        scene.eevee.taa_render_samples = render["samples"]
        scene.eevee.use_raytracing = bool(render["eevee_raytracing"])
    else:
        shading = scene.display.shading
        shading.light = render["workbench_lighting"]
        shading.color_type = render["workbench_color"]
        # Workbench anti-aliasing: the largest sample count it offers that fits the budget
        fitting = [n for n in (5, 8, 11, 16, 32) if n <= render["samples"]]
        scene.display.render_aa = str(fitting[-1]) if fitting else "OFF"


def configure_device(preference="auto"):
    """Choose the Cycles device; returns what it picked ("OPTIX", "CUDA", ... or "CPU").

    'auto' and 'gpu' try OPTIX, CUDA, HIP, METAL, ONEAPI in turn and use the first with a
    device; anything else, or no GPU found, renders on the CPU.
    """
    scene = bpy.context.scene
    if preference in ("auto", "gpu"):
        prefs = bpy.context.preferences.addons["cycles"].preferences
        for kind in ("OPTIX", "CUDA", "HIP", "METAL", "ONEAPI"):
            try:
                prefs.compute_device_type = kind
            except TypeError:
                continue  # not built into this Blender
            prefs.refresh_devices()
            found = [d for d in prefs.devices if d.type == kind]
            if found:
                for device in prefs.devices:
                    device.use = device.type == kind
                scene.cycles.device = "GPU"
                return kind
    scene.cycles.device = "CPU"
    return "CPU"


def render_still(desc, path):
    """Build `desc` and render one image to `path` (format from the suffix); returns camera info."""
    info = build(desc)
    scene = bpy.context.scene
    suffix = path.rsplit(".", 1)[-1].lower()
    scene.render.image_settings.file_format = _FILE_FORMATS.get(suffix, "PNG")
    scene.render.filepath = path
    bpy.ops.render.render(write_still=True)
    return info

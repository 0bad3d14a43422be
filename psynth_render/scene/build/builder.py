"""Make the current bpy scene match a typed scene (describe.model.Scene), and render it.

The builder keeps a fixed cast of named objects (subject, camera, backdrop, lights, liquid and
gas volumes) and updates them in place between samples; what a sample does not need is
removed. Each element of the scene is added by `add`, which dispatches on the element's type
(functools.singledispatch); effect kinds absent from a scene are cleared through `CLEAR`.

It imports only bpy, mathutils, math, json, random, functools, the scene model and the other
builder modules, so `builder_source()` can inline it into a standalone script. World frame:
Z up, subject centred on the origin with unit radius, camera azimuth 0 on -Y looking toward +Y
(see motion.py), floor under the subject's lowest point.
"""

import functools
import json
import math
from dataclasses import dataclass, field

import bpy
from mathutils import Matrix, Quaternion, Vector

from psynth_render.scene.build.aovs import shader_aovs
from psynth_render.scene.build.camera_optics import (
    HOUSE_CAMERA, OPTICS_FIELDS, apply_paths, optics_assignments, optics_from_camera,
)
from psynth_render.scene.build.framing import facing_azimuth, readable_gas, solve_framing
from psynth_render.scene.build.looks import cel_shade, composite, lines, style_modifiers
from psynth_render.scene.build.media import GAS, LIQUID, gas, liquid, remove_object, stated_gas_emission, world_bounds
from psynth_render.scene.build.medium_settings import BACKDROP_MATERIAL, MESH_BACKDROPS
from psynth_render.scene.build.meshes import BACKDROP_GAP, backdrop_setback, backdrop_shape, mesh_from_shape
from psynth_render.scene.build.pour_spot import place_pour
from psynth_render.scene.build.motion import camera_at_frame, still_pose
from psynth_render.scene.build.placement import face_the_camera, silhouette_fill, subject_hull
from psynth_render.scene.build.object_info import RESTS_ON
from psynth_render.scene.build.stacking import highest_point, lowest_point, rest_on_below, rest_on_floor
from psynth_render.scene.build.topology import shape_modifiers
from psynth_render.scene.build.shapes import SEEDED_GENERATORS
from psynth_render.scene.build.stated_objects import OBJECT_TAG, finished, read_objects, shape_data
from psynth_render.scene.build.patterns import apply_texture
from psynth_render.scene.build.render_settings import HOUSE_SETTINGS, apply_assignments, render_assignments
from psynth_render.scene.build.rig_set import set_radius
from psynth_render.scene.build.surfaces import (
    backdrop_in_world, backdrop_material, lighting_world, stated_material, subject_material,
)
from psynth_render.scene.describe.model import (
    AssetObject, Backdrop, GasEffect, Lens, LiquidEffect, Scene, SceneObject, Style,
)

TAG = OBJECT_TAG
SUBJECT = "psynth_subject"
MESH_PREFIX = "psynth_mesh_"
OBJECT_PREFIX = "psynth_object_"
"""Names of the objects beside the subject (describe/from_row.py names them)."""
CAMERA = "psynth_camera"
BACKDROP = "psynth_backdrop"
LIGHT_PREFIX = "psynth_light_"
SUBJECT_PASS_INDEX = 1
"""Object index of the subject (segmentation masks read it)."""

FLOOR_GAP = 0.002
"""Least gap between the subject's lowest point and the floor (object radii)."""

_FILE_FORMATS = {"png": "PNG", "exr": "OPEN_EXR", "webp": "WEBP", "jpg": "JPEG"}


@dataclass
class BuildState:
    """What one build learns as it adds elements: later elements stand on the first's floor."""

    desc: Scene
    style: Style
    subject: object = None
    floor_z: float = 0.0
    lined: list = field(default_factory=list)
    """Objects the style's outlines draw around."""
    objects: list = field(default_factory=list)
    """The scene's objects built so far (what a stacked object may come to rest on)."""
    trees: dict = field(default_factory=dict)
    """BVH trees of placed objects, by name, for stacking (stacking.rest_on_below)."""
    made: bool = False
    """Whether a scene script's add_objects made the objects (the object step then places them)."""


STATED_STEPS = ("render", "camera", "materials", "objects", "lights", "world", "post")
"""Build steps a scene script may state as its own bpy code (scene_code_parts writes them):
`build(desc, stated={"lights": add_lights})` runs `add_lights(scene)` in the step's place. A
script stating "render" leaves `desc.render` None: the build reads the engine and frame size
back from the bpy scene; one stating "camera" leaves each view's lens and optics None (the
build reads them back from the bpy camera before the framing solve: camera_optics); one
stating "materials" leaves each object's `material` None and makes a material named after
each object, which the object's step puts in its slot before the library's texture, cel
shading and AOVs, and the backdrop's, liquid's and gas's materials (`psynth_backdrop`,
`psynth_liquid`, `psynth_gas`), leaving their material's fields None (medium_settings): their
steps take the material as it is (the gas adds its density and field, after reading back its
emission: _read_media); one stating "objects" leaves each object's transform, pass index and
geometry but its concept (and a floating shape's `float_above`) None and makes each object
of the scene by its name with its mesh, transform, pass index and shape modifiers: the build
reads those back (stated_objects.read_objects) and places the objects as it places its own;
one stating "world" leaves `desc.lighting.world` None (the backdrop's step reads the world's
kind back from the bpy world); one stating "post" leaves `desc.post` None and fills the
compositor's look group itself (looks.look_tree)."""


def build(desc, stated=None):
    """Make the current scene match the Scene `desc`; return camera info (see `camera_info`).

    `stated` maps steps of STATED_STEPS to functions of the bpy scene that do them instead of
    the builder (a scene script's direct bpy code), at the same point of the build.
    """
    stated = dict(stated or {})
    unknown = set(stated) - set(STATED_STEPS)
    if unknown:
        raise ValueError(f"build cannot leave {sorted(unknown)} to the caller; it can leave {STATED_STEPS}")
    media = (desc.backdrop, *desc.effects)
    parts = (("render", desc.render), ("camera", desc.camera.main.lens),
             ("materials", all(o.material for o in desc.objects) and not any(_stated_medium(m) for m in media) or None),
             ("objects", all(o.pass_index is not None for o in desc.objects) or None),
             ("world", desc.lighting.world), ("post", desc.post))
    for step, part in parts:
        if part is None and step not in stated:
            raise ValueError(f"the scene has no {step} part: a scene script's data leaves it to its own "
                             f"bpy code, passed as build(scene, stated={{{step!r}: ...}})")
    scene = bpy.context.scene
    # first: the framing, the materials and the compositor read the engine and size from bpy
    apply_assignments(scene, HOUSE_SETTINGS)
    stated.get("render", lambda s: render_settings(s, desc.render))(scene)
    _remove_foreign(scene)
    # the lens before the subject: placement, framing and moves read it (from bpy, when stated)
    stated.get("camera", lambda s: camera_optics(s, desc.camera.main))(scene)
    _read_optics(desc, scene.camera.data)
    stated.get("materials", lambda s: None)(scene)  # else each object's and effect's step makes its own
    _read_media(desc)
    stated.get("objects", lambda s: None)(scene)  # else each object's step makes its own
    read_objects(desc)
    state = BuildState(desc, desc.style, made="objects" in stated)
    add(desc.subject, scene, state)  # sets state.floor_z and state.subject
    for element in desc.objects:  # the objects beside the subject rest on its floor
        if element.element == "object":
            add(element, scene, state)
    _remove_stale_objects(desc)
    if not desc.camera.main.distance_stated:  # before the backdrop and gas, which read it
        # the subject's share sets the distance (raised for a sparse silhouette); a
        # multi-object scene backs away until the hull of every object added so far fits
        hulls = {obj.name: subject_hull(obj) for obj in state.lined}
        points = hulls[state.subject.name]
        eye = still_pose(desc, state.floor_z)["location"]
        fill = silhouette_fill([state.subject], points, eye, desc.camera.main.target)
        group = [p for hull in hulls.values() for p in hull] if len(hulls) > 1 else None
        solve_framing(desc, points, state.floor_z, _frame_size(scene), group, fill=fill)
    readable_gas(desc)
    scene[TAG + "_floor_z"] = state.floor_z
    scene[TAG + "_description"] = desc.to_json()
    add(desc.backdrop, scene, state)
    stated.get("lights", lambda s: _lights(s, desc.lighting.lights))(scene)
    stated.get("world", lambda s: lighting_world(s, desc.lighting.world))(scene)
    backdrop_in_world(scene, desc.backdrop)  # a void colour or sky the camera sees instead
    _exposure(scene, desc.lighting.exposure, desc.lighting.metering_ev)
    for kind in CLEAR:  # the fixed cast: each effect kind is added, or cleared when absent
        element = desc.effect(kind)
        if element is None:
            CLEAR[kind](scene, state)
        else:
            add(element, scene, state)
    for entry in instance_table(desc):  # the id render reads each element's object index
        obj = bpy.data.objects.get(entry["object"] or "")
        if obj is not None:
            obj.pass_index = entry["id"]
    style = state.style
    lines(scene, style, state.lined, panoramic=desc.camera.main.lens.lens_type == "PANO")
    stated.get("post", lambda s: composite(s, desc.post, style, max(_frame_size(s))))(scene)
    return pose_camera(desc)


def instance_table(desc):
    """The scene's instances in id order: {"id", "element", "concept", "object" (the Blender
    object, None for the world), "world" (the world's pixels are this element's)}. Objects keep
    their pass index (the subject is 1: seg.png's mask); effects and the backdrop follow."""
    out = [{"id": o.pass_index, "element": o.element, "concept": o.geometry.concept, "object": o.name,
            "world": False} for o in desc.objects]
    next_id = max(e["id"] for e in out) + 1
    for effect in desc.effects:
        name = LIQUID if effect.element == "liquid" else GAS
        out.append({"id": next_id, "element": effect.element, "concept": effect.concept, "object": name,
                    "world": False})
        next_id += 1
    bg = desc.backdrop
    if bg.kind in ("sweep", "wall"):  # the world behind a studio set is void
        out.append({"id": next_id, "element": "backdrop", "concept": bg.concept, "object": BACKDROP, "world": False})
    elif bg.kind == "floor":  # the ground, and the world above the horizon
        out.append({"id": next_id, "element": "ground", "concept": bg.concept, "object": BACKDROP, "world": False})
        out.append({"id": next_id + 1, "element": "backdrop", "concept": bg.concept, "object": None, "world": True})
    else:  # sky, void: the world is the backdrop
        out.append({"id": next_id, "element": "backdrop", "concept": bg.concept, "object": None, "world": True})
    return out


@functools.singledispatch
def add(element, scene, state):
    """Add (or update in place) one element of the scene."""
    raise TypeError(f"the builder cannot add a {type(element).__name__}")


@add.register
def _add_object(element: SceneObject, scene, state):
    obj = bpy.data.objects[element.name] if state.made else _subject(scene, element)
    if element.support is None and not any(o.support == element.name for o in state.desc.objects):
        face_the_camera(obj, element.geometry, state.desc)  # not in a tower: a tilted ring is no seat
    style = state.style
    style_modifiers(obj, style)
    if element.material is None:  # made by the script's add_materials
        mat = stated_material(obj, element.name)
    else:
        mat = subject_material(obj, element.material, element.name)
    apply_texture(mat.node_tree, _principled(mat), element.texture)
    cel_shade(mat, style, scene.render.engine)
    shader_aovs(mat)  # roughness and metallic passes read the shader's values
    if element.element == "subject":
        state.subject = obj
        state.floor_z = _floor_height(obj, element.geometry)
    elif element.support is None:
        rest_on_floor(obj, state.floor_z, FLOOR_GAP)
    else:  # over everything built so far, then down onto what is below it
        top = max(highest_point(o) for o in state.objects)
        obj.location.z += top + FLOOR_GAP - lowest_point(obj)
        obj[RESTS_ON] = rest_on_below(obj, state.objects, state.floor_z, FLOOR_GAP, state.trees) or ""
    if element.support is None:
        obj[RESTS_ON] = ""
    state.objects.append(obj)
    state.lined.append(obj)


def _remove_stale_objects(desc):
    """Remove `psynth_object_<k>` objects (and their meshes, materials) the scene no longer has."""
    wanted = {o.name for o in desc.objects}
    for obj in list(bpy.data.objects):
        if obj.name.startswith(OBJECT_PREFIX) and obj.name not in wanted:
            mesh, materials = obj.data, [s.material for s in obj.material_slots if s.material]
            bpy.data.objects.remove(obj, do_unlink=True)
            if mesh is not None and mesh.users == 0:
                bpy.data.meshes.remove(mesh)
            for mat in materials:
                if mat.users == 0:
                    bpy.data.materials.remove(mat)


@add.register
def _add_backdrop(element: Backdrop, scene, state):
    room = set_radius(state.desc, state.floor_z, element.bend_radius)  # multi-view rigs: a closed studio
    azimuth = state.desc.camera.main.azimuth_deg
    _backdrop(scene, element, state.floor_z, azimuth, room, backdrop_setback(state.desc.objects, azimuth, BACKDROP_GAP))


@add.register
def _add_liquid(element: LiquidEffect, scene, state):
    facing = facing_azimuth(state.desc, state.floor_z) - math.radians(state.desc.subject.geometry.rotation_deg)
    pose = still_pose(state.desc, state.floor_z)
    toward = Vector(pose["location"]) - Vector(pose["target"])
    eye = (state.subject.matrix_world.inverted().to_3x3() @ toward).normalized()  # in its own frame
    spot = None
    if element.form.form == "pour":  # in the shot: beside the subject where there is room
        spot = place_pour(state.desc, *world_bounds(state.subject), state.floor_z, _frame_size(scene), element.form,
                          element.viscosity)
    body = liquid(state.subject, element, state.floor_z, facing, tuple(eye), spot)
    if body is not None:
        state.lined.append(body)


@add.register
def _add_gas(element: GasEffect, scene, state):
    gas(scene, element, state.floor_z, element.reach)


CLEAR = {
    LiquidEffect: lambda scene, state: liquid(state.subject, None, state.floor_z),
    GasEffect: lambda scene, state: gas(scene, None, state.floor_z, 0.0),
}
"""Effect kinds in build order, each with how to remove it from a scene that lacks it."""


def _principled(mat):
    return next(n for n in mat.node_tree.nodes if n.bl_idname == "ShaderNodeBsdfPrincipled")


def pose_camera(desc, frame=None, frames=1, view=0):
    """Pose the camera as view number `view` for a still (`frame` None: the movement's
    `still_at` point) or for `frame` of a `frames`-frame clip; returns camera info for that pose.
    Only the camera moves: the views of a sample share one scene build."""
    scene = bpy.context.scene
    floor_z = scene.get(TAG + "_floor_z")
    if frame is None:
        pose = still_pose(desc, floor_z, view)
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
    _pose_lens(obj.data, pose, scene.render.engine, location.length)
    return camera_info(scene, obj, pose)


def camera_data(scene):
    """The camera step's start: a new lens (camera data) for the psynth camera, with Blender's
    defaults and HOUSE_CAMERA, the old one removed; the camera object made and made the
    scene's camera if needed. A scene script's `set_camera` states its optics on it."""
    cam = bpy.data.cameras.new(CAMERA)
    apply_paths(cam, HOUSE_CAMERA)
    obj = bpy.data.objects.get(CAMERA)
    if obj is None:
        obj = bpy.data.objects.new(CAMERA, cam)
        obj[TAG] = True
    else:
        old, obj.data = obj.data, cam
        if old is not None and old.users == 0:
            bpy.data.cameras.remove(old)
    if obj.name not in scene.collection.objects:
        scene.collection.objects.link(obj)
    scene.camera = obj
    return cam


def camera_optics(scene, view):
    """The camera step: the view's lens, sensor, focal length, orthographic scale and depth of
    field on a new lens (camera_optics.optics_assignments, the table scripts write)."""
    apply_paths(camera_data(scene), optics_assignments(view.lens, **{f: getattr(view, f) for f in OPTICS_FIELDS}))


def _stated_medium(element):
    """Whether a scene script's `add_materials` states the backdrop's or an effect's material
    (its data then holds None for the material's fields: medium_settings)."""
    return element.color is None and (element.element != "backdrop" or element.kind in MESH_BACKDROPS)


def _read_media(desc):
    """A gas whose volume shader a script stated takes back the emission its density field and
    lamp need (media.stated_gas_emission), as the views take back their lens."""
    for effect in desc.effects:
        if effect.element == "gas" and _stated_medium(effect):
            stated_gas_emission(effect)


def _read_optics(desc, cam):
    """Views whose optics a script stated in bpy (left None in its data) take them from the bpy
    camera; a rig's views share the one camera's lens."""
    lens, optics = optics_from_camera(cam)
    for view in desc.camera.views:
        if view.lens is None:
            view.lens = Lens(**lens)
            for name, value in optics.items():
                setattr(view, name, value)


def _pose_lens(cam, pose, engine, focus_distance):
    """What the pose sets on the lens: the (zoomed) focal length, the (solved) orthographic
    scale, the focus on the subject's centre; panoramas are Cycles-only (else perspective)."""
    if cam.type == "PANO" and engine != "CYCLES":
        cam.type = "PERSP"
    cam.lens = pose["focal_length"]
    cam.ortho_scale = pose["ortho_scale"]
    cam.dof.focus_object = None
    cam.dof.focus_distance = focus_distance


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
@functools.singledispatch
def mesh_source(element):
    """(key, make): what identifies an object's mesh, and how to make it when the key changes."""
    geo = element.geometry
    params = geo.params
    seeded = geo.generator in SEEDED_GENERATORS
    flat = bool(geo.flat)
    key = json.dumps([geo.generator, params, geo.seed if seeded else None, flat], sort_keys=True)
    smooth = bool(params.get("smooth", True)) and not flat
    return key, lambda: mesh_from_shape(shape_data(geo.generator, dict(params), geo.seed), smooth)


@mesh_source.register
def _asset_source(element: AssetObject):
    """A library asset: its normalised mesh, imported once per process (`asset_cache`; a
    scene-code script rebuilding it needs psynth_render importable). It keeps its own shading."""

    def make():
        from psynth_render.asset_cache import asset_mesh

        return asset_mesh(element.asset.model_dump())

    return json.dumps(["asset", element.asset.sha256]), make


def _subject(scene, element):
    geo = element.geometry
    key, make = mesh_source(element)
    obj = _ensure_object(scene, element.name, lambda: bpy.data.meshes.new(element.name))
    if obj.get(TAG + "_key") != key:
        old = obj.data
        obj.data = _mesh(geo, key, make)
        if old.users == 0:
            bpy.data.meshes.remove(old)
        obj[TAG + "_key"] = key
    obj.pass_index = element.pass_index
    obj.location = tuple(element.location)
    obj.scale = (element.scale,) * 3
    obj.rotation_euler = (0.0, 0.0, math.radians(geo.rotation_deg))
    shape_modifiers(obj, geo)
    return obj


def _mesh(geo, key, make):
    """The mesh for a geometry key (`make()` builds it). Meshes of unseeded generators are
    shared by every object and sample with the same key (a fake user keeps them between
    samples: a bounded set, one per concept and shading), so objects own their material slots
    (`surfaces._assign`). Seeded meshes and assets (cached by asset_cache) are made per key."""
    shared = geo.generator not in SEEDED_GENERATORS and geo.generator != "asset"
    if shared:
        for mesh in bpy.data.meshes:
            if mesh.name.startswith(MESH_PREFIX) and mesh.get(TAG + "_key") == key:
                return mesh
    mesh = finished(make())
    if shared:
        mesh.name = MESH_PREFIX + geo.concept
        mesh[TAG + "_key"] = key
        mesh.use_fake_user = True
    return mesh


def _floor_height(subject, geo):
    """Height of the floor: under the evaluated subject's lowest point, minus `float_above`."""
    lowest = lowest_point(subject)
    # a hair of clearance: a face lying on the floor would shadow itself (flat subjects)
    return lowest - max((geo.params or {}).get("float_above", 0.0), FLOOR_GAP)


# ---------------------------------------------------------------- backdrop
def _backdrop(scene, bg, floor_z, camera_azimuth_deg, room=None, setback=0.0):
    kind = bg.kind
    if kind in ("void", "sky"):
        remove_object(BACKDROP)
        return
    if kind == "floor":
        room = None  # the world above the horizon is the set's sky
    key = json.dumps([kind, bg.bend_radius, room and round(room, 2)])
    obj = _ensure_object(scene, BACKDROP, lambda: bpy.data.meshes.new(BACKDROP))
    if obj.get(TAG + "_key") != key:
        old = obj.data
        obj.data = mesh_from_shape(backdrop_shape(kind, bg.bend_radius, room and round(room, 2)), True)
        if old.users == 0:
            bpy.data.meshes.remove(old)
        obj[TAG + "_key"] = key
    # the sweep or wall stays behind the subject (and every object) as seen from the camera
    a = math.radians(camera_azimuth_deg)
    back = 0.0 if room else setback
    obj.location = (-back * math.sin(a), back * math.cos(a), floor_z)
    obj.rotation_euler = (0.0, 0.0, math.radians(camera_azimuth_deg))
    obj.pass_index = 0
    if bg.color is None:  # made by the script's add_materials
        stated_material(obj, BACKDROP_MATERIAL)
    else:
        backdrop_material(obj, bg)


# ---------------------------------------------------------------- lights
def _lights(scene, lights):
    for i, spec in enumerate(lights):
        name = f"{LIGHT_PREFIX}{i}"
        obj = _ensure_object(scene, name, lambda: bpy.data.lights.new(name, spec.type.upper()))
        obj.data.type = spec.type.upper()
        light = obj.data
        light.color = spec.rgb
        light.energy = spec.power
        light.use_temperature = False
        if light.type == "AREA":
            light.shape = spec.shape
            light.size = spec.size
            light.size_y = spec.size_y if spec.size_y is not None else spec.size
        elif light.type in ("POINT", "SPOT"):
            light.shadow_soft_size = spec.size
            if light.type == "SPOT":
                light.spot_size = math.radians(spec.spot_size_deg)
                light.spot_blend = spec.spot_blend
        else:
            light.angle = math.radians(spec.size)
        a, e = math.radians(spec.azimuth_deg), math.radians(spec.elevation_deg)
        direction = Vector((math.sin(a) * math.cos(e), -math.cos(a) * math.cos(e), math.sin(e)))
        obj.location = direction * spec.distance
        obj.rotation_euler = (-direction).to_track_quat("-Z", "Y").to_euler()
    i = len(lights)
    while bpy.data.objects.get(f"{LIGHT_PREFIX}{i}") is not None:
        remove_object(f"{LIGHT_PREFIX}{i}")
        i += 1


# ---------------------------------------------------------------- render settings
def render_settings(scene, render):
    """Engine, frame size and samples (render_settings.render_assignments; the builder applies
    HOUSE_SETTINGS before it)."""
    apply_assignments(scene, render_assignments(render))


def _frame_size(scene):
    """(width, height) in pixels, as the render step set them."""
    return scene.render.resolution_x, scene.render.resolution_y


def _exposure(scene, exposure, metering_ev=0.0):
    """The lighting's exposure, for the engine the render step chose. `exposure` (the stated
    compensation) is the view transform's; a setup's `metering_ev` is Cycles' film exposure,
    which scales the render before the compositor: a colour grade's contrast pivots on mid-grey
    in scene-linear values and would crush a dim rig's image to black if the gain came only
    after it. Other engines meter in the view transform."""
    cycles = scene.render.engine == "CYCLES"
    scene.view_settings.exposure = exposure + (0.0 if cycles else metering_ev)
    scene.cycles.film_exposure = 2.0 ** metering_ev if cycles else 1.0


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
    """Build the Scene `desc` and render one image to `path` (format from the suffix); returns camera info."""
    info = build(desc)
    render(path)
    return info


def render(path):
    """Render the current scene's still to `path` (format from the suffix)."""
    scene = bpy.context.scene
    suffix = path.rsplit(".", 1)[-1].lower()
    scene.render.image_settings.file_format = _FILE_FORMATS.get(suffix, "PNG")
    scene.render.filepath = path
    bpy.ops.render.render(write_still=True)

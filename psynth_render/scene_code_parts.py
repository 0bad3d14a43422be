"""How each part of a Scene becomes scene-script code: data for the library, or direct bpy.

    generator(cls) -> PartCode      the registered generator of a model class (LookupError if none)
    model_parts() -> set[type]      every model class a Scene can hold (the registry must cover all)
    split_stated(scene) -> (data_scene, {step: [(name, element)]})   (element: a part, or a Taken)
    stated_function(step, parts) -> str   the script's `def add_<step>(bpy_scene):` with bpy statements

Every model class reachable from `Scene` is registered here, one way or the other:

- `library(...)`: the part stays a constructor call in the script's data (`ps.Material(...)`)
  and the shard's helper builds it (mesh generators, node graphs, volumes, framing...);
- `@stated(cls, step, function_name)`: the part is written as readable bpy statements in the
  script, in a function the builder calls in place of its own step (`build(scene, stated=...)`,
  see builder.STATED_STEPS); the part's list in the data is left empty, or, for a part that is
  a field of its own (the render settings), the field is None (it must accept None). A part may
  take fields of its parent along (`takes`: the lens takes its view's focal length, sensor,
  orthographic scale and depth of field), which are then None in the data too.

A model class that a builder change adds and nobody registers fails `generator` (and the test
that walks `model_parts()`), so new parts cannot silently fall back to a default. To move a
part from the library to direct bpy: write its generator here, add its step to the builder's
STATED_STEPS, and the re-render tests check that both give the same image.
"""

import copy
import math
import struct
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from psynth_render.scene.build.camera_optics import (
    BLENDER_CAMERA_DEFAULTS, OPTICS_FIELDS, optics_assignments,
)
from psynth_render.scene.build.material_settings import (
    MATERIAL_DEFAULTS, PRINCIPLED_DEFAULTS, principled_inputs, viewport_settings,
)
from psynth_render.scene.build.render_settings import render_assignments
from psynth_render.scene.describe.model import (
    AssetObject, AssetRef, Backdrop, CameraRig, CameraView, Colour, Environment, GasEffect, Geometry, Grade, Lens,
    Lighting, LiquidEffect, LiquidForm, Mapping, Material, Movement, RenderSettings, Scene, SceneLight,
    SceneObject, Style, Texture,
)
from psynth_render.scene_literals import MODULE, constructor, literal, safe_words
from psynth_spec.render_params.surfaces import SurfaceDetail


@dataclass(frozen=True)
class PartCode:
    """How one model class is written: `step` None = library data, else the bpy step it states."""

    cls: type
    step: str | None = None
    function: str | None = None
    write: Callable[[Any, str, int], list[str]] | None = None
    """(element, variable name, place in its list) -> bpy statement lines (unindented), for stated
    parts; the lines work on the Blender scene `bpy_scene`."""
    takes: tuple[str, ...] = ()
    """Fields of the part's parent that its bpy code states too (the element is then a Taken)."""
    reads: tuple[str, ...] = ()
    """Fields of the part's parent its bpy code reads, kept in the data (a material: its object's name)."""
    keep: Callable[[Any], Any] | None = None
    """(part) -> what stays of it in the data (what the library reads and bpy cannot give back:
    an object's concept); None: the data holds None in its place."""
    shared: bool = False
    """One bpy thing for every part of the step (a rig's views share one lens)."""


@dataclass(frozen=True)
class Taken:
    """A stated part with the fields of its parent it takes along (PartCode.takes)."""

    part: BaseModel
    fields: dict[str, Any]
    read: dict[str, Any]


@dataclass(frozen=True)
class Surface:
    """A library part whose material a script states in bpy (stated_surface): the part as
    described, its material's values in full."""

    part: BaseModel


@dataclass(frozen=True)
class SurfaceCode:
    """How a library part's material is written: `fields(part)` names the part's fields the
    data then leaves None (what its bpy states, and what the builder ignores of it); `write`
    gives the bpy lines, [] where the part has no material (a void backdrop)."""

    step: str
    fields: Callable[[Any], tuple[str, ...]]
    write: Callable[[Any, str, int], list[str]]


_REGISTRY: dict[type, PartCode] = {}
_SURFACES: dict[type, SurfaceCode] = {}

STEP_ORDER = ("render", "camera", "materials", "objects", "lights", "world", "post")
"""The stated steps in build order (builder.STATED_STEPS; that module needs bpy): a script's
functions follow it."""


def library(*classes: type) -> None:
    """Register classes whose parts the shard's helper builds from the script's data."""
    for cls in classes:
        _REGISTRY[cls] = PartCode(cls)


def stated(cls: type, step: str, function: str, takes: tuple[str, ...] = (), reads: tuple[str, ...] = (),
           keep: Callable[[Any], Any] | None = None, shared: bool = False):
    """Register `write(element, name, index) -> lines` as the bpy code of `cls` for builder step `step`."""

    def register(write):
        _REGISTRY[cls] = PartCode(cls, step, function, write, takes, reads, keep, shared)
        return write

    return register


def stated_surface(cls: type, step: str, fields: Callable[[Any], tuple[str, ...]]):
    """Register `write(part, name, index) -> lines` as the bpy code of a library part's material,
    in builder step `step`; the part stays data less `fields(part)`."""

    def register(write):
        _SURFACES[cls] = SurfaceCode(step, fields, write)
        return write

    return register


def ignored(cls: type, fields: Callable[[Any], tuple[str, ...]]) -> None:
    """Leave `fields(part)` of a library part out of the script's data (None): what the builder
    ignores of it, so the renders do not change."""
    _SURFACES[cls] = SurfaceCode("materials", fields, lambda part, name, index: [])


def generator(cls: type) -> PartCode:
    """The registered generator of exactly `cls` (a subclass does not inherit its parent's)."""
    try:
        return _REGISTRY[cls]
    except KeyError:
        raise LookupError(f"no scene-code generator for the model part {cls.__name__}: register it in "
                          "psynth_render/scene_code_parts.py (library(...) or @stated)") from None


def _model_classes(annotation: Any) -> set[type]:
    """Model classes inside a field annotation (lists, unions, Annotated, Optional)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {annotation}
    return {c for arg in typing.get_args(annotation) for c in _model_classes(arg)}


def model_parts(root: type = Scene) -> set[type]:
    """Every model class reachable from `root`'s fields (the root excluded)."""
    seen: set[type] = set()
    todo = [root]
    while todo:
        for info in todo.pop().model_fields.values():
            for cls in _model_classes(info.annotation) - seen:
                seen.add(cls)
                todo.append(cls)
    return seen


# ---------------------------------------------------------------- library parts
library(
    SceneObject, AssetObject, AssetRef, SurfaceDetail, Texture, Mapping,  # objects (shapes: add_objects, materials: add_materials)
    LiquidEffect, LiquidForm, GasEffect,  # effects: fluid meshes, volume fields
    Backdrop, Lighting,  # the set (its mesh, material and the camera background it asks of the world)
    CameraRig, CameraView, Movement,  # posed at build time from the framing solve (the lens: set_camera)
    Grade, Style, Colour,  # the grade (within the Post: add_post), the looks, the palette (record only)
)


for _object in (SceneObject, AssetObject):  # no texture: nothing to write (the builder adds no pattern)
    ignored(_object, lambda o: ("texture",) if o.texture is not None and o.texture.node == "none" else ())


RECORD_ONLY = {"axes": {}, "rendered_axes": [], "not_rendered_axes": [], "color": None}
"""Scene fields the builder never reads, left out of scripts (empty there): every axis value by
name, which axes the renderer draws, and the colour axes' palette (the parts hold the colours
they resolved to). They are the sample's JSON member's; in a script they would repeat the
parts' own values and the spec's fixed choices."""


# ---------------------------------------------------------------- stated in bpy
def split_stated(scene: Scene) -> tuple[Scene, dict[str, list[tuple[str, Any]]]]:
    """The data the helper builds from (`scene` with the stated parts' lists and the RECORD_ONLY
    fields emptied), and the stated parts by builder step as (variable name, element) in build
    order."""
    data = scene.model_copy(deep=True, update={field: copy.copy(empty) for field, empty in RECORD_ONLY.items()})
    steps: dict[str, list[tuple[str, Any]]] = {}
    _split(data, steps)
    return data, steps


def _split(model: BaseModel, steps: dict[str, list[tuple[str, Any]]]) -> None:
    for field in type(model).model_fields:
        value = getattr(model, field)
        if isinstance(value, BaseModel):
            code = generator(type(value))
            if not code.step:
                _take_surface(value, steps)
                _split(value, steps)
                continue
            fields = type(model).model_fields
            takes = tuple(f for f in code.takes if f in fields)  # (an asset object's asset: only it has one)
            if not all(_accepts_none(fields[f].annotation) for f in ((field,) if code.keep is None else ()) + takes):
                raise ValueError(f"{type(model).__name__}.{field}: a part stated in bpy must be a list element "
                                 "or a field that accepts None (the data keeps an empty list or None in its place)")
            element = value
            if code.takes or code.reads:
                element = Taken(value, {f: getattr(model, f) for f in takes},
                                {f: getattr(model, f) for f in code.reads})
            for f in takes:
                setattr(model, f, None)
            setattr(model, field, None if code.keep is None else code.keep(value))
            if code.shared and steps.get(code.step):  # one bpy object for them all (a rig's views share a lens)
                if element != steps[code.step][0][1]:
                    raise ValueError(f"{type(model).__name__}.{field}: differs between the scene's parts, which "
                                     f"share one bpy {code.step}")
                continue
            taken = {n for n, _ in steps.get(code.step, [])}
            steps.setdefault(code.step, []).append((_numbered(field, taken), element))
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            codes = [generator(type(v)) for v in value]
            if any(c.step for c in codes) and not all(c.step for c in codes):
                raise ValueError(f"{type(model).__name__}.{field}: mixes parts stated in bpy and library parts")
            if all(c.step for c in codes):
                for element, code in zip(value, codes):
                    taken = {n for n, _ in steps.get(code.step, [])}
                    steps.setdefault(code.step, []).append((_variable(element, taken), element))
                setattr(model, field, [])
            else:
                for v in value:
                    _take_surface(v, steps)
                    _split(v, steps)


def _take_surface(part: BaseModel, steps: dict[str, list[tuple[str, Any]]]) -> None:
    """A library part whose material the script states: its material to the step, None in the data."""
    surface = _SURFACES.get(type(part))
    if surface is None:
        return
    stated = Surface(part.model_copy(deep=True))
    if surface.write(stated.part, "", 0):
        taken = {n for n, _ in steps.get(surface.step, [])}
        steps.setdefault(surface.step, []).append((_variable(part, taken), stated))
    for field in surface.fields(part):
        setattr(part, field, None)


def _accepts_none(annotation: Any) -> bool:
    return annotation is None or type(None) in typing.get_args(annotation)


def _variable(element: BaseModel, taken: set[str]) -> str:
    return _numbered(getattr(element, "role", None) or getattr(element, "element", None) or "part", taken)


def _numbered(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def stated_function(step: str, parts: list[tuple[str, Any]]) -> str:
    """The script's function for one stated step: each part's comment and bpy; for a step with
    no parts in this scene (no lamps: the world lights it), a body that says so."""
    function = next(c.function for c in _REGISTRY.values() if c.step == step)
    body = [f"    pass  # this scene has no {step}"] if not parts else []
    for index, (name, element) in enumerate(parts):
        if index:
            body.append("")
        write = _SURFACES[type(element.part)].write if isinstance(element, Surface) else \
            generator(_part_class(element)).write
        body.extend(f"    {line}" if line else "" for line in write(element.part if isinstance(element, Surface)
                                                                else element, name, index))
    return f"def {function}(bpy_scene):\n" + "\n".join(body) + "\n"


def _part_class(element: Any) -> type:
    return type(element.part if isinstance(element, Taken) else element)


@stated(SceneLight, "lights", "add_lights")
def light_code(light: SceneLight, name: str, index: int) -> list[str]:
    """One lamp, aimed at the subject's centre: what builder._lights does for it, in bpy (the
    same object name, `psynth_light_<place in the rig>`, and the same order)."""
    object_name = f"psynth_light_{index}"
    kind = light.type.upper()
    a, e = math.radians(light.azimuth_deg), math.radians(light.elevation_deg)
    location = tuple(light.distance * c for c in (math.sin(a) * math.cos(e), -math.cos(a) * math.cos(e), math.sin(e)))
    head = safe_words(f"{light.role} light", light.type, f"{light.kelvin:.0f} K", f"{light.power:g} W",
                      f"azimuth {light.azimuth_deg:g} deg", f"elevation {light.elevation_deg:g} deg")
    lamp = f"{name}_lamp"
    lines = [
        f"# {head}",
        f"{lamp} = bpy.data.lights.new({literal(object_name)}, {literal(kind)})",
        f"{lamp}.color, {lamp}.energy = {literal(tuple(light.rgb))}, {literal(light.power)}",
    ]
    if kind == "AREA":
        size_y = light.size_y if light.size_y is not None else light.size
        lines.append(f"{lamp}.shape, {lamp}.size, {lamp}.size_y = "
                     f"{literal(light.shape)}, {literal(light.size)}, {literal(size_y)}")
    elif kind in ("POINT", "SPOT"):
        lines.append(f"{lamp}.shadow_soft_size = {literal(light.size)}")
        if kind == "SPOT":
            lines.append(f"{lamp}.spot_size, {lamp}.spot_blend = "
                         f"math.radians({literal(light.spot_size_deg)}), {literal(light.spot_blend)}")
    else:
        lines.append(f"{lamp}.angle = math.radians({literal(light.size)})  # the sun's angular diameter")
    lines += [
        f"{name} = bpy.data.objects.new({literal(object_name)}, {lamp})",
        f"bpy_scene.collection.objects.link({name})",
        f"{name}.location = {literal(location)}",
        f"{name}.rotation_euler = (-Vector({name}.location)).to_track_quat(\"-Z\", \"Y\").to_euler()  # aim -Z at the subject",
    ]
    return lines


@stated(RenderSettings, "render", "set_render")
def render_code(render: RenderSettings, name: str, index: int) -> list[str]:
    """The engine, frame size and samples: render_settings.render_assignments (the table the
    builder applies, after HOUSE_SETTINGS, the same for every sample) as literal assignments, a
    comment per group; a group's settings of one bpy struct share lines (`cycles =
    bpy_scene.cycles`, then `cycles.a, cycles.b = 1, 2`)."""
    lines = [f"# render: {safe_words(render.concept, render.engine)}"]
    for comment, pairs in render_assignments(render):
        lines.append(f"# {safe_words(comment)}")
        by_owner: dict[str, list[tuple[str, Any]]] = {}
        for path, value in pairs:
            owner, _, attribute = path.rpartition(".")
            by_owner.setdefault(owner, []).append((attribute, value))
        for owner, settings in by_owner.items():
            short = owner.rpartition(".")[2]
            lines.append(f"{short} = bpy_scene.{owner}")
            lines.extend(tuple_assignments(short, settings))
    return lines


def tuple_assignments(owner: str, settings: list[tuple[str, Any]], width: int = 100, source=literal) -> list[str]:
    """`owner.a, owner.b = 1, 2` lines of at most about `width` columns (left to right, in order);
    `source(value)` writes a value (a literal; `str` for values already written as code)."""

    def line(chunk):
        return ", ".join(f"{owner}.{a}" for a, _ in chunk) + " = " + ", ".join(source(v) for _, v in chunk)

    out, chunk = [], []
    for setting in settings:
        if chunk and len(line(chunk + [setting])) > width:
            out.append(line(chunk))
            chunk = []
        chunk.append(setting)
    return out + [line(chunk)] if chunk else out


WORLD_KIND = "psynth_kind"
"""surfaces.WORLD_KIND (that module needs bpy; the tests check they agree)."""


@stated(Environment, "world", "set_world")
def world_code(w: Environment, name: str, index: int) -> list[str]:
    """The lighting world's node graph, what surfaces.lighting_world builds (the same nodes in
    the same order): a Background node fed by a colour, a horizon-to-zenith gradient, a Sky
    Texture or an environment image (loaded by the helper: `ps.hdri_image`, the bundled files'
    place and mean colour are library code), each tinted by the white balance."""
    tint, strength = tuple(w.tint), w.strength
    kind = "image" if w.file is not None else w.kind
    named = w.image if kind == "image" and w.file is None else w.sky_type if kind == "sky" else None
    lines = [
        f"# world: {safe_words(kind, named)}, strength {strength:g}",
        f"world, nodes, links = {MODULE}.world_tree(bpy_scene)",
        "output, light = nodes.new('ShaderNodeOutputWorld'), nodes.new('ShaderNodeBackground')",
    ]
    if strength != 1.0:  # a new Background node's
        lines.append(f"light.inputs['Strength'].default_value = {literal(strength)}")
    if kind == "image":
        lines += _image_world(w)
    elif kind == "uniform":
        color = tuple(c * t for c, t in zip(w.color, tint))
        lines += [f"light.inputs['Color'].default_value = {literal((*color, 1.0))}"]
        seen = [c * strength for c in color]
    elif kind == "gradient":
        horizon = tuple(c * t for c, t in zip(w.horizon_color, tint))
        zenith = tuple(c * t for c, t in zip(w.zenith_color, tint))
        lines += ["# from the horizon's colour (at and below it) to the zenith's (straight up)",
                  *_gradient_code("light", horizon, zenith)]
        seen = [(h + z) / 2 * strength for h, z in zip(horizon, zenith)]
    else:
        lines += _sky_code(w)
        seen = [0.5 * t * strength for t in tint]
    if kind != "image":
        lines.append(f"world.color = {literal(tuple(min(1.0, c) for c in seen))}  # what Workbench shows")
    lines += ["links.new(light.outputs['Background'], output.inputs['Surface'])",
              f"world[{literal(WORLD_KIND)}] = {literal(w.kind)}  # the backdrop's step reads it"]
    return lines


def mix_code(name: str, blend: str, a: str, b: str, factor: float | None = 1.0) -> list[str]:
    """A colour Mix node `name` of `a` and `b` (a socket expression or an RGB literal); its
    sockets by name (`Factor`, `A`, `B`, `Result`: Blender picks the colour ones of an RGBA mix);
    `factor` None: linked afterwards."""
    settings = f"{name}.data_type, {name}.blend_type, {name}.inputs['Factor'].default_value = " \
        f"'RGBA', {literal(blend)}, {literal(factor)}"
    if factor is None:
        settings = f"{name}.data_type, {name}.blend_type = 'RGBA', {literal(blend)}"
    elif len(settings) > 104:
        settings = (f"{name}.data_type, {name}.blend_type = 'RGBA', {literal(blend)}\n"
                    f"{name}.inputs['Factor'].default_value = {literal(factor)}")
    lines = [f"{name} = nodes.new('ShaderNodeMix')", *settings.split("\n")]
    for socket, value in (("A", a), ("B", b)):
        if isinstance(value, str):
            lines.append(f"links.new({value}, {name}.inputs[{literal(socket)}])")
        else:
            lines.append(f"{name}.inputs[{literal(socket)}].default_value = {literal((*value, 1.0))}")
    return lines


def _tinted(source: str, tint: tuple) -> list[str]:
    """`source` (a colour socket) times the white balance's tint, into the Background `light`."""
    mix = mix_code("tint", "MULTIPLY", source, tint)
    return [f"white_balance = {literal(tuple(tint))}  # the tint of the lighting's colour temperature",
            *mix[:-1], "tint.inputs['B'].default_value = (*white_balance, 1.0)",
            "links.new(tint.outputs['Result'], light.inputs['Color'])"]


def _gradient_code(target: str, horizon: tuple, zenith: tuple) -> list[str]:
    return ["coords = nodes.new('ShaderNodeTexCoord')",
            "height = nodes.new('ShaderNodeSeparateXYZ')",
            "links.new(coords.outputs['Generated'], height.inputs['Vector'])",
            "ramp = nodes.new('ShaderNodeMapRange')",
            "ramp.clamp = True",
            "links.new(height.outputs['Z'], ramp.inputs['Value'])",
            *mix_code("sky_colour", "MIX", horizon, zenith, factor=None),
            "links.new(ramp.outputs['Result'], sky_colour.inputs['Factor'])",
            f"links.new(sky_colour.outputs['Result'], {target}.inputs['Color'])"]


def _sky_code(w: Environment) -> list[str]:
    azimuth, elevation = math.radians(w.sun_azimuth_deg), math.radians(w.sun_elevation_deg)
    lines = [f"# the sky: {safe_words(w.sky_type)}, sun at elevation {w.sun_elevation_deg:g} deg, "
             f"azimuth {w.sun_azimuth_deg:g} deg",
             "sky = nodes.new('ShaderNodeTexSky')",
             f"sky.sky_type = {literal(w.sky_type)}"]
    if w.sky_type in ("SINGLE_SCATTERING", "MULTIPLE_SCATTERING"):
        rotation = (math.pi - azimuth) % (2 * math.pi)  # the sky's pi is toward -Y and turns the other way
        lines += [f"sky.sun_elevation, sky.sun_rotation = {literal(elevation)}, {literal(rotation)}",
                  f"sky.sun_size, sky.sun_intensity, sky.sun_disc = "
                  f"{literal(math.radians(w.sun_size_deg))}, {literal(w.sun_intensity)}, {literal(w.sun_disc)}",
                  f"sky.altitude, sky.air_density = {literal(w.altitude_m)}, {literal(w.air_density)}",
                  f"sky.aerosol_density, sky.ozone_density = {literal(w.aerosol_density)}, {literal(w.ozone_density)}"]
    else:
        direction = (math.sin(azimuth) * math.cos(elevation), -math.cos(azimuth) * math.cos(elevation),
                     math.sin(elevation))
        lines += [f"sky.sun_direction = {literal(direction)}",
                  f"sky.turbidity, sky.ground_albedo = {literal(w.turbidity)}, {literal(w.ground_albedo)}"]
    return lines + _tinted("sky.outputs['Color']", tuple(w.tint))


def _image_world(w: Environment) -> list[str]:
    if w.file is not None:
        load = f"image = {MODULE}.catalog_hdri_image({literal(w.file.model_dump(mode='json'))})"
    else:
        load = f"image = {MODULE}.hdri_image({literal(w.image)})  # bundled with Blender"
    return [load,
            f"# turned {w.rotation_deg:g} deg about Z",
            "coords = nodes.new('ShaderNodeTexCoord')",
            "turn = nodes.new('ShaderNodeMapping')",
            f"turn.inputs['Rotation'].default_value = (0.0, 0.0, math.radians({literal(w.rotation_deg)}))",
            "texture = nodes.new('ShaderNodeTexEnvironment')",
            "texture.image = image",
            "links.new(coords.outputs['Generated'], turn.inputs['Vector'])",
            "links.new(turn.outputs['Vector'], texture.inputs['Vector'])",
            *_tinted("texture.outputs['Color']", tuple(w.tint)),
            "# what Workbench shows: the image's mean colour, tinted, times the strength",
            f"world.color = [min(1.0, m * t * {literal(w.strength)})",
            "               for m, t in zip(image['psynth_mean_rgb'], white_balance)]"]


def _float32(value: Any) -> Any:
    """`value` as Blender stores it (float properties are single precision)."""
    return struct.unpack("f", struct.pack("f", value))[0] if isinstance(value, float) else value


_CAMERA_GROUPS = {"type": "projection and sensor", "shift_x": "lens shift (tilt-shift)",
                  "panorama_type": "panoramic projection", "dof.use_dof": "depth of field"}
"""The comment over the lines that start at a path (or at a later path of its group)."""
_CAMERA_NOTES = {"dof.aperture_fstop": "the f-number scaled to the scene's size",
                 "ortho_scale": "a solved framing sets it again"}


@stated(Lens, "camera", "set_camera", takes=OPTICS_FIELDS, shared=True)
def camera_code(optics: Taken, name: str, index: int) -> list[str]:
    """The lens: camera_optics.optics_assignments (the table the builder's camera step applies)
    as literal assignments on the new lens that `ps.camera_data` gives, less what a new bpy
    camera already holds (BLENDER_CAMERA_DEFAULTS); a comment per group."""
    lens, fields = optics.part, optics.fields
    head = safe_words(f"{lens.concept} lens", lens.panorama_type or lens.lens_type, f"{fields['focal_length']:g} mm")
    lines = [f"# camera: {head}",
             f"camera = {MODULE}.camera_data(bpy_scene)"]
    order = list(BLENDER_CAMERA_DEFAULTS)
    starts = sorted((order.index(path), comment) for path, comment in _CAMERA_GROUPS.items())
    written = set()
    for path, value in optics_assignments(lens, **fields):
        if not differs(value, BLENDER_CAMERA_DEFAULTS[path]):
            continue
        group = [c for start, c in starts if start <= order.index(path)][-1]
        if group not in written:
            written.add(group)
            lines.append(f"# {group}")
        source = f"math.radians({literal(lens.fisheye_fov_deg)})" if path == "fisheye_fov" else literal(value)
        note = f"  # {_CAMERA_NOTES[path]}" if path in _CAMERA_NOTES else ""
        lines.append(f"camera.{path} = {source}{note}")
    return lines


def differs(value: Any, default: Any) -> bool:
    """Whether Blender would hold `value` differently from `default` (float32, tuples item-wise)."""
    if isinstance(value, (tuple, list)):
        return len(value) != len(default) or any(differs(v, d) for v, d in zip(value, default))
    return _float32(value) != _float32(default)


def input_lines(node: str, pairs: list[tuple[str, Any]], width: int = 100) -> list[str]:
    """`node.inputs[NAME].default_value = VALUE` lines; three and more as one loop over a dict of
    them (the same idiom for every node), the dict filled up to `width` columns a line."""
    if len(pairs) < 3:
        return [f"{node}.inputs[{literal(name)}].default_value = {literal(value)}" for name, value in pairs]
    head, pad = "for name, value in {", " " * len("for name, value in {")
    rows, row = [], head
    for index, (name, value) in enumerate(pairs):
        item = f"{literal(name)}: {literal(value)}" + ("}.items():" if index == len(pairs) - 1 else ",")
        if row not in (head, pad) and len(row) + 1 + len(item) > width:
            rows.append(row)
            row = pad
        row += ("" if row in (head, pad) else " ") + item
    return [*rows, row, f"    {node}.inputs[name].default_value = value"]


def principled_tree(material_name: str) -> list[str]:
    """The material `material_name`, emptied, with a Principled BSDF `bsdf` wired to its output."""
    return [f"material, nodes, links = {MODULE}.material_tree({literal(material_name)})",
            "output, bsdf = nodes.new('ShaderNodeOutputMaterial'), nodes.new('ShaderNodeBsdfPrincipled')",
            "links.new(bsdf.outputs['BSDF'], output.inputs['Surface'])"]


@stated(Material, "materials", "add_materials", reads=("name",))
def material_code(material: Taken, name: str, index: int) -> list[str]:
    """One object's material, what surfaces.subject_material makes (the same nodes, in the same
    order): a Principled BSDF wired to the output, its inputs from material_settings (the
    builder's table) less a new node's values, the viewport's colour and finish, and the
    surface detail (a library pattern graph: `ps.surface_detail`) where the material has one."""
    m, object_name = material.part, material.read["name"]
    base, inputs = principled_inputs(m)
    lines = [f"# {safe_words(object_name)}: {safe_words(m.concept)} material",
             *principled_tree(object_name), f"base_color = {literal(tuple(base))}",
             "bsdf.inputs['Base Color'].default_value = (*base_color, 1.0)",
             *input_lines("bsdf", [(socket, value) for socket, value in inputs
                                   if socket != "Base Color" and differs(value, PRINCIPLED_DEFAULTS[socket])])]
    if m.detail:
        lines.append(f"{MODULE}.surface_detail(material, bsdf, {constructor(m.detail, 4)}, base_color)"
                     f"  # {safe_words(m.detail.pattern)} pattern")
    viewport = [(a, f"(*base_color, {literal(m.alpha)})" if a == "diffuse_color" else literal(v))
                for a, v in viewport_settings(m, base) if differs(v, MATERIAL_DEFAULTS[a])]
    if viewport:
        lines += ["# what Workbench and the viewport show", *tuple_assignments("material", viewport, source=str)]
    return lines


import psynth_render.scene_code_effects  # noqa: E402,F401  registers the backdrop's and effects' materials
import psynth_render.scene_code_post  # noqa: E402,F401  registers the Post part's add_post (its own module)
import psynth_render.scene_code_objects  # noqa: E402,F401  registers the Geometry part's add_objects

"""Liquids and gases (the scene model's LiquidEffect and GasEffect): the liquid body (fluids.py
geometry, a Principled surface with an absorbing/scattering interior) and the gas volume (a box domain with a Principled Volume whose
density field takes the gas's shape and noise), plus the light a burning gas casts.

Cost: gases that fill the scene are homogeneous (no noise), which Cycles integrates without
ray marching; shaped gases are ray-marched (Cycles' biased volume mode) at VOLUME_STEP_RATE (coarser than Blender's default of 1)
with at most VOLUME_MAX_STEPS steps, and a fire's light on the scene comes from a point lamp
at its heart (sampled directly, so it lights the subject without noise) rather than from the
volume's emission alone.
"""

import math

import bpy
from mathutils import Vector

from psynth_render.scene.build.fluids import liquid_mesh, merge, sheet
from psynth_render.scene.build.framing import look_amount
from psynth_render.scene.build.gas_fields import blackbody_emission, look_field
from psynth_render.scene.build.medium_settings import (
    GAS_MATERIAL, LIQUID_MATERIAL, gas_emission_fields, gas_emission_inputs, gas_volume_inputs, liquid_inputs, liquid_viewport,
    liquid_volumes,
)
from psynth_render.scene.build.patterns import math_node
from psynth_render.scene.build.placement import FLAT_RATIO

LIQUID = "psynth_liquid"
GAS = "psynth_gas"
GAS_LIGHT = "psynth_gas_light"
FLAME_SWAY = 0.6
"""How far past its base radius turbulence pushes a flame (x turbulence; flame_field sways by at
most turbulence x 1.15 / 2)."""
VOLUME_STEP_RATE = 4.0
VOLUME_MAX_STEPS = 96


def _mtag(obj):
    obj["psynth"] = True
    return obj


def _replace_mesh(name, data):
    """The object `name` holding a fresh mesh from shape `data` (created if needed)."""
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(data["verts"], [], data["faces"])
    if data["faces"]:
        mesh.polygons.foreach_set("use_smooth", [bool(s) for s in data["smooth"]])
    mesh.update()
    obj = bpy.data.objects.get(name)
    if obj is None:
        obj = _mtag(bpy.data.objects.new(name, mesh))
    else:
        old = obj.data
        obj.data = mesh
        if old is not None and old.users == 0:
            bpy.data.meshes.remove(old)
    scene = bpy.context.scene
    if obj.name not in scene.collection.objects:
        scene.collection.objects.link(obj)
    obj.location = (0.0, 0.0, 0.0)
    obj.rotation_euler = (0.0, 0.0, 0.0)
    return obj


def remove_object(name):
    """Delete an object and its mesh or light data when nothing else uses them."""
    obj = bpy.data.objects.get(name)
    if obj is None:
        return
    data = obj.data
    bpy.data.objects.remove(obj, do_unlink=True)
    if data is not None and data.users == 0:
        if isinstance(data, bpy.types.Mesh):
            bpy.data.meshes.remove(data)
        elif isinstance(data, bpy.types.Light):
            bpy.data.lights.remove(data)


def _fresh_material(name):
    mat = bpy.data.materials.get(name) or bpy.data.materials.new(name)
    if mat.node_tree is None:
        mat.use_nodes = True
    mat.node_tree.nodes.clear()
    return mat


# ---------------------------------------------------------------- liquid
def liquid(subject, liquid_desc, floor_z, facing=None, eye=None, spot=None):
    """Build (or remove, for None) the liquid body; `facing`: the camera's azimuth in the
    subject's frame (radians), where forms on the subject gather (drips on the side it sees);
    `eye`: the direction toward the camera in the subject's frame (droplets, coating); `spot`:
    where a pour stands in the shot (pour_spot.PourSpot; None: beside the subject's right)."""
    if liquid_desc is None:
        remove_object(LIQUID)
        return None

    def surface(direction, origin=None):  # the subject's surface toward its centre, or from origin
        d = Vector(direction).normalized()
        hit, point, normal, _ = subject.ray_cast(d * 4.0 if origin is None else Vector(origin), -d)
        return (tuple(point), tuple(normal)) if hit else None

    form = liquid_desc.form.model_dump(mode="json")  # fluids.py's mesh makers read plain data
    form["facing"] = None if facing is None else round(facing, 3)
    if spot is not None and form["form"] == "pour":
        form["spot"] = {"landing": list(spot.landing), "top": spot.top, "stream_radius": spot.stream_radius,
                        "pool_reach": spot.pool_reach}
    if form["form"] in ("droplets", "coating"):
        form.update(surface_frame(subject, eye))
    form["subject_height"] = round(world_bounds(subject)[1][2] - floor_z, 3)
    key = repr([form, liquid_desc.viscosity, round(floor_z, 5), liquid_desc.seed,
                subject.get("psynth_key"), form["form"] in ("drip", "droplets", "coating")
                and [round(a, 3) for a in subject.rotation_euler]])
    obj = bpy.data.objects.get(LIQUID)
    if obj is None or obj.get("psynth_key") != key:
        data = liquid_mesh(form, liquid_desc.viscosity, floor_z, liquid_desc.seed, surface)
        if form["form"] in ("drip", "droplets", "coating"):  # ray casts are in object space
            m = subject.matrix_world
            data["verts"] = [tuple(m @ Vector(v)) for v in data["verts"]]
        if form["form"] == "drip":  # what dripped lies in a thin puddle at the foot, in sight
            world_facing = None if facing is None else facing + subject.matrix_world.to_euler().z
            data = merge([data, _landing_puddle(subject, floor_z, world_facing)])
        obj = _replace_mesh(LIQUID, data)
        obj["psynth_key"] = key
    obj.location, obj.rotation_euler = (0.0, 0.0, 0.0), (0.0, 0.0, 0.0)  # a reused body may have moved
    obj.pass_index = 0
    if liquid_desc.color is None:  # made by the script's add_materials
        mat = bpy.data.materials[LIQUID_MATERIAL]
    else:
        mat = liquid_material(liquid_desc)
    if obj.data.materials:
        obj.data.materials[0] = mat
    else:
        obj.data.materials.append(mat)
    return obj


def surface_frame(subject, eye):
    """What the surface forms need of the subject, in its own frame: the camera's direction
    (`eye`), the radius of its bounds, the height of its top and whether it is flat."""
    corners = [Vector(c) for c in subject.bound_box]
    span = [max(c[k] for c in corners) - min(c[k] for c in corners) for k in range(3)]
    return {
        "eye": None if eye is None else [round(c, 3) for c in eye],
        "bound_radius": round(max(c.length for c in corners), 3),
        "top": round(max(c.z for c in corners), 3),
        "flat": span[2] <= FLAT_RATIO * max(span[0], span[1], 1e-9),
    }


PUDDLE_RADIUS = 0.5
"""Radius of the puddle drips land in (object radii), at the edge of the subject's footprint
on the camera's side."""


def world_bounds(obj):
    """The world-space box (lo, hi corners, as lists) around `obj`'s bounds."""
    corners = [obj.matrix_world @ Vector(c) for c in obj.bound_box]
    return [min(c[k] for c in corners) for k in range(3)], [max(c[k] for c in corners) for k in range(3)]


def _landing_puddle(subject, floor_z, facing):
    lo, hi = world_bounds(subject)
    reach = 0.9 * max(abs(v) for v in (*lo[:2], *hi[:2]))
    a = facing if facing is not None else -1.5707963
    cx, cy = reach * math.cos(a), reach * math.sin(a)
    puddle = sheet(lambda _: PUDDLE_RADIUS, lambda f, _: 0.012 * (1 - f * f) + 0.002, floor_z)
    puddle["verts"] = [(x + cx, y + cy, z) for x, y, z in puddle["verts"]]
    return puddle


def liquid_material(q):
    """Principled surface (IOR, colour, transmission or subsurface) and an interior volume:
    Beer-Lambert absorption of `absorption_color` and scattering of `scattering_color`
    (medium_settings, the table scene scripts write in their `add_materials` instead)."""
    mat = _fresh_material(LIQUID_MATERIAL)
    nodes, links = mat.node_tree.nodes, mat.node_tree.links
    out = nodes.new("ShaderNodeOutputMaterial")
    bsdf = nodes.new("ShaderNodeBsdfPrincipled")
    links.new(bsdf.outputs["BSDF"], out.inputs["Surface"])
    base, inputs = liquid_inputs(q)
    for socket, value in inputs:
        bsdf.inputs[socket].default_value = value
    parts = []
    for kind, values in liquid_volumes(q):
        node = nodes.new(kind)
        for socket, value in values:
            node.inputs[socket].default_value = value
        parts.append(node.outputs[0])
    if parts:
        volume = parts[0]
        if len(parts) == 2:
            add = nodes.new("ShaderNodeAddShader")
            links.new(parts[0], add.inputs[0])
            links.new(parts[1], add.inputs[1])
            volume = add.outputs[0]
        links.new(volume, out.inputs["Volume"])
    for attribute, value in liquid_viewport(q, base):
        setattr(mat, attribute, value)
    return mat


# ---------------------------------------------------------------- gas
def gas_domain(g, floor_z, reach):
    """(min corner, max corner) of the gas's box domain in scene units."""
    shape = g.shape
    if shape == "fill":
        return (-reach, -reach, floor_z), (reach, reach, floor_z + reach)
    if shape == "layer":
        return (-reach, -reach, floor_z), (reach, reach, floor_z + g.height)
    cx, cy, cz = g.centre
    if shape == "plume" and g.look == "flame":  # flames taper from a disc of radius extent
        r = g.extent + FLAME_SWAY * g.turbulence  # (gas_fields.flame_field): no wider box to march
        return (cx - r, cy - r, floor_z + cz), (cx + r, cy + r, floor_z + cz + g.height)
    if shape == "plume":  # its foot cz above the floor; widening and swaying as it rises
        r = g.extent * max(1.6, 0.35 + g.widen + 0.3) + 0.5 * g.turbulence
        return (cx - r, cy - r, floor_z + cz), (cx + r, cy + r, floor_z + cz + g.height)
    r = g.extent * (1.0 if g.look == "plain" else 1.0 + g.noise_contrast)
    return (cx - r, cy - r, max(floor_z, cz - r)), (cx + r, cy + r, cz + r)


def _domain_box(lo, hi):
    verts = [(x, y, z) for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    faces = [[0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]]
    return {"verts": verts, "faces": faces, "smooth": [False] * 6, "sharp": []}


def gas(scene, g, floor_z, reach):
    """Build (or remove, for None or zero density) the gas volume and its light."""
    if g is None or g.density_value <= 0:
        remove_object(GAS)
        remove_object(GAS_LIGHT)
        _volume_settings(scene, False)
        return None
    lo, hi = gas_domain(g, floor_z, reach)
    obj = _replace_mesh(GAS, _domain_box(lo, hi)) if _domain_changed(lo, hi) else bpy.data.objects[GAS]
    obj.location, obj.rotation_euler = (0.0, 0.0, 0.0), (0.0, 0.0, 0.0)  # a reused domain may have moved
    obj["psynth_domain"] = [*lo, *hi]
    obj.pass_index = 0
    obj.visible_shadow = g.look != "flame"  # a flame's opaque soot would shadow its own lamp
    obj.visible_diffuse = not g.emits  # its lamp lights the scene; bounces into it are fireflies
    mat = gas_material(g, floor_z)
    if obj.data.materials:
        obj.data.materials[0] = mat
    else:
        obj.data.materials.append(mat)
    _gas_light(scene, g, floor_z)
    _volume_settings(scene, True)
    return obj


def _domain_changed(lo, hi):
    obj = bpy.data.objects.get(GAS)
    return obj is None or list(obj.get("psynth_domain", [])) != [*lo, *hi]


def _volume_settings(scene, on):
    c = scene.cycles
    c.volume_biased = on  # ray marching; the unbiased default is ~50x slower on these media
    c.volume_step_rate = VOLUME_STEP_RATE if on else 1.0
    c.volume_max_steps = VOLUME_MAX_STEPS if on else 1024


def volume_shader(name, g):
    """A fresh material `name` holding a Principled Volume of the gas's colour, absorption and
    anisotropy; returns (material, its Principled Volume node)."""
    mat = _fresh_material(name)
    nodes, links = mat.node_tree.nodes, mat.node_tree.links
    out = nodes.new("ShaderNodeOutputMaterial")
    vol = nodes.new("ShaderNodeVolumePrincipled")
    links.new(vol.outputs["Volume"], out.inputs["Volume"])
    for socket, value in gas_volume_inputs(g):
        vol.inputs[socket].default_value = value
    mat.diffuse_color = (*g.color, 1.0)
    return mat, vol


def gas_material(g, floor_z):
    """Principled Volume; density = gas.density x density_scale x shape falloff x noise. A gas
    whose volume shader a scene script's `add_materials` stated (`color` None in its data; the
    build read back its emission: stated_gas_emission) gets only its density and field here."""
    mat, vol = stated_volume() if g.color is None else gas_shader(g)
    nodes, links = mat.node_tree.nodes, mat.node_tree.links
    vol.inputs["Density"].default_value = g.density_value
    if g.look != "plain":
        _look_density(nodes, links, vol, g, floor_z)
    elif g.shape != "fill":  # the field shapes density, emission and temperature alike
        field = _density_field(nodes, links, g, floor_z)
        links.new(math_node(nodes, links, "MULTIPLY", field, g.density_value), vol.inputs["Density"])
        if g.emission_strength > 0:
            links.new(math_node(nodes, links, "MULTIPLY", field, g.emission_strength), vol.inputs["Emission Strength"])
        if g.blackbody_kelvin is not None:
            heat = math_node(nodes, links, "MINIMUM", field, 1.0)
            links.new(math_node(nodes, links, "MULTIPLY", heat, g.blackbody_kelvin), vol.inputs["Temperature"])
    return mat


def gas_shader(g):
    """The gas's volume shader, what a scene script's `add_materials` states: (material, its
    Principled Volume) with the gas's colour, absorption, anisotropy and emission."""
    mat, vol = volume_shader(GAS_MATERIAL, g)
    for socket, value in gas_emission_inputs(g):
        vol.inputs[socket].default_value = value
    return mat, vol


def stated_volume():
    """The gas material a scene script's `add_materials` made, and its Principled Volume."""
    mat = bpy.data.materials[GAS_MATERIAL]
    return mat, next(n for n in mat.node_tree.nodes if n.bl_idname == "ShaderNodeVolumePrincipled")


def stated_gas_emission(gas):
    """A gas whose volume shader a scene script stated takes its emission back from the bpy
    material (medium_settings.gas_emission_fields): whether it burns and how its density field
    scales the glow are the library's to compute."""
    _, vol = stated_volume()
    inputs = {s.name: s.default_value for s in vol.inputs if hasattr(s, "default_value")}
    for name, value in gas_emission_fields(inputs).items():
        setattr(gas, name, value)


def _look_density(nodes, links, vol, g, floor_z):
    """The look's field (gas_fields) drives density, and a burning look's blackbody emission."""
    cx, cy, cz = g.centre
    origin = (cx, cy, floor_z + cz) if g.shape in ("plume", "layer", "fill") else (cx, cy, cz)
    field, heat = look_field(nodes, links, dict(
        {k: getattr(g, k) for k in ("look", "extent", "height", "noise_scale", "noise_detail", "noise_contrast",
                                    "stretch", "turbulence", "widen", "edge_gain")},
        origin=origin, amount=look_amount(g.density, g.look), w=g.seed % 1000 / 10.0, reach=g.reach))
    links.new(math_node(nodes, links, "MULTIPLY", field, g.density_value), vol.inputs["Density"])
    if heat is not None and g.blackbody_kelvin is not None:
        tip = g.tip_kelvin if g.tip_kelvin is not None else g.blackbody_kelvin
        blackbody_emission(nodes, links, vol, heat, field, g.blackbody_kelvin, tip, g.blackbody_intensity * g.density)
    elif g.emission_strength > 0:
        links.new(math_node(nodes, links, "MULTIPLY", field, g.emission_strength), vol.inputs["Emission Strength"])


def _density_field(nodes, links, g, floor_z):
    """The gas's shape: falloff(shape) x noise (0 outside, ~1 in the thick of it), from
    world positions."""
    position = nodes.new("ShaderNodeNewGeometry").outputs["Position"]
    split = nodes.new("ShaderNodeSeparateXYZ")
    links.new(position, split.inputs[0])
    x, y, z = split.outputs["X"], split.outputs["Y"], split.outputs["Z"]
    cx, cy, cz = g.centre
    height_frac = math_node(nodes, links, "DIVIDE", math_node(nodes, links, "SUBTRACT", z, floor_z), g.height)
    if g.shape == "layer":  # densest at the floor, thinning to nothing at `height`
        falloff = math_node(nodes, links, "MAXIMUM", math_node(nodes, links, "SUBTRACT", 1.0, height_frac), 0.0)
    else:
        dx = math_node(nodes, links, "SUBTRACT", x, cx)
        dy = math_node(nodes, links, "SUBTRACT", y, cy)
        if g.shape == "plume":  # smoke widens as it rises, flames taper; both fade at the top
            widen = -0.8 if g.emits else 0.6
            radius = math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "ADD", math_node(nodes, links, "MULTIPLY", height_frac, widen), 0.9 if g.emits else 0.7), g.extent)
            r = math_node(nodes, links, "SQRT", math_node(nodes, links, "ADD", math_node(nodes, links, "MULTIPLY", dx, dx), math_node(nodes, links, "MULTIPLY", dy, dy)))
            radial = math_node(nodes, links, "MAXIMUM", math_node(nodes, links, "SUBTRACT", 1.0, math_node(nodes, links, "DIVIDE", r, radius)), 0.0)
            top = math_node(nodes, links, "MAXIMUM", math_node(nodes, links, "SUBTRACT", 1.0, height_frac), 0.0)
            falloff = math_node(nodes, links, "MULTIPLY", radial, math_node(nodes, links, "SQRT", top))
        else:  # blob: a ball
            dz = math_node(nodes, links, "SUBTRACT", z, cz)
            d2 = math_node(nodes, links, "ADD", math_node(nodes, links, "ADD", math_node(nodes, links, "MULTIPLY", dx, dx), math_node(nodes, links, "MULTIPLY", dy, dy)), math_node(nodes, links, "MULTIPLY", dz, dz))
            falloff = math_node(nodes, links, "MAXIMUM", math_node(nodes, links, "SUBTRACT", 1.0, math_node(nodes, links, "DIVIDE", math_node(nodes, links, "SQRT", d2), g.extent)), 0.0)
        falloff = math_node(nodes, links, "MINIMUM", math_node(nodes, links, "MULTIPLY", falloff, 1.5), 1.0)
    noise = nodes.new("ShaderNodeTexNoise")
    noise.inputs["Scale"].default_value = g.noise_scale
    noise.inputs["Detail"].default_value = min(g.noise_detail, 4.0)  # cost: octaves per step
    noise.noise_dimensions = "4D"
    noise.inputs["W"].default_value = g.seed % 1000 / 10.0
    links.new(position, noise.inputs["Vector"])
    contrast = g.noise_contrast
    wobble = math_node(nodes, links, "MAXIMUM", math_node(nodes, links, "ADD", math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", noise.outputs["Fac"], 0.5), 4.0 * contrast), 1.0), 0.0)
    return math_node(nodes, links, "MULTIPLY", falloff, wobble)


def _gas_light(scene, g, floor_z):
    """A burning gas lights the scene: a point lamp of its blackbody colour at its heart."""
    if not g.emits:
        remove_object(GAS_LIGHT)
        return
    obj = bpy.data.objects.get(GAS_LIGHT)
    if obj is None:
        obj = _mtag(bpy.data.objects.new(GAS_LIGHT, bpy.data.lights.new(GAS_LIGHT, "POINT")))
    if obj.name not in scene.collection.objects:
        scene.collection.objects.link(obj)
    cx, cy, cz = g.centre
    # half way up the flames: above the subject's middle, so it reaches the side the camera sees
    rise = 0.5 if g.look != "plain" else 0.3
    obj.location = (cx, cy, cz if g.shape == "blob" else floor_z + cz + rise * g.height)
    light = obj.data
    light.color = g.light_rgb
    light.energy = g.light_power
    light.shadow_soft_size = max(0.2, 0.5 * g.extent)
    light.use_temperature = False


"""Shader node trees: the subject's Principled material, the backdrop's, and the world.

They read the scene model's parts by attribute: Material (with its SurfaceDetail), Backdrop,
Environment (describe.model). Trees are rebuilt on every build: it is cheap, leaves nothing
of the previous sample behind, and an unchanged tree compiles to the same shader, which the
engines cache. Colours are linear RGB.
"""

import math

import bpy

from psynth_render.scene.build.material_settings import principled_inputs, viewport_settings
from psynth_render.scene.build.medium_settings import (
    BACKDROP_MATERIAL, backdrop_inputs, backdrop_pattern, backdrop_viewport, rgba,
)
from psynth_render.scene.build.surface_details import patch_factor, vein_factor

SUBJECT_MATERIAL = "psynth_subject"
WORLD = "psynth_world"
WORLD_KIND = "psynth_kind"
"""The world's custom property naming its environment kind (uniform, gradient, sky, image)."""


def fresh_tree(owner):
    if owner.node_tree is None:
        owner.use_nodes = True
    tree = owner.node_tree
    tree.nodes.clear()
    return tree


def _material(name):
    return bpy.data.materials.get(name) or bpy.data.materials.new(name)


def _assign(obj, mat):
    """Give `obj` material `mat` in an object-linked slot: meshes are shared between objects."""
    if not obj.data.materials:
        obj.data.materials.append(None)
    slot = obj.material_slots[0]
    slot.link = "OBJECT"
    slot.material = mat


def _socket(sockets, identifier):
    return next(s for s in sockets if s.identifier == identifier)


def _mix_rgb(nodes, a, b, factor=1.0, blend="MIX"):
    """A colour Mix node; returns (factor input, result output) sockets."""
    node = nodes.new("ShaderNodeMix")
    node.data_type = "RGBA"
    node.blend_type = blend
    fac = _socket(node.inputs, "Factor_Float")
    fac.default_value = factor
    for identifier, value in (("A_Color", a), ("B_Color", b)):
        if isinstance(value, bpy.types.NodeSocket):
            node.id_data.links.new(value, _socket(node.inputs, identifier))
        else:
            _socket(node.inputs, identifier).default_value = rgba(value)
    return fac, _socket(node.outputs, "Result_Color")


# ---------------------------------------------------------------- subject
def material_tree(name):
    """The material `name` (made if needed) with its node tree emptied: (material, nodes, links)."""
    mat = _material(name)
    tree = fresh_tree(mat)
    return mat, tree.nodes, tree.links


def _principled_tree(mat):
    """Empty the material's node tree and wire a Principled BSDF to its output."""
    tree = fresh_tree(mat)
    nodes, links = tree.nodes, tree.links
    out = nodes.new("ShaderNodeOutputMaterial")
    bsdf = nodes.new("ShaderNodeBsdfPrincipled")
    links.new(bsdf.outputs["BSDF"], out.inputs["Surface"])
    return nodes, links, out, bsdf


def subject_material(obj, m, name=SUBJECT_MATERIAL):
    """A Principled BSDF with every MaterialParams field (material_settings, the table scene
    scripts write), plus its surface detail if any (material `name`: one per object of a
    multi-object scene)."""
    mat = _material(name)
    nodes, links, out, bsdf = _principled_tree(mat)
    base, inputs = principled_inputs(m)
    for socket, value in inputs:
        bsdf.inputs[socket].default_value = value
    if m.detail:
        _detail(mat.node_tree, bsdf, m.detail, base)
    for attribute, value in viewport_settings(m, base):
        setattr(mat, attribute, value)
    _assign(obj, mat)
    return mat


def stated_material(obj, name):
    """The material a scene script's `add_materials` made for the object, in its slot."""
    mat = bpy.data.materials[name]
    _assign(obj, mat)
    return mat


def surface_detail(mat, bsdf, detail, base):
    """A scene script's call for a material's surface detail (a library pattern graph): after
    the script has set the BSDF's inputs, as subject_material does."""
    _detail(mat.node_tree, bsdf, detail, base)


def _detail(tree, bsdf, d, base):
    """Intrinsic surface variation (grain, veins, weave...): a pattern factor that blends the
    base colour toward `color` by `mix` and bumps the surface by `bump_strength`."""
    nodes, links = tree.nodes, tree.links
    coords = nodes.new("ShaderNodeTexCoord")
    mapping = nodes.new("ShaderNodeMapping")
    links.new(coords.outputs["Object"], mapping.inputs["Vector"])
    pattern, scale = d.pattern, d.scale
    if pattern == "brushed":  # streaks: noise stretched along x
        mapping.inputs["Scale"].default_value = (0.02, 1.0, 1.0)
    factor = _pattern(nodes, links, pattern, d, mapping.outputs["Vector"], scale)
    if d.color is not None and pattern != "pores":
        mix = nodes.new("ShaderNodeMath")
        mix.operation = "MULTIPLY"
        links.new(factor, mix.inputs[0])
        mix.inputs[1].default_value = d.mix
        fac, color = _mix_rgb(nodes, base, d.color)
        links.new(mix.outputs[0], fac)
        links.new(color, bsdf.inputs["Base Color"])
    for name, target in (("Roughness", d.roughness), ("Metallic", d.metallic)):
        if target is not None:  # the pattern's regions (rust patches) take their own finish
            start = bsdf.inputs[name].default_value
            links.new(_scaled(nodes, links, factor, target - start, start), bsdf.inputs[name])
    if d.bump_strength > 0:
        bump = nodes.new("ShaderNodeBump")
        bump.inputs["Strength"].default_value = d.bump_strength
        bump.inputs["Distance"].default_value = 0.02
        links.new(factor, bump.inputs["Height"])
        links.new(bump.outputs["Normal"], bsdf.inputs["Normal"])


def _scaled(nodes, links, factor, gain, offset):
    """offset + gain x factor, as a Multiply Add math node."""
    node = nodes.new("ShaderNodeMath")
    node.operation = "MULTIPLY_ADD"
    links.new(factor, node.inputs[0])
    node.inputs[1].default_value = gain
    node.inputs[2].default_value = offset
    return node.outputs[0]


def _pattern(nodes, links, pattern, d, vector, scale):
    """The pattern's scalar output socket (0..1-ish)."""
    if pattern == "veins" and d.distortion > 0:
        return vein_factor(nodes, links, vector, scale, d.distortion, d.detail, d.width)
    if pattern == "patches":
        return patch_factor(nodes, links, vector, scale, d.detail, d.width)
    if pattern in ("noise", "brushed", "veins") and not (pattern == "veins" and d.distortion > 0):
        node = nodes.new("ShaderNodeTexNoise")
        if pattern == "veins":
            node.noise_type = "RIDGED_MULTIFRACTAL"
        node.inputs["Detail"].default_value = d.detail
        node.inputs["Distortion"].default_value = d.distortion
        out = node.outputs["Fac"]
    elif pattern in ("bands", "rings", "veins", "weave"):
        node = nodes.new("ShaderNodeTexWave")
        node.wave_type = "RINGS" if pattern == "rings" else "BANDS"
        node.inputs["Distortion"].default_value = d.distortion
        node.inputs["Detail"].default_value = d.detail
        out = node.outputs["Fac"]
        if pattern == "weave":  # bands in x times bands in y
            other = nodes.new("ShaderNodeTexWave")
            other.bands_direction = "Y"
            other.inputs["Scale"].default_value = scale
            links.new(vector, other.inputs["Vector"])
            product = nodes.new("ShaderNodeMath")
            product.operation = "MULTIPLY"
            links.new(out, product.inputs[0])
            links.new(other.outputs["Fac"], product.inputs[1])
            out = product.outputs[0]
    else:  # cells, pores
        node = nodes.new("ShaderNodeTexVoronoi")
        out = node.outputs["Distance"]
    node.inputs["Scale"].default_value = scale
    links.new(vector, node.inputs["Vector"])
    return out


# ---------------------------------------------------------------- backdrop
def backdrop_material(obj, bg):
    """Diffuse-ish backdrop surface: colour, roughness, metallic, optional checker or grid
    (medium_settings, the table scene scripts write in their `add_materials` instead)."""
    mat = _material(BACKDROP_MATERIAL)
    nodes, links, out, bsdf = _principled_tree(mat)
    for socket, value in backdrop_inputs(bg):
        bsdf.inputs[socket].default_value = value
    pattern = backdrop_pattern(bg)
    if pattern is not None:
        kind, settings, inputs = pattern
        coords = nodes.new("ShaderNodeTexCoord")
        tex = nodes.new(kind)
        for attribute, value in settings:
            setattr(tex, attribute, value)
        for socket, value in inputs:
            tex.inputs[socket].default_value = value
        links.new(coords.outputs["Object"], tex.inputs["Vector"])
        links.new(tex.outputs["Color"], bsdf.inputs["Base Color"])
    for attribute, value in backdrop_viewport(bg):
        setattr(mat, attribute, value)
    _assign(obj, mat)


# ---------------------------------------------------------------- world
def lighting_world(scene, w):
    """The world `psynth_world` lit as the lighting's environment `w` says (the builder then adds
    the backdrop's camera background: backdrop_in_world). A scene script may state this step in
    bpy instead; the world's kind goes in its `psynth_kind` property for the backdrop's step."""
    world, nodes, links = world_tree(scene)
    out = nodes.new("ShaderNodeOutputWorld")
    lit, seen = _environment(nodes, links, w)
    links.new(lit.outputs["Background"], out.inputs["Surface"])
    world.color = [min(1.0, c) for c in seen]  # what Workbench shows behind the subject
    world[WORLD_KIND] = w.kind


def world_tree(scene):
    """The scene's world `psynth_world` with an empty node tree: (world, nodes, links)."""
    world = bpy.data.worlds.get(WORLD) or bpy.data.worlds.new(WORLD)
    scene.world = world
    tree = fresh_tree(world)
    return world, tree.nodes, tree.links


def backdrop_in_world(scene, bg):
    """Where the backdrop asks for its own background (a void colour, or a sky behind a world that
    is not one), camera rays see it instead of the lighting world built before."""
    world = scene.world
    nodes, links = world.node_tree.nodes, world.node_tree.links
    camera = None
    if bg.kind == "void" and bg.color is not None:
        camera = nodes.new("ShaderNodeBackground")
        camera.inputs["Color"].default_value = rgba(bg.color)
        seen = bg.color
    elif bg.kind == "sky" and world.get(WORLD_KIND) != "sky":
        camera = nodes.new("ShaderNodeBackground")
        camera.inputs["Color"].default_value = (1.0, 1.0, 1.0, 1.0)
        links.new(_gradient(nodes, links, bg.horizon_color, bg.zenith_color), camera.inputs["Color"])
        seen = [(h + z) / 2 for h, z in zip(bg.horizon_color, bg.zenith_color)]
    if camera is None:
        return
    out = next(n for n in nodes if n.bl_idname == "ShaderNodeOutputWorld")
    lit = out.inputs["Surface"].links[0].from_socket
    path = nodes.new("ShaderNodeLightPath")
    mix = nodes.new("ShaderNodeMixShader")
    links.new(path.outputs["Is Camera Ray"], mix.inputs["Fac"])
    links.new(lit, mix.inputs[1])
    links.new(camera.outputs["Background"], mix.inputs[2])
    links.new(mix.outputs["Shader"], out.inputs["Surface"])  # replaces the lighting world's link
    world.color = [min(1.0, c) for c in seen]


def _environment(nodes, links, w):
    """The lighting world's Background node, and a rough colour of it for Workbench."""
    tint = w.tint
    bg = nodes.new("ShaderNodeBackground")
    bg.inputs["Strength"].default_value = w.strength
    if w.file is not None or w.kind == "image":
        return bg, _hdri(nodes, links, w, bg)
    if w.kind == "uniform":
        color = [c * t for c, t in zip(w.color, tint)]
        bg.inputs["Color"].default_value = rgba(color)
        return bg, [c * w.strength for c in color]
    if w.kind == "gradient":
        horizon = [c * t for c, t in zip(w.horizon_color, tint)]
        zenith = [c * t for c, t in zip(w.zenith_color, tint)]
        links.new(_gradient(nodes, links, horizon, zenith), bg.inputs["Color"])
        return bg, [(h + z) / 2 * w.strength for h, z in zip(horizon, zenith)]
    sky = nodes.new("ShaderNodeTexSky")
    sky.sky_type = w.sky_type
    elevation, azimuth = math.radians(w.sun_elevation_deg), math.radians(w.sun_azimuth_deg)
    if w.sky_type in ("SINGLE_SCATTERING", "MULTIPLE_SCATTERING"):
        sky.sun_elevation = elevation
        sky.sun_rotation = _sun_rotation(azimuth)
        sky.sun_size = math.radians(w.sun_size_deg)
        sky.sun_intensity = w.sun_intensity
        sky.sun_disc = w.sun_disc
        sky.altitude = w.altitude_m
        sky.air_density = w.air_density
        sky.aerosol_density = w.aerosol_density
        sky.ozone_density = w.ozone_density
    else:
        sky.sun_direction = _sun_direction(azimuth, elevation)
        sky.turbidity = w.turbidity
        sky.ground_albedo = w.ground_albedo
    _, tinted = _mix_rgb(nodes, sky.outputs["Color"], tint, blend="MULTIPLY")
    links.new(tinted, bg.inputs["Color"])
    warm = [0.5 * t * w.strength for t in tint]
    return bg, warm


def _hdri(nodes, links, w, bg):
    """A world HDRI, bundled (bpy's datafiles/studiolights/world) or from a catalog (`w.file`),
    turned by `rotation_deg` about Z and tinted by the white balance into `bg`; returns its mean
    colour x strength."""
    if w.file is not None:
        image = catalog_hdri_image(w.file.model_dump())
    else:
        image = hdri_image(w.image)
    coords = nodes.new("ShaderNodeTexCoord")
    mapping = nodes.new("ShaderNodeMapping")
    mapping.inputs["Rotation"].default_value = (0.0, 0.0, math.radians(w.rotation_deg))
    texture = nodes.new("ShaderNodeTexEnvironment")
    texture.image = image
    links.new(coords.outputs["Generated"], mapping.inputs["Vector"])
    links.new(mapping.outputs["Vector"], texture.inputs["Vector"])
    _, tinted = _mix_rgb(nodes, texture.outputs["Color"], w.tint, blend="MULTIPLY")
    links.new(tinted, bg.inputs["Color"])
    return [m * t * w.strength for m, t in zip(image["psynth_mean_rgb"], w.tint)]


def catalog_hdri_image(ref):
    """A catalog environment image (an AssetRef's data) as a bpy image, with its mean colour
    (psynth_render.hdri_files: a script using it needs psynth importable, as assets do)."""
    from psynth_render.hdri_files import hdri_file_image

    return hdri_file_image(ref)


def hdri_image(name):
    """The bundled HDRI `name` as a bpy image (loaded once, its mean colour kept on it)."""
    key = "psynth_hdri_" + name
    image = bpy.data.images.get(key)
    if image is None:
        folder = bpy.utils.system_resource("DATAFILES", path="studiolights/world")
        image = bpy.data.images.load(f"{folder}/{name}.exr", check_existing=False)
        image.name = key
        pixels = list(image.pixels[:])  # RGBA floats, once per worker
        count = len(pixels) // 4
        image["psynth_mean_rgb"] = [sum(pixels[c::4]) / count for c in range(3)]
    return image


def _sun_direction(azimuth, elevation):
    """Unit vector toward the sun, in the scene's azimuth convention (0 = toward -Y)."""
    return (math.sin(azimuth) * math.cos(elevation), -math.cos(azimuth) * math.cos(elevation), math.sin(elevation))


def _sun_rotation(azimuth):
    """The Sky Texture's sun rotation for a scene azimuth: the sky's rotation pi is toward -Y
    (the scene's 0) and turns the other way round, so it is pi - azimuth (checked on renders:
    key azimuth 0 front-lights the subject, 90 lights its right side, as the lamps do)."""
    return (math.pi - azimuth) % (2 * math.pi)


def _gradient(nodes, links, horizon, zenith):
    """A colour socket going from `horizon` (at and below the horizon) to `zenith` (straight up)."""
    coords = nodes.new("ShaderNodeTexCoord")
    split = nodes.new("ShaderNodeSeparateXYZ")
    links.new(coords.outputs["Generated"], split.inputs["Vector"])
    ramp = nodes.new("ShaderNodeMapRange")
    ramp.clamp = True
    links.new(split.outputs["Z"], ramp.inputs["Value"])
    fac, color = _mix_rgb(nodes, horizon, zenith)
    links.new(ramp.outputs["Result"], fac)
    return color

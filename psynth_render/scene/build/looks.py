"""How the picture is drawn and finished: art styles (StyleParams) on the subject and the
render, and post-processing (bloom, vignette, grain, chromatic aberration, colour grade) in the
compositor.

Styles (the scene model's Style; Post for the compositor): clay and the palette/saturation
changes are resolved by describe; here the geometry styles add modifiers (low-poly: Decimate + flat shading; wireframe: Wireframe), the
cel styles replace the subject's shader (a Toon BSDF in Cycles, Shader to RGB through a
constant ramp in EEVEE) plus a flat ambient term and, for anime, a rim light; line styles
(sketch, cartoon, anime, outlined toon) draw Freestyle lines around the subject only
(Workbench: its object outline). Pixel art
and the cel quantisation finish in the compositor.

Compositor: one node group LOOK_GROUP (Image in -> Image out) holds every effect, wrapped by the
scene's tree POST_TREE (Render Layers -> look -> output). The render worker's passes tree embeds
the same look group, so passes and post-processing coexist (psynth_render.passes).
"""

import json
import math

import bpy

from psynth_render.scene.build.patterns import math_node, mix_color
from psynth_render.scene.build.post_settings import (
    GRAIN_MIX, REFERENCE_SIZE, VIGNETTE_BLUR, VIGNETTE_MASK, balance_inputs, bloom_inputs, grain_phase, has_effects,
    lens_inputs, neutral_grade, pixelate_size,
)
from psynth_render.scene.build.surfaces import fresh_tree

LOOK_GROUP = "psynth_look"
POST_TREE = "psynth_post"
LINED_COLLECTION = "psynth_lined"
LINESET = "psynth_lines"
CEL_SHADINGS = ("toon", "cartoon", "anime")
LINE_SHADINGS = ("sketch", "cartoon", "anime")
INK_VALUE = 0.4
"""Display value under which cel banding leaves a pixel alone (lines stay dark)."""


# ---------------------------------------------------------------- geometry styles
OUTLINE = "psynth_outline"
OUTLINE_WIDTH = 0.03
"""Width of the ink shell a panoramic lens draws around a lined object (scene units: subject radii)."""


def style_modifiers(obj, style):
    """Decimate (low-poly) or Wireframe modifiers, last in the stack; removed otherwise. A
    previous sample's ink shell goes too (`lines` adds it after framing, which measures the
    object alone: a reused subject framed with it stood 3% further back)."""
    set_modifier(obj, OUTLINE, "SOLIDIFY", False)
    _style_modifier(obj, "psynth_decimate", "DECIMATE", style.decimate_ratio is not None
              and style.shading == "low_poly", ratio=style.decimate_ratio or 1.0, use_collapse_triangulate=True)
    _style_modifier(obj, "psynth_wireframe", "WIREFRAME", style.shading == "wireframe",
              thickness=style.wire_thickness or 0.01, use_even_offset=True, use_replace=True)


def set_modifier(obj, name, kind, wanted, **settings):
    """Add, update or remove the named modifier so that it exists exactly when `wanted`."""
    mod = obj.modifiers.get(name)
    if not wanted:
        if mod is not None:
            obj.modifiers.remove(mod)
        return None
    if mod is None:
        mod = obj.modifiers.new(name, kind)
    for attr, value in settings.items():
        setattr(mod, attr, value)
    return mod


def _style_modifier(obj, name, kind, wanted, **settings):
    """A style's modifier, kept last in the stack (it acts on the finished shape)."""
    if set_modifier(obj, name, kind, wanted, **settings) is None:
        return
    index = obj.modifiers.find(name)
    if index != len(obj.modifiers) - 1:
        obj.modifiers.move(index, len(obj.modifiers) - 1)


# ---------------------------------------------------------------- cel shading
def cel_shade(mat, style, engine):
    """Replace the subject material's surface with cel shading of its base colour."""
    if style.shading not in CEL_SHADINGS and not (style.shading == "sketch" and style.ramp_steps):
        return
    tree = mat.node_tree
    nodes, links = tree.nodes, tree.links
    bsdf = next(n for n in nodes if n.bl_idname == "ShaderNodeBsdfPrincipled")
    out = next(n for n in nodes if n.bl_idname == "ShaderNodeOutputMaterial")
    base_in = bsdf.inputs["Base Color"]
    base = base_in.links[0].from_socket if base_in.is_linked else None
    steps = style.ramp_steps or 2
    if engine == "BLENDER_EEVEE":
        diffuse = nodes.new("ShaderNodeBsdfDiffuse")
        diffuse.inputs["Color"].default_value = (1.0, 1.0, 1.0, 1.0)
        to_rgb = nodes.new("ShaderNodeShaderToRGB")
        links.new(diffuse.outputs[0], to_rgb.inputs[0])
        ramp = nodes.new("ShaderNodeValToRGB")
        ramp.color_ramp.interpolation = "CONSTANT"
        while len(ramp.color_ramp.elements) < steps:
            ramp.color_ramp.elements.new(0.5)
        for i, element in enumerate(ramp.color_ramp.elements):
            element.position = i / steps
            level = 0.25 + 0.75 * i / max(steps - 1, 1)
            element.color = (level, level, level, 1.0)
        links.new(to_rgb.outputs["Color"], ramp.inputs["Fac"])
        shade = mix_color(nodes, links, ramp.outputs["Color"], base or tuple(base_in.default_value), 1.0, "MULTIPLY")
        emit = nodes.new("ShaderNodeEmission")
        links.new(shade, emit.inputs["Color"])
        surface = emit.outputs[0]
    else:
        toon = nodes.new("ShaderNodeBsdfToon")
        toon.component = "DIFFUSE"
        toon.inputs["Size"].default_value = 0.5 + 0.3 / steps
        toon.inputs["Smooth"].default_value = 0.0
        _feed(links, base, base_in.default_value, toon.inputs["Color"])
        ambient = nodes.new("ShaderNodeEmission")
        _feed(links, base, base_in.default_value, ambient.inputs["Color"])
        ambient.inputs["Strength"].default_value = 0.25 if style.shading != "cartoon" else 0.45
        add = nodes.new("ShaderNodeAddShader")
        links.new(toon.outputs[0], add.inputs[0])
        links.new(ambient.outputs[0], add.inputs[1])
        surface = add.outputs[0]
    if style.rim_strength > 0:
        facing = nodes.new("ShaderNodeLayerWeight")
        facing.inputs["Blend"].default_value = 0.35
        edge = nodes.new("ShaderNodeMath")
        edge.operation = "GREATER_THAN"
        links.new(facing.outputs["Facing"], edge.inputs[0])
        edge.inputs[1].default_value = 0.55  # a crisp rim band, as drawn
        rim = nodes.new("ShaderNodeEmission")
        rim.inputs["Color"].default_value = (*style.rim_color, 1.0)
        strength = nodes.new("ShaderNodeMath")
        strength.operation = "MULTIPLY"
        links.new(edge.outputs[0], strength.inputs[0])
        strength.inputs[1].default_value = style.rim_strength
        links.new(strength.outputs[0], rim.inputs["Strength"])
        add = nodes.new("ShaderNodeAddShader")
        links.new(surface, add.inputs[0])
        links.new(rim.outputs[0], add.inputs[1])
        surface = add.outputs[0]
    links.new(surface, out.inputs["Surface"])


def _feed(links, socket, value, target):
    if socket is not None:
        links.new(socket, target)
    else:
        target.default_value = value


# ---------------------------------------------------------------- lines
def _outline_material(color):
    """Ink on the shell's faces that look at the camera, nothing elsewhere and for other rays:
    the shell's far side, seen past the object's silhouette, is the line."""
    mat = bpy.data.materials.get(OUTLINE) or bpy.data.materials.new(OUTLINE)
    tree = fresh_tree(mat)
    nodes, links = tree.nodes, tree.links
    out = nodes.new("ShaderNodeOutputMaterial")
    geometry, path = nodes.new("ShaderNodeNewGeometry"), nodes.new("ShaderNodeLightPath")
    ink, clear = nodes.new("ShaderNodeEmission"), nodes.new("ShaderNodeBsdfTransparent")
    ink.inputs["Color"].default_value = (*color, 1.0)
    mix = nodes.new("ShaderNodeMixShader")
    hidden = math_node(nodes, links, "MAXIMUM", geometry.outputs["Backfacing"],
                       math_node(nodes, links, "SUBTRACT", 1.0, path.outputs["Is Camera Ray"]))
    links.new(hidden, mix.inputs["Fac"])
    links.new(ink.outputs[0], mix.inputs[1])
    links.new(clear.outputs[0], mix.inputs[2])
    links.new(mix.outputs[0], out.inputs["Surface"])
    return mat


def outline_shells(objects, style, wanted):
    """An inverted hull around each object (a Solidify shell outside it, normals flipped, in the
    ink material), or none: Freestyle projects its lines as a perspective camera would, so
    under a fisheye or panoramic lens they fell across the frame and outside the lens's disc,
    and an ink or sketch subject, the paper's white inside them, was not drawn at all
    (stylized_motion 18, 58). A shell is geometry: every projection draws it."""
    mat = _outline_material(style.line_color) if wanted else None
    for obj in objects:
        if obj.type != "MESH":
            continue
        _style_modifier(obj, OUTLINE, "SOLIDIFY", wanted, thickness=OUTLINE_WIDTH / (max(obj.scale) or 1.0),
                        offset=1.0, use_flip_normals=True, use_rim=False,
                        material_offset=_ink_slot(obj, mat) if wanted else 0)


def _ink_slot(obj, mat):
    """The index of `obj`'s slot holding the ink `mat` (object-linked: meshes are shared between
    objects and samples), appended after its own slots the first time only (a slot per sample
    piled up on a shared mesh)."""
    slot = next((i for i, s in enumerate(obj.material_slots) if i and s.link == "OBJECT" and s.material == mat), None)
    if slot is None:
        obj.data.materials.append(None)  # the shell's faces take this slot
        slot = len(obj.material_slots) - 1
        obj.material_slots[slot].link = "OBJECT"
        obj.material_slots[slot].material = mat
    return slot


def lines(scene, style, lined_objects, panoramic=False):
    """Freestyle lines (silhouette, border, crease) around `lined_objects` only; Workbench
    draws its own object outline instead (Freestyle there costs seconds per frame); a
    `panoramic` (fisheye, 360-degree) lens, which Freestyle cannot project, an ink shell."""
    wanted = style.shading in LINE_SHADINGS or style.outline
    workbench = scene.render.engine == "BLENDER_WORKBENCH"
    shading = scene.display.shading
    shading.show_object_outline = wanted and workbench
    shading.object_outline_color = style.line_color
    shell = wanted and panoramic and scene.render.engine == "CYCLES"
    outline_shells(lined_objects, style, shell)
    wanted = wanted and not workbench and not shell
    scene.render.use_freestyle = wanted
    layer = scene.view_layers[0]
    layer.use_freestyle = wanted
    if not wanted:
        return
    collection = bpy.data.collections.get(LINED_COLLECTION) or bpy.data.collections.new(LINED_COLLECTION)
    if collection.name not in scene.collection.children:
        scene.collection.children.link(collection)
    for obj in list(collection.objects):
        if obj not in lined_objects:
            collection.objects.unlink(obj)
    for obj in lined_objects:
        if obj.name not in collection.objects:
            collection.objects.link(obj)
    size = max(scene.render.resolution_x, scene.render.resolution_y)
    scene.render.line_thickness_mode = "ABSOLUTE"
    scene.render.line_thickness = max(1.5, style.line_thickness * size / REFERENCE_SIZE)
    settings = layer.freestyle_settings
    settings.mode = "EDITOR"
    settings.crease_angle = math.radians(134.0)
    for other in list(settings.linesets):
        if other.name != LINESET:
            settings.linesets.remove(other)
    lineset = settings.linesets.get(LINESET) or settings.linesets.new(LINESET)
    lineset.select_by_visibility = True
    lineset.visibility = "VISIBLE"
    lineset.select_by_edge_types = True
    lineset.select_silhouette = lineset.select_border = lineset.select_crease = True
    lineset.select_by_collection = True
    lineset.collection = collection
    lineset.collection_negation = "INCLUSIVE"
    linestyle = lineset.linestyle or bpy.data.linestyles.new(LINESET)
    lineset.linestyle = linestyle
    linestyle.color = style.line_color
    linestyle.thickness = 1.0
    linestyle.alpha = 1.0


# ---------------------------------------------------------------- compositor
def look_group():
    """The look node group (identity until `composite` fills it); made if missing."""
    group = bpy.data.node_groups.get(LOOK_GROUP)
    if group is None:
        group = bpy.data.node_groups.new(LOOK_GROUP, "CompositorNodeTree")
        group.use_fake_user = True
        group.interface.new_socket("Image", in_out="INPUT", socket_type="NodeSocketColor")
        group.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
        _identity(group)
    return group


def _identity(group):
    group.nodes.clear()
    inp = group.nodes.new("NodeGroupInput")
    out = group.nodes.new("NodeGroupOutput")
    group.links.new(inp.outputs[0], out.inputs[0])
    return inp, out


def post_tree(scene):
    """The scene's compositing tree for the current sample's look, or None when it has none."""
    return bpy.data.node_groups.get(POST_TREE) if scene.get("psynth_post_active") else None


def composite(scene, post, style, size):
    """Fill the look group with the sample's effects and install the post tree if any (the
    builder's post step; a scene script states it as bpy on `look_tree` instead)."""
    group = look_group()
    finish = {k: getattr(style, k) for k in ("posterize", "pixel_size", "cel_levels")}
    signature = json.dumps([post.model_dump(mode="json"), finish, size], sort_keys=True)
    active = has_effects(post, style)
    if group.get("psynth_signature") != signature:
        group["psynth_signature"] = signature
        inp, out = _identity(group)
        if active:
            image = _effects(group, inp.outputs[0], post, style, size)
            group.links.new(image, out.inputs[0])
    _install(scene, active)


def look_tree(scene, active=True):
    """The look group emptied to its ends, for a scene script's own effects: (nodes, links,
    the rendered image's socket, the finished image's socket), the group installed as the
    scene's compositing; with `active` False the compositor is left out (the render is the
    image) and None is returned."""
    group = look_group()
    group["psynth_signature"] = "stated"  # a later library build refills it
    inp, out = _identity(group)
    _install(scene, active)
    if not active:
        return None
    group.links.clear()
    return group.nodes, group.links, inp.outputs[0], out.inputs[0]


def _install(scene, active):
    """The scene's compositing: the post tree (Render Layers -> look -> output) or none."""
    scene["psynth_post_active"] = active
    if active:
        tree = bpy.data.node_groups.get(POST_TREE)
        if tree is None:
            tree = bpy.data.node_groups.new(POST_TREE, "CompositorNodeTree")
            tree.use_fake_user = True
            tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
            layers = tree.nodes.new("CompositorNodeRLayers")
            node = tree.nodes.new("CompositorNodeGroup")
            node.node_tree = look_group()
            output = tree.nodes.new("NodeGroupOutput")
            tree.links.new(layers.outputs["Image"], node.inputs[0])
            tree.links.new(node.outputs[0], output.inputs[0])
        for node in tree.nodes:
            if node.bl_idname == "CompositorNodeRLayers":
                node.scene = scene
    scene.compositing_node_group = post_tree(scene)
    scene.render.use_compositing = True


def _input(node, name, value):
    node.inputs[name].default_value = value


def _effects(group, image, post, style, size):
    nodes, links = group.nodes, group.links
    if style.pixel_size:
        node = nodes.new("CompositorNodePixelate")
        _input(node, "Size", pixelate_size(style.pixel_size, size))
        links.new(image, node.inputs[0])
        image = node.outputs[0]
    if style.posterize:
        image = posterize_levels(nodes, links, image, style.posterize)
    if style.cel_levels:
        image = cel_bands(nodes, links, image, style.cel_levels)
    grade = post.grade
    if not neutral_grade(grade):
        image = _grade(nodes, links, image, grade)
    if post.bloom > 0:
        node = nodes.new("CompositorNodeGlare")
        for name, value in bloom_inputs(post.bloom):
            _input(node, name, value)
        links.new(image, node.inputs[0])
        image = node.outputs["Image"]
    if post.chromatic_aberration > 0:
        node = nodes.new("CompositorNodeLensdist")
        for name, value in lens_inputs(post.chromatic_aberration):
            _input(node, name, value)
        links.new(image, node.inputs[0])
        image = node.outputs[0]
    if post.vignette > 0:
        image = _vignette(nodes, links, image, post.vignette, size)
    if post.grain > 0:
        image = _grain(nodes, links, image, post.grain, post.seed)
    return image


def _grade(nodes, links, image, grade):
    """Lift/gamma/gain, then saturation, contrast and a multiplicative tint."""
    balance = nodes.new("CompositorNodeColorBalance")
    _input(balance, "Type", "Lift/Gamma/Gain")
    for identifier, value in balance_inputs(grade):
        next(s for s in balance.inputs if s.identifier == identifier).default_value = value
    links.new(image, balance.inputs[0])
    image = balance.outputs[0]
    if grade.saturation != 1.0:
        hsv = nodes.new("CompositorNodeHueSat")
        _input(hsv, "Saturation", grade.saturation)
        links.new(image, hsv.inputs[0])
        image = hsv.outputs[0]
    if grade.contrast != 1.0:
        image = contrast_curve(nodes, links, image, grade.contrast)
    if list(grade.tint) != [1.0, 1.0, 1.0]:
        image = mix_color(nodes, links, image, grade.tint, 1.0, "MULTIPLY")
    return image


MID_GREY = 0.18
"""Scene-linear mid-grey: the pivot of a grade's contrast."""


def contrast_curve(nodes, links, image, power):
    """Contrast as a power curve through scene-linear mid-grey, 0.18 (c / 0.18)^power per
    channel (alpha kept). Blender's Bright/Contrast pivots on 0.5 in scene-linear values, over a
    stop above mid-grey, and goes negative under it: it crushed a dim (night, candle) image to
    black whatever the exposure. A power curve keeps every value positive and grey where it is."""
    split = nodes.new("CompositorNodeSeparateColor")
    links.new(image, split.inputs[0])
    join = nodes.new("CompositorNodeCombineColor")
    for channel in ("Red", "Green", "Blue"):
        value = math_node(nodes, links, "POWER", math_node(nodes, links, "MAXIMUM", split.outputs[channel], 0.0), power)
        links.new(math_node(nodes, links, "MULTIPLY", value, MID_GREY ** (1.0 - power)), join.inputs[channel])
    links.new(split.outputs["Alpha"], join.inputs["Alpha"])
    return join.outputs[0]


def _vignette(nodes, links, image, amount, size):
    mask = nodes.new("CompositorNodeEllipseMask")
    for name, value in VIGNETTE_MASK:
        _input(mask, name, value)
    blur = nodes.new("CompositorNodeBlur")
    _input(blur, "Size", (size * VIGNETTE_BLUR, size * VIGNETTE_BLUR))
    links.new(mask.outputs[0], blur.inputs[0])
    factor = nodes.new("ShaderNodeMapRange")  # 1 - amount * (1 - mask)
    links.new(blur.outputs[0], factor.inputs["Value"])
    _input(factor, "To Min", 1.0 - amount)
    _input(factor, "To Max", 1.0)
    node = nodes.new("ShaderNodeMix")
    node.data_type = "RGBA"
    node.blend_type = "MULTIPLY"
    next(s for s in node.inputs if s.identifier == "Factor_Float").default_value = 1.0
    links.new(image, next(s for s in node.inputs if s.identifier == "A_Color"))
    links.new(factor.outputs["Result"], next(s for s in node.inputs if s.identifier == "B_Color"))
    return next(s for s in node.outputs if s.identifier == "Result_Color")


def _grain(nodes, links, image, amount, seed):
    """Per-pixel seeded white noise, linear-light blended (0.5 grey = no change)."""
    coords = nodes.new("CompositorNodeImageCoordinates")
    links.new(image, coords.inputs[0])
    noise = nodes.new("ShaderNodeTexWhiteNoise")
    noise.noise_dimensions = "4D"
    links.new(coords.outputs["Pixel"], noise.inputs["Vector"])
    _input(noise, "W", grain_phase(seed))
    node = nodes.new("ShaderNodeMix")
    node.data_type = "RGBA"
    node.blend_type = "LINEAR_LIGHT"
    next(s for s in node.inputs if s.identifier == "Factor_Float").default_value = GRAIN_MIX * amount
    links.new(image, next(s for s in node.inputs if s.identifier == "A_Color"))
    grey = nodes.new("CompositorNodeCombineColor")
    for k in range(3):
        links.new(noise.outputs["Value"], grey.inputs[k])
    links.new(grey.outputs[0], next(s for s in node.inputs if s.identifier == "B_Color"))
    return next(s for s in node.outputs if s.identifier == "Result_Color")


def _display_levels(nodes, links, value, levels):
    """A linear channel cut to `levels` values evenly spaced in display encoding (gamma 2.2),
    each tone taking its nearest."""
    def op(name, a, b=None):
        return math_node(nodes, links, name, a, b)

    display = op("POWER", op("MAXIMUM", value, 0.0), 1 / 2.2)
    return op("POWER", op("DIVIDE", op("ROUND", op("MULTIPLY", display, levels - 1)), levels - 1), 2.2)


def posterize_levels(nodes, links, image, levels):
    """Pixel art's palette: each RGB channel cut to `levels` values in display encoding. The
    Posterize node floors the scene-linear values instead, so everything under 1 / levels
    (a mid-grey on screen at 6 levels) went black: a dark-mood subject on a void vanished."""
    split = nodes.new("CompositorNodeSeparateColor")
    links.new(image, split.inputs[0])
    join = nodes.new("CompositorNodeCombineColor")
    for k in range(3):
        links.new(_display_levels(nodes, links, split.outputs[k], levels), join.inputs[k])
    links.new(split.outputs[3], join.inputs[3])
    return join.outputs[0]


def cel_bands(nodes, links, image, levels):
    """Cut the value channel (display-encoded) into `levels` flat bands; hue and saturation
    stay, so the bands do not shift colour as per-channel posterizing would."""
    split = nodes.new("CompositorNodeSeparateColor")
    split.mode = "HSV"
    links.new(image, split.inputs[0])
    join = nodes.new("CompositorNodeCombineColor")
    join.mode = "HSV"
    links.new(split.outputs[0], join.inputs[0])
    links.new(split.outputs[1], join.inputs[1])
    links.new(split.outputs[3], join.inputs[3])

    def op(name, a, b=None):
        return math_node(nodes, links, name, a, b)

    display = op("POWER", op("MAXIMUM", split.outputs[2], 0.0), 1 / 2.2)
    banded = op("POWER", _display_levels(nodes, links, split.outputs[2], levels), 1 / 2.2)
    # ink stays ink: the darkest tones (outlines) keep their value instead of joining a band
    ink = op("LESS_THAN", display, INK_VALUE)
    kept = op("ADD", banded, op("MULTIPLY", ink, op("SUBTRACT", display, banded)))
    links.new(op("POWER", kept, 2.2), join.inputs[2])
    return join.outputs[0]

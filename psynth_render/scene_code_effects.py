"""A scene script's materials of the set and the effects, in its `add_materials`: the backdrop's
surface, the liquid's surface and interior, the gas's volume shader, as bpy nodes, links and
literal values.

What surfaces.backdrop_material and media.liquid_material / gas_material build (the same
nodes, in the same order, with the values of medium_settings, the builder's table), less what
new nodes and materials hold. They sit in `add_materials` beside the objects' materials: one
place for every material, made before anything is built, which the builder's backdrop, liquid
and gas steps then put on their meshes by name. The meshes, the gas's domain and its density
field (the framing bounds the density at build time) stay library code: the gas's step wires
the field into the stated volume node. Registered by importing this module (scene_code_parts
does).
"""

from typing import Any

from psynth_render.scene.build.material_settings import MATERIAL_DEFAULTS, PRINCIPLED_DEFAULTS
from psynth_render.scene.build.medium_settings import (
    BACKDROP_FIELDS, BACKDROP_MATERIAL, GAS_FIELDS, GAS_MATERIAL, LIQUID_FIELDS, LIQUID_MATERIAL, MESH_BACKDROPS,
    MEDIUM_NODE_DEFAULTS, backdrop_inputs, backdrop_pattern, backdrop_viewport, gas_emission_inputs, gas_volume_inputs,
    liquid_inputs, liquid_viewport, liquid_volumes,
)
from psynth_render.scene.describe.model import Backdrop, GasEffect, LiquidEffect
from psynth_render.scene_code_parts import differs, input_lines, principled_tree, stated_surface, tuple_assignments
from psynth_render.scene_literals import MODULE, literal, safe_words


def _inputs(node: str, pairs: list[tuple[str, Any]], defaults: dict[str, Any], colour: tuple = ()) -> list[str]:
    """`node.inputs[...]` set to literals, less what a new node holds; an RGBA equal to
    (*colour, 1) is written through the variable `colour` names (colour = (name, rgb))."""
    kept = [(s, v) for s, v in pairs if s not in defaults or differs(v, defaults[s])]
    named = [s for s, v in kept if colour and v == (*colour[1], 1.0)]
    return [*(f"{node}.inputs[{literal(s)}].default_value = (*{colour[0]}, 1.0)" for s in named),
            *input_lines(node, [(s, v) for s, v in kept if s not in named])]


def _viewport(pairs: list[tuple[str, Any]], colour: tuple = ()) -> list[str]:
    """What Workbench and the viewport show, less a new material's values: assignments of as many
    as fit 100 columns (`material.a, material.b = ...`)."""
    kept = [(a, f"(*{colour[0]}, 1.0)" if colour and v == (*colour[1], 1.0) else literal(v))
            for a, v in pairs if differs(v, MATERIAL_DEFAULTS[a])]
    lines = tuple_assignments("material", kept, source=str)
    return ["# what Workbench and the viewport show", *lines] if lines else []


def _backdrop_fields(bg: Backdrop) -> tuple[str, ...]:
    """A set with a mesh states its whole material; a void keeps only the colour the camera
    sees (surfaces.backdrop_in_world), a sky not even that."""
    if bg.kind in MESH_BACKDROPS:
        return BACKDROP_FIELDS
    return tuple(f for f in BACKDROP_FIELDS if f != "color" or bg.kind == "sky")


@stated_surface(Backdrop, "materials", _backdrop_fields)
def backdrop_code(bg: Backdrop, name: str, index: int) -> list[str]:
    """The backdrop's Principled surface and its pattern (a checker, or a grid of brick mortar)."""
    if bg.kind not in MESH_BACKDROPS:
        return []
    colour = ("backdrop_color", tuple(bg.color))
    lines = [f"# {BACKDROP_MATERIAL}: {safe_words(bg.concept, f'{bg.kind} backdrop')}",
             *principled_tree(BACKDROP_MATERIAL), f"backdrop_color = {literal(colour[1])}",
             *_inputs("bsdf", backdrop_inputs(bg), PRINCIPLED_DEFAULTS, colour)]
    pattern = backdrop_pattern(bg)
    if pattern is not None:
        kind, settings, inputs = pattern
        defaults = MEDIUM_NODE_DEFAULTS[kind]
        lines += [f"# {safe_words(bg.pattern)} pattern, {bg.pattern_scale:g} per object radius, in object coordinates",
                  "coords = nodes.new('ShaderNodeTexCoord')",
                  f"pattern = nodes.new({literal(kind)})",
                  *(f"pattern.{a} = {literal(v)}" for a, v in settings if differs(v, defaults[a])),
                  *_inputs("pattern", inputs, defaults, colour),
                  "links.new(coords.outputs['Object'], pattern.inputs['Vector'])",
                  "links.new(pattern.outputs['Color'], bsdf.inputs['Base Color'])"]
    return lines + _viewport(backdrop_viewport(bg), colour)


RECORD_ONLY_LIQUID = ("density", "surface_tension")
RECORD_ONLY_GAS = ("density_scale", "offset")
"""Effect fields no build step reads (the liquid's forms take its viscosity; the gas's
`density_value` and `centre` hold what its scale and offset make): left out of the data too."""


@stated_surface(LiquidEffect, "materials", lambda q: LIQUID_FIELDS + RECORD_ONLY_LIQUID)
def liquid_code(q: LiquidEffect, name: str, index: int) -> list[str]:
    """The liquid's Principled surface and its interior: absorption and scattering volumes."""
    base, inputs = liquid_inputs(q)
    lines = [f"# {LIQUID_MATERIAL}: {safe_words(f'{q.concept} liquid')}",
             *principled_tree(LIQUID_MATERIAL), *_inputs("bsdf", inputs, PRINCIPLED_DEFAULTS)]
    volumes = liquid_volumes(q)
    if volumes:
        lines.append("# the interior: " + " and ".join("absorption" if "Absorption" in k else "scattering"
                                                        for k, _ in volumes) + " per scene unit")
    names = []
    for kind, values in volumes:
        node = "absorption" if "Absorption" in kind else "scattering"
        names.append(node)
        lines += [f"{node} = nodes.new({literal(kind)})", *_inputs(node, values, MEDIUM_NODE_DEFAULTS[kind])]
    if len(names) == 2:
        lines += ["interior = nodes.new('ShaderNodeAddShader')",
                  *(f"links.new({n}.outputs[0], interior.inputs[{i}])" for i, n in enumerate(names)),
                  "links.new(interior.outputs[0], output.inputs['Volume'])"]
    elif names:
        lines.append(f"links.new({names[0]}.outputs[0], output.inputs['Volume'])")
    return lines + _viewport(liquid_viewport(q, base))


@stated_surface(GasEffect, "materials", lambda g: GAS_FIELDS + RECORD_ONLY_GAS)
def gas_code(g: GasEffect, name: str, index: int) -> list[str]:
    """The gas's Principled Volume: colour, absorption, anisotropy and what it emits. Its density
    and its shape (a density field scaling density and emission) are the gas's build step's."""
    defaults = MEDIUM_NODE_DEFAULTS["ShaderNodeVolumePrincipled"]
    glow = "blackbody" if g.blackbody_kelvin is not None else "glowing" if g.emission_strength > 0 else None
    return [f"# {GAS_MATERIAL}: {safe_words(f'{g.concept} volume', glow)} "
            "(its density and shape: the gas's build step)",
            f"material, nodes, links = {MODULE}.material_tree({literal(GAS_MATERIAL)})",
            "output, volume = nodes.new('ShaderNodeOutputMaterial'), nodes.new('ShaderNodeVolumePrincipled')",
            "links.new(volume.outputs['Volume'], output.inputs['Volume'])",
            *_inputs("volume", gas_volume_inputs(g) + gas_emission_inputs(g), defaults),
            *_viewport([("diffuse_color", (*g.color, 1.0))])]

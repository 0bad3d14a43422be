"""A scene script's `add_post(bpy_scene)`: the compositor's look as bpy nodes and links.

What looks.composite builds in the look group (the same nodes, in the same order, with the
values of post_settings, the builder's table): the style's finish (pixelate, posterize, cel
bands), the colour grade, bloom, chromatic aberration, vignette and grain, between the
rendered image and the finished one that `ps.look_tree` gives. The per-channel tone curves
(the grade's contrast, posterize levels, cel bands: a dozen Math nodes each) stay library
calls. Registered for the Post part by importing this module (scene_code_parts does).
"""

from typing import Any

from psynth_render.scene.build.post_settings import (
    GRAIN_MIX, NODE_DEFAULTS, REFERENCE_SIZE, VIGNETTE_BLUR, VIGNETTE_MASK, balance_inputs, bloom_inputs, grain_phase,
    has_effects, lens_inputs, neutral_grade,
)
from psynth_render.scene.describe.model import Post
from psynth_render.scene_code_parts import Taken, input_lines, mix_code, stated
from psynth_render.scene_literals import MODULE, literal, safe_words


def _inputs(node: str, kind: str, pairs: list[tuple[str, Any]]) -> list[str]:
    """`node`'s inputs set to literals, less what a new `kind` node holds (NODE_DEFAULTS)."""
    defaults = NODE_DEFAULTS.get(kind, {})
    kept = [(name, value) for name, value in pairs if name not in defaults or defaults[name] != value]
    return input_lines(node, kept)


def _node(name: str, kind: str, pairs: list[tuple[str, Any]], chain: list[str]) -> list[str]:
    """A node the image runs through (in at input 0, out at output 0): made and set here, linked
    when the chain is next passed on (_passed)."""
    chain.append(name)
    return [f"{name} = nodes.new({literal(kind)})", *_inputs(name, kind, pairs)]


def _passed(chain: list[str]) -> list[str]:
    """Link the image so far through the chain's nodes, in order (the chain is then empty)."""
    names, chain[:] = list(chain), []
    if not names:
        return []
    if len(names) == 1:
        return [f"links.new(image, {names[0]}.inputs[0])", f"image = {names[0]}.outputs[0]"]
    return [f"for node in ({', '.join(names)}):  # the image through each in turn",
            "    links.new(image, node.inputs[0])", "    image = node.outputs[0]"]


def _mixed(name: str, blend: str, b: Any, factor: float = 1.0) -> list[str]:
    """The image so far mixed (`blend`) with `b` (a socket expression or an RGB literal)."""
    return [*mix_code(name, blend, "image", b, factor), f"image = {name}.outputs['Result']"]


@stated(Post, "post", "add_post", reads=("style",))
def post_code(post: Taken, name: str, index: int) -> list[str]:
    """The look group's effects for one sample (the style's finish is read from its Style, which
    stays data for the cel shading and lines). Nodes the image runs straight through are made
    and set in order, then linked by one loop where the chain meets a library curve, a mix or
    the end."""
    p, style = post.part, post.read["style"]
    if not has_effects(p, style):
        return ["# post: none (no grade, no lens or film effects): the render is the image",
                f"{MODULE}.look_tree(bpy_scene, active=False)"]
    grade = p.grade
    effects = ("bloom", "chromatic_aberration", "vignette", "grain")
    named = [f"{style.concept} finish" if style.pixel_size or style.posterize or style.cel_levels else None,
             None if neutral_grade(grade) else f"{grade.concept} grade",
             *(f"{k.replace('_', ' ')} {getattr(p, k):.3g}" for k in effects if getattr(p, k) > 0)]
    lines = [f"# post: {safe_words(*named)}",
             "# the look group: the render in (`image`), the finished image out (`finish`)",
             f"nodes, links, image, finish = {MODULE}.look_tree(bpy_scene)"]
    if style.pixel_size or p.vignette > 0:
        lines.append("size = max(bpy_scene.render.resolution_x, bpy_scene.render.resolution_y)  # the longer side, px")
    chain: list[str] = []
    if style.pixel_size:
        lines += [f"# pixel art: {style.pixel_size} px cells at a {REFERENCE_SIZE} px frame",
                  *_node("pixelate", "CompositorNodePixelate", [], chain),
                  f"pixelate.inputs['Size'].default_value = max(1, int(round({literal(style.pixel_size)} "
                  f"* (size / {REFERENCE_SIZE}))))"]
    if style.posterize:
        lines += [*_passed(chain), f"image = {MODULE}.posterize_levels(nodes, links, image, "
                  f"{literal(style.posterize)})  # each channel cut to levels on screen"]
    if style.cel_levels:
        lines += [*_passed(chain), f"image = {MODULE}.cel_bands(nodes, links, image, {literal(style.cel_levels)})"
                  "  # the value cut into flat bands"]
    if not neutral_grade(grade):
        lines += _grade_code(grade, chain)
    if p.bloom > 0:
        lines += ["# bloom: highlights glow", *_node("bloom", "CompositorNodeGlare", bloom_inputs(p.bloom), chain)]
    if p.chromatic_aberration > 0:
        lines += ["# chromatic aberration: the lens disperses colours toward the edges",
                  *_node("lens", "CompositorNodeLensdist", lens_inputs(p.chromatic_aberration), chain)]
    lines += _passed(chain)
    if p.vignette > 0:
        lines += _vignette_code(p.vignette)
    if p.grain > 0:
        lines += _grain_code(p.grain, p.seed)
    return lines + ["links.new(image, finish)"]


def _grade_code(grade, chain: list[str]) -> list[str]:
    lines = ["# colour grade: lift, gamma, gain (Color Balance), then saturation, contrast, tint",
             *_node("balance", "CompositorNodeColorBalance", balance_inputs(grade), chain)]
    if grade.saturation != 1.0:
        lines += _node("saturation", "CompositorNodeHueSat", [("Saturation", grade.saturation)], chain)
    if grade.contrast != 1.0:
        lines += [*_passed(chain), f"image = {MODULE}.contrast_curve(nodes, links, image, "
                  f"{literal(grade.contrast)})  # a power curve through mid-grey"]
    if list(grade.tint) != [1.0, 1.0, 1.0]:
        lines += [*_passed(chain), "# the grade's tint, multiplied", *_mixed("tint", "MULTIPLY", tuple(grade.tint))]
    return lines


def _vignette_code(amount: float) -> list[str]:
    blur = literal(VIGNETTE_BLUR)
    return ["# vignette: the image times 1 - amount x (1 - a blurred ellipse)",
            "mask = nodes.new('CompositorNodeEllipseMask')",
            *_inputs("mask", "CompositorNodeEllipseMask", list(VIGNETTE_MASK)),
            "blur = nodes.new('CompositorNodeBlur')",
            f"blur.inputs['Size'].default_value = (size * {blur}, size * {blur})",
            "falloff = nodes.new('ShaderNodeMapRange')",
            *_inputs("falloff", "ShaderNodeMapRange", [("To Min", 1.0 - amount), ("To Max", 1.0)]),
            "links.new(mask.outputs[0], blur.inputs[0])",
            "links.new(blur.outputs[0], falloff.inputs[0])",
            *_mixed("vignette", "MULTIPLY", "falloff.outputs[0]")]


def _grain_code(amount: float, seed: int) -> list[str]:
    mix = mix_code("grain", "LINEAR_LIGHT", "image", "grey.outputs[0]", factor=GRAIN_MIX * amount)
    return ["# film grain: seeded white noise per pixel, linear-light blended (grey: no change)",
            "coords = nodes.new('CompositorNodeImageCoordinates')",
            "noise = nodes.new('ShaderNodeTexWhiteNoise')",
            f"noise.noise_dimensions, noise.inputs['W'].default_value = '4D', {literal(grain_phase(seed))}"
            "  # W: the sample's seed",
            "links.new(image, coords.inputs[0])",
            "links.new(coords.outputs['Pixel'], noise.inputs['Vector'])",
            *mix[:-1],
            "grey = nodes.new('CompositorNodeCombineColor')",
            "for channel in range(3):",
            "    links.new(noise.outputs['Value'], grey.inputs[channel])",
            mix[-1], "image = grain.outputs['Result']"]

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
from psynth_render.scene_code_parts import Taken, _mix_code, stated
from psynth_render.scene_literals import MODULE, literal, safe_words


def _inputs(node: str, kind: str, pairs: list[tuple[str, Any]], inputs: str = "") -> list[str]:
    """`node`'s inputs set to literals, less what a new `kind` node holds (NODE_DEFAULTS);
    `inputs` names a dict of its inputs by identifier (else `node.inputs`)."""
    defaults = NODE_DEFAULTS.get(kind, {})
    return [f"{inputs or node + '.inputs'}[{literal(name)}].default_value = {literal(value)}"
            for name, value in pairs if name not in defaults or defaults[name] != value]


def _chain(node: str, output: str = "outputs[0]") -> list[str]:
    """Feed the image so far into `node` and take its output as the image."""
    return [f"links.new(image, {node}.inputs[0])", f"image = {node}.{output}"]


def _mixed(name: str) -> str:
    return f"image = {{s.identifier: s for s in {name}.outputs}}['Result_Color']"


@stated(Post, "post", "add_post", reads=("style",))
def post_code(post: Taken, name: str, index: int) -> list[str]:
    """The look group's effects for one sample (the style's finish is read from its Style, which
    stays data for the cel shading and lines)."""
    p, style = post.part, post.read["style"]
    if not has_effects(p, style):
        return ["# post: none (no grade, no lens or film effects): the render is the image",
                f"{MODULE}.look_tree(bpy_scene, active=False)"]
    grade = p.grade
    effects = ("bloom", "chromatic_aberration", "vignette", "grain")
    named = [f"{style.concept} finish" if style.pixel_size or style.posterize or style.cel_levels else None,
             None if neutral_grade(grade) else f"{grade.concept} grade",
             *(f"{k.replace('_', ' ')} {getattr(p, k):g}" for k in effects if getattr(p, k) > 0)]
    lines = [f"# post: {safe_words(*named)}",
             "# the compositor's look group: the render in (`image`), the finished image out (`finish`)",
             f"nodes, links, image, finish = {MODULE}.look_tree(bpy_scene)"]
    if style.pixel_size or p.vignette > 0:
        lines += ["# the frame's longer side in pixels: the pixel size and the vignette's blur scale with it",
                  "size = max(bpy_scene.render.resolution_x, bpy_scene.render.resolution_y)"]
    if style.pixel_size:
        lines += [f"# pixel art: {style.pixel_size} px cells at a {REFERENCE_SIZE} px frame",
                  "pixelate = nodes.new('CompositorNodePixelate')",
                  f"pixelate.inputs['Size'].default_value = max(1, int(round({literal(style.pixel_size)} "
                  f"* (size / {REFERENCE_SIZE}))))", *_chain("pixelate")]
    if style.posterize:
        lines.append(f"image = {MODULE}.posterize_levels(nodes, links, image, {literal(style.posterize)})"
                     "  # each channel cut to levels on screen")
    if style.cel_levels:
        lines.append(f"image = {MODULE}.cel_bands(nodes, links, image, {literal(style.cel_levels)})"
                     "  # the value cut into flat bands")
    if not neutral_grade(grade):
        lines += _grade_code(grade)
    if p.bloom > 0:
        lines += ["# bloom: highlights glow", "bloom = nodes.new('CompositorNodeGlare')",
                  *_inputs("bloom", "CompositorNodeGlare", bloom_inputs(p.bloom)), *_chain("bloom", "outputs['Image']")]
    if p.chromatic_aberration > 0:
        lines += ["# chromatic aberration: the lens disperses colours toward the edges",
                  "lens = nodes.new('CompositorNodeLensdist')",
                  *_inputs("lens", "CompositorNodeLensdist", lens_inputs(p.chromatic_aberration)), *_chain("lens")]
    if p.vignette > 0:
        lines += _vignette_code(p.vignette)
    if p.grain > 0:
        lines += _grain_code(p.grain, p.seed)
    return lines + ["links.new(image, finish)"]


def _grade_code(grade) -> list[str]:
    balance = _inputs("balance", "CompositorNodeColorBalance", balance_inputs(grade), inputs="balance_in")
    lines = ["# colour grade: lift, gamma, gain (Color Balance), then saturation, contrast, tint",
             "balance = nodes.new('CompositorNodeColorBalance')",
             *(["balance_in = {s.identifier: s for s in balance.inputs}", *balance] if balance else []),
             *_chain("balance")]
    if grade.saturation != 1.0:
        lines += ["saturation = nodes.new('CompositorNodeHueSat')",
                  f"saturation.inputs['Saturation'].default_value = {literal(grade.saturation)}",
                  *_chain("saturation")]
    if grade.contrast != 1.0:
        lines.append(f"image = {MODULE}.contrast_curve(nodes, links, image, {literal(grade.contrast)})"
                     "  # a power curve through mid-grey")
    if list(grade.tint) != [1.0, 1.0, 1.0]:
        lines += ["# the grade's tint, multiplied", *_mix_code("tint", "MULTIPLY", "image", tuple(grade.tint)),
                  _mixed("tint")]
    return lines


def _vignette_code(amount: float) -> list[str]:
    return ["# vignette: the corners darkened through a blurred ellipse",
            "mask = nodes.new('CompositorNodeEllipseMask')",
            *_inputs("mask", "CompositorNodeEllipseMask", list(VIGNETTE_MASK)),
            "blur = nodes.new('CompositorNodeBlur')",
            f"blur.inputs['Size'].default_value = (size * {literal(VIGNETTE_BLUR)}, size * {literal(VIGNETTE_BLUR)})",
            "links.new(mask.outputs[0], blur.inputs[0])",
            "falloff = nodes.new('ShaderNodeMapRange')  # 1 - amount * (1 - mask)",
            "links.new(blur.outputs[0], falloff.inputs['Value'])",
            *_inputs("falloff", "ShaderNodeMapRange", [("To Min", 1.0 - amount), ("To Max", 1.0)]),
            *_mix_code("vignette", "MULTIPLY", "image", "falloff.outputs['Result']"),
            _mixed("vignette")]


def _grain_code(amount: float, seed: int) -> list[str]:
    return ["# film grain: seeded white noise per pixel, linear-light blended (grey: no change)",
            "coords = nodes.new('CompositorNodeImageCoordinates')",
            "links.new(image, coords.inputs[0])",
            "noise = nodes.new('ShaderNodeTexWhiteNoise')",
            "noise.noise_dimensions = '4D'",
            "links.new(coords.outputs['Pixel'], noise.inputs['Vector'])",
            f"noise.inputs['W'].default_value = {literal(grain_phase(seed))}  # from the sample's seed",
            *_mix_code("grain", "LINEAR_LIGHT", "image", "grey.outputs[0]", factor=GRAIN_MIX * amount)[:-1],
            "grey = nodes.new('CompositorNodeCombineColor')",
            "for channel in range(3):",
            "    links.new(noise.outputs['Value'], grey.inputs[channel])",
            "links.new(grey.outputs[0], grain_in['B_Color'])",
            _mixed("grain")]

"""Describe-side resolution of the effect axes: texture, liquid, gas, post-processing, style
and colour (harmony + mood), as plain dict parts of the scene; and the changes style and
colour make to the material, background and lights.

Each `*_part(values, params, ...)` takes the axis values and the `params(axis)` resolver of
from_row.py and returns a part's fields (those of the model.py class it becomes: Texture,
LiquidEffect, GasEffect, Post, Style, Colour); from_row.py validates them into the model.
"""

from typing import Any

from psynth_render.scene.describe import palette
from psynth_render.scene.build.framing import gas_reach
from psynth_render.scene.describe.blackbody import kelvin_to_rgb

BLACKBODY_LIGHT_WATTS = 6.0
EMISSION_LIGHT_WATTS = 40.0
"""Point-lamp power per unit of blackbody intensity (or emission strength) x gas.density that
stands for the light a burning (or glowing) gas casts on the scene."""
FLAME_LIGHT_WATTS = 80.0
"""The same for flames: their sooty body is opaque, so their glow no longer spills over the floor
around them as a thin haze; the lamp alone stands for the light they cast there."""

def texture_part(values, params) -> dict[str, Any]:
    name, tex = params("texture.pattern")
    mapping_name, mapping = params("texture.mapping")
    out = tex.model_dump(mode="json")
    out.update(concept=name, scale=values["texture.scale"],
               mapping=dict(mapping.model_dump(mode="json"), concept=mapping_name))
    return out


def liquid_part(values, params, seed) -> dict[str, Any] | None:
    name, liquid = params("liquid")
    if liquid.kind == "none":
        return None
    form_name, form = params("liquid.form")
    out = liquid.model_dump(mode="json")
    out.update(concept=name, viscosity=values["liquid.viscosity"] or liquid.viscosity,
               form=dict(form.model_dump(mode="json"), concept=form_name), seed=seed)
    return out


def _light_kelvin(gas) -> float:
    """The colour temperature of the light a burning gas casts: a flame's body is mostly between
    its hot core and its cool tips (their mean); other gases glow at their own temperature."""
    if gas.look == "flame" and gas.tip_kelvin is not None:
        return (gas.blackbody_kelvin + gas.tip_kelvin) / 2
    return gas.blackbody_kelvin


def gas_part(values, params, seed, camera_distance) -> dict[str, Any] | None:
    name, gas = params("gas")
    if gas.kind == "none":
        return None
    density = float(values["gas.density"])
    out = gas.model_dump(mode="json")
    emits = gas.emits
    centre = list(gas.offset)  # a plume's foot or a blob's centre, from the concept
    if gas.blackbody_kelvin is not None and gas.blackbody_intensity > 0:
        watts = FLAME_LIGHT_WATTS if gas.look == "flame" else BLACKBODY_LIGHT_WATTS
        rgb, strength = kelvin_to_rgb(_light_kelvin(gas)), watts * gas.blackbody_intensity
    elif gas.emission_color is not None:
        rgb, strength = list(gas.emission_color), EMISSION_LIGHT_WATTS * gas.emission_strength
    else:
        rgb, strength = [1.0, 1.0, 1.0], 0.0
    peak = max(rgb) or 1.0
    out.update(
        concept=name, density=density, density_value=density * gas.density_scale,
        centre=centre, seed=seed, reach=gas_reach(camera_distance),
        light_rgb=[c / peak for c in rgb], light_power=strength * density * peak,
    )
    return out


FLAME_CORE_EMISSION = 3.1
"""gas_fields.blackbody_emission's factor at full heat (0.1 + 3 heat^2)."""


def flame_glow(gas: dict[str, Any] | None) -> float:
    """The brightest channel of a flame's core as rendered (0 for other gases or none): its body is
    opaque, so it shows emission / absorption = blackbody_intensity x gas.density x
    FLAME_CORE_EMISSION / density_value in its core colour (peak channel of the
    luminance-normalised blackbody)."""
    if gas is None or gas.get("look") != "flame" or not gas.get("blackbody_kelvin") or gas["density_value"] <= 0:
        return 0.0
    per_length = gas["blackbody_intensity"] * gas["density"] * FLAME_CORE_EMISSION
    return per_length / gas["density_value"] * max(kelvin_to_rgb(gas["blackbody_kelvin"]))


def post_part(values, params, seed) -> dict[str, Any]:
    name, grade = params("post.grade")
    return {
        "bloom": values["post.bloom"],
        "vignette": values["post.vignette"],
        "grain": values["post.grain"],
        "chromatic_aberration": values["post.chromatic_aberration"],
        "grade": dict(grade.model_dump(mode="json"), concept=name),
        "seed": seed,
    }


def style_part(params) -> dict[str, Any]:
    """The style, plus compositor finishing: `cel_levels` (cel styles: the value channel cut
    into ramp_steps + 1 flat bands, flattening what bounced light leaves of the shader's bands)
    and `posterize` (pixel art: `color_levels` per channel)."""
    name, style = params("style")
    out = style.model_dump(mode="json")
    cel = style.shading in ("toon", "cartoon", "anime")
    out.update(concept=name, cel_levels=(style.ramp_steps or 2) + 1 if cel else None,
               posterize=style.color_levels if style.shading == "pixel_art" else None)
    return out


def colour_part(values, params) -> dict[str, Any]:
    harmony_name, harmony = params("color.harmony")
    mood_name, mood = params("color.mood")
    return palette.describe_colour(harmony_name, harmony.model_dump(mode="json"),
                                   values["color.base_hue"], mood_name, mood.model_dump(mode="json"))


def restyle_material(material, style, colour) -> None:
    """Clay replaces the material; otherwise the palette's subject colour, the mood and the
    style's saturation recolour its base colour (in place); a pixel-art sprite keeps the
    palette's value floor (palette.SPRITE_VALUE_FLOOR), so its few levels do not merge it with a dark set."""
    if style["shading"] == "clay":
        material.update(base_color=list(style["base_color_override"]), roughness=style["roughness_override"],
                        metallic=0.0, transmission=0.0, coat=0.0, sheen=0.0, subsurface=0.0, detail=None,
                        emission_strength=0.0, subsurface_color=None, alpha=1.0)
        return
    entry = palette.entry_for(colour["palette_hsv"], 0)
    base = palette.blend(material["base_color"], entry, palette.subject_weight(material))
    material["base_color"] = palette.apply_mood(base, colour["mood_params"], style["saturation"])
    if style["shading"] == "pixel_art":
        material["base_color"] = palette.value_floor(material["base_color"], palette.SPRITE_VALUE_FLOOR)


def restyle_background(background, style, colour) -> None:
    """Sketches sit on paper; otherwise the background's colour takes palette entry 1."""
    if style["paper_color"] is not None:
        if background["kind"] in ("sky", "void"):
            background["kind"] = "void"
        background.update(color=list(style["paper_color"]), pattern="none")
        return
    if background.get("color") is None:
        return
    entry = palette.entry_for(colour["palette_hsv"], 1)
    mood = colour["mood_params"]
    background["color"] = palette.apply_mood(palette.blend(background["color"], entry, palette.BACKGROUND_WEIGHT), mood)
    if background.get("color2") is not None:
        background["color2"] = palette.apply_mood(background["color2"], mood)


def tint_lights(lights, colour) -> None:
    """Each light's colour takes palette entry 2, 3... (cycling), keeping its peak at 1."""
    for i, light in enumerate(lights):
        tint = palette.light_tint(palette.entry_for(colour["palette_hsv"], 2 + i), colour["mood_params"])
        rgb = [c * t for c, t in zip(light["rgb"], tint)]
        peak = max(rgb) or 1.0
        light["rgb"] = [c / peak for c in rgb]

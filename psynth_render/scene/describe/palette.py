"""Colour harmony and mood: palette hues from `color.base_hue`, applied to subject, background
and lights; the mood scales saturation and value and shifts the light's temperature.

Pure Python (describe-side). The palette is HSV: hue = base hue + the harmony's offset, the
harmony's saturation and value steps. Entry 0 colours the subject, entry 1 the background, the
next ones the lights (cycling). A palette colour is blended into a scene colour at the
luminance the scene colour asks for (scaled by the palette value over REFERENCE_VALUE), so a
harmony recolours without relighting; the mood then scales the result's saturation and value.
"""

import colorsys

SUBJECT_WEIGHT = 0.65
"""How far a dielectric subject's base colour moves to its palette colour."""
INTRINSIC_WEIGHT = 0.2
"""At most this for metals and see-through materials, whose colour is what they are."""
COLOURED_SATURATION = 0.25
"""A material this saturated (display HSV) or more keeps its own colour."""
BACKGROUND_WEIGHT = 0.6
LIGHT_WEIGHT = 0.3
REFERENCE_VALUE = 0.8
"""The palette value at which a blended colour keeps its luminance."""

_LUMA = (0.2126, 0.7152, 0.0722)


def luminance(rgb):
    return sum(c * w for c, w in zip(rgb, _LUMA))


def palette(harmony, base_hue_deg):
    """[(hue_deg, saturation, value)] of the harmony around `base_hue_deg`."""
    steps = harmony["value_steps"]
    return [
        ((base_hue_deg + offset) % 360.0, harmony["saturation"], steps[i % len(steps)])
        for i, offset in enumerate(harmony["hue_offsets_deg"])
    ] if len(harmony["hue_offsets_deg"]) > 1 else [
        (base_hue_deg % 360.0, harmony["saturation"], v) for v in steps  # monochromatic
    ]


def hsv_to_linear(hue_deg, saturation, value):
    """Linear RGB of an HSV colour given in display (sRGB-like) terms."""
    rgb = colorsys.hsv_to_rgb(hue_deg / 360.0, min(max(saturation, 0.0), 1.0), min(max(value, 0.0), 1.0))
    return [c**2.2 for c in rgb]


def display_hsv(rgb):
    """HSV (hue 0..1) of a linear colour in display (sRGB-like) terms."""
    return colorsys.rgb_to_hsv(*[max(c, 0.0) ** (1 / 2.2) for c in rgb])


def blend(rgb, entry, weight):
    """`rgb` moved by `weight` toward the palette entry's hue and saturation, at the
    luminance of `rgb` times the entry's value over REFERENCE_VALUE."""
    target = hsv_to_linear(*entry)
    lum, t_lum = luminance(rgb), luminance(target)
    wanted = lum * (entry[2] / REFERENCE_VALUE) ** 2.2
    scale = wanted / t_lum if t_lum > 1e-6 else 0.0
    target = [c * scale for c in target]
    peak = max(target)
    if peak > 1.0:  # keep it a reflectance
        target = [c / peak for c in target]
    return [a + (b - a) * weight for a, b in zip(rgb, target)]


def apply_mood(rgb, mood, extra_saturation=1.0):
    """Scale a linear colour's saturation and value (in display terms) by the mood's factors."""
    h, s, v = display_hsv(rgb)
    s = min(1.0, s * mood["saturation_scale"] * extra_saturation)
    v = min(1.0, v * mood["value_scale"])
    return [c**2.2 for c in colorsys.hsv_to_rgb(h, s, v)]


SPRITE_VALUE_FLOOR = 0.6
"""The least display value (HSV V) of a pixel-art subject's base colour. Pixel art cuts each
channel into a few levels (6: bands 0.2 wide in display terms); a dark mood's subject (value
0.2) lit by a dim rig fell in the void's band and vanished (stylized_motion 80, 127, 167:
the caption's subject was not one pixel of the image). The mood still darkens the set and the
light; the sprite stays a band or more above a dark void."""


def value_floor(rgb, floor):
    """A linear colour raised to at least `floor` display value, hue and saturation kept."""
    h, s, v = display_hsv(rgb)
    if v >= floor:
        return list(rgb)
    return [c**2.2 for c in colorsys.hsv_to_rgb(h, s, floor)]


def light_tint(entry, mood):
    """A light's colour multiplier from its palette entry: the hue at LIGHT_WEIGHT, peak 1."""
    target = hsv_to_linear(entry[0], entry[1] * mood["saturation_scale"], 1.0)
    tint = [1.0 + (c - 1.0) * LIGHT_WEIGHT for c in target]
    peak = max(tint) or 1.0
    return [c / peak for c in tint]


def hue_of(rgb):
    """Hue in degrees of a linear colour (display terms), or None for a grey."""
    h, s, _ = display_hsv(rgb)
    return None if s < 1e-3 else h * 360.0


def hue_distance(a, b):
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def subject_weight(material):
    """How far the palette recolours a material: a grey or white one (plastic, ceramic,
    cotton) is paint and takes it fully; a coloured one (skin, wood, gold, denim) keeps its
    identity, fading out by COLOURED_SATURATION; metals and see-through ones at most
    INTRINSIC_WEIGHT."""
    if material.get("palette_weight") is not None:  # the concept says how much it takes
        return material["palette_weight"]
    saturation = display_hsv(material["base_color"])[1]
    weight = SUBJECT_WEIGHT * max(0.0, 1.0 - saturation / COLOURED_SATURATION)
    if material["metallic"] > 0.5 or material["transmission"] > 0.5:
        weight = min(weight, INTRINSIC_WEIGHT)
    return weight


def describe_colour(harmony_name, harmony, base_hue, mood_name, mood):
    """The scene's `color` part: model.Colour's fields (the palette as hue/sat/value and as
    linear RGB)."""
    entries = palette(harmony, base_hue)
    return {
        "harmony": harmony_name,
        "mood": mood_name,
        "base_hue_deg": base_hue,
        "palette_hsv": [list(e) for e in entries],
        "palette": [hsv_to_linear(*e) for e in entries],
        "mood_params": dict(mood),
        "spread_deg": max((hue_distance(a[0], b[0]) for a in entries for b in entries), default=0.0),
        "kelvin_shift": mood["kelvin_shift"],
    }


def entry_for(entries, role_index):
    """Palette entry for a role: 0 subject, 1 background, 2+ lights (cycling)."""
    return entries[role_index % len(entries)]


__all__ = ["apply_mood", "blend", "describe_colour", "display_hsv", "entry_for", "hue_distance", "hue_of",
           "light_tint", "luminance", "palette", "subject_weight",
           "value_floor", "SPRITE_VALUE_FLOOR"]

"""The compositor's effects as values: one table, two users (like material_settings).

looks.composite builds the look group's nodes from these; a scene script's `add_post`
(scene_code_parts) writes the same nodes with these values as literals. Pure data: no bpy.
"""

REFERENCE_SIZE = 256
"""Line widths and pixel sizes are given for a 256-px frame and scale with the resolution."""

GRAIN_MIX = 0.12
"""The grain's Linear Light factor at amount 1."""

VIGNETTE_MASK = (("Size", (1.05, 1.05)), ("Value", 1.0), ("Mask", 0.0))
"""The vignette's ellipse: a little over the frame, white inside."""

VIGNETTE_BLUR = 0.2
"""The vignette mask's blur, as a fraction of the frame's longer side."""


def neutral_grade(grade):
    """Whether a Grade leaves the image as it is."""
    return (list(grade.lift) == [0.0, 0.0, 0.0] and list(grade.gamma) == [1.0, 1.0, 1.0]
            and list(grade.gain) == [1.0, 1.0, 1.0] and grade.saturation == 1.0 and grade.contrast == 1.0
            and list(grade.tint) == [1.0, 1.0, 1.0])


def has_effects(post, style):
    """Whether the sample needs the compositor at all (an effect, a grade or a style's finish)."""
    return (any(getattr(post, k) > 0 for k in ("bloom", "vignette", "grain", "chromatic_aberration"))
            or not neutral_grade(post.grade) or bool(style.posterize) or bool(style.pixel_size)
            or bool(style.cel_levels))


def pixelate_size(pixel_size, size):
    """The Pixelate node's cell size in pixels for a frame whose longer side is `size`."""
    return max(1, int(round(pixel_size * (size / REFERENCE_SIZE))))


def balance_inputs(grade):
    """The Color Balance node's (socket identifier, value) pairs, lift/gamma/gain (lift offset by 1)."""
    return [("Color Lift", (*[v + 1.0 for v in grade.lift], 1.0)), ("Color Gamma", (*grade.gamma, 1.0)),
            ("Color Gain", (*grade.gain, 1.0))]


def bloom_inputs(amount):
    """The Glare node's inputs for a bloom of `amount`."""
    return [("Type", "Bloom"), ("Quality", "Medium"), ("Highlights Threshold", 0.6), ("Strength", 1.5 * amount),
            ("Size", 0.6)]


def lens_inputs(amount):
    """The Lens Distortion node's inputs for a chromatic aberration of `amount`."""
    return [("Dispersion", 0.5 * amount), ("Distortion", 0.0)]


def grain_phase(seed):
    """The grain noise's W: the sample's seed, so grain differs between samples."""
    return (seed % 9973) * 0.618


NODE_DEFAULTS = {
    "CompositorNodeColorBalance": {"Type": "Lift/Gamma/Gain", "Color Lift": (1.0, 1.0, 1.0, 1.0),
                                   "Color Gamma": (1.0, 1.0, 1.0, 1.0), "Color Gain": (1.0, 1.0, 1.0, 1.0)},
    "CompositorNodeGlare": {"Quality": "Medium"},
    "CompositorNodeLensdist": {"Distortion": 0.0},
    "CompositorNodeEllipseMask": {"Mask": 0.0, "Value": 1.0},
    "ShaderNodeMapRange": {"To Max": 1.0},
}
"""What a new node holds in the inputs (by identifier) that the effects set: scripts leave these
out (a test reads them from bpy)."""

"""Signature surface patterns a plain texture node does not give (a builder module).

    veins    marble: thin dark lines where a turbulent band field crosses its crest, plus
             thinner branches along the ridges of a ridged noise; oriented, high-frequency
    patches  rust on metal: blotches of a thresholded noise covering about `width` of the
             surface, with soft, eroded edges

Each returns a factor socket in 0..1 (1 on the vein or in the patch) that the material's
detail blends with (surfaces.py); numbers come from the concept's `detail` entry.
"""

from psynth_render.scene.build.patterns import math_node


def vein_factor(nodes, links, vector, scale, distortion, detail, width):
    """Marble veins: 1 on thin lines (`width` of a band), 0 elsewhere."""
    wave = nodes.new("ShaderNodeTexWave")
    wave.wave_type = "BANDS"
    wave.bands_direction = "DIAGONAL"
    wave.wave_profile = "SIN"
    wave.inputs["Scale"].default_value = scale
    wave.inputs["Distortion"].default_value = distortion
    wave.inputs["Detail"].default_value = detail
    wave.inputs["Detail Scale"].default_value = 1.5
    links.new(vector, wave.inputs["Vector"])
    # the band's crest (Fac near 1) narrowed to `width`: the main veins
    crest = math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", wave.outputs["Fac"], 1.0 - width),
                   1.0 / max(width, 1e-3), clamp=True)
    ridges = nodes.new("ShaderNodeTexNoise")
    ridges.noise_type = "RIDGED_MULTIFRACTAL"
    ridges.inputs["Scale"].default_value = scale * 1.7
    ridges.inputs["Detail"].default_value = detail
    ridges.inputs["Distortion"].default_value = 0.3 * distortion
    links.new(vector, ridges.inputs["Vector"])
    # ridged noise peaks at its ridges: keep only the sharpest as thin branch veins
    branch = math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", ridges.outputs["Fac"], 0.75), 3.0, clamp=True)
    return math_node(nodes, links, "MAXIMUM", math_node(nodes, links, "POWER", crest, 1.5),
                  math_node(nodes, links, "MULTIPLY", branch, 0.6))


def patch_factor(nodes, links, vector, scale, detail, width):
    """Blotches covering about `width` of the surface: 1 inside, 0 outside, eroded edges."""
    noise = nodes.new("ShaderNodeTexNoise")
    noise.inputs["Scale"].default_value = scale
    noise.inputs["Detail"].default_value = detail
    noise.inputs["Roughness"].default_value = 0.65
    links.new(vector, noise.inputs["Vector"])
    # fBm noise sits near 0.5: a threshold at 0.5 + (0.5 - width) x 0.35 leaves about `width`
    threshold = 0.5 + (0.5 - width) * 0.35
    return math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", noise.outputs["Fac"], threshold), 8.0, clamp=True)

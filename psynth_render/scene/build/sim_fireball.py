"""The simulated explosion's look (`render { simulate true }`, a gas whose look is `fireball`):
a fireball whose hot core burns white-yellow, its rim orange-red, cooling over the clip into the
dark smoke that wraps it.

Points to Volume gives the particles' union a flat density, which alone reads as an even glow;
the heat is therefore a field of the shading point: 1 at the fireball's heart falling to 0 at
its rim, broken by noise, times the burst's heat at that moment. The heart, the rim's radius,
the heat and the noise's phase are Value nodes that `show_fireball` sets from each frame's
particles, so the volume cools and boils as it expands and rises.
"""

import math

import numpy as np

from psynth_render.scene.build.gas_fields import noise_field, blackbody_emission
from psynth_render.scene.build.media import volume_shader
from psynth_render.scene.build.patterns import math_node

COOLING_SECONDS = 0.9
"""The burst's heat falls as exp(-t / COOLING_SECONDS): white-hot at first, mostly smoke after
about two seconds."""
LEAST_HEAT = 0.12
"""A late fireball keeps this much heat at its heart (embers inside the smoke)."""
RIM_QUANTILE = 80
"""The rim: this percentile of the particles' distances from the heart (plus their radius)."""
CORE_SHARPNESS = 1.4
"""How fast the heat rises inward from the rim (1: linearly to the heart)."""
NOISE_SCALE = 2.2
HEAT_NOISE = 1.6
"""How far the noise moves the heat (flame tongues and cooler pockets inside the ball)."""
LUMP_CONTRAST = 3.5
"""How sharply the noise cuts the gas into billows (the still fireball's crisp lumps)."""
SMOKE_DENSITY = 6.0
"""Density of the smoke per unit of particle density x gas.density, once the burst has cooled
(the hot core is thinner: a fresh fireball shows its flame, the smoke thickens as it cools)."""
FRESH_SMOKE = 0.5
"""Share of SMOKE_DENSITY a white-hot burst already carries."""
GLOW = 0.3
"""Emission per unit of blackbody intensity x gas.density, as the still fireball's look."""
CONTROLS = ("heart_x", "heart_y", "heart_z", "rim", "heat", "phase", "smoke")


def fireball_material(name, g):
    """The explosion's Principled Volume, reading the particles' `density` grid; returns the
    material and its controls (Value nodes by CONTROLS name) for `show_fireball`."""
    mat, vol = volume_shader(name, g)
    nodes, links = mat.node_tree.nodes, mat.node_tree.links
    controls = {}
    for key in CONTROLS:
        node = nodes.new("ShaderNodeValue")
        node.name = node.label = f"psynth_{key}"
        controls[key] = node
    position = nodes.new("ShaderNodeNewGeometry").outputs["Position"]
    heart = nodes.new("ShaderNodeCombineXYZ")
    for axis, key in zip("XYZ", CONTROLS[:3]):
        links.new(controls[key].outputs[0], heart.inputs[axis])
    offset = nodes.new("ShaderNodeVectorMath")
    offset.operation = "DISTANCE"
    links.new(position, offset.inputs[0])
    links.new(heart.outputs[0], offset.inputs[1])
    inward = math_node(nodes, links, "SUBTRACT", 1.0, math_node(nodes, links, "DIVIDE", offset.outputs["Value"],
                                                                controls["rim"].outputs[0]))
    lumps, _ = noise_field(nodes, links, position, NOISE_SCALE, 3.0, 0.0)
    links.new(controls["phase"].outputs[0], lumps.node.inputs["W"])
    bumps = math_node(nodes, links, "SUBTRACT", lumps, 0.5)
    shaped = math_node(nodes, links, "ADD", inward, math_node(nodes, links, "MULTIPLY", bumps, HEAT_NOISE))
    core = math_node(nodes, links, "MULTIPLY", shaped, CORE_SHARPNESS, clamp=True)
    heat = math_node(nodes, links, "MULTIPLY", core, controls["heat"].outputs[0], clamp=True)
    density = nodes.new("ShaderNodeAttribute")
    density.attribute_name = "density"
    grid = math_node(nodes, links, "MINIMUM", density.outputs["Fac"], 1.0)
    billows = math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "ADD", math_node(
        nodes, links, "MULTIPLY", bumps, LUMP_CONTRAST), 0.5), 1.0, clamp=True)
    broken = math_node(nodes, links, "MULTIPLY", grid, billows)  # lumps of gas with gaps, not a veil
    smoke = math_node(nodes, links, "MULTIPLY", broken, math_node(nodes, links, "SUBTRACT", 1.0, math_node(
        nodes, links, "MULTIPLY", heat, 0.9)))  # the hot core is thin gas; the cooled rim is smoke
    smoke = math_node(nodes, links, "MULTIPLY", smoke, controls["smoke"].outputs[0])
    links.new(math_node(nodes, links, "MULTIPLY", smoke, SMOKE_DENSITY * g.density_value), vol.inputs["Density"])
    tip = g.tip_kelvin if g.tip_kelvin is not None else g.blackbody_kelvin
    blackbody_emission(nodes, links, vol, heat, broken, g.blackbody_kelvin, tip, GLOW * g.blackbody_intensity * g.density)
    return mat, controls


def show_fireball(controls, positions: np.ndarray, radii: np.ndarray, seconds: float) -> None:
    """Set the fireball's heart, rim, heat and noise phase for a frame `seconds` into the burst."""
    if len(positions) == 0:
        controls["heat"].outputs[0].default_value = 0.0
        return
    heart = positions.mean(axis=0)
    distance = np.linalg.norm(positions - heart, axis=1)
    rim = float(np.percentile(distance, RIM_QUANTILE) + np.median(radii))
    for key, value in zip(CONTROLS[:3], heart):
        controls[key].outputs[0].default_value = float(value)
    controls["rim"].outputs[0].default_value = max(rim, 1e-3)
    heat = max(LEAST_HEAT, math.exp(-seconds / COOLING_SECONDS))
    controls["heat"].outputs[0].default_value = heat
    controls["smoke"].outputs[0].default_value = FRESH_SMOKE + (1.0 - FRESH_SMOKE) * (1.0 - heat)
    controls["phase"].outputs[0].default_value = 1.5 * seconds

"""Shader fields that give each gas its signature shape (a builder module: node trees only).

Every field reads world positions inside the gas's box domain and returns a density socket
(0 outside, ~1 in the thick of it); fire-like looks also return a heat socket (1 at the hot
core, 0 at the tips) that picks the blackbody temperature and the emission strength.

    flame     tapering tongues: turbulence displaces the column more the higher it rises, and a
              vertically stretched noise cuts the top into separate tongues
    billow    smoke rising and widening, broken into lumps by a thresholded noise (structure,
              not a uniform veil), thinning out at the top
    cloud     a lumpy ball with a flattened base and crisp, noise-displaced edges
    wisps     thin vertical streaks (noise stretched along Z) that fade as they rise
    fireball  a cloud whose hot core glows and whose rim is dark smoke
    particulate  a thin fill of fine specks (dust motes)
    aerial    haze: nothing up to just behind the subject, then thickening with the distance from
              the camera (aerial perspective: the distance fades and greys, the subject does not)
    ground    a layer densest at the floor, thinning exponentially with height (mist)

The numbers that make a concept what it is (stretch, radius, height, noise) come from its
taxonomy entry; only the field's functional form lives here.
"""

from psynth_render.scene.build.medium_settings import HEAT_GLOW_FLOOR, HEAT_GLOW_GAIN
from psynth_render.scene.build.patterns import math_node

AMOUNT_SHIFT = 0.5
"""How far the gas.density axis moves a shaped field's threshold from 0 to 1 (field units)."""


def _gclamp(nodes, links, a):
    """a clamped to 0..1."""
    return math_node(nodes, links, "MULTIPLY", a, 1.0, clamp=True)


def noise_field(nodes, links, vector, scale, detail, w, stretch=1.0, roughness=0.55):
    """4D noise of `vector` squeezed along Z by `stretch` (features that many times taller):
    returns (Fac socket, Color socket)."""
    if stretch != 1.0:
        squash = nodes.new("ShaderNodeVectorMath")
        squash.operation = "MULTIPLY"
        links.new(vector, squash.inputs[0])
        squash.inputs[1].default_value = (1.0, 1.0, 1.0 / stretch)
        vector = squash.outputs["Vector"]
    noise = nodes.new("ShaderNodeTexNoise")
    noise.noise_dimensions = "4D"
    noise.inputs["Scale"].default_value = scale
    noise.inputs["Detail"].default_value = min(detail, 4.0)  # cost: octaves per ray-march step
    noise.inputs["Roughness"].default_value = roughness
    noise.inputs["W"].default_value = w
    links.new(vector, noise.inputs["Vector"])
    return noise.outputs["Fac"], noise.outputs["Color"]


def _local(nodes, links, origin):
    """World position relative to `origin`: (vector, x, y, z) sockets."""
    pos = nodes.new("ShaderNodeNewGeometry").outputs["Position"]
    shift = nodes.new("ShaderNodeVectorMath")
    shift.operation = "SUBTRACT"
    links.new(pos, shift.inputs[0])
    shift.inputs[1].default_value = origin
    split = nodes.new("ShaderNodeSeparateXYZ")
    links.new(shift.outputs["Vector"], split.inputs[0])
    return shift.outputs["Vector"], split.outputs["X"], split.outputs["Y"], split.outputs["Z"]


def _radius_xy(nodes, links, x, y):
    return math_node(nodes, links, "SQRT", math_node(nodes, links, "ADD", math_node(nodes, links, "MULTIPLY", x, x),
                                               math_node(nodes, links, "MULTIPLY", y, y)))


def _sharpen(nodes, links, value, gain, amount=None):
    """clamp(value x gain): soft edges become crisp ones. With `amount` (the gas.density axis,
    0..1) the threshold moves: more gas fills more of the shape, less leaves thinner shreds."""
    if amount is not None:
        value = math_node(nodes, links, "ADD", value, AMOUNT_SHIFT * (amount - 0.5))
    return _gclamp(nodes, links, math_node(nodes, links, "MULTIPLY", value, gain))


def _turbulent(nodes, links, vec, x, y, h, f):
    """x and y pushed sideways by a noise vector, more the higher (h) the gas has risen."""
    _, colour = noise_field(nodes, links, vec, f["noise_scale"] * 0.6, 2.0, f["w"] + 7.0, f["stretch"])
    split = nodes.new("ShaderNodeSeparateColor")
    links.new(colour, split.inputs[0])
    sway = math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "ADD", h, 0.15), f["turbulence"])
    dx = math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", split.outputs[0], 0.5), sway)
    dy = math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", split.outputs[1], 0.5), sway)
    return math_node(nodes, links, "ADD", x, dx), math_node(nodes, links, "ADD", y, dy)


TONGUE_GAIN = 6.0
TONGUE_THINNING = 1.4
"""A flame's tongues: the noise's weight grows by TONGUE_GAIN per flame height and the body
thins by TONGUE_THINNING, so the noise splits the upper flame into separate tongues."""


def flame_field(nodes, links, f):
    """(density, heat) of flames rising from a disc of radius f["extent"] on the floor."""
    vec, x, y, z = _local(nodes, links, f["origin"])
    h = _gclamp(nodes, links, math_node(nodes, links, "DIVIDE", z, f["height"]))
    tx, ty = _turbulent(nodes, links, vec, x, y, h, f)
    r = _radius_xy(nodes, links, tx, ty)
    taper = math_node(nodes, links, "POWER", math_node(nodes, links, "SUBTRACT", 1.0, h), 0.7)
    reach = math_node(nodes, links, "MAXIMUM", math_node(nodes, links, "MULTIPLY", taper, f["extent"]), 0.02)
    body = _gclamp(nodes, links, math_node(nodes, links, "SUBTRACT", 1.0, math_node(nodes, links, "DIVIDE", r, reach)))
    tongues, _ = noise_field(nodes, links, vec, f["noise_scale"], f["noise_detail"], f["w"], f["stretch"])
    # the higher, the more the noise decides (and the less the body does): one sheet at the
    # base, separate tongues above it, thin tips at the top
    split = math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", tongues, 0.5),
                      math_node(nodes, links, "ADD", math_node(nodes, links, "MULTIPLY", h, TONGUE_GAIN), 1.2))
    shaped = math_node(nodes, links, "SUBTRACT", math_node(nodes, links, "ADD", body, split),
                       math_node(nodes, links, "MULTIPLY", h, TONGUE_THINNING))
    inside = _sharpen(nodes, links, body, 20.0)  # the threshold's shift never reaches past the body
    density = math_node(nodes, links, "MULTIPLY", _sharpen(nodes, links, shaped, f["edge_gain"], f["amount"]), inside)
    # hot where the flame is thick and low, cooling to the tongues' edges and tips
    heat = _gclamp(nodes, links, math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", 1.0, h),
                                         math_node(nodes, links, "MULTIPLY", shaped, 1.4)))
    return density, heat


def _column(nodes, links, f, foot):
    """A rising column from f["origin"]: (position vector, height z, height fraction h, swayed
    radius r, its reach = extent x (foot + widen x h)) sockets."""
    vec, x, y, z = _local(nodes, links, f["origin"])
    h = _gclamp(nodes, links, math_node(nodes, links, "DIVIDE", z, f["height"]))
    tx, ty = _turbulent(nodes, links, vec, x, y, h, f)
    r = _radius_xy(nodes, links, tx, ty)
    reach = math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "ADD", math_node(nodes, links, "MULTIPLY", h, f["widen"]), foot),
                      f["extent"])
    return vec, z, h, r, reach


def billow_field(nodes, links, f):
    """Density of a smoke plume rising from f["origin"], widening and thinning as it rises."""
    vec, z, h, r, reach = _column(nodes, links, f, 0.35)
    body = math_node(nodes, links, "SUBTRACT", 1.0, math_node(nodes, links, "DIVIDE", r, reach))
    lumps, _ = noise_field(nodes, links, vec, f["noise_scale"], f["noise_detail"], f["w"], f["stretch"])
    shaped = math_node(nodes, links, "ADD", body, math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", lumps, 0.5),
                                                      2.0 * f["noise_contrast"]))
    fade = _gclamp(nodes, links, math_node(nodes, links, "SUBTRACT", 1.0, math_node(nodes, links, "POWER", h, 2.0)))
    ground = _gclamp(nodes, links, math_node(nodes, links, "MULTIPLY", z, 8.0))  # no smoke below the floor
    return math_node(nodes, links, "MULTIPLY", _sharpen(nodes, links, shaped, f["edge_gain"], f["amount"]),
                  math_node(nodes, links, "MULTIPLY", fade, ground))


def wisps_field(nodes, links, f):
    """Density of thin rising wisps: a narrow column of vertical streaks fading with height."""
    vec, z, h, r, reach = _column(nodes, links, f, 0.5)
    body = _gclamp(nodes, links, math_node(nodes, links, "SUBTRACT", 1.0, math_node(nodes, links, "DIVIDE", r, reach)))
    streaks, _ = noise_field(nodes, links, vec, f["noise_scale"], f["noise_detail"], f["w"], f["stretch"], roughness=0.7)
    strands = _sharpen(nodes, links, math_node(nodes, links, "SUBTRACT", streaks, 0.5), f["edge_gain"], f["amount"])
    fade = _gclamp(nodes, links, math_node(nodes, links, "SUBTRACT", 1.0, h))
    ground = _gclamp(nodes, links, math_node(nodes, links, "MULTIPLY", z, 8.0))
    return math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "MULTIPLY", body, strands),
                  math_node(nodes, links, "MULTIPLY", fade, ground))


def cloud_field(nodes, links, f):
    """(density, core) of a lumpy ball around f["origin"]: noise-displaced edges, flat base.
    `core` is 1 at the centre and 0 at the rim (a fireball's heat)."""
    vec, x, y, z = _local(nodes, links, f["origin"])
    d = math_node(nodes, links, "DIVIDE", math_node(nodes, links, "SQRT", math_node(nodes, links, "ADD", math_node(
        nodes, links, "MULTIPLY", _radius_xy(nodes, links, x, y), _radius_xy(nodes, links, x, y)),
        math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "MULTIPLY", z, z), 1.4))), f["extent"])
    lumps, _ = noise_field(nodes, links, vec, f["noise_scale"], f["noise_detail"], f["w"], f["stretch"])
    shaped = math_node(nodes, links, "ADD", math_node(nodes, links, "SUBTRACT", 1.0, d),
                    math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", lumps, 0.5), 2.0 * f["noise_contrast"]))
    base = _gclamp(nodes, links, math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "ADD", z, 0.55 * f["extent"]), 4.0))
    density = math_node(nodes, links, "MULTIPLY", _sharpen(nodes, links, shaped, f["edge_gain"], f["amount"]), base)
    core = _gclamp(nodes, links, math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", shaped, 0.15), 2.5))
    return density, core


def ground_field(nodes, links, f):
    """Density of a layer on the floor: exp(-height / f["height"]) broken by soft noise."""
    vec, _, _, z = _local(nodes, links, f["origin"])
    falloff = math_node(nodes, links, "EXPONENT", math_node(nodes, links, "DIVIDE", math_node(nodes, links, "MAXIMUM", z, 0.0),
                                                     -f["height"]))
    lumps, _ = noise_field(nodes, links, vec, f["noise_scale"], f["noise_detail"], f["w"], f["stretch"])
    wobble = math_node(nodes, links, "MAXIMUM", math_node(nodes, links, "ADD", math_node(nodes, links, "MULTIPLY", math_node(
        nodes, links, "SUBTRACT", lumps, 0.5), 2.0 * f["noise_contrast"]), 1.0), 0.0)
    return math_node(nodes, links, "MULTIPLY", falloff, wobble)


MOTE_LEVEL = 0.7
MOTE_SPREAD = 0.06
"""Noise level above which dust has a mote (its top few percent: sharp-edged specks), lowered
by MOTE_SPREAD x gas.density: thicker dust has more motes."""


def particulate_field(nodes, links, f):
    """Density of a thin fill plus fine specks: 1 + gain x (noise above its top few percent)."""
    vec, _, _, _ = _local(nodes, links, f["origin"])
    specks, _ = noise_field(nodes, links, vec, f["noise_scale"], 0.0, f["w"], 1.0)
    level = MOTE_LEVEL - MOTE_SPREAD * f["amount"]  # more dust, more motes (not just denser ones)
    motes = _gclamp(nodes, links, math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SUBTRACT", specks, level), 40.0))
    return math_node(nodes, links, "ADD", 1.0, math_node(nodes, links, "MULTIPLY", motes, f["edge_gain"]))


def aerial_field(nodes, links, f):
    """Density of haze: 0 up to one radius behind the subject, rising linearly with the distance
    from the camera (Camera Data's view distance, so a moving camera keeps its clear subject)
    over `extent` camera distances to `edge_gain`. The camera distance is the one the gas's
    `reach` was made from (framing.gas_reach: 1.5 d + 1)."""
    camera = max((f["reach"] - 1.0) / 1.5, 1.0)
    start, span = camera + 1.0, max(f["extent"] * camera, 1e-3)
    view = nodes.new("ShaderNodeCameraData").outputs["View Distance"]
    ramp = _gclamp(nodes, links, math_node(nodes, links, "DIVIDE", math_node(nodes, links, "SUBTRACT", view, start), span))
    return math_node(nodes, links, "MULTIPLY", ramp, f["edge_gain"])


def blackbody_emission(nodes, links, vol, heat, density, core_kelvin, tip_kelvin, strength):
    """Emission of a burning gas: colour = blackbody(tip + (core - tip) x heat), strength =
    `strength` x density x (HEAT_GLOW_FLOOR + HEAT_GLOW_GAIN heat²): white-yellow at the hot
    core, red-orange at the tips."""
    kelvin = math_node(nodes, links, "ADD", tip_kelvin, math_node(nodes, links, "MULTIPLY", heat, core_kelvin - tip_kelvin))
    body = nodes.new("ShaderNodeBlackbody")
    links.new(kelvin, body.inputs["Temperature"])
    links.new(body.outputs["Color"], vol.inputs["Emission Color"])
    glow = math_node(nodes, links, "MULTIPLY", density, math_node(nodes, links, "ADD", math_node(
        nodes, links, "MULTIPLY", math_node(nodes, links, "MULTIPLY", heat, heat), HEAT_GLOW_GAIN), HEAT_GLOW_FLOOR))
    links.new(math_node(nodes, links, "MULTIPLY", glow, strength), vol.inputs["Emission Strength"])
    vol.inputs["Blackbody Intensity"].default_value = 0.0


LOOK_FIELDS = {
    "flame": flame_field,
    "billow": billow_field,
    "wisps": wisps_field,
    "cloud": cloud_field,
    "fireball": cloud_field,
    "ground": ground_field,
    "particulate": particulate_field,
    "aerial": aerial_field,
}
"""look -> field builder; flame, cloud and fireball return (density, heat), the others density."""


def look_field(nodes, links, f):
    """(density, heat or None) of the look `f["look"]` (see LOOK_FIELDS)."""
    out = LOOK_FIELDS[f["look"]](nodes, links, f)
    return out if isinstance(out, tuple) else (out, None)

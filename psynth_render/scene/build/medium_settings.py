"""The backdrop's, the liquid's and the gas's materials as values: one table, two users (like
material_settings).

    backdrop_inputs(bg), backdrop_pattern(bg), backdrop_viewport(bg)   the set's Principled surface
    liquid_inputs(q), liquid_volumes(q), liquid_viewport(q, base)      the liquid's surface and interior
    gas_volume_inputs(g), gas_emission_inputs(g)                       the gas's Principled Volume
    BACKDROP_FIELDS, LIQUID_FIELDS, GAS_FIELDS    the data fields these read (a scene script states
                                                  them in bpy: its data holds None there)
    MEDIUM_NODE_DEFAULTS    what new nodes hold (scripts leave these out; a test reads them from bpy)

surfaces.backdrop_material and media.liquid_material / gas_material set these on their
materials; a scene script writes them as literals in its `add_materials` (scene_code_effects).
What stays library code: the meshes, the gas's domain and its density field (shape and noise,
after the framing caps the density: framing.readable_gas), the fire's lamp. Pure data: no bpy.
"""

BACKDROP_MATERIAL = "psynth_backdrop"
LIQUID_MATERIAL = "psynth_liquid"
GAS_MATERIAL = "psynth_gas"

MESH_BACKDROPS = ("sweep", "floor", "wall")
"""Backdrop kinds with a mesh, and so a material (void and sky are the world's)."""

BACKDROP_FIELDS = ("color", "color2", "roughness", "metallic", "pattern", "pattern_scale")
LIQUID_FIELDS = ("color", "ior", "roughness", "transmission", "absorption_color", "absorption_density",
                 "scattering_color", "scattering_density", "scattering_anisotropy", "subsurface",
                 "subsurface_radius", "metallic", "coat", "thin_film_thickness")
GAS_FIELDS = ("color", "absorption_color", "anisotropy", "emission_color", "emission_strength", "blackbody_kelvin",
              "blackbody_intensity")
"""The data fields each material reads. The gas's `density_value` is not among them: the
framing solve bounds it at build time, and the density field scales it (library code)."""

SCATTER_MIN_DENSITY = 1.0
"""A clear liquid scatters inside only from this density (per scene unit): fainter scattering
is invisible at these sizes, and overlapping parts (a pour's coils) would multiply closures."""

HEAT_GLOW_FLOOR = 0.1
HEAT_GLOW_GAIN = 3.0
"""A burning gas emits strength x density x (HEAT_GLOW_FLOOR + HEAT_GLOW_GAIN x heat²)
(gas_fields.blackbody_emission): faint at the cool tips, bright at the hot core; the describe
step meters a flame's core on the same factor (effects.flame_glow)."""

MEDIUM_NODE_DEFAULTS = {
    "ShaderNodeVolumePrincipled": {"Color": (0.5, 0.5, 0.5, 1.0), "Absorption Color": (0.0, 0.0, 0.0, 1.0),
                                   "Anisotropy": 0.0, "Emission Color": (1.0, 1.0, 1.0, 1.0),
                                   "Emission Strength": 0.0, "Temperature": 1000.0, "Blackbody Intensity": 0.0},
    "ShaderNodeVolumeAbsorption": {"Color": (0.8, 0.8, 0.8, 1.0), "Density": 1.0},
    "ShaderNodeVolumeScatter": {"Color": (0.8, 0.8, 0.8, 1.0), "Density": 1.0, "Anisotropy": 0.0},
    "ShaderNodeTexChecker": {"Color1": (0.8, 0.8, 0.8, 1.0), "Color2": (0.2, 0.2, 0.2, 1.0), "Scale": 5.0},
    "ShaderNodeTexBrick": {"offset": 0.5, "Color1": (0.8, 0.8, 0.8, 1.0), "Color2": (0.2, 0.2, 0.2, 1.0),
                           "Mortar": (0.0, 0.0, 0.0, 1.0), "Scale": 5.0, "Mortar Size": 0.02, "Brick Width": 0.5,
                           "Row Height": 0.25},
}
"""A new node's values of the inputs (and the brick's `offset`) these tables set (Blender 5;
compared as float32, as Blender stores them)."""


def rgba(rgb, alpha=1.0):
    return (rgb[0], rgb[1], rgb[2], alpha)


# ---------------------------------------------------------------- backdrop
def backdrop_inputs(bg):
    """The backdrop's Principled BSDF inputs."""
    return [("Base Color", rgba(bg.color)), ("Roughness", bg.roughness), ("Metallic", bg.metallic)]


def backdrop_pattern(bg):
    """None, or the pattern's texture node: (node type, [(attribute, value)], [(input, value)]),
    its Color output feeding the base colour, its Vector the object's coordinates. A grid (and
    a brick) is a brick texture without offset, whose mortar draws the lines."""
    if bg.pattern == "none":
        return None
    if bg.pattern == "checker":
        return "ShaderNodeTexChecker", [], [("Color1", rgba(bg.color)), ("Color2", rgba(bg.color2)),
                                            ("Scale", 2 * bg.pattern_scale)]
    return "ShaderNodeTexBrick", [("offset", 0.0)], [
        ("Color1", rgba(bg.color)), ("Color2", rgba(bg.color)), ("Mortar", rgba(bg.color2)),
        ("Scale", bg.pattern_scale), ("Brick Width", 1.0), ("Row Height", 1.0), ("Mortar Size", 0.03)]


def backdrop_viewport(bg):
    """What Workbench and the viewport show of the backdrop."""
    return [("diffuse_color", rgba(bg.color)), ("roughness", bg.roughness), ("metallic", bg.metallic)]


# ---------------------------------------------------------------- liquid
def liquid_inputs(q):
    """(the base colour, [(Principled input, value)]): a scattering liquid (milk, paint) shows its
    scattering colour, a clear one its colour; the subsurface's radius and scale only where it
    scatters (weight above 0)."""
    scattering = q.subsurface > 0 and q.transmission < 0.5
    base = tuple(q.scattering_color if scattering and q.scattering_density > 0 else q.color)
    radius = [("Subsurface Radius", tuple(q.subsurface_radius)), ("Subsurface Scale", 1.0)] if q.subsurface > 0 else []
    return base, [("Base Color", rgba(base)), ("Roughness", q.roughness), ("IOR", q.ior),
                  ("Transmission Weight", q.transmission), ("Metallic", q.metallic), ("Coat Weight", q.coat),
                  ("Subsurface Weight", q.subsurface), *radius, ("Thin Film Thickness", q.thin_film_thickness)]


def liquid_volumes(q):
    """The interior's volume shaders, [(node type, [(input, value)])]: Beer-Lambert absorption
    and scattering, in a clear liquid only (added together when both)."""
    out = []
    if q.transmission > 0 and q.absorption_density > 0:
        out.append(("ShaderNodeVolumeAbsorption", [("Color", rgba(q.absorption_color)),
                                                   ("Density", q.absorption_density)]))
    if q.transmission > 0 and q.scattering_density >= SCATTER_MIN_DENSITY:
        out.append(("ShaderNodeVolumeScatter", [("Color", rgba(q.scattering_color)),
                                                ("Density", q.scattering_density),
                                                ("Anisotropy", q.scattering_anisotropy)]))
    return out


def liquid_viewport(q, base):
    """What Workbench and the viewport show (the base tinted toward the absorption as it clears),
    and EEVEE's refraction for a see-through liquid."""
    tint = [c * (1 - q.transmission) + a * q.transmission for c, a in zip(base, q.absorption_color)]
    return [("diffuse_color", rgba(tint)), ("roughness", q.roughness), ("metallic", q.metallic),
            ("use_raytrace_refraction", q.transmission > 0)]


# ---------------------------------------------------------------- gas
def gas_volume_inputs(g):
    """The Principled Volume's colour, absorption and anisotropy (simulated gases take these too)."""
    return [("Color", rgba(g.color)), ("Absorption Color", rgba(g.absorption_color)), ("Anisotropy", g.anisotropy)]


def gas_emission_inputs(g):
    """What a still gas emits: a glow's colour and strength, a fire's blackbody temperature and
    intensity (the density field then scales them, as it does the density)."""
    pairs = [("Emission Color", rgba(g.emission_color))] if g.emission_color is not None else []
    pairs.append(("Emission Strength", g.emission_strength))
    if g.blackbody_kelvin is not None:
        pairs += [("Temperature", g.blackbody_kelvin), ("Blackbody Intensity", g.blackbody_intensity)]
    return pairs


def gas_emission_fields(inputs):
    """The gas fields its density field needs, read back from a stated Principled Volume's input
    values (`inputs`: name -> value): emission strength, blackbody temperature and intensity
    (a temperature only where the blackbody glows, as gas_emission_inputs sets it)."""
    intensity = inputs["Blackbody Intensity"]
    return {"emission_strength": inputs["Emission Strength"], "blackbody_intensity": intensity,
            "blackbody_kelvin": inputs["Temperature"] if intensity > 0 else None}

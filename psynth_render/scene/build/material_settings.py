"""An object's Principled material as bpy assignments: one table, two users (like render_settings).

    principled_inputs(material) -> (base_rgb, [(socket name, value)])   the BSDF's unlinked inputs
    viewport_settings(material, base_rgb) -> [(attribute, value)]        what Workbench shows
    PRINCIPLED_DEFAULTS, MATERIAL_DEFAULTS    what a new node and material hold (scripts leave
                                              these out; a test reads them from bpy)

surfaces.subject_material sets both tables on the object's material; a scene script writes
them as literal assignments in its `add_materials` (scene_code_parts). The surface detail
(grain, veins, rust: procedural pattern graphs) and the texture stay library steps on the
tree. Pure data: no bpy import.
"""

PRINCIPLED_FIELDS = (
    ("Metallic", "metallic"),
    ("Roughness", "roughness"),
    ("IOR", "ior"),
    ("Transmission Weight", "transmission"),
    ("Subsurface Weight", "subsurface"),
    ("Sheen Weight", "sheen"),
    ("Sheen Roughness", "sheen_roughness"),
    ("Coat Weight", "coat"),
    ("Coat Roughness", "coat_roughness"),
    ("Anisotropic", "anisotropy"),
    ("Anisotropic Rotation", "anisotropic_rotation"),
    ("Emission Strength", "emission_strength"),
    ("Thin Film Thickness", "thin_film_thickness"),
    ("Thin Film IOR", "thin_film_ior"),
    ("Alpha", "alpha"),
)
"""Principled BSDF inputs set straight from a MaterialParams field of the same meaning."""

WEIGHTED_BY = {"sheen_roughness": "sheen", "coat_roughness": "coat", "anisotropic_rotation": "anisotropy",
               "thin_film_ior": "thin_film_thickness"}
"""Fields that shape a layer of the BSDF, set only where the layer's weight (the value) is above 0."""

PRINCIPLED_DEFAULTS = {
    "Base Color": (0.8, 0.8, 0.8, 1.0), "Metallic": 0.0, "Roughness": 0.5, "IOR": 1.5, "Alpha": 1.0,
    "Subsurface Weight": 0.0, "Subsurface Radius": (1.0, 0.2, 0.1), "Subsurface Scale": 0.05,
    "Specular Tint": (1.0, 1.0, 1.0, 1.0), "Anisotropic": 0.0, "Anisotropic Rotation": 0.0,
    "Transmission Weight": 0.0, "Coat Weight": 0.0, "Coat Roughness": 0.03, "Sheen Weight": 0.0,
    "Sheen Roughness": 0.5, "Sheen Tint": (1.0, 1.0, 1.0, 1.0), "Emission Color": (1.0, 1.0, 1.0, 1.0),
    "Emission Strength": 0.0, "Thin Film Thickness": 0.0, "Thin Film IOR": 1.33,
}
"""A new Principled BSDF node's values of the inputs principled_inputs sets (Blender 5; compared
as float32, as Blender stores them)."""

MATERIAL_DEFAULTS = {"diffuse_color": (0.8, 0.8, 0.8, 1.0), "metallic": 0.0, "roughness": 0.4,
                     "surface_render_method": "DITHERED", "use_raytrace_refraction": False}
"""A new material's values of the attributes viewport_settings sets."""


def _with_alpha(rgb, alpha=1.0):
    return (rgb[0], rgb[1], rgb[2], alpha)


def principled_inputs(m):
    """(the base colour, [(Principled input, value)]) for a MaterialParams: every field that
    can change the image (a layer's settings only when its weight is above 0), the subsurface
    colour mixed into the base (Principled v2 scatters the base colour)."""
    base = list(m.base_color)
    if m.subsurface_color is not None:
        w = m.subsurface
        base = [b * (1 - w) + s * w for b, s in zip(base, m.subsurface_color)]
    weights = {field: getattr(m, field) for field in ("subsurface", "sheen", "coat", "anisotropy",
                                                      "emission_strength", "thin_film_thickness")}
    pairs = [(socket, getattr(m, field)) for socket, field in PRINCIPLED_FIELDS
             if WEIGHTED_BY.get(field) is None or weights[WEIGHTED_BY[field]] > 0]
    pairs += [("Base Color", _with_alpha(base)), ("Specular Tint", _with_alpha(m.specular_tint))]
    if m.sheen > 0:
        pairs.append(("Sheen Tint", _with_alpha(m.sheen_tint)))
    if m.subsurface > 0:
        pairs += [("Subsurface Radius", tuple(m.subsurface_radius)), ("Subsurface Scale", 1.0)]
    if m.emission_color is not None and m.emission_strength > 0:
        pairs.append(("Emission Color", _with_alpha(m.emission_color)))
    return base, pairs


def viewport_settings(m, base):
    """Material attributes that Workbench and the viewport read instead of the node tree, and
    EEVEE's refraction for see-through materials."""
    see_through = m.transmission > 0 or m.alpha < 1
    return [("diffuse_color", _with_alpha(base, m.alpha)), ("metallic", m.metallic), ("roughness", m.roughness),
            ("surface_render_method", "DITHERED"), ("use_raytrace_refraction", see_through)]

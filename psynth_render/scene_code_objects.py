"""The scene's objects as a script's `add_objects(bpy_scene)`: direct bpy, a comment per object.

Each object is made by its name from a library mesh call with literal arguments (only the
parameters its generator reads: SHAPE_PARAMS; a library asset by its catalog row; the monkey by
Blender's operator), then its transform, pass index and shape modifiers (modifier_settings, the
table the builder applies, less what a new modifier holds) as bpy assignments. The data keeps
of its geometry only the concept (and a floating shape's `float_above`, which the build's floor
reads): the build reads the rest back from bpy and places the objects (floor, facing the
camera, stacking) as it places its own.
"""

from typing import Any

from psynth_render.scene.build.modifier_settings import MODIFIER_DEFAULTS, shape_modifier_settings
from psynth_render.scene.build.shapes import SEEDED_GENERATORS
from psynth_render.scene.describe.model import Geometry
from psynth_render.scene_code_parts import Taken, stated
from psynth_render.scene_literals import MODULE, literal, safe_words

_PRIMITIVE_PARAMS = {
    "cube": ("op",), "plane": ("op",), "circle": ("op", "segments", "radius"),
    "uv_sphere": ("op", "segments", "rings", "radius"), "ico_sphere": ("op", "subdivisions", "radius", "smooth"),
    "cylinder": ("op", "segments", "radius", "depth"), "cone": ("op", "segments", "radius", "radius_top", "depth"),
    "torus": ("op", "major_radius", "minor_radius", "segments", "rings"), "monkey": ("op",),
}
SHAPE_PARAMS = {
    "platonic": ("solid",),
    "rock": ("subdivisions", "noise_scale", "noise_detail", "strength", "scale", "seed"),
    "torus_knot": ("p", "q", "major_radius", "minor_ratio", "tube_radius", "resolution", "tube_segments"),
    "twisted_torus": ("major_radius", "minor_radius", "twists", "segments", "sides"),
    "gear": ("teeth", "radius", "tooth_depth", "width", "bore_radius"),
    "spring": ("turns", "radius", "tube_radius", "height"),
    "mobius": ("half_twists", "width", "thickness"),
    "supershape": ("m1", "n1_1", "n2_1", "n3_1", "m2", "n1_2", "n2_2", "n3_2", "resolution"),
    "lathe": ("profile", "segments", "wall", "neck_width"),
    "crystal": ("prisms", "facets", "radius", "length", "tip", "spread_deg", "seed"),
    "star_prism": ("points", "inner_ratio", "depth"),
    "furniture": ("kind", "width", "depth", "height", "thickness", "legs", "seat_ratio", "back_ratio", "boards",
                  "jitter", "seed"),
    "plant": ("trunk_height", "trunk_radius", "levels", "branches", "spread_deg", "taper", "sides", "leaf_size", "seed"),
    "terrain": ("resolution", "feature_size", "octaves", "relief", "thickness", "seed"),
    "bolt": ("radius", "length", "pitch", "head_radius", "head_height"),
    "pipe": ("runs", "leg_length", "radius", "sides", "seed"),
    "metaballs": ("count", "radius", "spread", "threshold", "resolution", "seed"),
    "scatter": ("piece", "density", "size", "slab", "seed"),
}
"""The parameters each generator reads (a primitive: each op, _PRIMITIVE_PARAMS); a script
writes only these (the tests make every shape concept's mesh from them alone)."""

_MODIFIER_VARIABLES = {"psynth_subsurf": "subdivision", "psynth_bevel": "bevel",
                       "psynth_topology_quads": "quads", "psynth_topology_tris": "triangulate"}
_TIMES = {1: "once", 2: "twice"}


def used_params(generator: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters of `params` the generator reads."""
    keys = _PRIMITIVE_PARAMS[params["op"]] if generator == "primitive" else SHAPE_PARAMS[generator]
    return {k: params[k] for k in keys if k in params}


def kept_geometry(geo: Geometry) -> Geometry:
    """What a script's data keeps of an object's geometry: the concept, and the height a floating
    shape floats at (the build's floor reads it; bpy cannot give it back)."""
    above = (geo.params or {}).get("float_above", 0.0)
    return Geometry(concept=geo.concept, params={"float_above": above} if above else None)


def _mesh_call(geo: Geometry, fields: dict[str, Any]) -> tuple[list[str], str]:
    """(statements before the object's, its mesh as a library call expression)."""
    flat = "" if bool(geo.params.get("smooth", True)) and not geo.flat else "smooth=False"
    if fields.get("asset") is not None:
        return [], f"{MODULE}.catalog_mesh({literal(fields['asset'].model_dump(mode='json'))})"
    if geo.generator == "primitive" and geo.params["op"] == "monkey":
        return (["bpy.ops.mesh.primitive_monkey_add(size=2.0)  # Blender's monkey, read back and normalised"],
                f"{MODULE}.operator_mesh({flat})")
    args = [literal(geo.generator), literal(used_params(geo.generator, geo.params))]
    if geo.generator in SEEDED_GENERATORS:
        args.append(f"seed={literal(geo.seed)}")
    return [], f"{MODULE}.object_mesh({', '.join(args + ([flat] if flat else []))})"


def _summary(geo: Geometry, bevel: float) -> str:
    subdivided = f"subdivided {_TIMES.get(geo.subdivision, f'{geo.subdivision} times')}" if geo.subdivision else None
    return safe_words(f"{geo.concept} ({geo.generator})", f"turned {geo.rotation_deg:.0f} deg" if geo.rotation_deg else None,
                      subdivided, f"bevel {bevel:g}" if bevel else None,
                      f"{geo.topology} faces" if geo.topology != "mixed" else None, "flat shaded" if geo.flat else None)


@stated(Geometry, "objects", "add_objects", takes=("location", "scale", "pass_index", "asset"),
        reads=("name", "element", "support"), keep=kept_geometry)
def object_code(shape: Taken, name: str, index: int) -> list[str]:
    """One object: its mesh, transform, pass index and shape modifiers (builder._subject's)."""
    geo, fields, read = shape.part, shape.fields, shape.read
    var = "subject" if read["element"] == "subject" else f"object_{index}"
    bevel = geo.params.get("bevel", 0.0)
    before, mesh = _mesh_call(geo, fields)
    lines = [f"# {var}: {_summary(geo, bevel)}", *before,
             f"{var} = {MODULE}.mesh_object(bpy_scene, {literal(read['name'])}, {mesh})"]
    if any(fields["location"]):
        note = "  # its spot on the ground; the build rests it there or on what is below" if index == 1 else ""
        lines.append(f"{var}.location = {literal(tuple(fields['location']))}{note}")
    if fields["scale"] != 1.0:
        lines.append(f"{var}.scale = ({literal(fields['scale'])},) * 3")
    if geo.rotation_deg:
        lines.append(f"{var}.rotation_euler = (0.0, 0.0, math.radians({literal(geo.rotation_deg)}))")
    note = "  # its id in the instance masks" if index == 0 else ""
    lines.append(f"{var}.pass_index = {literal(fields['pass_index'])}{note}")
    for modifier, kind, wanted, settings in shape_modifier_settings(geo.subdivision, geo.subdivision_scheme, bevel,
                                                                    geo.topology):
        if not wanted:
            continue
        mod = _MODIFIER_VARIABLES[modifier]
        lines.append(f"{mod} = {var}.modifiers.new({literal(modifier)}, {literal(kind)})")
        changed = [(a, v) for a, v in settings.items() if v != MODIFIER_DEFAULTS[kind][a]]
        if changed:
            lines.append(", ".join(f"{mod}.{a}" for a, _ in changed) + " = " + ", ".join(literal(v) for _, v in changed))
    return lines

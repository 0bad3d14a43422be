"""An object's shape modifiers as settings: one table, two users (like render_settings).

    MESH_MODIFIERS                          the shape's modifiers, in stack order
    MODIFIER_DEFAULTS                       what a new bpy modifier of each kind holds
    shape_modifier_settings(subdivision, scheme, bevel, topology) -> [(name, kind, wanted, settings)]

The builder's object step sets the table on the object (topology.shape_modifiers: adds, updates
or removes each modifier); a scene script's `add_objects` writes the wanted ones as
`obj.modifiers.new(name, kind)` and literal assignments, leaving out what a new modifier
already holds. The build reads the subdivision and topology back from the modifiers
(stated_objects.read_objects). Pure data: no bpy import.
"""

MESH_MODIFIERS = ("psynth_subsurf", "psynth_bevel", "psynth_topology_quads", "psynth_topology_tris")
"""The shape's own modifiers, first in the stack in this order (the style's come after)."""

MODIFIER_DEFAULTS = {
    "SUBSURF": {"levels": 1, "render_levels": 2, "subdivision_type": "CATMULL_CLARK"},
    "BEVEL": {"width": 0.1, "segments": 1, "limit_method": "ANGLE"},
    "TRIANGULATE": {"min_vertices": 4},
}
"""What `obj.modifiers.new` gives for the settings the table sets (tests check it against bpy)."""

BEVEL_SEGMENTS = 3
"""Segments of a shape's bevel (a rounded edge, not a chamfer)."""


def shape_modifier_settings(subdivision, scheme, bevel, topology):
    """Each of MESH_MODIFIERS as (name, kind, wanted, {setting: value}), in stack order."""
    levels = int(subdivision)
    return [
        # subdivide first: a bevel before it would add support loops that keep the corners sharp
        ("psynth_subsurf", "SUBSURF", levels > 0,
         {"levels": levels, "render_levels": levels, "subdivision_type": scheme}),
        ("psynth_bevel", "BEVEL", bevel > 0,
         {"width": bevel, "segments": BEVEL_SEGMENTS, "limit_method": "ANGLE"}),
        # then the faces of the finished shape: a shape-keeping simple step makes every face a quad
        ("psynth_topology_quads", "SUBSURF", topology == "quads",
         {"subdivision_type": "SIMPLE", "levels": 1, "render_levels": 1}),
        ("psynth_topology_tris", "TRIANGULATE", topology in ("triangles", "ngon_free"),
         {"min_vertices": 4 if topology == "triangles" else 5}),
    ]


def topology_of(quads, triangulate_min_vertices):
    """The Geometry `topology` a stack with these modifiers makes (the table read backwards)."""
    if quads:
        return "quads"
    if triangulate_min_vertices is not None:
        return "triangles" if triangulate_min_vertices == 4 else "ngon_free"
    return "mixed"

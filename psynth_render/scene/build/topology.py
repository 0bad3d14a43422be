"""The shape's own modifiers: subdivision (levels and scheme), bevel, then the face topology
of the finished mesh (`geometry.subdivision`, `geometry.subdivision_type`, `geometry.topology`).
Imports only bpy (through looks.set_modifier), so it is inlined into standalone scene scripts."""

from psynth_render.scene.build.looks import set_modifier

MESH_MODIFIERS = ("psynth_subsurf", "psynth_bevel", "psynth_topology_quads", "psynth_topology_tris")
"""The shape's own modifiers, first in the stack in this order (the style's come after)."""


def shape_modifiers(obj, geo):
    """Add, update or remove the shape modifiers of the Geometry `geo` on `obj`, in order."""
    # subdivide first: a bevel before it would add support loops that keep the corners sharp
    levels = int(geo.subdivision)
    set_modifier(obj, "psynth_subsurf", "SUBSURF", levels > 0, levels=levels, render_levels=levels,
                 subdivision_type=geo.subdivision_scheme)
    bevel = geo.params.get("bevel", 0.0)
    set_modifier(obj, "psynth_bevel", "BEVEL", bevel > 0, width=bevel, segments=3, limit_method="ANGLE")
    # then the faces of the finished shape: a shape-keeping simple step makes every face a quad
    set_modifier(obj, "psynth_topology_quads", "SUBSURF", geo.topology == "quads",
                 subdivision_type="SIMPLE", levels=1, render_levels=1)
    set_modifier(obj, "psynth_topology_tris", "TRIANGULATE", geo.topology in ("triangles", "ngon_free"),
                 min_vertices=4 if geo.topology == "triangles" else 5)
    mods = obj.modifiers
    for index, name in enumerate(n for n in MESH_MODIFIERS if mods.get(n) is not None):
        if mods.find(name) != index:
            mods.move(mods.find(name), index)

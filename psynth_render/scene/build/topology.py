"""The shape's own modifiers: subdivision (levels and scheme), bevel, then the face topology
of the finished mesh (`geometry.subdivision`, `geometry.subdivision_type`, `geometry.topology`),
as modifier_settings tables them. Imports only bpy (through looks.set_modifier), so it is
inlined into standalone scene scripts."""

from psynth_render.scene.build.looks import set_modifier
from psynth_render.scene.build.modifier_settings import MESH_MODIFIERS, shape_modifier_settings


def shape_modifiers(obj, geo):
    """Add, update or remove the shape modifiers of the Geometry `geo` on `obj`, in order."""
    settings = shape_modifier_settings(geo.subdivision, geo.subdivision_scheme, geo.params.get("bevel", 0.0),
                                       geo.topology)
    for name, kind, wanted, values in settings:
        set_modifier(obj, name, kind, wanted, **values)
    mods = obj.modifiers
    for index, name in enumerate(n for n in MESH_MODIFIERS if mods.get(n) is not None):
        if mods.find(name) != index:
            mods.move(mods.find(name), index)

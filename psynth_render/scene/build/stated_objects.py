"""The objects' meshes, as library calls a scene script's `add_objects` makes them with, and
what the build reads back from the objects the script made.

    shape_data(generator, params, seed) -> shape data   (shapes.py layout; the monkey excepted)
    finished(mesh) -> mesh             the UV projection and corner creases every object mesh gets
    object_mesh(generator, params, seed, smooth) -> mesh   a generated shape's mesh
    operator_mesh(smooth) -> mesh      the mesh of the object a mesh-add operator just made (the monkey)
    catalog_mesh(ref) -> mesh          a library asset's normalised mesh
    mesh_object(scene, name, mesh) -> object   a new psynth object (an old one of the name removed)
    read_objects(desc)                 the transform, pass index and modifiers of stated objects, into `desc`

The builder makes the same meshes (builder._subject: shape_data, then finished), so a script's
object equals the builder's; the placement (floor, facing the camera, stacking) stays the
build's, after the script's step.
"""

import math

import bpy

from psynth_render.scene.build.meshes import from_operator, mesh_from_shape, metaballs_shape, read_mesh
from psynth_render.scene.build.modifier_settings import topology_of
from psynth_render.scene.build.patterns import cube_project_uvs
from psynth_render.scene.build.placement import crease_corners
from psynth_render.scene.build.scatter import scatter_shape
from psynth_render.scene.build.shapes import shape_mesh

OBJECT_TAG = "psynth"
"""The custom property that marks psynth's objects (builder.TAG; the build removes the others)."""


def shape_data(generator, params, seed):
    """Mesh data (shapes.py layout) for a generator; Blender's own meshes for the monkey."""
    if generator == "primitive" and params["op"] == "monkey":
        return from_operator(lambda: bpy.ops.mesh.primitive_monkey_add(size=2.0))
    if generator == "metaballs":
        return metaballs_shape(params, seed)
    if generator == "scatter":
        return scatter_shape(params, seed)
    return shape_mesh(generator, params, seed)


def finished(mesh):
    """`mesh` with the cube-projected UVs textures read and creases on its sharp corners."""
    cube_project_uvs(mesh)
    crease_corners(mesh)
    return mesh


def object_mesh(generator, params, seed=None, smooth=True):
    """A generated shape's mesh, normalised (centred, unit radius), smooth- or flat-shaded."""
    return finished(mesh_from_shape(shape_data(generator, params, seed), smooth))


def operator_mesh(smooth=True):
    """The mesh of the object a mesh-add operator just made (it is deleted), normalised."""
    obj = bpy.context.active_object
    data, made = read_mesh(obj.data), obj.data
    bpy.data.objects.remove(obj, do_unlink=True)
    bpy.data.meshes.remove(made)
    return finished(mesh_from_shape(shape_mesh("data", data, 0), smooth))


def catalog_mesh(ref):
    """A library asset's mesh (the catalog row `ref`), normalised; needs psynth_render importable."""
    from psynth_render.asset_cache import asset_mesh

    return finished(asset_mesh(ref))


def mesh_object(scene, name, mesh):
    """A new object `name` with `mesh` in `scene`, marked as psynth's; one of the name goes first."""
    old = bpy.data.objects.get(name)
    if old is not None:
        bpy.data.objects.remove(old, do_unlink=True)
    obj = bpy.data.objects.new(name, mesh)
    obj[OBJECT_TAG] = True
    scene.collection.objects.link(obj)
    return obj


def read_objects(desc):
    """Objects whose shape a script stated in bpy (their data's `pass_index` None) take the
    transform, pass index, subdivision and topology back from the bpy object of their name."""
    for element in desc.objects:
        if element.pass_index is not None:
            continue
        obj = bpy.data.objects.get(element.name)
        if obj is None:
            raise ValueError(f"the scene's data has the object {element.name!r}, which the script's "
                             "add_objects did not make")
        geo, mods = element.geometry, obj.modifiers
        element.pass_index = obj.pass_index
        element.location = tuple(obj.location)
        element.scale = obj.scale[0]
        geo.rotation_deg = math.degrees(obj.rotation_euler[2])
        subsurf = mods.get("psynth_subsurf")
        geo.subdivision = subsurf.levels if subsurf is not None else 0
        geo.subdivision_scheme = subsurf.subdivision_type if subsurf is not None else "CATMULL_CLARK"
        tris = mods.get("psynth_topology_tris")
        geo.topology = topology_of(mods.get("psynth_topology_quads") is not None,
                                   tris.min_vertices if tris is not None else None)
        if geo.params is None:
            geo.params = {}

"""Geometry-Nodes scattering: small objects strewn over a ground slab, as shape data.

A node tree on a temporary plane distributes points on its faces (`density`, seeded),
instances a pebble (ico sphere), a block (cube) or a mix on them with random rotation and
scale, realizes them, and joins them to the slab; the evaluated mesh is read back and
normalised like every generated shape, so the subject stays one mesh the builder can shade.
"""

import bpy

from psynth_render.scene.build.meshes import read_mesh
from psynth_render.scene.build.shapes import shape_mesh

_PIECES = {"pebbles": ("GeometryNodeMeshIcoSphere", {"Radius": 1.0, "Subdivisions": 2}),
           "blocks": ("GeometryNodeMeshCube", {"Size": (1.6, 1.6, 1.6)})}


def _random(nodes, kind, low, high, seed):
    node = nodes.new("FunctionNodeRandomValue")
    node.data_type = kind
    sockets = [s for s in node.inputs if s.enabled]
    by_name = {s.name: s for s in sockets}
    by_name["Min"].default_value = low
    by_name["Max"].default_value = high
    by_name["Seed"].default_value = seed
    return next(s for s in node.outputs if s.enabled)


def _tree(params, seed):
    tree = bpy.data.node_groups.new("psynth_scatter", "GeometryNodeTree")
    tree.interface.new_socket(name="Geometry", in_out="INPUT", socket_type="NodeSocketGeometry")
    tree.interface.new_socket(name="Geometry", in_out="OUTPUT", socket_type="NodeSocketGeometry")
    nodes, links = tree.nodes, tree.links
    group_in, group_out = nodes.new("NodeGroupInput"), nodes.new("NodeGroupOutput")
    distribute = nodes.new("GeometryNodeDistributePointsOnFaces")
    distribute.inputs["Density"].default_value = params["density"]
    distribute.inputs["Seed"].default_value = seed
    kind, values = _PIECES[params["piece"]]
    piece = nodes.new(kind)
    for name, value in values.items():
        piece.inputs[name].default_value = value
    instance = nodes.new("GeometryNodeInstanceOnPoints")
    realize = nodes.new("GeometryNodeRealizeInstances")
    join = nodes.new("GeometryNodeJoinGeometry")
    links.new(group_in.outputs[0], distribute.inputs["Mesh"])
    links.new(distribute.outputs["Points"], instance.inputs["Points"])
    links.new(piece.outputs["Mesh"], instance.inputs["Instance"])
    links.new(_random(nodes, "FLOAT_VECTOR", (0.0, 0.0, 0.0), (6.3, 6.3, 6.3), seed + 1), instance.inputs["Rotation"])
    size = params["size"]
    links.new(_random(nodes, "FLOAT", size * 0.5, size * 1.5, seed + 2), instance.inputs["Scale"])
    links.new(instance.outputs["Instances"], realize.inputs[0])
    links.new(group_in.outputs[0], join.inputs[0])
    links.new(realize.outputs[0], join.inputs[0])
    links.new(join.outputs[0], group_out.inputs[0])
    return tree


def scatter_shape(params, seed):
    """Seeded scatter of `density` pieces per unit area of `size` over a 2 x 2 slab."""
    base = bpy.data.meshes.new("psynth_scatter_base")
    h = params["slab"]
    verts = [(x, y, z) for z in (-h, 0.0) for x in (-1.0, 1.0) for y in (-1.0, 1.0)]
    faces = [[4, 6, 7, 5], [0, 1, 3, 2], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]]
    base.from_pydata(verts, [], faces)
    base.update()
    obj = bpy.data.objects.new("psynth_scatter", base)
    bpy.context.scene.collection.objects.link(obj)
    # Blender's node seed is a 32-bit int: a sample's 64-bit seed is folded into it
    tree = _tree(params, (int(params.get("seed", 0)) * 1000003 + seed) % 0x7FFFFFFF)
    obj.modifiers.new("psynth_scatter", "NODES").node_group = tree
    depsgraph = bpy.context.evaluated_depsgraph_get()
    depsgraph.update()
    mesh = bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph))
    out = read_mesh(mesh)
    bpy.data.objects.remove(obj, do_unlink=True)
    for block, collection in ((mesh, bpy.data.meshes), (base, bpy.data.meshes), (tree, bpy.data.node_groups)):
        collection.remove(block)
    out["smooth"] = [len(face) == 3 for face in out["faces"]]  # pebbles smooth, slab and blocks flat
    return shape_mesh("data", out, 0)

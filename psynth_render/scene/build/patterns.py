"""The `texture.pattern` axis on the subject: a procedural pattern node, projected by the
`texture.mapping` axis and scaled by `texture.scale`, mapped through the concept's colours and
blended into the material's base colour (the scene model's Texture and its Mapping).

Scale: the texture coordinates are multiplied by `scale` and every node runs at Scale 1, so
the axis means repetitions per coordinate unit whatever the pattern. Gradients (and the toon
ramp over one) repeat by `scale / GRADIENT_REFERENCE_SCALE` tiles so the default scale (5)
shows one gradient across the subject.

Mappings: FLAT uses the coordinates as they are; SPHERE and TUBE wrap object coordinates to
(longitude, latitude) or (longitude, height); BOX evaluates the pattern on the three axis
planes and blends them by the object normal (tri-planar, `blend` softening the seams). UV uses
the mesh's UV map, made by the builder with a cube-projection unwrap.
"""

import math

import bpy

GRADIENT_REFERENCE_SCALE = 5.0


def math_node(nodes, links, op, a, b=None, clamp=False):
    """A Math shader node `op(a, b)`; a and b are sockets (linked) or numbers (set)."""
    node = nodes.new("ShaderNodeMath")
    node.operation = op
    node.use_clamp = clamp
    for i, v in enumerate((a, b)):
        if v is None:
            continue
        if isinstance(v, bpy.types.NodeSocket):
            links.new(v, node.inputs[i])
        else:
            node.inputs[i].default_value = v
    return node.outputs[0]


def _pvmath(nodes, links, op, a, b=None, scale=None):
    node = nodes.new("ShaderNodeVectorMath")
    node.operation = op
    links.new(a, node.inputs[0])
    if b is not None:
        if isinstance(b, bpy.types.NodeSocket):
            links.new(b, node.inputs[1])
        else:
            node.inputs[1].default_value = b
    if scale is not None:
        node.inputs["Scale"].default_value = scale
    return node.outputs["Vector"] if op not in ("LENGTH", "DOT_PRODUCT", "DISTANCE") else node.outputs["Value"]


def _pcombine(nodes, links, x, y, z):
    node = nodes.new("ShaderNodeCombineXYZ")
    for socket, v in zip(node.inputs, (x, y, z)):
        if isinstance(v, bpy.types.NodeSocket):
            links.new(v, socket)
        else:
            socket.default_value = v
    return node.outputs[0]


def _psplit(nodes, links, vector):
    node = nodes.new("ShaderNodeSeparateXYZ")
    links.new(vector, node.inputs[0])
    return node.outputs["X"], node.outputs["Y"], node.outputs["Z"]


def _longitude(nodes, links, x, y):
    """atan2(y, x) mapped to 0..1."""
    a = math_node(nodes, links, "ARCTAN2", y, x)
    return math_node(nodes, links, "ADD", math_node(nodes, links, "DIVIDE", a, 2 * math.pi), 0.5)


def projected(nodes, links, mapping):
    """Texture vectors for the mapping: [(vector socket, weight socket or None)]."""
    coords = nodes.new("ShaderNodeTexCoord")
    source = coords.outputs[{"UV": "UV", "GENERATED": "Generated", "OBJECT": "Object",
                             "WINDOW": "Window", "CAMERA": "Camera"}[mapping.coordinates]]
    projection = mapping.projection
    if projection == "FLAT":
        return [(source, None)]
    x, y, z = _psplit(nodes, links, source)
    if projection == "SPHERE":
        r_xy = _pvmath(nodes, links, "LENGTH", _pcombine(nodes, links, x, y, 0.0))
        lat = math_node(nodes, links, "ADD", math_node(nodes, links, "DIVIDE", math_node(nodes, links, "ARCTAN2", z, r_xy), math.pi), 0.5)
        return [(_pcombine(nodes, links, math_node(nodes, links, "MULTIPLY", _longitude(nodes, links, x, y), 2.0), lat, 0.0), None)]
    if projection == "TUBE":
        return [(_pcombine(nodes, links, math_node(nodes, links, "MULTIPLY", _longitude(nodes, links, x, y), 2.0),
                          math_node(nodes, links, "MULTIPLY", z, 0.5),
                          0.0), None)]
    # BOX: three planar projections weighted by |normal|^k
    nx, ny, nz = _psplit(nodes, links, coords.outputs["Normal"])
    k = 1.0 / max(mapping.blend, 0.02)
    weights = [math_node(nodes, links, "POWER", math_node(nodes, links, "ABSOLUTE", n), k) for n in (nx, ny, nz)]
    total = math_node(nodes, links, "ADD", math_node(nodes, links, "ADD", weights[0], weights[1]), weights[2])
    weights = [math_node(nodes, links, "DIVIDE", w, total) for w in weights]
    planes = [_pcombine(nodes, links, y, z, 0.0), _pcombine(nodes, links, x, z, 0.0), _pcombine(nodes, links, x, y, 0.0)]
    return list(zip(planes, weights))


def _pattern_node(nodes, links, tex, vector):
    """The pattern node on `vector` (already scaled): (factor socket, colour socket or None)."""
    kind = tex.node
    if kind == "noise":
        node = nodes.new("ShaderNodeTexNoise")
        node.noise_type = tex.noise_type
        for name, field in (("Detail", "detail"), ("Roughness", "roughness"), ("Lacunarity", "lacunarity"),
                            ("Distortion", "distortion")):
            node.inputs[name].default_value = getattr(tex, field)
        out = (node.outputs["Fac"], None)
    elif kind in ("voronoi", "halftone"):
        node = nodes.new("ShaderNodeTexVoronoi")
        if kind == "halftone":  # a regular grid of cells: distance to the cell centre
            node.inputs["Randomness"].default_value = 0.0
            node.feature = "F1"
        else:
            node.feature = tex.voronoi_feature
            node.distance = tex.voronoi_distance
            node.inputs["Randomness"].default_value = tex.randomness
        socket = node.outputs["Radius"] if node.feature == "N_SPHERE_RADIUS" else node.outputs["Distance"]
        out = (socket, None)
    elif kind == "wave":
        node = nodes.new("ShaderNodeTexWave")
        node.wave_type = tex.wave_type
        direction = tex.wave_direction
        if tex.wave_type == "BANDS":
            node.bands_direction = "DIAGONAL" if direction == "SPHERICAL" else direction
        else:
            node.rings_direction = "SPHERICAL" if direction == "DIAGONAL" else direction
        node.wave_profile = tex.wave_profile
        node.inputs["Distortion"].default_value = tex.distortion
        node.inputs["Detail"].default_value = tex.detail
        out = (node.outputs["Fac"], None)
    elif kind == "checker":
        node = nodes.new("ShaderNodeTexChecker")
        out = (node.outputs["Fac"], None)
    elif kind == "brick":
        node = nodes.new("ShaderNodeTexBrick")
        node.offset = tex.brick_offset
        colors = tex.colors
        node.inputs["Mortar"].default_value = (*colors[0], 1.0)
        node.inputs["Color1"].default_value = (*colors[1 % len(colors)], 1.0)
        node.inputs["Color2"].default_value = (*colors[2 % len(colors)], 1.0)
        node.inputs["Mortar Size"].default_value = tex.brick_mortar_size
        node.inputs["Brick Width"].default_value = tex.brick_width
        node.inputs["Row Height"].default_value = tex.brick_row_height
        out = (node.outputs["Fac"], node.outputs["Color"])
    elif kind == "magic":
        node = nodes.new("ShaderNodeTexMagic")
        node.turbulence_depth = tex.magic_depth
        node.inputs["Distortion"].default_value = tex.distortion
        out = (node.outputs["Fac"], None)
    elif kind == "gabor":
        node = nodes.new("ShaderNodeTexGabor")
        node.inputs["Frequency"].default_value = tex.gabor_frequency
        node.inputs["Anisotropy"].default_value = tex.gabor_anisotropy
        value = math_node(nodes, links, "MULTIPLY_ADD", node.outputs["Value"], 0.5)
        value.node.inputs[2].default_value = 0.5
        links.new(vector, node.inputs["Vector"])
        return value, None
    else:  # gradient, toon_ramp: a repeating gradient field
        node = nodes.new("ShaderNodeTexGradient")
        node.gradient_type = tex.gradient_type
        centred = tex.gradient_type in ("SPHERICAL", "QUADRATIC_SPHERE", "RADIAL")
        tiled = _pvmath(nodes, links, "FRACTION", vector)
        if centred:  # each tile's field centred on the tile
            tiled = _pvmath(nodes, links, "MULTIPLY_ADD", tiled, (2.0, 2.0, 2.0))
            tiled.node.inputs[2].default_value = (-1.0, -1.0, -1.0)
        links.new(tiled, node.inputs["Vector"])
        return node.outputs["Fac"], None
    if "Scale" in node.inputs:
        node.inputs["Scale"].default_value = 1.0
    links.new(vector, node.inputs["Vector"])
    return out


def _shape_factor(nodes, links, tex, factor, tone):
    """Halftone dots, threshold, steps and invert applied to the raw factor."""
    if tex.node == "halftone":  # ink where the distance to the cell centre < radius(tone)
        radius = math_node(nodes, links, "MULTIPLY", math_node(nodes, links, "SQRT", tone), 0.6)
        factor = math_node(nodes, links, "LESS_THAN", factor, radius)
    if tex.threshold is not None:
        factor = math_node(nodes, links, "GREATER_THAN", factor, tex.threshold)
    if tex.steps is not None:
        n = tex.steps
        stepped = math_node(nodes, links, "FLOOR", math_node(nodes, links, "MULTIPLY", factor, n * 0.9999))
        factor = math_node(nodes, links, "DIVIDE", stepped, max(n - 1, 1), clamp=True)
    if tex.invert:
        factor = math_node(nodes, links, "SUBTRACT", 1.0, factor)
    return factor


def _pramp(nodes, links, colors, factor):
    node = nodes.new("ShaderNodeValToRGB")
    ramp = node.color_ramp
    while len(ramp.elements) < len(colors):
        ramp.elements.new(0.5)
    for i, (element, color) in enumerate(zip(ramp.elements, colors)):
        element.position = i / (len(colors) - 1)
        element.color = (*color, 1.0)
    links.new(factor, node.inputs["Fac"])
    return node.outputs["Color"]


def mix_color(nodes, links, a, b, weight, blend="MIX"):
    """An RGBA Mix node of `a` and `b` (sockets or colours) by `weight` (socket or number)."""
    node = nodes.new("ShaderNodeMix")
    node.data_type = "RGBA"
    node.blend_type = blend
    for identifier, value in (("A_Color", a), ("B_Color", b)):
        socket = next(s for s in node.inputs if s.identifier == identifier)
        if isinstance(value, bpy.types.NodeSocket):
            links.new(value, socket)
        else:
            socket.default_value = (*value[:3], 1.0)
    fac = next(s for s in node.inputs if s.identifier == "Factor_Float")
    if isinstance(weight, bpy.types.NodeSocket):
        links.new(weight, fac)
    else:
        fac.default_value = weight
    return next(s for s in node.outputs if s.identifier == "Result_Color")


def apply_texture(tree, bsdf, tex):
    """Blend the texture `tex` (description's `texture` part) into `bsdf`'s base colour."""
    if tex is None or tex.node == "none":
        return
    nodes, links = tree.nodes, tree.links
    base_socket = bsdf.inputs["Base Color"]
    base = base_socket.links[0].from_socket if base_socket.is_linked else tuple(base_socket.default_value)
    scale = tex.scale
    if tex.node in ("gradient", "toon_ramp"):
        scale = scale / GRADIENT_REFERENCE_SCALE
    elif tex.node == "halftone":
        scale = scale * tex.dot_cells
    coords = nodes.new("ShaderNodeTexCoord")
    tone = math_node(nodes, links, "SUBTRACT", 1.0, _psplit(nodes, links, coords.outputs["Generated"])[2])
    factor = color = None
    for vector, weight in projected(nodes, links, tex.mapping):
        f, c = _pattern_node(nodes, links, tex, _pvmath(nodes, links, "SCALE", vector, scale=scale))
        f = _shape_factor(nodes, links, tex, f, tone)
        c = c if c is not None else _pramp(nodes, links, tex.colors, f)
        if weight is None:
            factor, color = f, c
            continue
        wf = math_node(nodes, links, "MULTIPLY", f, weight)
        factor = wf if factor is None else math_node(nodes, links, "ADD", factor, wf)
        # colour: running weighted sum (mix toward the new plane by its share of the total)
        if color is None:
            color, total = c, weight
        else:
            total = math_node(nodes, links, "ADD", total, weight)
            color = mix_color(nodes, links, color, c, math_node(nodes, links, "DIVIDE", weight, total))
    blend = {"mix": "MIX", "multiply": "MULTIPLY", "overlay": "OVERLAY"}[tex.blend]
    links.new(mix_color(nodes, links, base, color, tex.mix, blend), base_socket)
    if tex.bump_strength > 0:
        bump = nodes.new("ShaderNodeBump")
        bump.inputs["Strength"].default_value = tex.bump_strength
        bump.inputs["Distance"].default_value = 0.02
        links.new(factor, bump.inputs["Height"])
        if bsdf.inputs["Normal"].is_linked:
            links.new(bsdf.inputs["Normal"].links[0].from_socket, bump.inputs["Normal"])
        links.new(bump.outputs["Normal"], bsdf.inputs["Normal"])


def cube_project_uvs(mesh):
    """A UV map by cube projection: each face takes the two object axes across its dominant
    normal axis (what Blender's Cube Projection unwrap does), in 0..1 for a unit subject."""
    layer = mesh.uv_layers.get("UVMap") or mesh.uv_layers.new(name="UVMap")
    coords = [0.0] * (3 * len(mesh.vertices))
    mesh.vertices.foreach_get("co", coords)
    normals = [0.0] * (3 * len(mesh.polygons))
    mesh.polygons.foreach_get("normal", normals)
    starts = [0] * len(mesh.polygons)
    mesh.polygons.foreach_get("loop_start", starts)
    totals = [0] * len(mesh.polygons)
    mesh.polygons.foreach_get("loop_total", totals)
    loop_verts = [0] * len(mesh.loops)
    mesh.loops.foreach_get("vertex_index", loop_verts)
    uvs = [0.0] * (2 * len(mesh.loops))
    for p, (start, total) in enumerate(zip(starts, totals)):
        n = (abs(normals[3 * p]), abs(normals[3 * p + 1]), abs(normals[3 * p + 2]))
        axis = n.index(max(n))
        u_axis, v_axis = [(1, 2), (0, 2), (0, 1)][axis]
        for loop in range(start, start + total):
            v = loop_verts[loop]
            uvs[2 * loop] = coords[3 * v + u_axis] * 0.5 + 0.5
            uvs[2 * loop + 1] = coords[3 * v + v_axis] * 0.5 + 0.5
    layer.data.foreach_set("uv", uvs)

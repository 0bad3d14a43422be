"""Shader AOVs: the subject material's roughness and metallic as render passes.

Each AOV output reads what the Principled BSDF's input reads (its link when a texture drives
it, else its value), so the pass is the shader's own value per pixel; objects without the AOV
(backdrop, sky) give 0. Cycles and EEVEE render AOVs; the pass files come from passes.py.
"""


SHADER_AOVS = {"roughness": "Roughness", "metallic": "Metallic"}
"""AOV name (and pass name) -> the Principled BSDF input it copies."""


def shader_aovs(mat) -> None:
    """Add (or rewire) one AOV output per SHADER_AOVS entry to a Principled material."""
    tree = mat.node_tree
    bsdf = next(n for n in tree.nodes if n.bl_idname == "ShaderNodeBsdfPrincipled")
    for name, socket_name in SHADER_AOVS.items():
        node = tree.nodes.get("psynth_aov_" + name) or tree.nodes.new("ShaderNodeOutputAOV")
        node.name = "psynth_aov_" + name
        node.aov_name = name
        source = bsdf.inputs[socket_name]
        value = node.inputs["Value"]
        if source.is_linked:
            tree.links.new(source.links[0].from_socket, value)
        else:
            for link in list(value.links):
                tree.links.remove(link)
            value.default_value = source.default_value


def enable_aovs(view_layer, names) -> None:
    """Declare the view layer's value AOVs for `names` (those of SHADER_AOVS)."""
    have = {aov.name for aov in view_layer.aovs}
    for name in names:
        if name in SHADER_AOVS and name not in have:
            aov = view_layer.aovs.add()
            aov.name, aov.type = name, "VALUE"


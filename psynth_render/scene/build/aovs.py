"""Shader AOVs: the scene objects' base colour (albedo), roughness and metallic as render passes.

Each AOV output reads what the Principled BSDF's input reads (its link when a texture drives
it, else its value), so the pass is the shader's own value per pixel, in the shader's linear
space; what has no such material (backdrop, sky) gives 0. Cycles and EEVEE render AOVs; the
pass files come from passes.py.

The albedo is the base colour itself, not Cycles' denoising albedo: that one follows sharp
reflections to whatever a mirror-like surface reflects, so a polished metal's "albedo" would be
its surroundings.
"""


SHADER_AOVS = {"albedo": ("Base Color", "COLOR"), "roughness": ("Roughness", "VALUE"), "metallic": ("Metallic", "VALUE")}
"""AOV name (and pass name) -> (the Principled BSDF input it copies, the AOV's type)."""


def shader_aovs(mat) -> None:
    """Add (or rewire) one AOV output per SHADER_AOVS entry to a Principled material."""
    tree = mat.node_tree
    bsdf = next(n for n in tree.nodes if n.bl_idname == "ShaderNodeBsdfPrincipled")
    for name, (socket_name, kind) in SHADER_AOVS.items():
        node = tree.nodes.get("psynth_aov_" + name) or tree.nodes.new("ShaderNodeOutputAOV")
        node.name = "psynth_aov_" + name
        node.aov_name = name
        source = bsdf.inputs[socket_name]
        target = node.inputs["Color" if kind == "COLOR" else "Value"]
        if source.is_linked:
            tree.links.new(source.links[0].from_socket, target)
        else:
            for link in list(target.links):
                tree.links.remove(link)
            target.default_value = source.default_value


def enable_aovs(view_layer, names) -> None:
    """Declare the view layer's AOVs for `names` (those of SHADER_AOVS)."""
    have = {aov.name for aov in view_layer.aovs}
    for name in names:
        if name in SHADER_AOVS and name not in have:
            aov = view_layer.aovs.add()
            aov.name, aov.type = name, SHADER_AOVS[name][1]

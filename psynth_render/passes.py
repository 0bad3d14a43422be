"""Render passes as files: a compositor node group that writes the passes a spec asks for.

One node group per worker process, reused for every sample (only the file prefix changes).
Cycles gives every pass from the main render; for EEVEE and Workbench, which lack some passes,
the renderer runs a second, 1-sample Cycles render for the passes alone (see renderer.py).

    depth         Z pass, float EXR (depth along the view axis in scene units = metres; sky ~1e10)
    normal        world-space normals, float EXR; `camera_normals` writes the camera-space copy
    segmentation  subject mask from the object index pass (ID Mask node), 8-bit PNG, 255 = subject
    albedo        the objects' base colour (an AOV, scene.build.aovs), linear float RGB EXR; 0 elsewhere
    roughness     the subject shader's roughness (an AOV, scene.build.aovs), float EXR; 0 elsewhere
    metallic      the subject shader's metallic (an AOV), float EXR; 0 elsewhere
    hdr           the clean linear render before post-processing (no look, no view transform), EXR

The `instances` pass is not a compositor output: psynth_render.instances renders it.
"""

import bpy

from psynth_render.outputs import PASS_SUFFIX
from psynth_render.scene.build.aovs import enable_aovs
from psynth_render.scene.build.builder import SUBJECT_PASS_INDEX  # the subject's object index
from psynth_render.scene.build.looks import look_group, post_tree  # the sample's post-processing

GROUP_NAME = "psynth_passes"

_SOCKETS = {  # pass -> (render layer socket, file item socket type, file format)
    "depth": ("Depth", "FLOAT", "OPEN_EXR"),
    "normal": ("Normal", "VECTOR", "OPEN_EXR"),
    "segmentation": ("Object Index", "FLOAT", "PNG"),
    "albedo": ("albedo", "RGBA", "OPEN_EXR"),
    "roughness": ("roughness", "FLOAT", "OPEN_EXR"),
    "metallic": ("metallic", "FLOAT", "OPEN_EXR"),
    "hdr": ("Image", "RGBA", "OPEN_EXR"),
}


def enable_view_layer_passes(scene, passes) -> None:
    """Turn on the render passes the compositor reads."""
    layer = scene.view_layers[0]
    layer.use_pass_z = "depth" in passes
    layer.use_pass_normal = "normal" in passes
    layer.use_pass_object_index = "segmentation" in passes
    enable_aovs(layer, passes)


def install(scene, passes, directory: str, prefix: str) -> None:
    """Make the scene's compositor write `passes` as `{directory}/{prefix}{suffix}`.

    With no passes the compositor is the sample's post-processing tree (None when it has no
    effects); with passes, the image runs through the same look group (scene.build.looks).
    """
    passes = [p for p in passes if p in _SOCKETS]  # "instances": psynth_render.instances
    if not passes:
        scene.compositing_node_group = post_tree(scene)
        return
    enable_view_layer_passes(scene, passes)
    signature = ",".join(passes)
    group = bpy.data.node_groups.get(GROUP_NAME)
    if group is not None and group.get("psynth_passes") == signature:
        scene.compositing_node_group = group  # same passes as the last sample: only retarget
        retarget(scene, directory, prefix)
        return
    if group is not None:
        bpy.data.node_groups.remove(group)
    group = bpy.data.node_groups.new(GROUP_NAME, "CompositorNodeTree")
    group["psynth_passes"] = signature
    group.use_fake_user = True  # kept while unused between samples, so it can be reused
    scene.compositing_node_group = group
    layers = group.nodes.new("CompositorNodeRLayers")
    layers.scene = scene
    group.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
    out = group.nodes.new("NodeGroupOutput")
    look = group.nodes.new("CompositorNodeGroup")
    look.node_tree = look_group()  # refilled by every sample's build, so reuse stays right
    group.links.new(layers.outputs["Image"], look.inputs[0])
    group.links.new(look.outputs[0], out.inputs[0])
    files = group.nodes.new("CompositorNodeOutputFile")
    files.directory = directory
    files.file_name = prefix
    files.format.media_type = "IMAGE"
    for name in passes:
        socket, socket_type, file_format = _SOCKETS[name]
        stem = PASS_SUFFIX[name].rsplit(".", 1)[0]
        item = files.file_output_items.new(socket_type, stem)
        item.override_node_format = True
        item.format.media_type = "IMAGE"
        item.format.file_format = file_format
        if file_format == "OPEN_EXR":
            item.format.color_depth = "32"
            if name == "albedo":
                item.format.color_mode = "RGB"  # a colour without alpha
        item.save_as_render = False  # data, not a picture: no view transform
        source = layers.outputs[socket]
        if name == "segmentation":
            mask = group.nodes.new("CompositorNodeIDMask")
            _set_index(mask, SUBJECT_PASS_INDEX)
            group.links.new(source, mask.inputs[0])
            source = mask.outputs[0]
        group.links.new(source, files.inputs[stem])


def _set_index(mask_node, index: int) -> None:
    """ID Mask's index: a property before Blender 5, an input socket since."""
    if hasattr(mask_node, "index"):
        mask_node.index = index
        return
    for socket in mask_node.inputs:
        if socket.name.lower() == "index":
            socket.default_value = index
            return
    raise RuntimeError("ID Mask node has no index setting in this Blender version")


def retarget(scene, directory: str, prefix: str) -> None:
    """Point the installed file output at a new sample's folder and name prefix."""
    group = scene.compositing_node_group
    if group is None:
        return
    for node in group.nodes:
        if node.bl_idname == "CompositorNodeOutputFile":
            node.directory = directory
            node.file_name = prefix


def read_exr(path: str):
    """An EXR's pixels as float32 (rows top to bottom, every channel)."""
    import numpy as np

    image = bpy.data.images.load(path, check_existing=False)
    try:
        width, height = image.size
        pixels = np.empty(width * height * image.channels, dtype=np.float32)
        image.pixels.foreach_get(pixels)
        return pixels.reshape(height, width, image.channels)[::-1]
    finally:
        bpy.data.images.remove(image)


def write_exr(path: str, data) -> None:
    """Write float data (rows top to bottom, 1-4 channels; missing ones 0, alpha 1) as a float EXR."""
    import numpy as np

    height, width = data.shape[:2]
    data = data.reshape(height, width, -1)
    rgba = np.zeros((height, width, 4), dtype=np.float32)
    rgba[..., 3] = 1.0
    rgba[..., :data.shape[2]] = data
    image = bpy.data.images.new("psynth_pass_out", width, height, alpha=True, float_buffer=True)
    try:
        image.colorspace_settings.is_data = True
        image.pixels.foreach_set(rgba[::-1].ravel())
        image.filepath_raw = path
        image.file_format = "OPEN_EXR"
        image.save()
    finally:
        bpy.data.images.remove(image)


def camera_normals(world_path: str, camera_path: str, world_to_camera) -> None:
    """Write the camera-space copy of a world-normal EXR: each normal turned by the rotation of
    `world_to_camera` (4x4 rows, Blender camera axes: +X right, +Y up, +Z toward the viewer)."""
    import numpy as np

    world = read_exr(world_path)[..., :3]
    rotation = np.asarray(world_to_camera, dtype=np.float32)[:3, :3]
    write_exr(camera_path, world @ rotation.T)

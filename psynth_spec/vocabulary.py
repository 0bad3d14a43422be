"""The closed word lists of the language, each written once as a `Literal` (the spec models
type their fields with them; the checker, the caption templates and the command lines list
their values with `typing.get_args`). Only `typing` here, so any command may import it."""

from typing import Literal

Engine = Literal["cycles", "eevee", "workbench"]
"""The render block's engines; each is the `block_name` of one `rendering.engines` concept."""
Device = Literal["auto", "gpu", "cpu"]
ImageFormat = Literal["png", "exr", "webp"]
RenderPass = Literal["depth", "normal", "segmentation", "albedo", "roughness", "metallic", "hdr", "flow", "instances"]
CameraRigKind = Literal["orbit", "sphere", "turntable", "fixed6", "random"]
"""`render { views N  rig ... }`: how a multi-view sample's cameras are placed (camera_rig.py)."""
Background = Literal["opaque", "transparent"]
"""`render { background transparent }`: RGBA images, alpha 0 where no object is."""
Output = Literal["image", "caption", "metadata", "scene_code", "usd", "glb", "video"]
Filter = Literal["label", "synonym", "id", "a", "upper", "lower", "title", "objects"]
"""Caption placeholder filters (`{material|label}`)."""

"""A small library of environment images for the HDRI catalog tests, written with bpy.

    outdoor/red_sky.exr      64 x 32, float RGB (2.0, 0.1, 0.1) everywhere
    studio/blue_room.hdr     64 x 32, Radiance RGBE (0.1, 0.1, 2.0) everywhere
    studio/asset.yaml        licence: cc_by_4_0, tags [indoor]
    textures/square.exr      32 x 32: not equirectangular (an error row)
    broken/bad.exr           an EXR magic number then garbage (an error row)
"""

from pathlib import Path

import numpy as np

RED = (2.0, 0.1, 0.1)
BLUE = (0.1, 0.1, 2.0)


def write_image(path: Path, width: int, height: int, rgb, file_format: str) -> Path:
    """A constant float image saved as linear OPEN_EXR or HDR (through the render path with the
    Standard view: `Image.save` would encode an HDR file's values for display)."""
    import bpy

    path.parent.mkdir(parents=True, exist_ok=True)
    image = bpy.data.images.new("psynth_test_hdri", width, height, float_buffer=True)
    image.pixels.foreach_set(np.tile(np.array([*rgb, 1.0], dtype=np.float32), width * height))
    scene = bpy.context.scene
    view, fmt = scene.view_settings.view_transform, scene.render.image_settings.file_format
    try:
        scene.view_settings.view_transform = "Standard"
        scene.render.image_settings.file_format = file_format
        image.save_render(str(path), scene=scene)
    finally:
        scene.view_settings.view_transform, scene.render.image_settings.file_format = view, fmt
        bpy.data.images.remove(image)
    return path


def make_library(root: Path) -> Path:
    write_image(root / "outdoor" / "red_sky.exr", 64, 32, RED, "OPEN_EXR")
    write_image(root / "studio" / "blue_room.hdr", 64, 32, BLUE, "HDR")
    (root / "studio" / "asset.yaml").write_text("licence: CC-BY-4.0\ntags: [indoor]\n")
    write_image(root / "textures" / "square.exr", 32, 32, (1.0, 1.0, 1.0), "OPEN_EXR")
    (root / "broken").mkdir(parents=True, exist_ok=True)
    (root / "broken" / "bad.exr").write_bytes(b"\x76\x2f\x31\x01" + b"garbage" * 20)
    return root


if __name__ == "__main__":
    import sys

    make_library(Path(sys.argv[1]))

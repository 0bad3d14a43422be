"""Environment images from a catalog (`lighting.hdri ~ one_of(hdris.NAME ...)`), and the scan's
reader for them.

The renderer fetches a drawn image like an asset (`asset_cache.local_file`: S3 objects copied
once per worker, every file checked against the catalog's sha256) and loads it once per process:
the bpy image is kept under a name carrying the sha256, with its mean colour (what Workbench
shows behind the subject), so every later sample that draws it costs a look-up.
"""

import bpy
import numpy as np

from psynth_render.asset_cache import local_file
from psynth_render.asset_import import AssetImportError

IMAGE_PREFIX = "psynth_hdri_file_"


def image_stats(path: str) -> dict:
    """The catalog's numbers for an environment image: its resolution; `AssetImportError` when
    Blender cannot read it or it is not equirectangular (width twice its height)."""
    image = bpy.data.images.load(path, check_existing=False)
    try:
        width, height = (int(v) for v in image.size)
        if width == 0 or height == 0 or not image.has_data:
            raise AssetImportError("not a readable image")
        if width != 2 * height:
            raise AssetImportError(f"not an equirectangular environment ({width} x {height}; its width must be twice its height)")
        return {"triangles": None, "materials": None, "bounds_min": None, "bounds_max": None, "resolution": [width, height]}
    finally:
        bpy.data.images.remove(image)


def hdri_file_image(ref: dict):
    """The bpy image of a catalog environment image ({id, uri, sha256, format}), loaded once."""
    key = IMAGE_PREFIX + ref["sha256"][:32]
    image = bpy.data.images.get(key)
    if image is None:
        image = bpy.data.images.load(str(local_file(ref)), check_existing=False)
        image.name = key
        image.use_fake_user = True
        pixels = np.empty(len(image.pixels), dtype=np.float32)  # RGBA, once per worker
        image.pixels.foreach_get(pixels)
        image["psynth_mean_rgb"] = [float(v) for v in pixels.reshape(-1, 4)[:, :3].mean(axis=0)]
    return image

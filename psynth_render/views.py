"""A multi-view sample's camera records: the JSON `views` list and `{id}.transforms.json`.

Each view record holds the intrinsics `K` (pixels, origin top-left), `camera_to_world`
(Blender/OpenGL camera axes: looks down -Z, +Y up) and `world_to_camera_cv` (OpenCV axes:
looks down +Z, +Y down), and the view's file names. `transforms.json` follows the NeRF
"synthetic" (Blender) convention: `camera_angle_x` (horizontal field of view, radians) and
`frames` with `file_path` (no extension, as those loaders append `.png`) and the 4x4
`transform_matrix` (camera to world, OpenGL axes); `fl_x`, `fl_y`, `cx`, `cy`, `w`, `h`
are the instant-ngp / nerfstudio extras. Pure Python: no bpy.
"""

import math
from typing import Any


def view_record(index: int, name: str, camera: dict[str, Any], files: list[str]) -> dict[str, Any]:
    """One entry of the JSON `views` list from the builder's camera info of that view."""
    return {
        "index": index,
        "name": name,
        "projection": camera["projection"],
        "K": camera["K"],
        "resolution": camera["resolution"],
        "camera_to_world": camera["camera_to_world"],
        "world_to_camera_cv": camera["world_to_camera_opencv"],
        "location": camera["location"],
        "target": camera["target"],
        "files": files,
    }


def camera_angle_x(K: list[list[float]], width: int) -> float:
    """Horizontal field of view (radians) of a pinhole camera with intrinsics K."""
    return 2.0 * math.atan(width / (2.0 * K[0][0]))


def transforms(views: list[dict[str, Any]], image_stems: list[str]) -> dict[str, Any]:
    """The NeRF-synthetic `transforms.json` of a sample's views (`camera_angle_x` is null for
    an orthographic or panoramic lens, which those loaders cannot take).

    Args:
        views: `view_record`s, all of one resolution and focal length.
        image_stems: each view's image name without its extension (`{id}.v{k:02d}`).
    """
    first = views[0]
    K, (width, height) = first["K"], first["resolution"]
    pinhole = first["projection"] == "perspective"  # orthographic K is pixels per unit; panoramic has none
    intrinsics = {"fl_x": K[0][0], "fl_y": K[1][1], "cx": K[0][2], "cy": K[1][2]} if K is not None else {}
    return {
        "camera_angle_x": camera_angle_x(K, width) if pinhole else None,
        "projection": first["projection"],
        **intrinsics, "w": width, "h": height,
        "frames": [
            {"file_path": "./" + stem, "transform_matrix": v["camera_to_world"]}
            for v, stem in zip(views, image_stems, strict=True)
        ],
    }

"""Forward optical flow of a video's camera move, from each frame's depth and camera.

psynth's clips move only the camera (the scene stands still), so the flow of a pixel is exact
geometry: back-project it with frame t's depth, K and pose, project the point into frame t+1,
and subtract. Pixels with no surface (depth ~1e10, the environment) get the flow of a point at
that distance: the camera's rotation. Pure numpy: no bpy.
"""

import numpy as np


def camera_flow(depth: np.ndarray, K, world_to_camera_a, world_to_camera_b, orthographic: bool = False,
                K_b=None) -> np.ndarray:
    """(H, W, 2) flow in pixels (+u right, +v down) from camera A to camera B.

    Args:
        depth: (H, W) distance along A's camera axis at each pixel centre.
        K: camera A's 3x3 pinhole intrinsics (pixels, origin top-left); `K_b` camera B's
            (default: the same; a zoom changes it).
        world_to_camera_a, world_to_camera_b: 4x4, OpenCV camera axes (looks down +Z, +Y down).
        orthographic: K holds pixels per scene unit (u = fx X + cx) instead of a pinhole's.
    """
    K = np.asarray(K, dtype=np.float64)
    height, width = depth.shape
    v, u = np.mgrid[0:height, 0:width].astype(np.float64) + 0.5
    z = depth.astype(np.float64)
    scale = np.ones_like(z) if orthographic else z
    cam_a = np.stack([(u - K[0, 2]) * scale / K[0, 0], (v - K[1, 2]) * scale / K[1, 1], z, np.ones_like(z)], axis=-1)
    a_to_b = np.asarray(world_to_camera_b, dtype=np.float64) @ np.linalg.inv(np.asarray(world_to_camera_a, dtype=np.float64))
    cam_b = cam_a @ a_to_b.T
    Kb = K if K_b is None else np.asarray(K_b, dtype=np.float64)
    divide = np.ones_like(z) if orthographic else cam_b[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        u_b = Kb[0, 0] * cam_b[..., 0] / divide + Kb[0, 2]
        v_b = Kb[1, 1] * cam_b[..., 1] / divide + Kb[1, 2]
    flow = np.stack([u_b - u, v_b - v], axis=-1)
    seen = np.isfinite(flow).all(axis=-1) & (cam_b[..., 2] > 0)  # behind camera B: no flow
    return np.where(seen[..., None], flow, 0.0).astype(np.float32)

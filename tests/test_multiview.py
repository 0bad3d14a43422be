"""Multi-view samples: every rig's poses agree with its depth maps (a pixel of one view,
back-projected with its depth, K and pose, lands on the same surface in another view), and
transforms.json agrees with the JSON views."""

import json
import math
from itertools import permutations

import numpy as np
import pytest

from psynth_render.supervisor import run_shard
from tests.worker_specs import exr_arrays, tar_members, tiny_spec

pytestmark = pytest.mark.render

SIZE = 128
VIEWS = 3
RIGS = ("orbit", "sphere", "turntable", "fixed6", "random")
FAR = 1e3
"""Depth beyond this is the sky (Blender writes ~1e10 where no surface is)."""


@pytest.fixture(scope="module", params=RIGS)
def rig_sample(request, tmp_path_factory):
    """One sample of `VIEWS` views of a shape on a floor: its JSON, transforms.json and depths."""
    rig = request.param
    root = tmp_path_factory.mktemp(rig)
    spec = tiny_spec(
        name=f"rig{rig}", samples=1, outputs="metadata", passes="depth", engine="cycles", spp=1, size=SIZE,
        # the distance these views were made for (unstated, camera.framing would solve a farther one)
        axes="scene.background = backgrounds.floor\n    camera.distance = 3",
        render=f"views {VIEWS}\n        rig {rig}",
    )
    run_shard(spec, 0, str(root))
    members = tar_members(root, spec)
    meta = json.loads(members["000000000.json"])
    names = [f"000000000.v{k:02d}.depth.exr" for k in range(VIEWS)]
    depths = exr_arrays(members, names, root / "exr")
    transforms = json.loads(members["000000000.transforms.json"])
    return rig, meta, transforms, [depths[n][..., 0] for n in names]


def _back_project(depth, K, w2c_cv, pixels):
    """World points of `pixels` ((N, 2) u, v at pixel centres) at their depth along the camera axis."""
    u, v = pixels[:, 0] + 0.5, pixels[:, 1] + 0.5
    z = depth[pixels[:, 1], pixels[:, 0]]
    cam = np.stack([(u - K[0, 2]) * z / K[0, 0], (v - K[1, 2]) * z / K[1, 1], z, np.ones_like(z)])
    return (np.linalg.inv(w2c_cv) @ cam)[:3].T


def _project(K, w2c_cv, points):
    """Pixel coordinates (u, v, continuous, origin top-left) and camera depth of world points."""
    cam = (w2c_cv @ np.c_[points, np.ones(len(points))].T)[:3]
    uv = (K @ cam)[:2] / cam[2]
    return uv.T, cam[2]


def _reprojection_error(view_a, depth_a, view_b, depth_b):
    """Median round-trip error (pixels in A) over pixels of A seen by B on the same surface:
    A's pixel -> world (A's depth) -> B's pixel -> world (B's depth there) -> back into A.
    Returns (median error, number of shared pixels)."""
    Ka, Kb = np.array(view_a["K"]), np.array(view_b["K"])
    Wa, Wb = np.array(view_a["world_to_camera_cv"]), np.array(view_b["world_to_camera_cv"])
    rows, cols = np.nonzero(depth_a < FAR)
    pixels_a = np.c_[cols, rows]
    uv_b, z_b = _project(Kb, Wb, _back_project(depth_a, Ka, Wa, pixels_a))
    pixels_b = np.floor(uv_b).astype(int)
    inside = (z_b > 0) & (pixels_b >= 0).all(axis=1) & (pixels_b < SIZE).all(axis=1)
    pixels_a, pixels_b, z_b = pixels_a[inside], pixels_b[inside], z_b[inside]
    seen = depth_b[pixels_b[:, 1], pixels_b[:, 0]]
    same_surface = np.abs(seen - z_b) < 0.02 * z_b  # not occluded in B
    pixels_a, pixels_b = pixels_a[same_surface], pixels_b[same_surface]
    if len(pixels_a) == 0:
        return math.inf, 0
    back, _ = _project(Ka, Wa, _back_project(depth_b, Kb, Wb, pixels_b))
    error = np.linalg.norm(back - (pixels_a + 0.5), axis=1)
    return float(np.median(error)), len(pixels_a)


def test_each_rig_reprojects_pixels_onto_the_same_surface(rig_sample):
    rig, meta, _, depths = rig_sample
    views = meta["views"]
    assert [v["index"] for v in views] == list(range(VIEWS))
    checked = 0
    for a, b in permutations(range(VIEWS), 2):
        error, shared = _reprojection_error(views[a], depths[a], views[b], depths[b])
        if shared < 200:  # too little of A is seen by B (e.g. fixed6 front and back)
            continue
        checked += 1
        assert error < 1.0, f"{rig}: views {a}->{b}: median reprojection error {error:.2f} px over {shared} pixels"
    assert checked >= 2, f"{rig}: fewer than two view pairs share a surface"


def test_views_differ_and_keep_the_framing(rig_sample):
    """Only the camera moves: every view is at the sample's distance from its target, aimed at it."""
    rig, meta, _, depths = rig_sample
    views = meta["views"]
    locations = np.array([v["location"] for v in views])
    assert len({tuple(np.round(p, 4)) for p in locations}) == VIEWS, f"{rig}: views coincide"
    distances = [np.linalg.norm(np.subtract(v["location"], v["target"])) for v in views]
    assert np.allclose(distances, distances[0], rtol=0.05), f"{rig}: distances {distances}"
    for view, depth in zip(views, depths):
        centre = depth[SIZE // 2 - 2:SIZE // 2 + 2, SIZE // 2 - 2:SIZE // 2 + 2]
        assert (centre < FAR).all(), f"{rig}: {view['name']} does not look at the subject"


def test_transforms_json_matches_the_views_and_K(rig_sample):
    _, meta, transforms, _ = rig_sample
    views = meta["views"]
    K = np.array(views[0]["K"])
    assert transforms["camera_angle_x"] == pytest.approx(2 * math.atan(SIZE / (2 * K[0, 0])))
    assert (transforms["w"], transforms["h"]) == (SIZE, SIZE) and transforms["fl_x"] == pytest.approx(K[0, 0])
    assert [f["file_path"] for f in transforms["frames"]] == [f"./000000000.v{k:02d}" for k in range(VIEWS)]
    for frame, view in zip(transforms["frames"], views):
        c2w = np.array(frame["transform_matrix"])
        assert np.allclose(c2w, view["camera_to_world"])
        flip = np.diag([1.0, -1.0, -1.0, 1.0])  # OpenGL camera axes -> OpenCV
        assert np.allclose(flip @ np.linalg.inv(c2w), view["world_to_camera_cv"], atol=1e-5)
    assert meta["camera"]["camera_to_world"] == views[0]["camera_to_world"]  # `camera` is the first view

"""The flow pass: forward optical flow of a clip's camera move, in pixels."""

import io

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from psynth_render.flow import camera_flow
from psynth_render.supervisor import run_shard
from tests.worker_specs import exr_arrays, tar_members, tiny_spec

SIZE = 64
FRAMES = 4


def test_a_sideways_step_moves_pixels_by_focal_length_times_step_over_depth():
    K = [[100.0, 0, 32], [0, 100.0, 32], [0, 0, 1]]
    depth = np.full((SIZE, SIZE), 4.0)
    depth[:, 32:] = 8.0
    step = np.eye(4)
    step[0, 3] = -0.2  # camera B is 0.2 to the right of A (OpenCV: x right), so points move left
    flow = camera_flow(depth, K, np.eye(4), step)
    assert np.allclose(flow[:, :32, 0], -100 * 0.2 / 4) and np.allclose(flow[:, 32:, 0], -100 * 0.2 / 8)
    assert np.allclose(flow[..., 1], 0)
    zoom = camera_flow(depth, K, np.eye(4), np.eye(4), K_b=[[200.0, 0, 32], [0, 200.0, 32], [0, 0, 1]])
    assert zoom[0, 0, 0] == pytest.approx(-31.5) and zoom[32, 32, 0] == pytest.approx(0.5)  # (u - cx) doubles
    ortho = camera_flow(depth, K, np.eye(4), step, orthographic=True)
    assert np.allclose(ortho[..., 0], -100 * 0.2)  # no parallax


@pytest.mark.render
def test_flow_warps_the_next_frame_onto_this_one(tmp_path):
    spec = tiny_spec(name="flow", samples=1, engine="cycles", spp=4, size=SIZE, outputs="metadata, video",
                     passes="flow", axes="camera.movement = truck", video=f"video {{ frames {FRAMES}  fps 12 }}")
    run_shard(spec, 0, str(tmp_path))
    members = tar_members(tmp_path, spec)
    names = [f"000000000.f{i:04d}.flow.exr" for i in range(FRAMES - 1)]
    assert f"000000000.f{FRAMES - 1:04d}.flow.exr" not in members  # the last frame has no next one
    flows = exr_arrays(members, names, tmp_path / "exr")
    frames = [np.asarray(Image.open(io.BytesIO(members[f"000000000.f{i:04d}.png"])).convert("L"), dtype=float)
              for i in range(FRAMES)]
    for i, name in enumerate(names):
        flow = flows[name][..., :2]
        assert np.abs(flow).max() > 1.0, "the truck moves pixels by more than one"
        v, u = np.mgrid[0:SIZE, 0:SIZE].astype(float)
        coords = [v + flow[..., 1], u + flow[..., 0]]
        inside = (coords[0] >= 0) & (coords[0] <= SIZE - 1) & (coords[1] >= 0) & (coords[1] <= SIZE - 1)
        warped = ndimage.map_coordinates(frames[i + 1], coords, order=1)
        error = np.abs(warped - frames[i])[inside].mean()
        still = np.abs(frames[i + 1] - frames[i])[inside].mean()
        assert error < 0.5 * still, f"frame {i}: warping by the flow leaves {error:.2f}, no flow {still:.2f}"

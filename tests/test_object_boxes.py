"""Each object's 2D box per view and per video frame (`bbox_2d_views`, `bbox_2d_frames` in the
sample's JSON): it holds the object's pixels in that view's or frame's instance mask, and fits
them closely. Workbench, 64 px."""

import json

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from PIL import Image  # noqa: E402

from psynth_render.outputs import member_name, view_suffix  # noqa: E402
from psynth_render.renderer import Renderer  # noqa: E402
from psynth_spec.compile import compile_text  # noqa: E402
from psynth_spec.sampler import sample_shard  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402

SPEC = """dataset boxes {
    samples 4
    outputs [image, metadata, video]
    scene.objects   ~ randint(3, 4)
    camera.movement ~ one_of [orbit]
    geometry.shape  ~ one_of [primitives.cube]
    each object {
        geometry.shape ~ one_of [primitives.sphere, primitives.cone, primitives.torus]
    }
    render {
        engine     workbench
        resolution 64x64
        views      3
        rig        orbit
        passes     [instances]
    }
    video {
        frames 3
        fps    12
    }
}
"""


def _mask_box(mask: np.ndarray):
    ys, xs = np.nonzero(mask)
    return None if len(xs) == 0 else (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)


def _assert_fits(box, mask, where):
    """The projected box holds every pixel of the object's mask and is not much larger than
    the mask's own box (objects may hide parts of each other, so 'close' is loose)."""
    tight = _mask_box(mask)
    if tight is None:  # hidden in this view: nothing to hold
        return
    assert box is not None, where
    x0, y0, x1, y1 = box
    assert x0 <= tight[0] + 1 and y0 <= tight[1] + 1 and x1 >= tight[2] - 1 and y1 >= tight[3] - 1, (where, box, tight)
    area = (x1 - x0) * (y1 - y0)
    return (tight[2] - tight[0]) * (tight[3] - tight[1]) / area


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    spec = compile_text(SPEC, "boxes.psynth")
    row = sample_shard(spec, 0, limit=1).to_dicts()[0]
    staging = tmp_path_factory.mktemp("boxes")
    renderer = Renderer(spec, default_taxonomy(), device="cpu")
    renderer.render_sample(row, staging)
    sid = int(row["sample_id"])
    return spec, row, staging, json.loads((staging / member_name(sid, "json")).read_text())


def test_every_object_has_a_box_per_view_matching_that_views_instance_mask(rendered):
    spec, row, staging, meta = rendered
    sid = int(row["sample_id"])
    objects = meta["objects"]
    assert len(objects) == row["scene_objects"]
    shares = []
    for view in range(3):
        ids = np.asarray(Image.open(staging / member_name(sid, view_suffix("inst.png", view))))
        for entry in objects:
            assert len(entry["bbox_2d_views"]) == 3
            share = _assert_fits(entry["bbox_2d_views"][view], ids == entry["instance_id"], (view, entry["name"]))
            if share is not None:
                shares.append(share)
    assert np.median(shares) > 0.6  # boxes fit their objects, not the frame
    assert objects[0]["bbox_2d_views"][0] == objects[0]["bbox_2d"]  # view 0 is the still
    assert objects[0]["bbox_2d_views"][1] != objects[0]["bbox_2d_views"][2]  # the rig moved the camera


def test_every_object_has_a_box_per_frame_matching_that_frames_instance_mask(rendered):
    from psynth_render.instances import render_instance_ids
    from psynth_render.scene.build.builder import build, pose_camera
    from psynth_render.scene.describe import describe

    spec, row, _, meta = rendered
    boxes = [entry["bbox_2d_frames"] for entry in meta["objects"]]
    assert all(len(b) == 3 for b in boxes)
    # the orbiting camera moves the objects round the subject (frame 1 is half-way round; a full
    # orbit's last frame is its first pose again)
    assert any(b[0] != b[1] for b in boxes[1:])
    desc = describe(row, spec, default_taxonomy())
    build(desc)
    for frame in range(3):
        pose_camera(desc, frame, 3)
        ids, _ = render_instance_ids(desc)
        for entry, per_frame in zip(meta["objects"], boxes):
            _assert_fits(per_frame[frame], ids == entry["instance_id"], (frame, entry["name"]))
    pose_camera(desc)

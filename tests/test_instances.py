"""The instance-id pass: every element of a scene gets an id, coverage is what each element shows
(a gas where its opacity reaches 0.1, even over a surface), measured on tiny renders; the rules
that merge surfaces and gas into one id per pixel, on crafted arrays."""

import io

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from psynth_data.qc import decode_png  # noqa: E402
from psynth_render.instances import (  # noqa: E402
    OUTSIDE_LENS, compose_ids, render_instance_ids, write_instance_png,
)
from psynth_render.scene.build.builder import instance_table  # noqa: E402
from psynth_render.scene.build.framing import project  # noqa: E402
from psynth_render.scene.build.motion import still_pose  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.render_fixtures import built_scene  # noqa: E402

SIZE = 48
TABLE = [
    {"id": 1, "element": "subject", "concept": "cube", "object": "s", "world": False},
    {"id": 2, "element": "liquid", "concept": "water", "object": "l", "world": False},
    {"id": 3, "element": "gas", "concept": "smoke", "object": "g", "world": False},
    {"id": 4, "element": "backdrop", "concept": "sky", "object": None, "world": True},
]


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


def built(tax, **overrides):
    return built_scene(tax, SIZE, **overrides)


def test_compose_puts_a_gas_over_the_set_and_over_surfaces_only_where_it_hides_them():
    index = np.zeros((4, 4))
    index[:, :2] = 1  # subject on the left, nothing (the sky) on the right
    index[3, 0] = 2  # a liquid pixel
    index[3, 3] = 9  # an object index no element has: nothing
    alpha = np.zeros((4, 4))
    alpha[0, :] = 0.3  # thin gas across the top row
    alpha[1, 0] = 0.7  # dense gas over one subject pixel
    ids, instances = compose_ids(index, alpha, TABLE)
    assert ids.dtype == np.uint16
    assert ids[0].tolist() == [1, 1, 3, 3]  # thin gas: the subject shows, the sky is the gas's
    assert ids[1].tolist() == [3, 1, 4, 4]  # dense gas hides the subject
    assert ids[3].tolist() == [2, 1, 4, 4]  # unknown index -> the world (the sky backdrop)
    coverage = {i["element"]: i["coverage"] for i in instances}
    assert coverage["subject"] == pytest.approx(7 / 16)  # counted under the gas too
    assert coverage["gas"] == pytest.approx(5 / 16)
    assert coverage["liquid"] == pytest.approx(1 / 16)
    assert coverage["backdrop"] == pytest.approx(8 / 16)  # the world, under the gas too


def test_compose_leaves_void_behind_a_studio_set_and_marks_the_lens_dead_area():
    table = [dict(TABLE[0]), {"id": 2, "element": "backdrop", "concept": "sweep", "object": "b", "world": False}]
    index = np.array([[1, 2], [0, 0]], dtype=float)
    outside = np.array([[False, False], [False, True]])
    ids, instances = compose_ids(index, np.zeros((2, 2)), table, outside)
    assert ids.tolist() == [[1, 2], [0, OUTSIDE_LENS]]
    assert [i["coverage"] for i in instances] == [0.25, 0.25]


def test_the_id_image_round_trips_as_a_16_bit_png(tmp_path):
    ids = np.array([[0, 1, 2], [300, 4000, OUTSIDE_LENS]], dtype=np.uint16)
    write_instance_png(ids, tmp_path / "x.inst.png")
    data = (tmp_path / "x.inst.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.array_equal(decode_png(io.BytesIO(data).getvalue()), ids)


def test_the_table_names_every_element(tax):
    desc = built(tax, liquid="water", gas="smoke", scene__background="floor")
    assert [(e["id"], e["element"]) for e in instance_table(desc)] == [
        (1, "subject"), (2, "liquid"), (3, "gas"), (4, "ground"), (5, "backdrop")]


def _gas_box_pixels(desc, floor_z):
    """The image rectangle the gas domain's box projects to (pixel bounds, clipped)."""
    obj = bpy.data.objects["psynth_gas"]
    corners = [tuple(obj.matrix_world @ __import__("mathutils").Vector(c)) for c in obj.bound_box]
    pose = still_pose(desc, floor_z)
    xy = [project(c, pose, desc.camera.main) for c in corners]
    xs = [(x + 0.5) * SIZE for x, _ in xy]
    ys = [(0.5 - y) * SIZE for _, y in xy]
    clip = lambda v: int(min(max(v, 0), SIZE))  # noqa: E731
    return clip(min(ys)), clip(max(ys) + 1), clip(min(xs)), clip(max(xs) + 1)


def test_subject_liquid_and_gas_each_cover_what_they_should(tax):
    desc = built(tax, liquid="water", liquid__form="pool", gas="smoke", geometry__shape="primitives.cube")
    ids, instances = render_instance_ids(desc)
    coverage = {i["element"]: i["coverage"] for i in instances}
    assert coverage["subject"] > 0.1
    assert coverage["liquid"] > 0.01  # the pool is in frame
    assert 0.05 < coverage["gas"] < 1.0
    gas = ids == 3
    y0, y1, x0, x1 = _gas_box_pixels(desc, bpy.context.scene["psynth_floor_z"])
    inside = np.zeros_like(gas)
    inside[y0:y1, x0:x1] = True
    assert gas[~inside].sum() == 0  # no gas outside its volume
    assert gas[inside].mean() > 0.1  # and it spans the volume's image (a rising plume, not a full box)
    assert (ids == 0).sum() == 0


def test_a_fog_covers_the_frame_without_taking_the_subject_away(tax):
    clear = {i["element"]: i["coverage"] for i in render_instance_ids(built(tax, liquid="water"))[1]}
    ids, instances = render_instance_ids(built(tax, liquid="water", gas="fog", gas__density=0.5))
    coverage = {i["element"]: i["coverage"] for i in instances}
    assert coverage["gas"] > 0.95
    assert coverage["subject"] == pytest.approx(clear["subject"], abs=0.01)
    assert (ids == 1).mean() > 0.5 * clear["subject"]  # a thin fog leaves the subject's ids


def test_a_gas_out_of_sight_covers_nothing(tax):
    desc = built(tax, gas="smoke")
    bpy.data.objects["psynth_gas"].location.z -= 60.0
    _, instances = render_instance_ids(desc)
    assert {i["element"]: i["coverage"] for i in instances}["gas"] == 0.0

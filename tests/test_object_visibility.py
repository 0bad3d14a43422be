"""Every object of a multi-object scene on screen: placement keeps them apart from the camera
(pure geometry over many seeds, and rendered instance ids), the framing holds the group, and
QC rejects an object hidden behind another (`object_not_visible`). Cycles id renders, 64-96 px."""

import math

import numpy as np

import pytest

from psynth_data.qc import QcThresholds
from psynth_data.visibility import expected_elements, visibility_metrics, visibility_reasons
from psynth_render.scene.describe.placement import arrange, sphere_of
from psynth_render.scene.describe.sightlines import MAX_HIDDEN, Lens, worst_hidden
from psynth_spec.compile import compile_text
from psynth_spec.sampler import sample_range
from psynth_spec.taxonomy import default_taxonomy

SPEC = """dataset crowd {{
    samples 100
    seed {seed}
    scene.objects = {objects}
    scene.arrangement = {arrangement}
    camera.angle = {angle}
    geometry.shape ~ one_of [primitives.cube, primitives.sphere, primitives.monkey]
    each object {{
        geometry.shape    ~ one_of [primitives.sphere, primitives.cube, primitives.monkey]
        geometry.rotation ~ uniform(0, 360)
    }}
    render {{
        engine cycles
        resolution {size}x{size}
        samples 1
    }}
}}
"""
T = QcThresholds()


def _spheres(spots):
    return [sphere_of(spots, k) for k in range(len(spots))]


@pytest.mark.parametrize("elevation", [8.0, 35.0, 65.0])
def test_no_object_hides_another_from_the_main_view_over_many_seeds(elevation):
    # from far away each placed object is checked against the final group's discs: at most
    # MAX_HIDDEN; from the distance the final group is framed at, later objects moved the
    # camera, so a little more (measured: at most 0.34 of a bounding disc over these seeds)
    lens, main = Lens(50.0, 0.6), [(0.0, elevation)]
    for seed in range(60):
        for count in (3, 5, 8):
            spheres = _spheres(arrange(count, seed, 0.0, main, lens))
            assert worst_hidden(spheres, main) <= MAX_HIDDEN + 1e-9, (seed, count)
            assert worst_hidden(spheres, main, lens) <= 1.5 * MAX_HIDDEN, (seed, count)


def test_views_of_a_rig_are_kept_apart_too_when_they_can_be():
    views = [(0.0, 35.0), (90.0, 35.0), (180.0, 35.0), (270.0, 35.0)]
    kept = 0
    for seed in range(40):
        spots = arrange(5, seed, 0.0, views)
        assert worst_hidden(_spheres(spots), views[:1]) <= MAX_HIDDEN + 1e-9  # the main view always
        kept += worst_hidden(_spheres(spots), views) <= MAX_HIDDEN + 1e-9
    assert kept >= 30  # most scenes are clear from every view of the rig


def test_without_views_the_packing_is_unchanged_and_towers_keep_their_rules():
    for seed in range(20):
        assert arrange(6, seed) == arrange(6, seed, 0.0, ())
        stacked = arrange(6, seed, 1.0, [(0.0, 35.0)], Lens(50.0, 0.6))
        assert any(s.support is not None for s in stacked)  # stacked still stacks
        assert stacked == arrange(6, seed, 1.0, [(0.0, 35.0)], Lens(50.0, 0.6))


# ------------------------------------------------------------------ rendered
bpy = pytest.importorskip("bpy")


def _rows(seed, objects, size, count, angle="eye_level", arrangement="scattered"):
    spec = compile_text(SPEC.format(seed=seed, objects=objects, size=size, angle=angle, arrangement=arrangement),
                        "crowd.psynth")
    return spec, sample_range(spec, 0, count).to_dicts()


def _ids(desc):
    from psynth_render.instances import render_instance_ids
    from psynth_render.scene.build.builder import build

    build(desc)
    return render_instance_ids(desc)


def _alone_coverage(desc, k):
    """Object k's coverage with every other object hidden (what nothing in front of it hides)."""
    from psynth_render.instances import render_instance_ids

    names = [o.name for o in desc.objects]
    try:
        for j, name in enumerate(names):
            bpy.data.objects[name].hide_render = j != k
        return render_instance_ids(desc)[1][k]["coverage"]
    finally:
        for name in names:
            bpy.data.objects[name].hide_render = False


def test_a_five_object_scattered_scene_shows_every_object_above_the_threshold():
    # seed 0 of this spec, before placement looked from the camera (main at 4515a37): objects
    # at coverage 0.0 (hidden behind another) and 0.0094; here every one is 0.016 or more
    from psynth_render.scene.describe import describe

    spec, rows = _rows(0, 5, 96, 1, "high_angle")
    desc = describe(rows[0], spec, default_taxonomy())
    ids, instances = _ids(desc)
    shown = [i for i in instances if i["element"] in ("subject", "object")]
    assert len(shown) == 5
    for entry in shown:
        assert entry["coverage"] >= T.min_element_coverage, shown
    metrics = visibility_metrics(instance_ids=ids, instances=instances, expected=expected_elements(rows[0]))
    assert not [r for r in visibility_reasons(metrics, T) if r.endswith("_not_visible")]


@pytest.mark.parametrize("arrangement", ["scattered", "stacked"])
def test_rendered_objects_keep_most_of_themselves_over_many_seeds(arrangement):
    # a bounding disc may lose MAX_HIDDEN (25%) of itself; the object inside it loses less, but
    # perspective and each shape's own outline make it uneven: at least 40% of its own pixels
    # (measured: 45% at the least, most over 70%); in a tower the top hides part of its support
    from psynth_render.scene.describe import describe

    spec, rows = _rows(11, 5, 48, 6, arrangement=arrangement)
    tax = default_taxonomy()
    for row in rows:
        desc = describe(row, spec, tax)
        _, instances = _ids(desc)
        for k in range(len(desc.objects)):
            alone = _alone_coverage(desc, k)
            assert alone > 0.0, (row["sample_id"], k)  # in frame, not inside the backdrop
            assert instances[k]["coverage"] >= 0.4 * alone, (row["sample_id"], k, instances[k], alone)


def test_qc_rejects_an_object_hidden_behind_the_subject():
    from psynth_render.scene.describe import describe

    spec, rows = _rows(3, 3, 64, 1)
    desc = describe(rows[0], spec, default_taxonomy())
    view = desc.camera.main
    a = math.radians(view.azimuth_deg)
    hidden = desc.objects[1]
    # straight behind the subject from the camera, small and low: the subject covers it
    hidden.location = (-2.2 * math.sin(a), 2.2 * math.cos(a), hidden.location[2])
    hidden.scale = 0.45
    ids, instances = _ids(desc)
    assert instances[1]["element"] == "object" and instances[1]["coverage"] < T.min_element_coverage
    metrics = visibility_metrics(instance_ids=ids, instances=instances, expected=expected_elements(rows[0]))
    assert "object_not_visible" in visibility_reasons(metrics, T)
    assert metrics["min_element_coverage"] == pytest.approx(instances[1]["coverage"])
    lenient = QcThresholds(min_element_coverage=instances[1]["coverage"] / 2)  # the spec's qc block decides
    if instances[1]["coverage"] > 0:
        assert "object_not_visible" not in visibility_reasons(metrics, lenient)


def test_an_object_the_renderer_lost_counts_as_not_visible():
    metrics = visibility_metrics(instances=[{"id": 1, "element": "subject", "coverage": 0.2}],
                                 expected=expected_elements({"scene_objects": 4}))
    assert metrics["element_coverage"]["object"] == 0.0
    assert "object_not_visible" in visibility_reasons(metrics, T)
    assert expected_elements({"scene_objects": 1}) == ("subject",)


FLAT_ROW = """dataset row {{
    samples 100
    seed {seed}
    scene.objects = 5
    scene.arrangement = scattered
    camera.angle = eye_level
    geometry.shape = complex.gear
    each object {{
        geometry.shape    = primitives.torus
        geometry.rotation ~ uniform(0, 360)
    }}
    render {{ engine cycles resolution 64x64 samples 1 }}
}}
"""


@pytest.mark.parametrize("seed", [0, 1])
def test_a_flat_gear_and_tori_at_eye_level_are_turned_toward_the_camera(seed):
    # lying flat at eye level (before TILT_RATIO, main at 6d4fb3d) the gear subject covered
    # 0.012 and 0.0105 of these frames (under min_coverage 0.02) and seed 1's third torus 0.0098
    # (under min_element_coverage 0.01); tilted toward the camera: 0.028, 0.027 and 0.015
    from psynth_render.scene.describe import describe

    spec = compile_text(FLAT_ROW.format(seed=seed), "row.psynth")
    row = sample_range(spec, 0, 1).to_dicts()[0]
    desc = describe(row, spec, default_taxonomy())
    ids, instances = _ids(desc)
    shown = {i["element"]: [] for i in instances}
    for entry in instances:
        shown[entry["element"]].append(entry["coverage"])
    assert len(shown["object"]) == 4
    assert min(shown["subject"]) >= T.min_coverage * 1.2, shown
    assert min(shown["object"]) >= T.min_element_coverage * 1.2, shown
    metrics = visibility_metrics(instance_ids=ids, instances=instances, expected=expected_elements(row))
    assert not [r for r in visibility_reasons(metrics, T) if r.endswith("_not_visible")]


RIG = """dataset rig {
    samples 100
    seed 3
    scene.objects = 5
    scene.arrangement ~ one_of [scattered, mixed]
    camera.angle ~ one_of [eye_level, high_angle, three_quarter]
    geometry.shape ~ one_of [primitives.cube, primitives.sphere, primitives.monkey, complex.gear]
    each object {
        geometry.shape    ~ one_of [primitives.sphere, primitives.cube, primitives.cone, primitives.torus, primitives.monkey]
        geometry.rotation ~ uniform(0, 360)
    }
    render { engine cycles resolution 48x48 samples 1 views 6 rig sphere }
}
"""


def test_every_view_of_a_rig_holds_the_whole_group():
    # the rig's views share the main view's distance; the group was fitted in the main view
    # only, so a row of objects across its frame stood in depth from a view turned 90 degrees
    # (main at 50d8774: sample 1's stacked spheres cut by the top edge in 4 of 6 views, sample
    # 2's torus by the side edges in 3): no object touches the frame's edge in any view
    from psynth_render.scene.build.builder import pose_camera
    from psynth_render.scene.describe import describe

    spec = compile_text(RIG, "rig.psynth")
    tax = default_taxonomy()
    for row in sample_range(spec, 1, 3).to_dicts():
        desc = describe(row, spec, tax)
        ids, instances = _ids(desc)
        objects = {i["id"] for i in instances if i["element"] in ("subject", "object")}
        for view in range(len(desc.camera.views)):
            pose_camera(desc, view=view)
            ids, _ = render_view_ids(desc, view)
            edge = set(np.concatenate([ids[0], ids[-1], ids[:, 0], ids[:, -1]]).tolist())
            assert not edge & objects, (row["sample_id"], view, sorted(edge & objects))
            assert objects <= set(np.unique(ids).tolist()), (row["sample_id"], view)  # every one seen


def render_view_ids(desc, view):
    from psynth_render.instances import render_instance_ids

    return render_instance_ids(desc, view=desc.camera.views[view])

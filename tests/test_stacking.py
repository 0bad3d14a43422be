"""Objects resting on each other (`scene.arrangement`): the packing stacks objects in towers
within their support's footprint, deterministically; built in Blender, no two objects
intersect (BVH) and every object's lowest point touches the surface below it."""

import math

import numpy as np
import pytest

from psynth_render.scene.describe import describe
from psynth_render.scene.describe.placement import MAX_TOWER, STACK_SHRINK, arrange, place
from psynth_spec.compile import compile_text
from psynth_spec.sampler import sample_range
from psynth_spec.taxonomy import default_taxonomy

SPEC = """dataset stacks {
    samples 12
    scene.objects     ~ randint(3, 6)
    scene.arrangement ~ one_of [stacked, mixed]
    geometry.shape    ~ one_of [primitives.cube, primitives.cylinder, primitives.sphere]
    each object {
        geometry.shape    ~ one_of [primitives.sphere, primitives.cube, primitives.torus, primitives.cone, primitives.monkey, complex.gear]
        geometry.rotation ~ uniform(0, 360)
    }
    render {
        engine workbench
        resolution 64x64
    }
}
"""
TOUCH = 0.01
"""How close (scene units) an object's lowest part must come to the surface it rests on."""


def test_scattered_is_the_ground_packing_and_stacked_builds_towers():
    for seed in range(20):
        assert [((s.x, s.y), s.scale) for s in arrange(8, seed, 0.0)] == place(8, seed)
        spots = arrange(8, seed, 1.0)
        assert spots == arrange(8, seed, 1.0)  # a pure function of the seed
        supports = [s.support for s in spots if s.support is not None]
        assert supports and len(supports) == len(set(supports))  # one object on each support
        for spot in spots:
            if spot.support is None:
                continue
            base = spots[spot.support]
            assert spot.scale <= STACK_SHRINK * base.scale + 1e-9
            assert math.dist((spot.x, spot.y), (base.x, base.y)) + spot.scale < base.scale  # in its footprint
        for k in range(len(spots)):  # towers stay low
            height, i = 1, k
            while spots[i].support is not None:
                height, i = height + 1, spots[i].support
            assert height <= MAX_TOWER


@pytest.mark.render
def test_stacked_objects_rest_on_each_other_without_intersecting():
    bpy = pytest.importorskip("bpy")
    from mathutils import Vector

    from psynth_render.scene.build.builder import FLOOR_GAP, TAG, build
    from psynth_render.scene.build.object_info import objects_info
    from psynth_render.scene.build.stacking import evaluated_tree

    spec = compile_text(SPEC, "stacks.psynth")
    table = sample_range(spec, 0, 12)
    tax = default_taxonomy()
    stacked = 0
    for index in range(8):
        desc = describe(table.row(index, named=True), spec, tax)
        build(desc)
        scene = bpy.context.scene
        info = objects_info(scene, desc)
        depsgraph = bpy.context.evaluated_depsgraph_get()
        objs = [bpy.data.objects[o.name] for o in desc.objects]
        trees = [evaluated_tree(o, depsgraph) for o in objs]
        for a in range(len(objs)):
            for b in range(a + 1, len(objs)):
                assert not trees[a][0].overlap(trees[b][0]), (index, objs[a].name, objs[b].name)
        floor = scene[TAG + "_floor_z"]
        names = [o.name for o in objs]
        for element, entry, (tree, points) in zip(desc.objects, info, trees):
            if element.element == "subject":
                continue
            if entry["rests_on"] is None:
                assert abs(points[:, 2].min() - (floor + FLOOR_GAP)) < 1e-4, entry["name"]
                continue
            stacked += 1
            support_tree, support_points = trees[names.index(entry["rests_on"])]
            nearest = min([support_tree.find_nearest(Vector(p))[3] for p in points]  # a vertex on a face,
                          + [tree.find_nearest(Vector(q))[3] for q in support_points])  # either way
            assert nearest < TOUCH, (index, entry["name"], nearest)  # touching, not hovering
            # on top: its lowest point is above the support's middle, not beside it on the floor
            assert points[:, 2].min() > support_points[:, 2].mean(), entry["name"]
    assert stacked >= 6
    first = describe(table.row(0, named=True), spec, tax)
    build(first)
    poses = [np.array(bpy.data.objects[o.name].matrix_world) for o in first.objects]
    build(describe(table.row(1, named=True), spec, tax))
    build(first)
    assert all(np.array_equal(p, np.array(bpy.data.objects[o.name].matrix_world)) for p, o in zip(poses, first.objects))


@pytest.mark.render
def test_stacking_changes_the_picture(tmp_path):
    from tests.render_fixtures import render_array

    spec = compile_text(SPEC, "stacks.psynth")
    row = sample_range(spec, 0, 12).row(1, named=True)
    tax = default_taxonomy()
    pictures = {}
    for arrangement in ("scattered", "stacked"):
        desc = describe(dict(row, scene_arrangement=arrangement), spec, tax)
        pictures[arrangement] = (desc, render_array(desc, tmp_path / f"{arrangement}.png"))
    assert any(o.support for o in pictures["stacked"][0].objects)
    assert not any(o.support for o in pictures["scattered"][0].objects)
    assert np.abs(pictures["scattered"][1] - pictures["stacked"][1]).mean() > 0.01

"""Multi-object scenes built in Blender: no intersections, resting objects, instance ids,
every object in frame and visible, identical re-renders, objects removed when N drops."""

import math

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")
from mathutils.bvhtree import BVHTree  # noqa: E402

from psynth_render.scene.build.builder import FLOOR_GAP, OBJECT_PREFIX, TAG, build  # noqa: E402
from psynth_render.scene.build.object_info import objects_info, world_vertices  # noqa: E402
from psynth_render.scene.describe import describe  # noqa: E402
from psynth_spec.compile import compile_text  # noqa: E402
from psynth_spec.sampler import sample_range  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.render_fixtures import render_array, silhouette  # noqa: E402

SPEC = """dataset multi {
    samples 20
    scene.objects ~ randint(2, 8)
    geometry.shape ~ one_of [primitives.cube, primitives.torus, primitives.monkey]
    material ~ one_of(plastic)
    each object {
        material       ~ one_of [metal.copper, glass.clear, plastic.matte]
        geometry.shape ~ one_of [primitives.sphere, primitives.cube, primitives.torus, primitives.cone, primitives.monkey]
        geometry.rotation ~ uniform(0, 360)
    }
    render {
        engine workbench
        resolution 96x96
    }
}
"""


@pytest.fixture(scope="module")
def spec():
    return compile_text(SPEC, "multi.psynth")


@pytest.fixture(scope="module")
def table(spec):
    return sample_range(spec, 0, 20)


def scene_of(spec, table, index, **override):
    row = table.row(index, named=True)
    row.update(override)
    return describe(row, spec, default_taxonomy())


def eight(spec, table):
    row = table.row(0, named=True)
    extra = {c: row[c] for c in table.columns if c.startswith("objects_")}
    for column, values in extra.items():
        extra[column] = (values * 8)[:8]
    return scene_of(spec, table, 0, scene_objects=8, **extra)


def _tree(obj, depsgraph):
    evaluated = obj.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    polygons = [tuple(p.vertices) for p in mesh.polygons]
    evaluated.to_mesh_clear()
    return BVHTree.FromPolygons([tuple(v) for v in world_vertices(obj, depsgraph)], polygons)


def test_objects_do_not_intersect_and_rest_on_the_floor(spec, table):
    for index in range(6):
        desc = scene_of(spec, table, index)
        build(desc)
        depsgraph = bpy.context.evaluated_depsgraph_get()
        objs = [bpy.data.objects[o.name] for o in desc.objects]
        assert len(objs) == table["scene_objects"][index]
        trees = [_tree(o, depsgraph) for o in objs]
        points = [world_vertices(o, depsgraph) for o in objs]
        for a in range(len(objs)):
            for b in range(a + 1, len(objs)):
                assert not trees[a].overlap(trees[b]), (index, objs[a].name, objs[b].name)
                # no mesh inside another either: their footprints about their centres are apart
                ra = np.hypot(*(points[a][:, :2] - objs[a].location[:2]).T).max()
                rb = np.hypot(*(points[b][:, :2] - objs[b].location[:2]).T).max()
                assert math.dist(objs[a].location[:2], objs[b].location[:2]) > ra + rb
        floor = bpy.context.scene[TAG + "_floor_z"]
        for obj, pts in zip(objs[1:], points[1:]):
            assert abs(pts[:, 2].min() - (floor + FLOOR_GAP)) < 1e-4, obj.name


def test_instance_ids_match_objects_and_stale_objects_go(spec, table):
    desc = eight(spec, table)
    build(desc)
    info = objects_info(bpy.context.scene, desc)
    assert [o["instance_id"] for o in info] == list(range(1, 9))
    for entry, element in zip(info, desc.objects):
        obj = bpy.data.objects[entry["name"]]
        assert obj.pass_index == entry["instance_id"] == element.pass_index
        assert entry["concept"] == element.geometry.concept and entry["material"] == element.material.concept
        assert np.allclose(np.array(entry["pose"]), np.array(obj.matrix_world))
    small = scene_of(spec, table, 0, scene_objects=2)
    build(small)
    left = sorted(o.name for o in bpy.context.scene.objects if o.name.startswith(OBJECT_PREFIX))
    assert left == [f"{OBJECT_PREFIX}1"]


def test_every_object_is_framed_and_visible_and_renders_repeat_exactly(spec, table, tmp_path):
    desc = eight(spec, table)
    first = render_array(desc, tmp_path / "a.png")
    build(scene_of(spec, table, 3))  # something else in between
    info = objects_info(bpy.context.scene, build(desc) and desc)
    second = render_array(desc, tmp_path / "b.png")
    assert np.array_equal(first, second)
    mask = silhouette(first)
    height, width = mask.shape
    for entry in info:
        x0, y0, x1, y1 = entry["bbox_2d"]
        assert x0 > 0 and y0 > 0 and x1 < width and y1 < height, entry["name"]  # wholly in frame
        box = mask[int(y0):int(math.ceil(y1)), int(x0):int(math.ceil(x1))]
        assert box.mean() > 0.2, entry["name"]  # the object's pixels, not background


def test_the_overlap_check_sees_an_intersection(spec, table):
    """The BVH test above is not vacuous: two objects pushed together do overlap."""
    desc = eight(spec, table)
    desc.objects[1].location = (0.3, 0.0, desc.objects[1].location[2])
    build(desc)
    depsgraph = bpy.context.evaluated_depsgraph_get()
    subject, other = (bpy.data.objects[o.name] for o in desc.objects[:2])
    assert _tree(subject, depsgraph).overlap(_tree(other, depsgraph))

"""Generated meshes: furniture, tree, terrain patch, bolt and pipe concepts, their seeded
variation, the `geometry.detail` / `geometry.proportion` axes (recorded in the scene) and
subdivision. Renders are 48 px Workbench."""

from pathlib import Path

import numpy as np
import pytest

from psynth_render.scene.describe import describe
from psynth_spec.taxonomy import default_taxonomy
from tests.render_fixtures import make_row, make_spec, render_array, silhouette

pytestmark = pytest.mark.render

CONCEPTS = ["chair", "table", "shelf", "tree", "terrain_patch", "bolt", "pipe", "pebble_scatter", "block_scatter"]


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


@pytest.fixture(scope="module")
def spec(tax):
    return make_spec(tax, size=48, engine="workbench")


def _scene(tax, spec, concept, seed=1, angle="high_angle", **axes):
    return describe(make_row(tax, seed=seed, geometry__shape=f"complex.{concept}", camera__angle=angle, **axes),
                    spec, tax)


def _subject_stats():
    import bpy

    obj = bpy.data.objects["psynth_subject"]
    evaluated = obj.evaluated_get(bpy.context.evaluated_depsgraph_get())
    mesh = evaluated.to_mesh()
    co = np.empty(len(mesh.vertices) * 3)
    mesh.vertices.foreach_get("co", co)
    faces = len(mesh.polygons)
    evaluated.to_mesh_clear()
    return co.reshape(-1, 3), faces


@pytest.mark.parametrize("concept", CONCEPTS)
def test_each_generated_concept_renders_normalised(tax, spec, concept, tmp_path):
    image = render_array(_scene(tax, spec, concept), tmp_path / f"{concept}.png")
    assert silhouette(image).mean() > 0.04
    co, _ = _subject_stats()
    radius = np.linalg.norm(co - (co.min(axis=0) + co.max(axis=0)) / 2, axis=1).max()
    assert radius == pytest.approx(1.0, abs=1e-3)  # the unit radius every shape has


@pytest.mark.parametrize("concept", ["chair", "tree", "terrain_patch", "pipe", "pebble_scatter"])
def test_the_seed_varies_a_concept_and_a_seed_repeats_it(tax, spec, concept, tmp_path):
    first = render_array(_scene(tax, spec, concept, seed=1), tmp_path / "a.png")
    other = render_array(_scene(tax, spec, concept, seed=2), tmp_path / "b.png")
    again = render_array(_scene(tax, spec, concept, seed=1), tmp_path / "c.png")
    assert np.array_equal(first, again)
    assert np.abs(first - other).mean() > 0.002


def test_furniture_proportions_are_resolved_and_recorded(tax, spec):
    a = _scene(tax, spec, "chair", seed=1).subject.geometry.params
    b = _scene(tax, spec, "chair", seed=2).subject.geometry.params
    assert a["jitter"] == 0.0 and a["height"] != b["height"]
    assert 1.8 * 0.85 <= a["height"] <= 1.8 * 1.15
    tall = _scene(tax, spec, "chair", seed=1, geometry__proportion=2.0).subject.geometry.params
    assert tall["height"] == pytest.approx(2 * a["height"])


def test_detail_and_proportion_axes_reach_the_mesh(tax, spec, tmp_path):
    from psynth_render.scene.build.builder import build

    sizes = {}
    for detail in (0.0, 1.0):
        scene = _scene(tax, spec, "terrain_patch", geometry__detail=detail)
        build(scene)
        sizes[detail] = _subject_stats()[1]
        assert scene.axes["geometry.detail"] == detail
    assert sizes[1.0] > 4 * sizes[0.0]  # resolution 24 -> 72 quads a side
    levels = [_scene(tax, spec, "tree", geometry__detail=d).subject.geometry.params["levels"] for d in (0.0, 0.5, 1.0)]
    assert levels == [2, 3, 4]
    build(_scene(tax, spec, "bolt", geometry__proportion=2.0))
    co, _ = _subject_stats()
    extent = co.max(axis=0) - co.min(axis=0)
    assert extent[2] > 4 * extent[0]  # a long bolt stands tall


def test_subdivision_applies_to_generated_meshes(tax, spec):
    from psynth_render.scene.build.builder import build

    build(_scene(tax, spec, "bolt"))
    plain = _subject_stats()[1]
    build(_scene(tax, spec, "bolt", geometry__subdivision=1))
    assert _subject_stats()[1] >= 3 * plain


def test_detail_and_proportion_change_the_picture(tax, spec, tmp_path):
    sparse = render_array(_scene(tax, spec, "tree", geometry__detail=0.0), tmp_path / "sparse.png")
    dense = render_array(_scene(tax, spec, "tree", geometry__detail=1.0), tmp_path / "dense.png")
    assert np.abs(sparse - dense).mean() > 0.01
    short = render_array(_scene(tax, spec, "bolt", angle="eye_level", geometry__proportion=0.6), tmp_path / "s.png")
    long = render_array(_scene(tax, spec, "bolt", angle="eye_level", geometry__proportion=2.0), tmp_path / "l.png")
    assert np.abs(short - long).mean() > 0.01  # (the mesh test above measures the shapes themselves)


def test_a_scatter_builds_whatever_the_sample_seed(tax, spec, tmp_path):
    """Sample seeds are 64-bit; Blender's node seed is 32-bit (a large one raised ValueError)."""
    image = render_array(_scene(tax, spec, "pebble_scatter", seed=2**62 + 12345), tmp_path / "big.png")
    assert silhouette(image).mean() > 0.04

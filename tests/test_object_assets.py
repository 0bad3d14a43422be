"""Objects beside the subject drawn from an asset library (`each object { geometry.asset ~
one_of(assets.NAME where tag in [...]) }`): only tagged assets are drawn, each is imported and
normalised like the subject's, rests on the floor without touching the others, and the JSON and
captions name it. The library is the tests' own (tests.asset_fixtures); Workbench, 48 px."""

import numpy as np
import pytest

from psynth_spec.compile import compile_text
from psynth_spec.sampler import sample_range
from psynth_spec.taxonomy import default_taxonomy
from tests.asset_fixtures import asset_catalog, asset_library  # noqa: F401 (fixtures)

pytestmark = pytest.mark.render


def _spec(catalog):
    return compile_text(f"""dataset shelf {{
    samples 12
    seed    5
    assets lib "{catalog}"
    scene.objects  ~ randint(2, 4)
    geometry.shape ~ one_of [primitives.cube]
    camera.angle   ~ one_of [birds_eye]
    each object {{
        geometry.asset ~ one_of(assets.lib where tag in [chair, table])
        material       ~ one_of [metal.copper]
    }}
    render {{
        engine workbench
        resolution 48x48
    }}
}}
""", "shelf.psynth")


def test_extra_objects_draw_only_tagged_assets_and_captions_name_them(asset_catalog):
    spec = _spec(asset_catalog)
    frame = sample_range(spec, 0, 12)
    drawn = [a for row in frame["objects_geometry_asset"].to_list() for a in row[1:]]
    assert len(drawn) == sum(n - 1 for n in frame["scene_objects"])
    assert all(a.startswith(("furniture/chair/", "furniture/table/")) for a in drawn)
    assert len(set(drawn)) > 3  # several files of both tags
    assert all(row[0] is None for row in frame["objects_geometry_asset"].to_list())  # the subject: a cube
    assert any("copper chair" in c for c in frame["caption_dense"])


def test_asset_objects_are_imported_normalised_and_rest_apart(asset_catalog):
    bpy = pytest.importorskip("bpy")

    from psynth_render.scene.build.builder import FLOOR_GAP, TAG, build
    from psynth_render.scene.build.object_info import objects_info
    from psynth_render.scene.build.stacking import evaluated_tree
    from psynth_render.scene.describe import describe
    from psynth_render.scene.describe.model import AssetObject

    spec = _spec(asset_catalog)
    frame = sample_range(spec, 0, 12)
    tax = default_taxonomy()
    for index in range(3):
        row = frame.row(index, named=True)
        desc = describe(row, spec, tax)
        assert not isinstance(desc.subject, AssetObject)
        assert [o.asset.id for o in desc.objects[1:]] == row["objects_geometry_asset"][1:]
        build(desc)
        info = objects_info(bpy.context.scene, desc)
        depsgraph = bpy.context.evaluated_depsgraph_get()
        trees = [evaluated_tree(bpy.data.objects[o.name], depsgraph) for o in desc.objects]
        floor = bpy.context.scene[TAG + "_floor_z"]
        for element, entry, (tree, points) in zip(desc.objects[1:], info[1:], trees[1:]):
            assert entry["asset"]["id"] == element.asset.id and entry["concept"] == element.asset.id
            assert {"furniture"} <= set(entry["asset"]["tags"]) and entry["asset"]["licence"] == "cc0"
            half_diagonal = np.linalg.norm(points.max(axis=0) - points.min(axis=0)) / 2
            assert half_diagonal == pytest.approx(element.scale, rel=1e-3)  # the subject's unit radius, scaled
            assert abs(points[:, 2].min() - (floor + FLOOR_GAP)) < 1e-4  # on the floor
            assert not tree.overlap(trees[0][0])  # clear of the subject
    from psynth_render.instances import render_instance_ids

    ids, _ = render_instance_ids(desc)
    for element in desc.objects[1:]:  # every asset object shows in the frame
        assert (ids == element.instance_id).sum() > 10, element.asset.id

"""Assets on screen: every catalog format imports as the subject, normalised (unit radius, upright,
resting on the floor), once per process; the worker renders specs that draw from a catalog.

The library is the session fixture of `tests.asset_fixtures` (Blender-exported meshes of known
sizes, off the origin, plus a corrupt file). Renders are 32-48 px Workbench.
"""

import json

import numpy as np
import polars as pl
import pytest

from psynth_data.asset_catalog import read_catalog
from psynth_data.layout import Layout
from psynth_data.storage import LocalStorage
from psynth_render.supervisor import run_shard
from psynth_spec.compile import compile_text
from psynth_spec.taxonomy import default_taxonomy
from tests.asset_fixtures import asset_catalog, asset_library  # noqa: F401 (fixtures)
from tests.asset_library import FILES, SHAPES
from tests.render_fixtures import make_row, silhouette
from tests.worker_specs import png_array, tar_members

pytestmark = pytest.mark.render


def _spec(catalog, body: str, samples: int = 4, size: int = 32):
    text = f"""dataset assets_on_screen {{
    samples    {samples}
    shard_size {samples}
    seed       3
    assets lib "{catalog}"
    {body}
    caption "{{material|a}} {{geometry.asset}}"
    render {{
        engine workbench
        device cpu
        resolution {size} x {size}
        samples 1
    }}
}}
"""
    return compile_text(text, "<assets>")


def _subject_points():
    import bpy

    subject = bpy.data.objects["psynth_subject"]
    depsgraph = bpy.context.evaluated_depsgraph_get()
    evaluated = subject.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    co = np.empty(len(mesh.vertices) * 3)
    mesh.vertices.foreach_get("co", co)
    matrix = np.array(evaluated.matrix_world)
    evaluated.to_mesh_clear()
    co = co.reshape(-1, 3)
    return co @ matrix[:3, :3].T + matrix[:3, 3]


def test_every_format_imports_normalised_upright_and_resting(asset_catalog, tmp_path):
    import bpy

    from psynth_render.scene import render_still
    from psynth_render.scene.build.builder import FLOOR_GAP, TAG, build
    from psynth_render.scene.describe import describe

    taxonomy = default_taxonomy()
    spec = _spec(asset_catalog, "geometry.asset ~ one_of(assets.lib)\n    material ~ one_of [plastic.matte]", size=48)
    readable = read_catalog(asset_catalog).filter(pl.col("error").is_null())
    assert readable.height == 12
    shape_of = {f"{folder}/{shape}_{fmt}.{fmt}": shape for folder, (shape, fmts) in FILES.items() for fmt in fmts}
    shape_of["furniture/chair/chair_yup.stl"] = "chair"  # written Y up, declared by its sidecar
    tiles = []
    for asset_id in readable["asset_id"]:
        row = make_row(taxonomy, seed=5, geometry_asset=asset_id, material="plastic.matte")
        build(describe(row, spec, taxonomy))
        points = _subject_points()
        low, high = points.min(axis=0), points.max(axis=0)
        extent = high - low
        assert np.linalg.norm(extent) / 2 == pytest.approx(1.0, abs=1e-4), asset_id  # unit radius
        assert (low + high)[:2] / 2 == pytest.approx([0.0, 0.0], abs=1e-4), asset_id  # centred
        floor_z = bpy.context.scene[TAG + "_floor_z"]
        assert low[2] - floor_z == pytest.approx(FLOOR_GAP, abs=1e-4), asset_id  # resting on the floor
        size = np.array(SHAPES[shape_of[asset_id]][1])
        assert extent / extent.max() == pytest.approx(size / size.max(), abs=0.02), asset_id  # upright, unstretched
        image = tmp_path / f"{len(tiles)}.png"
        render_still(describe(row, spec, taxonomy), image)
        tiles.append(png_array(image.read_bytes()))
        assert silhouette(tiles[-1] / 255.0).mean() > 0.03, asset_id
    sheet = np.concatenate(tiles, axis=1).astype(np.uint8)
    from PIL import Image

    Image.fromarray(sheet).save("/tmp/psynth_assets_formats.png")  # look at it
    # chair (tall box) and table (flat cylinder) look different
    assert np.abs(tiles[0].astype(float) - tiles[4].astype(float)).mean() > 5


def test_an_asset_is_imported_once_per_process(asset_catalog):
    import bpy

    from psynth_render.asset_cache import MESH_PREFIX
    from psynth_render.scene.build.builder import build
    from psynth_render.scene.describe import describe

    taxonomy = default_taxonomy()
    spec = _spec(asset_catalog, "geometry.asset ~ one_of(assets.lib where tag in [table])")
    ids = sorted(spec.catalog("lib").assets)
    for asset_id in ids + ids:
        build(describe(make_row(taxonomy, seed=1, geometry_asset=asset_id), spec, taxonomy))
    shas = {spec.catalog("lib").assets[a].sha256 for a in ids}
    cached = {m.name for m in bpy.data.meshes if m.name.startswith(MESH_PREFIX)}
    assert {MESH_PREFIX + s[:32] for s in shas} <= cached
    assert not [o for o in bpy.data.objects if o.name.startswith(("Cube", "Cylinder", "Sphere"))]  # imports cleaned up


def test_the_worker_renders_only_tagged_assets_and_records_them(asset_catalog, tmp_path):
    spec = _spec(asset_catalog, "geometry.asset ~ one_of(assets.lib where tag in [chair, vase])\n"
                 "    material ~ one_of { metal.gold: 1, plastic.glossy: 1 }", samples=4)
    result = run_shard(spec, 0, str(tmp_path))
    assert result.manifest.counts.rendered == 4
    members = tar_members(tmp_path, spec)
    for sid in range(4):
        meta = json.loads(members[f"{sid:09d}.json"])
        asset = meta["asset"]
        assert asset["tag"] in ("chair", "vase") and asset["tag"] in asset["tags"]
        assert asset["licence"] == ("cc0" if asset["tag"] == "chair" else
                                    "cc_by_4_0" if asset["id"].endswith(".usda") else None)
        assert meta["axes"]["geometry_asset"] == asset["id"] and len(asset["sha256"]) == 64
        subject = meta["scene"]["objects"][0]
        assert subject["kind"] == "asset" and subject["asset"]["id"] == asset["id"]
        caption = members[f"{sid:09d}.txt"].decode()
        assert caption.endswith(asset["tag"]), caption
        image = png_array(members[f"{sid:09d}.png"]) / 255.0
        assert silhouette(image).mean() > 0.03
    qc = pl.read_parquet(LocalStorage(tmp_path).path(Layout.for_spec(spec).qc_key(0)))
    assert (qc["object_coverage"] > 0.02).all()


def test_an_asset_subject_is_an_asset_object_that_round_trips(asset_catalog):
    from psynth_render.scene.describe import Scene, describe
    from psynth_render.scene.describe.model import AssetObject

    taxonomy = default_taxonomy()
    spec = _spec(asset_catalog, "geometry.asset ~ one_of(assets.lib where tag in [vase])\n    geometry.rotation ~ uniform(0, 360)")
    asset_id = sorted(spec.catalog("lib").assets)[0]
    scene = describe(make_row(taxonomy, seed=2, geometry_asset=asset_id, geometry__rotation=30.0), spec, taxonomy)
    assert isinstance(scene.subject, AssetObject) and scene.subject.asset.id == asset_id
    assert scene.subject.geometry.generator == "asset" and scene.subject.geometry.rotation_deg == 30.0
    again = Scene.from_json(scene.to_json())
    assert again == scene and isinstance(again.subject, AssetObject)
    plain = describe(make_row(taxonomy, seed=2), spec, taxonomy)  # no asset drawn: the shape
    assert type(plain.subject).__name__ == "SceneObject" and plain.subject.kind == "shape"

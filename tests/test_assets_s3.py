"""Asset libraries and catalogs on S3 (a real SeaweedFS server): scan an s3:// prefix, then a spec
declares a catalog by its s3:// URL."""

import shutil

import pytest

from psynth_data.asset_catalog import read_catalog
from psynth_data.asset_scan import scan_assets
from psynth_data.storage import open_storage
from psynth_spec.compile import compile_text
from psynth_spec.errors import SpecError
from psynth_spec.sampler import sample_range
from tests.asset_fixtures import READER, asset_library  # noqa: F401 (fixture)
from tests.test_s3_storage import BUCKET, s3_env, server  # noqa: F401 (fixtures: a SeaweedFS server)


def test_scan_an_s3_prefix_and_draw_from_an_s3_catalog(s3_env, asset_library, tmp_path):
    local = tmp_path / "lib"
    shutil.copytree(asset_library / "furniture", local / "furniture")
    shutil.copytree(asset_library / "props" / "broken", local / "props" / "broken")
    store = open_storage(f"s3://{BUCKET}/library")
    for path in sorted(p for p in local.rglob("*") if p.is_file()):
        store.put_file(path.relative_to(local).as_posix(), path)
    out = tmp_path / "catalog.parquet"
    report = scan_assets(f"s3://{BUCKET}/library", out, READER, workers=2)
    assert (report.files, report.errors) == (8, 1)
    rows = {r["asset_id"]: r for r in read_catalog(out).iter_rows(named=True)}
    chair = rows["furniture/chair/chair_glb.glb"]
    assert chair["uri"] == f"s3://{BUCKET}/library/furniture/chair/chair_glb.glb"
    assert chair["licence"] == "cc0" and chair["triangles"] == 12 and chair["error"] is None
    assert "GLB" in rows["props/broken/corrupt.glb"]["error"]
    open_storage(f"s3://{BUCKET}/catalogs").put_file("furniture.parquet", out)
    text = (f'dataset shop {{\n    samples 100\n    assets lib "s3://{BUCKET}/catalogs/furniture.parquet"\n'
            "    geometry.asset ~ one_of(assets.lib where tag in [table])\n}\n")
    spec = compile_text(text, str(tmp_path / "shop.psynth"))
    assert set(sample_range(spec, 0, 100)["geometry_asset"]) == {
        "furniture/table/table_gltf.gltf", "furniture/table/table_ply.ply", "furniture/table/table_stl.stl"}
    with pytest.raises(SpecError, match="no such asset catalog"):
        compile_text(text.replace("furniture.parquet", "nothing.parquet"), "shop.psynth")

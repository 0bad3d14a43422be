"""`psynth assets scan`: every format read, tags and licences from folders and sidecars,
unreadable files listed with their error, parallel workers, resuming after a stop."""

import json
import os
import shutil

import polars as pl
import pytest

from psynth_cli.main import main
from psynth_data.asset_catalog import CatalogError, catalog_digest, read_catalog
from psynth_data.asset_scan import scan_assets
from psynth_data.asset_tags import labels_for, tag_name
from tests.asset_fixtures import READER, asset_catalog, asset_library  # noqa: F401 (fixtures)
from tests.asset_library import FILES, SHAPES

ALL_FORMATS = {"glb", "gltf", "obj", "fbx", "ply", "stl", "usd", "usda", "usdc", "usdz", "blend"}


def _rows(catalog) -> dict[str, dict]:
    return {r["asset_id"]: r for r in read_catalog(catalog).iter_rows(named=True)}


def test_every_format_is_read_with_its_true_bounds(asset_catalog):
    rows = _rows(asset_catalog)
    good = {k: r for k, r in rows.items() if r["error"] is None}
    assert {r["format"] for r in good.values()} == ALL_FORMATS
    for folder, (shape, formats) in FILES.items():
        _kind, size, location = SHAPES[shape]
        for fmt in formats:
            row = good[f"{folder}/{shape}_{fmt}.{fmt}"]
            extent = [hi - lo for lo, hi in zip(row["bounds_min"], row["bounds_max"])]
            centre = [(lo + hi) / 2 for lo, hi in zip(row["bounds_min"], row["bounds_max"])]
            assert extent == pytest.approx(list(size), abs=1e-3), (fmt, extent)
            assert centre == pytest.approx(list(location), abs=1e-3), (fmt, centre)
            assert row["triangles"] >= 12 and len(row["sha256"]) == 64
    # an STL written Y up reads upright when its sidecar says `up: y`
    yup = good["furniture/chair/chair_yup.stl"]
    assert yup["up"] == "y"
    assert yup["bounds_min"] + yup["bounds_max"] == pytest.approx(
        good["furniture/chair/chair_glb.glb"]["bounds_min"] + good["furniture/chair/chair_glb.glb"]["bounds_max"], abs=1e-3)


def test_the_corrupt_file_is_listed_with_its_error(asset_catalog):
    row = _rows(asset_catalog)["props/broken/corrupt.glb"]
    assert row["error"] and "GLB" in row["error"]
    assert row["triangles"] is None and row["tags"] == ["broken", "props"]


def test_tags_and_licences_come_from_folders_and_sidecars(asset_catalog):
    rows = _rows(asset_catalog)
    assert rows["furniture/chair/chair_glb.glb"]["tags"] == ["chair", "furniture"]
    assert rows["furniture/chair/chair_glb.glb"]["licence"] == "cc0"  # folder sidecar
    assert rows["props/vase/vase_usda.usda"]["tags"] == ["ceramic", "props", "vase"]  # file sidecar
    assert rows["props/vase/vase_usda.usda"]["licence"] == "cc_by_4_0"
    assert rows["props/vase/vase_usdc.usdc"]["licence"] is None


def test_label_rules():
    assert tag_name("Dining Chairs") == "dining_chairs" and tag_name("3D-scans") == "_3d_scans"
    sidecars = {"a/asset.yaml": "licence: cc0\ntags: [Old Wood]", "a/b/x.glb.asset.yaml": "license: mit\nup: y"}
    labels = labels_for("a/b/x.glb", sidecars)
    assert (labels.tags, labels.licence, labels.up, labels.error) == (["a", "b", "old_wood"], "mit", "y", None)
    bad = labels_for("a/y.glb", {"a/asset.yaml": "tags: [unclosed"})
    assert bad.error and "a/asset.yaml" in bad.error and "line" in bad.error
    assert "colour" in labels_for("y.glb", {"y.glb.asset.yaml": "colour: red"}).error


def test_a_bad_sidecar_is_its_files_error_not_the_scans(asset_library, tmp_path):
    library = tmp_path / "lib"
    shutil.copytree(asset_library / "furniture" / "table", library / "table")
    (library / "table" / "table_stl.stl.asset.yaml").write_text("tags: [oops\n")
    rows = _rows(scan_assets(str(library), tmp_path / "c.parquet", READER, workers=1).path)
    assert "not valid YAML" in rows["table/table_stl.stl"]["error"]
    assert rows["table/table_ply.ply"]["error"] is None


def test_a_stopped_scan_resumes_and_a_rescan_reads_only_changes(asset_library, tmp_path):
    library = tmp_path / "lib"
    shutil.copytree(asset_library / "furniture", library / "furniture")
    out = tmp_path / "c.parquet"
    # a scan killed after reading one file left its journal line (and a torn last line)
    first = scan_assets(str(library), out, READER, workers=2)
    assert first.read == 7 and first.errors == 0
    row = _rows(out)["furniture/chair/chair_obj.obj"]
    out.unlink()
    journal = out.with_name(out.name + ".scan.jsonl")
    journal.write_text(json.dumps(row) + "\n" + '{"asset_id": "furn')
    resumed = scan_assets(str(library), out, READER, workers=2)
    assert resumed.read == 6 and not journal.exists()
    again = scan_assets(str(library), out, READER, workers=2)
    assert again.read == 0
    stl = library / "furniture" / "table" / "table_stl.stl"
    os.utime(stl, (stl.stat().st_atime, stl.stat().st_mtime + 10))
    assert scan_assets(str(library), out, READER, workers=1).read == 1
    assert read_catalog(out).height == 7


def test_the_cli_scans_and_lists_errors(asset_library, tmp_path, capsys):
    library = tmp_path / "lib"
    shutil.copytree(asset_library / "props" / "broken", library / "broken")
    shutil.copytree(asset_library / "props" / "vase", library / "vase")
    assert main(["assets", "scan", str(library), "--out", str(tmp_path / "c.parquet"), "--quiet", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "6 files (6 read, 0 unchanged)" in out and "1 unreadable" in out and "broken/corrupt.glb" in out
    assert main(["assets", "scan", str(tmp_path / "nope"), "--out", str(tmp_path / "d.parquet")]) == 1
    assert "no such folder" in capsys.readouterr().err


def test_catalog_errors_and_digest(asset_catalog, tmp_path):
    with pytest.raises(CatalogError, match="no such asset catalog"):
        read_catalog(tmp_path / "missing.parquet")
    (tmp_path / "junk.parquet").write_bytes(b"not parquet")
    with pytest.raises(CatalogError, match="not a readable asset catalog"):
        read_catalog(tmp_path / "junk.parquet")
    pl.DataFrame({"x": [1]}).write_parquet(tmp_path / "other.parquet")
    with pytest.raises(CatalogError, match="no column asset_id"):
        read_catalog(tmp_path / "other.parquet")
    frame = read_catalog(asset_catalog)
    assert catalog_digest(frame) == catalog_digest(frame.sample(fraction=1.0, shuffle=True, seed=1).sort("asset_id"))
    changed = frame.with_columns(pl.when(pl.col("asset_id").str.contains("chair_glb")).then(pl.lit(["x"])).otherwise(pl.col("tags")).alias("tags"))
    assert catalog_digest(changed) != catalog_digest(frame)

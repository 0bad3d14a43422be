"""Assets in the language: `assets NAME "PATH"`, `one_of(assets.NAME where ...)`, the checks, the
sampled columns, the version id and the audit by tag and licence (catalogs made here, no Blender)."""

import polars as pl
import pytest

from psynth_cli.main import main
from psynth_data.asset_catalog import catalog_frame, write_catalog
from psynth_data.audit import run_audit
from psynth_data.expected import expected_frame
from psynth_data.index import build_index, open_index
from psynth_spec.compile import compile_text
from psynth_spec.errors import SpecError
from psynth_spec.sampler import sample_range
from tests.audit_fixtures import make_dataset

# (asset id, tags, licence); chairs outnumber tables 3:1 on disk
LIBRARY = [
    ("furniture/chair/a.glb", ["chair", "furniture"], "cc0"),
    ("furniture/chair/b.glb", ["chair", "furniture"], "cc0"),
    ("furniture/chair/c.obj", ["chair", "furniture", "wood"], "CC-BY-4.0"),
    ("furniture/table/d.fbx", ["furniture", "table", "wood"], "CC-BY-4.0"),
    ("props/vase/e.usdz", ["props", "vase"], None),
    ("props/broken/f.glb", ["broken", "props"], None),  # unreadable
]


def _catalog(path, library=LIBRARY):
    rows = []
    for asset_id, tags, licence in library:
        broken = "broken" in tags
        rows.append({"asset_id": asset_id, "uri": f"/lib/{asset_id}", "format": asset_id.rsplit(".", 1)[1],
                     "size": 100, "mtime": 1.0, "sha256": f"{len(rows):064x}", "tags": tags, "licence": licence,
                     "up": None, "triangles": None if broken else 12, "materials": None if broken else 1,
                     "bounds_min": None if broken else [0.0, 0.0, 0.0], "bounds_max": None if broken else [1.0, 2.0, 1.0],
                     "error": "Bad GLB" if broken else None})
    return write_catalog(catalog_frame(rows), path)


def _spec(tmp_path, body: str, samples: int = 4000, name: str = "lib.parquet"):
    if not (tmp_path / name).exists():
        _catalog(tmp_path / name)
    text = f'dataset shop {{\n    samples {samples}\n    shard_size 1000\n    assets lib "{name}"\n{body}\n}}\n'
    path = tmp_path / "shop.psynth"
    path.write_text(text)
    return compile_text(text, str(path)), path


def _codes(tmp_path, body: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        _spec(tmp_path, body)
    return [(d.code, d.line, d.col, d.hint) for d in info.value.diagnostics]


def test_a_tag_filter_draws_only_tagged_assets_deterministically(tmp_path):
    spec, _ = _spec(tmp_path, "    geometry.asset ~ one_of(assets.lib where tag in [chair, table])\n    caption \"a {geometry.asset}\"")
    frame = sample_range(spec, 0, 4000)
    assert set(frame["geometry_asset"]) == {"furniture/chair/a.glb", "furniture/chair/b.glb",
                                            "furniture/chair/c.obj", "furniture/table/d.fbx"}
    assert frame["geometry_asset"].value_counts()["count"].min() > 900  # uniform over the 4 assets
    assert set(frame["geometry_asset_tag"]) == {"chair", "table"}
    row = frame.filter(pl.col("geometry_asset") == "furniture/table/d.fbx").row(0, named=True)
    assert row["geometry_asset_tags"] == ["furniture", "table", "wood"] and row["geometry_asset_licence"] == "CC-BY-4.0"
    assert row["caption"] == "a table"
    assert sample_range(spec, 1000, 2000).equals(frame.slice(1000, 1000))  # any range, same rows


def test_the_dense_caption_names_a_library_subject_by_its_asset_not_a_shape(tmp_path):
    spec, _ = _spec(tmp_path, "    geometry.asset ~ one_of(assets.lib where tag in [table])", samples=200)
    frame = sample_range(spec, 0, 200)
    dense = frame["caption_dense"].to_list()
    assert all("table" in text for text in dense)
    shapes = {c.label for c in spec.concept_text["geometry.shape"].values()}
    assert not any(f" {shape}." in text or f" {shape} " in text for text in dense for shape in shapes if shape != "table")


def test_tag_weights_balance_tags_not_files(tmp_path):
    spec, _ = _spec(tmp_path, "    geometry.asset ~ one_of(assets.lib where tag in { chair: 1, table: 1 })")
    tags = sample_range(spec, 0, 4000)["geometry_asset_tag"]
    assert (tags == "table").mean() == pytest.approx(0.5, abs=0.03)  # one table file, half the samples
    spec, _ = _spec(tmp_path, "    geometry.asset ~ one_of(assets.lib where licence in [cc_by_4_0])")
    assert set(sample_range(spec, 0, 500)["geometry_asset"]) == {"furniture/chair/c.obj", "furniture/table/d.fbx"}
    spec, _ = _spec(tmp_path, "    geometry.asset ~ one_of(assets.lib)")
    assert "props/broken/f.glb" not in set(sample_range(spec, 0, 2000)["geometry_asset"])  # unreadable: never drawn


def test_check_errors_are_located_with_suggestions(tmp_path):
    assert _codes(tmp_path, "    geometry.asset ~ one_of(assets.lib where tag in [chiar])") == [
        ("unknown-asset-value", 5, 54, "did you mean 'chair'?")]
    assert _codes(tmp_path, "    geometry.asset ~ one_of(assets.lbi)")[0][:3] == ("unknown-catalog", 5, 29)
    assert _codes(tmp_path, "    geometry.asset ~ one_of(assets.lib where colour in [red])")[0][0] == "unknown-field"
    assert _codes(tmp_path, "    geometry.asset ~ one_of(assets.lib where tag in [broken])")[0][0] == "unknown-asset-value"
    assert _codes(tmp_path, "    geometry.asset ~ one_of(assets.lib where tag in [vase] and licence in [cc0])")[0][0] == "no-assets"
    assert _codes(tmp_path, "    geometry.asset ~ one_of(geometry.primitives)")[0][0] == "type-mismatch"
    assert _codes(tmp_path, "    material ~ one_of(assets.lib where tag in [chair])")[0][0] == "type-mismatch"
    assert _codes(tmp_path, "    geometry.asset ~ one_of(assets.lib)\n    material = metal.gold when geometry.asset == chair")[0][0] == "type-mismatch"


def test_a_missing_catalog_is_a_located_error(tmp_path, capsys):
    path = tmp_path / "shop.psynth"
    path.write_text('dataset shop {\n    samples 10\n    assets lib "nowhere/lib.parquet"\n}\n')
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3:16: error: " in err and "no such asset catalog" in err and "psynth assets scan" in err


def test_the_catalogs_content_enters_the_version_id(tmp_path):
    body = "    geometry.asset ~ one_of(assets.lib where tag in [chair])"
    first, _ = _spec(tmp_path, body)
    again, _ = _spec(tmp_path, body)
    assert first.version_id == again.version_id
    changed = [(a, t + ["new"] if a.endswith("e.usdz") else t, lic) for a, t, lic in LIBRARY]
    _catalog(tmp_path / "lib.parquet", changed)
    assert _spec(tmp_path, body)[0].version_id != first.version_id
    plain = compile_text("dataset shop {\n    samples 10\n}\n")
    assert plain.version_id == compile_text("dataset shop {\n    samples 10\n}\n").version_id


def _audit(tmp_path, spec, **kwargs):
    storage, layout = make_dataset(tmp_path / "data", spec, **kwargs)
    build_index(storage, layout, spec=spec, expected=expected_frame(spec, pilot_samples=20_000))
    con = open_index(storage, layout)
    try:
        return run_audit(con)
    finally:
        con.close()


def test_the_audit_balances_by_tag_and_licence(tmp_path):
    spec, _ = _spec(tmp_path, "    geometry.asset ~ one_of(assets.lib where tag in { chair: 2, table: 1, vase: 1 })\n"
                    "    caption \"a {geometry.asset}\"", samples=8000)
    report = _audit(tmp_path, spec)
    axes = {a["axis"]: a for a in report["axes"]}
    assert {"geometry.asset", "geometry.asset.tag", "geometry.asset.licence"} <= set(axes)
    assert report["flagged_axes"] == []
    tag = {v["value"]: v for v in axes["geometry.asset.tag"]["values"]}
    assert tag["chair"]["expected"] == pytest.approx(0.5) and tag["chair"]["observed"] == pytest.approx(0.5, abs=0.02)
    licence = {v["value"]: v["expected"] for v in axes["geometry.asset.licence"]["values"]}
    assert licence == pytest.approx({"cc0": 1 / 3, "CC-BY-4.0": 1 / 6 + 1 / 4, "(unset)": 1 / 4})
    # a dataset that lost its tables is flagged on the tag
    skewed = _audit(tmp_path / "skew", spec, alter=lambda f: f.filter(pl.col("geometry_asset_tag") != "table"))
    assert "geometry.asset.tag" in skewed["flagged_axes"]
    flagged = next(a for a in skewed["axes"] if a["axis"] == "geometry.asset.tag")
    assert flagged["flagged_values"] == ["table"]


def test_the_plan_shows_assets_and_their_tags(tmp_path):
    from psynth_spec.plan import make_plan

    spec, _ = _spec(tmp_path, "    geometry.asset ~ one_of(assets.lib where tag in { chair: 3, table: 1 })")
    shares = {d.axis: {s.value: s.probability for s in d.shares} for d in make_plan(spec).distributions}
    assert shares["geometry.asset.tag"] == pytest.approx({"chair": 0.75, "table": 0.25}, abs=0.02)
    assert shares["geometry.asset"]["furniture/table/d.fbx"] == pytest.approx(0.25, abs=0.02)
    assert shares["geometry.asset.licence"]["cc0"] == pytest.approx(0.5, abs=0.02)

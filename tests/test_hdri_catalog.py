"""User HDRI folders through the asset-catalog mechanism: `psynth assets scan` catalogs .exr and
.hdr files, `hdris NAME "PATH"` declares them, `lighting.hdri ~ one_of(hdris.NAME where ...)`
draws them, the catalog's hash enters the version id, and the renderer shows the drawn file.

The library (`tests.hdri_library`) is written by Blender in a subprocess: constant red and blue
environments, a square (not equirectangular) EXR and a corrupt one."""

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from psynth_data.asset_catalog import read_catalog
from psynth_data.asset_scan import scan_assets
from psynth_data.layout import Layout
from psynth_data.storage import LocalStorage
from psynth_spec.compile import compile_text
from psynth_spec.errors import SpecError
from psynth_spec.sampler import sample_range
from tests.asset_fixtures import READER, make_library, scan_library
from tests.test_s3_storage import BUCKET, s3_env, server  # noqa: F401 (fixtures: a SeaweedFS server)
from tests.worker_specs import png_array, tar_members

@pytest.fixture(scope="module")
def hdri_library(tmp_path_factory) -> Path:
    return make_library("tests.hdri_library", tmp_path_factory.mktemp("hdri_library"))


@pytest.fixture(scope="module")
def hdri_catalog(hdri_library, tmp_path_factory) -> Path:
    return scan_library(hdri_library, tmp_path_factory.mktemp("hdri_catalog") / "hdris.parquet", workers=1)


def _spec_text(catalog, body: str, samples: int = 4, extra: str = "") -> str:
    return f"""dataset environments {{
    samples    {samples}
    shard_size {samples}
    seed       5
    hdris env "{catalog}"
    {extra}
    {body}
    scene.background = void
    lighting.setup   = hdri.studio
    render {{
        engine cycles
        device cpu
        resolution 32 x 32
        samples 4
    }}
}}
"""


def test_the_scan_catalogs_environment_images_with_resolution_tags_licence_and_errors(hdri_catalog, hdri_library):
    import hashlib

    rows = {r["asset_id"]: r for r in read_catalog(hdri_catalog).iter_rows(named=True)}
    assert set(rows) == {"outdoor/red_sky.exr", "studio/blue_room.hdr", "textures/square.exr", "broken/bad.exr"}
    red, blue = rows["outdoor/red_sky.exr"], rows["studio/blue_room.hdr"]
    assert (red["format"], blue["format"]) == ("exr", "hdr")
    assert red["resolution"] == [64, 32] and blue["resolution"] == [64, 32]
    assert red["sha256"] == hashlib.sha256((hdri_library / "outdoor/red_sky.exr").read_bytes()).hexdigest()
    assert red["tags"] == ["outdoor"] and red["licence"] is None and red["error"] is None
    assert blue["tags"] == ["indoor", "studio"] and blue["licence"] == "CC-BY-4.0" and blue["error"] is None
    assert red["triangles"] is None and red["bounds_min"] is None
    assert "equirectangular" in rows["textures/square.exr"]["error"]
    assert "not a readable image" in rows["broken/bad.exr"]["error"]


def test_a_spec_draws_environment_images_by_tag_and_records_their_columns(hdri_catalog):
    spec = compile_text(_spec_text(hdri_catalog, "lighting.hdri ~ one_of(hdris.env where tag in [indoor])", 50), "env.psynth")
    frame = sample_range(spec, 0, 50)
    assert set(frame["lighting_hdri"]) == {"studio/blue_room.hdr"}
    assert set(frame["lighting_hdri_tag"]) == {"indoor"} and set(frame["lighting_hdri_licence"]) == {"CC-BY-4.0"}
    assert frame["lighting_hdri_tags"][0].to_list() == ["indoor", "studio"]
    both = compile_text(_spec_text(hdri_catalog, "lighting.hdri ~ one_of(hdris.env)", 200), "env.psynth")
    assert set(sample_range(both, 0, 200)["lighting_hdri"]) == {"outdoor/red_sky.exr", "studio/blue_room.hdr"}
    assert both.catalog("env").kind == "hdris" and both.catalog("env").assets["outdoor/red_sky.exr"].resolution == (64, 32)


def test_kinds_do_not_mix_and_mistakes_are_located(hdri_catalog):
    def errors(body, extra=""):
        with pytest.raises(SpecError) as info:
            compile_text(_spec_text(hdri_catalog, body, extra=extra), "env.psynth")
        return [(d.code, d.line, d.message, d.hint) for d in info.value.diagnostics]

    # the unreadable files are never offered; an HDRI catalog offers no 3D assets and vice versa
    (code, line, message, hint), = errors("lighting.hdri ~ one_of(hdris.env where tag in [textures])")
    assert code == "unknown-asset-value" and line == 7 and "textures" in message
    (code, _, message, _), = errors("geometry.asset ~ one_of(hdris.env)")
    assert code == "type-mismatch" and "geometry.asset draws assets" in message
    (code, _, message, hint), = errors("lighting.hdri ~ one_of(assets.env)")
    assert code == "type-mismatch" and "one_of(hdris.NAME" in hint
    (code, _, message, _), = errors("geometry.asset ~ one_of(assets.lib)", extra=f'assets lib "{hdri_catalog}"')
    assert code == "no-assets" and "asset of catalog 'lib'" in message
    (code, _, message, hint), = errors("lighting.hdri ~ one_of(hdris.enw)")
    assert code == "unknown-catalog" and "env" in hint
    (code, _, message, _), = errors("lighting.hdri = x")
    assert code == "type-mismatch"


def test_the_catalog_hash_enters_the_version_id(hdri_library, tmp_path):
    import shutil

    library = tmp_path / "lib"
    shutil.copytree(hdri_library, library)
    out = tmp_path / "cat.parquet"
    scan_assets(str(library), out, READER, workers=1)
    text = _spec_text(out, "lighting.hdri ~ one_of(hdris.env)")
    before = compile_text(text, "env.psynth").version_id
    assert compile_text(text, "env.psynth").version_id == before
    shutil.copy(library / "studio/blue_room.hdr", library / "outdoor/red_sky.exr")  # same name, new content
    scan_assets(str(library), out, READER, workers=1)
    assert compile_text(text, "env.psynth").version_id != before


@pytest.mark.render
def test_the_worker_renders_the_drawn_environment_and_records_it(hdri_catalog, tmp_path):
    from psynth_render.supervisor import run_shard

    spec = compile_text(_spec_text(hdri_catalog, "lighting.hdri ~ one_of(hdris.env where tag in [outdoor, studio])", 6),
                        "env.psynth")
    result = run_shard(spec, 0, str(tmp_path))
    assert result.manifest.counts.rendered == 6
    members = tar_members(tmp_path, spec)
    seen = set()
    for sid in range(6):
        meta = json.loads(members[f"{sid:09d}.json"])
        hdri = meta["hdri"]
        assert meta["axes"]["lighting_hdri"] == hdri["id"] and hdri["axis"] == "lighting.hdri"
        assert hdri["resolution"] == [64, 32] and len(hdri["sha256"]) == 64
        assert hdri["licence"] == ("CC-BY-4.0" if hdri["id"].endswith(".hdr") else None)
        assert meta["scene"]["lighting"]["world"]["file"]["id"] == hdri["id"]
        image = png_array(members[f"{sid:09d}.png"]) / 255.0
        corners = np.concatenate([image[:4, :4], image[:4, -4:]]).reshape(-1, 3).mean(axis=0)
        red, _, blue = corners  # the view transform desaturates bright colours: a margin, not a ratio
        if hdri["id"] == "outdoor/red_sky.exr":
            assert red > 0.5 and red - blue > 0.3, corners
        else:
            assert blue > 0.5 and blue - red > 0.3, corners
        seen.add(hdri["id"])
    assert seen == {"outdoor/red_sky.exr", "studio/blue_room.hdr"}
    samples = pl.read_parquet(LocalStorage(tmp_path).path(Layout.for_spec(spec).samples_key(0)))
    assert set(samples["lighting_hdri"]) == seen


@pytest.mark.render
def test_an_s3_library_is_scanned_and_the_worker_fetches_the_drawn_file(s3_env, hdri_library, tmp_path):
    from psynth_data.storage import open_storage
    from psynth_render.supervisor import run_shard

    store = open_storage(f"s3://{BUCKET}/skies")
    store.put_file("outdoor/red_sky.exr", hdri_library / "outdoor/red_sky.exr")
    out = tmp_path / "cat.parquet"
    report = scan_assets(f"s3://{BUCKET}/skies", out, READER, workers=1)
    assert (report.files, report.errors) == (1, 0)
    row = read_catalog(out).row(0, named=True)
    assert row["uri"] == f"s3://{BUCKET}/skies/outdoor/red_sky.exr" and row["resolution"] == [64, 32]
    spec = compile_text(_spec_text(out, "lighting.hdri ~ one_of(hdris.env)", 1), "env.psynth")
    assert run_shard(spec, 0, str(tmp_path / "data")).manifest.counts.rendered == 1
    image = png_array(tar_members(tmp_path / "data", spec)["000000000.png"]) / 255.0
    red, _, blue = image[:4, :4].reshape(-1, 3).mean(axis=0)
    assert red > 0.5 and red - blue > 0.3


def test_check_names_the_catalog_kind(hdri_catalog, tmp_path, capsys):
    from psynth_cli.main import main

    path = tmp_path / "env.psynth"
    path.write_text(_spec_text(hdri_catalog, "lighting.hdri ~ one_of(hdris.env)"))
    assert main(["check", str(path)]) == 0
    assert f"hdris env: 2 drawable from {hdri_catalog}" in capsys.readouterr().out


def test_fmt_keeps_an_hdris_declaration():
    from psynth_spec.fmt import format_text

    text = 'dataset d {\n    hdris skies "s.parquet"\n    lighting.hdri ~ one_of(hdris.skies where tag in [outdoor])\n}\n'
    out = format_text(text)
    assert 'hdris skies "s.parquet"' in out and "one_of(hdris.skies where tag in [outdoor])" in out
    assert format_text(out) == out


@pytest.mark.render
def test_a_scene_script_re_renders_a_catalog_environment(hdri_catalog, tmp_path):
    """The script states a catalog HDRI world in bpy (`ps.catalog_hdri_image` loads the file) and
    re-renders the tar's image (mean absolute difference under 1/255)."""
    import subprocess

    from psynth_render.scene_code import HELPER_MEMBER
    from psynth_render.supervisor import run_shard
    from tests.worker_specs import PYTHON

    spec = compile_text(_spec_text(hdri_catalog, "lighting.hdri ~ one_of(hdris.env where tag in [outdoor])", 1,
                                   "outputs [image, metadata, scene_code]"), "env.psynth")
    run_shard(spec, 0, str(tmp_path / "data"))
    members = tar_members(tmp_path / "data", spec)
    code = members["000000000.py"].decode()
    assert "ps.catalog_hdri_image(" in code and "ps.Environment(" not in code
    (tmp_path / HELPER_MEMBER).write_bytes(members[HELPER_MEMBER])
    (tmp_path / "000000000.py").write_text(code)
    done = subprocess.run([PYTHON, str(tmp_path / "000000000.py"), str(tmp_path / "again.png")], capture_output=True,
                          text=True, timeout=180, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    again = png_array((tmp_path / "again.png").read_bytes())
    original = png_array(members["000000000.png"])
    assert np.abs(again - original).mean() < 1.0 and original.std() > 1.0

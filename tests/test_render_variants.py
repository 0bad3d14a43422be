"""Variant groups end to end: the worker renders `{id}.var{k}.*`, the JSON lists what changed,
the variants differ from the base only in the named axes and visibly in pixels; the instruct
export's records parse, every diff applies to the base script and the patched script renders
the variant; the hf export opens as Hugging Face image-text Parquet."""

import ast
import json
import re
import subprocess

import numpy as np
import pyarrow.parquet as pq
import pytest

from psynth_data.code_diff import apply_unified_diff
from psynth_data.export import ExportOptions, export_dataset
from psynth_data.layout import Layout
from psynth_data.storage import LocalStorage
from psynth_render.outputs import member_suffixes
from psynth_render.scene_code import HELPER_MEMBER
from psynth_render.supervisor import run_shard
from tests.scene_code_fixtures import run_without_blender
from tests.worker_specs import PYTHON, png_array, tar_members, tiny_spec

pytestmark = pytest.mark.render

VARIANTS = "variants { material in [plastic.matte, metal.copper], lighting.kelvin in [2000, 12000] }"


@pytest.fixture(scope="module")
def variant_shard(tmp_path_factory):
    root = tmp_path_factory.mktemp("variants")
    spec = tiny_spec(name="varied", samples=2, engine="cycles", spp=4, passes="depth, instances",
                     outputs="image, caption, metadata, scene_code",
                     axes="lighting.kelvin ~ uniform(4000, 7000)\n    " + VARIANTS)
    result = run_shard(spec, 0, str(root))
    assert result.manifest.counts.rendered == 2
    return root, spec, tar_members(root, spec)


def _description(script: bytes) -> tuple[dict, dict]:
    """The scene a script rebuilds: its data as JSON (its statements run without Blender), and
    the source of each of its bpy functions (render settings, lens, materials, lamps, world)."""
    with pytest.MonkeyPatch.context() as patch:
        data = run_without_blender(script.decode(), patch)["scene"].model_dump(mode="json")
    functions = {n.name: ast.unparse(n) for n in ast.parse(script.decode()).body
                 if isinstance(n, ast.FunctionDef) and n.name != "_helpers"}
    return data, functions


def test_members_and_json_variants(variant_shard):
    _root, spec, members = variant_shard
    suffixes = member_suffixes(spec)
    assert {"var1.png", "var2.png", "var1.py", "var2.py", "var1.depth.exr", "var2.depth.exr",
            "var1.inst.png", "var2.inst.png"} <= set(suffixes)
    for sid in (0, 1):
        assert {n for n in members if n.startswith(f"{sid:09d}.")} == {f"{sid:09d}.{s}" for s in suffixes}
        meta = json.loads(members[f"{sid:09d}.json"])
        assert [v["variant"] for v in meta["variants"]] == [1, 2]
        for entry, material, kelvin in zip(meta["variants"], ["plastic.matte", "metal.copper"], [2000.0, 12000.0]):
            assert entry["axes"] == ["material", "lighting.kelvin"]
            assert entry["changed"]["lighting_kelvin"] == kelvin
            assert entry.get("changed", {}).get("material", meta["axes"]["material"]) == material
            # JSON diff: only the columns a variant may change differ from the base
            assert set(entry["changed"]) <= set(spec.variants.columns)
            assert f"{sid:09d}.var{entry['variant']}.png" in entry["files"]
            assert entry["captions"]["caption"].startswith(("a matte plastic", "a copper", "a polished copper"))
            # each variant gets the base's visibility QC: its instances, measured, and a verdict
            ids = png_array(members[f"{sid:09d}.var{entry['variant']}.inst.png"])
            subject = next(i for i in entry["instances"] if i["element"] == "subject")
            assert subject["coverage"] == pytest.approx(float((ids == subject["id"]).mean()), abs=1e-6) and subject["coverage"] > 0.02
            assert entry["qc"]["pass"] and entry["qc"]["reasons"] == [], entry["qc"]
            assert entry["qc"]["object_coverage"] > 0.02 and entry["qc"]["void_frac"] == 0.0


def test_variants_differ_only_in_named_axes_and_visibly_in_pixels(variant_shard):
    _root, _spec, members = variant_shard
    for sid in (0, 1):
        base, base_bpy = _description(members[f"{sid:09d}.py"])
        base_png = png_array(members[f"{sid:09d}.png"])
        for k in (1, 2):
            variant, variant_bpy = _description(members[f"{sid:09d}.var{k}.py"])
            changed = {key for key in base if base[key] != variant[key]}
            assert changed and changed <= {"objects", "lighting", "axes", "style", "backdrop", "color"}, changed
            for held in ("camera", "seed", "render", "effects", "post"):
                assert base[held] == variant[held], held
            for held in ("set_render", "set_camera"):  # the render settings and the lens, stated in bpy
                assert base_bpy[held] == variant_bpy[held], held
            # the material (stated in bpy) and the lamps' colour temperature change; the geometry is held
            assert base_bpy["add_materials"] != variant_bpy["add_materials"]
            assert base_bpy["add_lights"] != variant_bpy["add_lights"]
            for before, after in zip(base["objects"], variant["objects"], strict=True):
                assert before["geometry"] == after["geometry"]
            diff = np.abs(png_array(members[f"{sid:09d}.var{k}.png"]) - base_png).mean()
            assert diff > 4.0, f"sample {sid} variant {k}: mean pixel change {diff:.2f} of 255"
        between = np.abs(png_array(members[f"{sid:09d}.var1.png"]) - png_array(members[f"{sid:09d}.var2.png"])).mean()
        assert between > 4.0


def test_instruct_records_parse_and_diffs_apply_and_render_the_variant(variant_shard, tmp_path):
    root, spec, members = variant_shard
    layout = Layout.for_spec(spec)
    summary = export_dataset(LocalStorage(root), layout, tmp_path / "out", ExportOptions("instruct", workers=1))
    # code: the caption and the built-in caption_dense of each of the 2 samples
    assert summary["records"]["edit"] == 4 and summary["records"]["code"] == 4 and summary["records"]["qa"] == 8
    lines = (tmp_path / "out" / summary["files"][0]).read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert all(r["dataset"] == spec.dataset and r["version_id"] == spec.version_id for r in records)
    edits = [r for r in records if r["kind"] == "edit"]
    for record in edits:
        sid, k = record["sample_id"], record["variant"]
        base, variant = members[f"{sid:09d}.py"].decode(), members[f"{sid:09d}.var{k}.py"].decode()
        assert apply_unified_diff(base, record["response"]) == variant
        assert [i["member"] for i in record["images"]] == [f"{sid:09d}.png", f"{sid:09d}.var{k}.png"]
        assert re.search(r"(plastic|copper|red metal|matte)", record["instruction"], re.I)
        assert re.search(r"(2000|12000) K", record["instruction"])
        changed = [line for line in record["response"].splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        assert any("lighting" in line or "kelvin" in line or "color" in line for line in changed)
        assert len(changed) < 80  # the diff names the changed values, not the whole description
    # the patched script renders the variant's image
    record = edits[-1]
    sid, k = record["sample_id"], record["variant"]
    script = tmp_path / "patched.py"
    (tmp_path / HELPER_MEMBER).write_bytes(members[HELPER_MEMBER])  # the shard's helper, beside the script
    script.write_text(apply_unified_diff(members[f"{sid:09d}.py"].decode(), record["response"]))
    done = subprocess.run([PYTHON, str(script), str(tmp_path / "patched.png")], capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    again = png_array((tmp_path / "patched.png").read_bytes())
    assert np.abs(again - png_array(members[f"{sid:09d}.var{k}.png"])).mean() < 1.0
    assert np.abs(again - png_array(members[f"{sid:09d}.png"])).mean() > 4.0


def test_hf_export_is_image_text_parquet(variant_shard, tmp_path):
    root, spec, members = variant_shard
    summary = export_dataset(LocalStorage(root), Layout.for_spec(spec), tmp_path / "hf", ExportOptions("hf", workers=1))
    path = tmp_path / "hf" / summary["files"][0]
    table = pq.read_table(path)
    features = json.loads(table.schema.metadata[b"huggingface"])["info"]["features"]
    assert features["image"] == {"_type": "Image"}
    assert table.num_rows == 6 and table.column("variant").to_pylist() == [0, 1, 2, 0, 1, 2]
    first = table.slice(0, 1).to_pylist()[0]
    assert first["image"]["bytes"] == members["000000000.png"] and first["text"]
    import datasets  # a test dependency (pyproject's dev extra)

    loaded = datasets.load_dataset("parquet", data_files=str(path), split="train", cache_dir=str(tmp_path / "c"))
    assert loaded.features["image"].__class__.__name__ == "Image"
    assert loaded[1]["image"].size == (32, 32)

"""Registry defaults derived once (at check time, from a typed `default_from`) and renders pinned
to the taxonomy a spec was compiled against (its content hash is in the version id)."""

import subprocess
import sys
from pathlib import Path

import pytest

from psynth_render.scene.describe import describe
from psynth_spec.compile import compile_text
from psynth_spec.errors import TaxonomyError, TaxonomyMismatchError
from psynth_spec.sampler import sample_range
from psynth_spec.taxonomy import (
    ConceptDefault,
    RenderDefault,
    default_taxonomy,
    load_taxonomy,
    require_taxonomy,
)
from tests.test_taxonomy import copy_taxonomy, edit

ROOT = Path(__file__).resolve().parent.parent


def _gold(data) -> dict:
    return data["materials"]["children"]["metal"]["children"]["gold"]["render"]


# ------------------------------------------------------------------ default_from, typed once
def test_default_from_is_parsed_into_a_typed_field_when_the_taxonomy_loads():
    axes = default_taxonomy().axis_by_path
    assert axes["material.roughness"].default_from == ConceptDefault(axis="material", param="roughness")
    assert axes["render.engine"].default_from == RenderDefault(field="engine")
    assert str(axes["lighting.kelvin"].default_from) == "concept:lighting.setup:kelvin"
    assert axes["camera.focal_length"].default_from is None


@pytest.mark.parametrize(
    "origin, message",
    [
        ("concept:material", "is not"),  # no parameter
        ("render:resolution", "render.samples"),  # not a field the render block derives
        ("texture:scale", "is not"),  # no such source
        ("concept:camera.fstop:roughness", "not a categorical axis"),  # source is numeric
    ],
)
def test_a_malformed_default_from_is_a_taxonomy_error_naming_the_axis(tmp_path, origin, message):
    d = copy_taxonomy(tmp_path)
    edit(d / "axes.yaml", lambda data: data["axes"]["render.samples"].update(default_from=origin))
    with pytest.raises(TaxonomyError, match="render.samples") as info:
        load_taxonomy(d, use_cache=False)
    assert message in str(info.value)


def test_an_engine_without_a_concept_fails_when_the_taxonomy_loads(tmp_path):
    """Before, the checker silently fell back to the registry default and the renderer raised."""
    d = copy_taxonomy(tmp_path)

    def drop(data):
        data["rendering"]["children"]["engines"]["children"]["solid"]["render"]["block_name"] = None

    edit(d / "concepts" / "rendering.yaml", drop)
    with pytest.raises(TaxonomyError, match="workbench"):
        load_taxonomy(d, use_cache=False)


def test_the_renderer_fills_a_when_null_from_the_checked_column_not_from_the_registry():
    """`material.roughness` is null in every row (its `when` never holds): the scene takes each
    row's material's roughness, exactly as the checker derived it into the column."""
    tax = default_taxonomy()
    spec = compile_text(
        "dataset d { samples 40 seed 3\n"
        "  camera.focal_length = 50\n"
        "  material ~ one_of [metal.gold, plastic.matte, glass.clear]\n"
        "  material.roughness ~ uniform(0.7, 0.9) when camera.focal_length > 300\n}\n"
    )
    rows = sample_range(spec, 0, 40).to_dicts()
    assert all(r["material_roughness"] is None for r in rows)
    column = next(c for c in spec.columns if c.axis == "material.roughness")
    seen = set()
    for row in rows:
        expected = tax.concepts[f"materials.{row['material']}"].render["roughness"]
        assert column.null_value({"material": row["material"]}) == expected
        assert describe(row, spec, tax).subject.material.roughness == pytest.approx(expected)
        seen.add(row["material"])
    assert len(seen) == 3


def test_unstated_render_axes_come_from_the_render_block_in_the_row():
    tax = default_taxonomy()
    spec = compile_text("dataset d { samples 2 render { engine workbench samples 8 } }")
    row = sample_range(spec, 0, 1).to_dicts()[0]
    assert (row["render_engine"], row["render_samples"]) == ("solid", 8)
    axes = describe(row, spec, tax).axes
    assert (axes["render.engine"], axes["render.samples"]) == ("solid", 8)


# ------------------------------------------------------------------ the taxonomy pin
def test_a_taxonomy_edit_changes_the_content_hash_and_the_version_id(tmp_path):
    text = "dataset d { samples 10 material ~ one_of [metal.gold, metal.silver] }"
    same = load_taxonomy(copy_taxonomy(tmp_path / "same"), use_cache=False)
    edited_dir = copy_taxonomy(tmp_path / "edited")
    edit(edited_dir / "concepts" / "materials.yaml", lambda data: _gold(data).update(base_color=[1.0, 0.7, 0.3]))
    edited = load_taxonomy(edited_dir, use_cache=False)
    base = default_taxonomy()
    assert same.content_hash == base.content_hash  # YAML load and cache load agree
    assert edited.version == base.version and edited.content_hash != base.content_hash
    a, b = compile_text(text, taxonomy=base), compile_text(text, taxonomy=edited)
    assert a.taxonomy_hash == base.content_hash and b.taxonomy_hash == edited.content_hash
    assert a.version_id != b.version_id


def test_a_spec_from_another_taxonomy_is_refused(tmp_path):
    edited_dir = copy_taxonomy(tmp_path)
    edit(edited_dir / "concepts" / "materials.yaml", lambda data: _gold(data).update(roughness=0.5))
    other = compile_text("dataset d { samples 3 }", "d.psynth", load_taxonomy(edited_dir, use_cache=False))
    with pytest.raises(TaxonomyMismatchError, match="compiled against taxonomy"):
        require_taxonomy(other, default_taxonomy())
    require_taxonomy(other.model_copy(update={"taxonomy_hash": default_taxonomy().content_hash}), default_taxonomy())


def test_the_worker_stops_on_a_spec_compiled_against_another_taxonomy(tmp_path):
    edited_dir = copy_taxonomy(tmp_path)
    edit(edited_dir / "concepts" / "materials.yaml", lambda data: _gold(data).update(roughness=0.5))
    other = compile_text("dataset d { samples 3 }", "d.psynth", load_taxonomy(edited_dir, use_cache=False))
    spec_json = tmp_path / "spec.json"
    spec_json.write_text(other.model_dump_json())
    root = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-m", "psynth_render.worker", "--spec", str(spec_json), "--shard", "0", "--root", str(root)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert done.returncode == 1
    assert "compiled against taxonomy" in done.stderr and other.taxonomy_hash in done.stderr
    assert default_taxonomy().content_hash in done.stderr and "Traceback" not in done.stderr
    assert not root.exists() or not any(root.rglob("*.parquet"))  # stopped before any work

"""The checker's meaning: lowering, defaults, version ids, partitioning, and `check --json`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from psynth_spec import spec as s
from psynth_spec.compile import compile_text
from psynth_spec.errors import SpecError
from psynth_spec.fmt import format_text
from psynth_spec.taxonomy import default_taxonomy

ROOT = Path(__file__).resolve().parent.parent


def compile_body(body: str, header: str = "samples 1000") -> s.Spec:
    return compile_text(f"dataset d {{\n{header}\n{body}\n}}\n", "t.psynth")


def codes(body: str, header: str = "samples 1000") -> list[str]:
    with pytest.raises(SpecError) as info:
        compile_body(body, header)
    return [d.code for d in info.value.diagnostics]


def test_inner_node_weight_is_split_evenly_over_its_leaves():
    spec = compile_body("material ~ one_of { metal: 2, glass.clear: 1 }")
    (stmt,) = spec.statements
    taxonomy = default_taxonomy()
    metals = taxonomy.leaves("materials.metal")
    weights = dict(zip(stmt.dist.values, stmt.dist.weights))
    assert set(weights) == {taxonomy.relative(taxonomy.axis_by_path["material"], m) for m in metals} | {"glass.clear"}
    assert weights["glass.clear"] == pytest.approx(1 / 3)
    assert weights["metal.gold"] == pytest.approx(2 / 3 / len(metals))
    assert sum(weights.values()) == pytest.approx(1)


def test_concepts_resolve_relative_to_the_domain_or_from_the_root():
    a = compile_body("material = metal.gold").statements[0].dist
    b = compile_body("material = materials.metal.gold").statements[0].dist
    assert a == b == s.Fixed(value="metal.gold")
    node = compile_body("lighting.setup ~ one_of(lighting.studio)").statements[0].dist
    assert "studio.three_point" in node.values and all(v.startswith("studio.") for v in node.values)


def test_conditions_lower_with_leaf_sets():
    spec = compile_body("material ~ one_of(materials)\nmaterial.ior ~ uniform(1.4, 1.9) when material in glass")
    when = spec.statements[1].when
    assert isinstance(when, s.Member) and set(when.values) >= {"glass.clear", "glass.frosted", "glass.tinted"}
    assert all(v.startswith("glass.") for v in when.values)


def test_unstated_axes_take_registry_or_derived_defaults():
    spec = compile_body("material ~ one_of [metal.gold, plastic.matte]")
    columns = {c.axis: c for c in spec.columns}
    assert [c.axis for c in spec.columns] == [a.path for a in default_taxonomy().axes]
    assert columns["camera.focal_length"].default == 50
    assert columns["lighting.setup"].default == "studio.three_point"
    roughness = columns["material.roughness"]
    assert roughness.derive_from == "material" and roughness.derive_map["metal.gold"] is not None
    assert columns["render.samples"].default == 64
    unstated = compile_body("").columns
    assert {c.axis: c for c in unstated}["material.roughness"].default is not None  # from plastic.matte


def test_render_engine_axis_follows_the_render_block():
    spec = compile_body("render { engine workbench samples 8 }")
    columns = {c.axis: c for c in spec.columns}
    assert columns["render.engine"].default == "solid"
    assert columns["render.samples"].default == 8


def test_version_id_ignores_comments_and_formatting_but_not_values():
    text = "dataset d {\n  samples 20_000 # many\n  material ~ one_of { metal: 2, glass: 1 }\n}\n"
    same = "# a header\ndataset d { samples 20000\n material~one_of{metal:2,glass:1} }"
    other = "dataset d { samples 20000 material ~ one_of { metal: 3, glass: 1 } }"
    a, b, c = (compile_text(t).version_id for t in (text, same, other))
    assert a == b != c
    assert compile_text(format_text(text)).version_id == a


@pytest.mark.parametrize(
    "samples, shard_size, expected",
    [(1000, 1000, 1), (10_000_000, 1000, 1), (10_000_001, 1000, 10), (500_000_000, 1000, 100), (10**11, 1000, 10_000)],
)
def test_automatic_shards_per_partition_keeps_partitions_under_10000(samples, shard_size, expected):
    spec = compile_text(f"dataset d {{ samples {samples} shard_size {shard_size} }}")
    assert spec.shards_per_partition == expected
    assert spec.partitions <= 10_000


def test_explicit_shards_per_partition_limit_names_the_smallest_that_fits():
    with pytest.raises(SpecError) as info:
        compile_text("dataset d { samples 500_000_000 shards_per_partition 10 }")
    (diag,) = info.value.diagnostics
    assert diag.code == "too-many-partitions" and "shards_per_partition 25" in diag.hint
    assert compile_text("dataset d { samples 500_000_000 shards_per_partition 25 }").partitions == 20_000


def test_partition_ranges():
    spec = compile_text("dataset d { samples 1050 shard_size 100 shards_per_partition 4 }")
    assert spec.shards == 11 and spec.partitions == 3
    assert list(spec.partition_shards(2)) == [8, 9, 10]
    assert spec.shard_range(10) == range(1000, 1050)


@pytest.mark.parametrize(
    "body, code",
    [
        ("camera.dof ~ uniform(0, 1)", "type-mismatch"),
        ("geometry.subdivision ~ uniform(0, 2)", "type-mismatch"),
        ("camera.fstop ~ bernoulli(0.5)", "type-mismatch"),
        ("camera.fstop = glass", "type-mismatch"),
        ("material = 3", "type-mismatch"),
        ("camera.fstop ~ one_of [1.4, 64]", "out-of-range"),
        ("camera.fstop ~ lognormal(1, 0.5)", "out-of-range"),
        ("material ~ one_of { metal: -1 }", "invalid-weight"),
        ("material ~ one_of [metal, metal]", "duplicate-value"),
        ("material ~ one_of [gold]", "unknown-concept"),
        ("lighting.setup = metal.gold", "unknown-concept"),
        ("camera.fstop ~ uniform(8, 2)", "invalid-parameter"),
        ("camera.fstop ~ triangular(1, 9, 8)", "invalid-parameter"),
        ("camera.dof ~ bernoulli(1.5)", "invalid-parameter"),
        ("geometry.subdivision ~ randint(0, 9)", "out-of-range"),
        ("caption \"{camera.fstop|label}\"", "type-mismatch"),
        ("caption \"{geometry.subdivision:.2x}\"", "invalid-format"),
        ("caption \"a }\"", "bad-template"),
        ("caption weight 0 \"a\"", "invalid-weight"),
        ("render { passes [depth, depht] }", "invalid-value"),
        ("video { fps 10 }", "missing-setting"),
        ("seed -1", "out-of-range"),
        ("version 3", "type-mismatch"),
        ("samples 5", "duplicate-setting"),
        ("style photoreal", "unknown-setting"),
    ],
)
def test_each_rule_has_its_code(body, code):
    assert code in codes(body)


def test_all_errors_of_a_file_in_one_run_sorted_by_position():
    found = codes("materal ~ one_of(metal)\ncamera.fstop ~ uniform(0, 1)\ncaption \"{x}\"")
    assert found == ["unknown-axis", "out-of-range", "unknown-axis"]


def test_hostile_caption_text_is_data():
    spec = compile_body('caption "{{__import__(\'os\').system(\'echo hi\')}} {material}"')
    texts = [seg.text for seg in spec.captions[0].segments if isinstance(seg, s.Literal_)]
    assert texts[0].startswith("{__import__('os')")


def test_default_caption_when_none_is_written():
    spec = compile_body("")
    assert [t.column for t in spec.captions] == ["caption"]
    assert {"geometry.shape", "material", "lighting.setup"} == spec.captions[0].axes


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "psynth_cli.main", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_check_json_reports_the_plan_of_every_file():
    result = run_cli("check", "--json", "specs/quickstart.psynth", "specs/studio_materials.psynth")
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    for key in ("dataset", "version_id", "samples", "shard_size", "shards", "shards_per_partition",
                "partitions", "axes", "captions", "outputs"):
        assert key in first
    assert first["dataset"] == "quickstart" and second["dataset"] == "studio_materials"
    assert second["shards"] == 40 and second["captions"] == ["caption", "caption_detailed", "caption_dense"]
    assert "material.ior" in second["axes"]


def test_check_json_of_an_invalid_file(tmp_path):
    bad = tmp_path / "bad.psynth"
    bad.write_text("dataset d {\n  samples 10\n  materal ~ one_of(metal)\n}\n")
    result = run_cli("check", "--json", str(bad))
    assert result.returncode == 1
    info = json.loads(result.stdout)
    assert info["ok"] is False and info["errors"][0]["line"] == 3 and info["errors"][0]["code"] == "unknown-axis"


def test_fmt_check_and_rewrite(tmp_path):
    path = tmp_path / "x.psynth"
    path.write_text("dataset x {samples 10}\n")
    assert run_cli("fmt", "--check", str(path)).returncode == 1
    assert path.read_text() == "dataset x {samples 10}\n"
    assert run_cli("fmt", str(path)).returncode == 0
    assert path.read_text() == "dataset x {\n    samples 10\n}\n"
    assert run_cli("fmt", "--check", str(path)).returncode == 0

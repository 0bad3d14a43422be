"""Compiled specs end to end: `psynth sample`, `psynth plan`, taxonomy labels, weight splitting."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats

from psynth_cli.main import main
from psynth_spec.compile import compile_text
from psynth_spec.errors import SpecError
from psynth_spec.sampler import sample_range
from psynth_spec.taxonomy import default_taxonomy

REPO = Path(__file__).resolve().parent.parent
STUDIO = REPO / "specs" / "studio_materials.psynth"

SPLIT = """
dataset split_weights {
    samples 60_000
    seed 3
    material ~ one_of { metal: 2, glass: 1, plastic.glossy: 1 }
    lighting.setup ~ one_of(lighting.studio)
    caption "{material} object under {lighting.setup} light, {material|a} one"
}
"""


def test_inner_node_weights_are_split_evenly_over_leaves():
    spec = compile_text(SPLIT)
    taxonomy = default_taxonomy()
    metals = [p.removeprefix("materials.") for p in taxonomy.leaves("materials.metal")]
    glasses = [p.removeprefix("materials.") for p in taxonomy.leaves("materials.glass")]
    expected = {m: 0.5 / len(metals) for m in metals}
    expected.update({g: 0.25 / len(glasses) for g in glasses})
    expected["plastic.glossy"] = 0.25
    frame = sample_range(spec, 0, 60_000)
    counts = frame["material"].value_counts()
    observed = dict(zip(counts["material"].to_list(), counts["count"].to_list()))
    assert set(observed) == set(expected)
    values = sorted(expected)
    obs = np.array([observed[v] for v in values])
    exp = np.array([expected[v] for v in values]) * len(frame)
    assert stats.chisquare(obs, exp).pvalue > 1e-3
    # the same counts against a uniform split over all leaves must fail
    assert stats.chisquare(obs, np.full(len(values), len(frame) / len(values))).pvalue < 1e-3


def test_captions_use_taxonomy_labels():
    spec = compile_text(SPLIT)
    taxonomy = default_taxonomy()
    frame = sample_range(spec, 0, 2000)
    for material, setup, caption in frame.select("material", "lighting_setup", "caption").rows():
        label = taxonomy.concepts[f"materials.{material}"].label
        setup_label = taxonomy.concepts[f"lighting.{setup}"].label
        assert caption.startswith(f"{label} object under {setup_label} light, ")
        assert caption.endswith(f" {label} one") and caption.count("{") == 0


def test_studio_example_columns_and_require():
    from psynth_spec.compile import load_spec

    spec = load_spec(STUDIO)
    frame = sample_range(spec, 0, 5000)
    registry = [a.column for a in default_taxonomy().axes]
    assert frame.columns == ["sample_id", "shard", "seed", *registry, "caption", "caption_detailed", "caption_dense"]
    long_lens = frame["camera_focal_length"] >= 85
    assert (frame.filter(long_lens)["camera_fstop"] >= 2.8).all()
    assert (frame["material_ior"].is_null() == ~frame["material"].str.starts_with("glass.")).all()
    assert frame["camera_dof"].all() and frame["style"].unique().to_list() == ["photoreal"]


def test_impossible_require_fails_the_compile_with_the_pilot_rate():
    text = SPLIT.replace('caption "', 'require material == glass.clear and material == plastic.glossy\n    caption "')
    with pytest.raises(SpecError) as info:
        compile_text(text)
    assert "1 in 1,000" in str(info.value) and "0.00%" in str(info.value)


def test_sample_command_jsonl_and_parquet(tmp_path, capsys):
    assert main(["sample", str(STUDIO), "--shard", "3", "--limit", "5", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["sample_id"] for r in rows] == [1500, 1501, 1502, 1503, 1504]
    assert all(r["shard"] == 3 and r["caption"] for r in rows)

    out = tmp_path / "shard.parquet"
    assert main(["sample", str(STUDIO), "--shard", "3", "--format", "parquet", "--out", str(out)]) == 0
    frame = pl.read_parquet(out)
    assert len(frame) == 500 and frame["sample_id"][0] == 1500
    assert frame.head(5)["caption"].to_list() == [r["caption"] for r in rows]


def test_sample_command_table_and_errors(capsys):
    assert main(["sample", str(STUDIO), "--shard", "0", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "sample_id" in out and "studio_materials" in out
    assert main(["sample", str(STUDIO), "--shard", "40"]) == 1
    assert "shards 0..39" in capsys.readouterr().err
    assert main(["sample", str(STUDIO), "--shard", "0", "--format", "parquet"]) == 2  # a usage error


def test_plan_command_json_in_a_fresh_process():
    result = subprocess.run(
        [sys.executable, "-m", "psynth_cli.main", "plan", str(STUDIO), "--json"],
        capture_output=True, text=True, check=True, cwd=REPO,
    )
    plan = json.loads(result.stdout)
    assert plan["dataset"] == "studio_materials" and plan["shards"] == 40
    angle = next(d for d in plan["distributions"] if d["axis"] == "camera.angle")
    shares = {s["value"]: s["probability"] for s in angle["shares"]}
    assert shares["eye_level"] == pytest.approx(0.6, abs=0.015)
    assert plan["render"]["cpu_hours"] > plan["render"]["gpu_hours"] > 0


def test_public_api_from_the_package_root():
    import psynth_spec
    from psynth_spec import sampler

    assert psynth_spec.sample_shard is sampler.sample_shard
    assert psynth_spec.write_samples_parquet is sampler.write_samples_parquet
    spec = psynth_spec.load_spec(STUDIO)
    assert psynth_spec.sample_shard(spec, 39).height == 500

"""`variants { ... }`: grammar, checks, fmt round trip, version id, and the sampler's draws."""

import numpy as np
import polars as pl
import pytest

from psynth_spec.compile import compile_text
from psynth_spec.errors import SpecError
from psynth_spec.fmt import format_text
from psynth_spec.sampler import sample_range
from psynth_spec.spec import variant_column
from psynth_spec.variants import changed_values, variant_row

BASE = """dataset v {
    samples 2000
    seed 11
    material        ~ one_of { metal.gold: 1, metal.copper: 1, glass.clear: 1, plastic.glossy: 1 }
    material.ior    ~ uniform(1.4, 1.9) when material in glass
    lighting.kelvin ~ uniform(2500, 9000)
    camera.fstop    ~ loguniform(1.4, 16)
    geometry.shape  ~ one_of [primitives.cube, primitives.sphere]
    caption "{material|a} {geometry.shape} at {lighting.kelvin:.0f} K"
    %s
}
"""


def spec_with(block: str, extra: str = ""):
    return compile_text(BASE % (extra + "\n    " + block))


def errors(block: str, extra: str = ""):
    with pytest.raises(SpecError) as info:
        spec_with(block, extra)
    return [(d.code, d.line, d.col, d.message, d.hint) for d in info.value.diagnostics]


# ---------------------------------------------------------------- language
def test_lowered_modes_and_changed_columns():
    spec = spec_with("variants { material, lighting.kelvin count 3 }")
    assert spec.variant_count == 3
    assert [(a.axis, a.mode) for a in spec.variants.axes] == [("material", "redraw"), ("lighting.kelvin", "redraw")]
    # material.ior's `when` reads material; the material's default roughness derives from it
    assert {"material", "material_ior", "lighting_kelvin", "material_roughness"} <= set(spec.variants.columns)
    assert "camera_fstop" not in spec.variants.columns
    explicit = spec_with("variants { lighting.kelvin in [3200, 6500] }")
    assert explicit.variant_count == 2
    assert explicit.variants.axes[0].mode == "each" and explicit.variants.axes[0].values == (3200.0, 6500.0)
    node = spec_with("variants { material in plastic }")
    assert node.variant_count == 9 and {"plastic.glossy", "plastic.matte"} <= set(node.variants.axes[0].values)
    chosen = spec_with("variants { material in [metal.gold, glass.clear] count 4 }")
    assert chosen.variants.axes[0].mode == "choose" and chosen.variant_count == 4


def test_variants_change_the_version_id():
    plain = compile_text(BASE % "")
    assert spec_with("variants { material count 2 }").version_id != plain.version_id
    assert spec_with("variants { material count 2 }").version_id != spec_with("variants { material count 3 }").version_id


@pytest.mark.parametrize(
    ("block", "code", "col", "hint_part"),
    [
        ("variants { materail count 2 }", "unknown-axis", 16, "did you mean 'material'"),
        ("variants { material count 0 }", "out-of-range", 31, None),
        ("variants { material count 17 }", "out-of-range", 31, None),
        ("variants { material cuont 2 }", "unknown-setting", 25, "did you mean 'count'"),
        ("variants { lighting.kelvin in [900, 3200] }", "out-of-range", 36, None),
        ("variants { material in [metal.gld] }", "unknown-concept", 29, "did you mean 'metal.gold'"),
        ("variants { material in metl }", "unknown-concept", 28, "did you mean 'metal'"),
        ("variants { material }", "variant-needs-count", 16, "count K"),
        ("variants { post.bloom count 2 }", "variant-not-sampled", 16, "post.bloom in [...]"),
        ("variants { material, material count 2 }", "duplicate-value", 26, None),
        ("variants { lighting.kelvin in [3200, 6500], material in [metal.gold] }", "variant-count-mismatch", 61, "count K"),
        ("variants { material in materials }", "out-of-range", 28, "count K"),
        ("variants { lighting.kelvin in metal }", "type-mismatch", 35, None),
    ],
)
def test_located_errors(block, code, col, hint_part):
    found = errors(block)
    assert len(found) == 1, found
    got_code, line, got_col, _message, hint = found[0]
    assert (got_code, line, got_col) == (code, 11, col)
    if hint_part:
        assert hint_part in (hint or "")


def test_two_blocks_and_video_are_errors():
    assert errors("variants { material count 2 }\n    variants { lighting.kelvin count 2 }")[0][0] == "duplicate-setting"
    video = "outputs [image, video]\n    video { frames 2 }\n    "
    assert [e[0] for e in errors("variants { material count 2 }", video)] == ["variants-with-video"]


@pytest.mark.parametrize(
    "block",
    [
        "variants { material, lighting.kelvin count 3 }",
        "variants { lighting.kelvin in [3200, 6_500] }",
        "variants { material in plastic, }",
        "variants {\n        material in [metal.gold, glass.clear],  # two looks\n        camera.fstop\n        count 4\n    }",
    ],
)
def test_fmt_round_trip(block):
    text = BASE % block
    once = format_text(text)
    assert format_text(once) == once
    assert compile_text(once).version_id == compile_text(text).version_id
    assert "variants {" in once


# ---------------------------------------------------------------- sampler
def _frame(block: str, n: int = 2000) -> tuple:
    spec = spec_with(block)
    return spec, sample_range(spec, 0, n)


def test_only_named_axes_change_and_seeds_are_held():
    spec, frame = _frame("variants { lighting.kelvin count 3 }")
    assert set(spec.variant_columns()) <= set(frame.columns)
    for k in (1, 2, 3):
        changed = frame[variant_column(k, "lighting_kelvin")]
        assert (changed != frame["lighting_kelvin"]).all()
        assert changed.min() >= 2500 and changed.max() < 9000
    rows = frame.head(50).to_dicts()
    for row in rows:
        variant = variant_row(spec, row, 2)
        diff = {c for c in row if not c.startswith("var") and row[c] != variant[c]}
        assert diff <= {"lighting_kelvin", "caption", "caption_dense"}
        assert "lighting_kelvin" in diff and variant["seed"] == row["seed"]
        assert set(changed_values(spec, row, 2)) == {"lighting_kelvin"}
    # the variants are different draws of the same law: a KS test against the base column
    from scipy.stats import ks_2samp

    assert ks_2samp(frame["var1_lighting_kelvin"].to_numpy(), frame["lighting_kelvin"].to_numpy()).pvalue > 1e-3


def test_variants_are_deterministic_and_independent_of_shard_layout():
    spec, frame = _frame("variants { material, camera.fstop count 2 }", 600)
    again = sample_range(spec, 200, 600)
    assert frame.slice(200).equals(again)
    # adding a third variant leaves the first two unchanged
    spec3, frame3 = _frame("variants { material, camera.fstop count 3 }", 600)
    for column in spec.variant_columns():
        assert frame[column].equals(frame3[column])


def test_when_is_evaluated_again_on_the_variant():
    spec, frame = _frame("variants { material count 2 }")
    glass = frame.filter(pl.col("var1_material") == "glass.clear")
    assert glass["var1_material_ior"].null_count() == 0
    not_glass = frame.filter(pl.col("var1_material") != "glass.clear")
    assert not_glass["var1_material_ior"].null_count() == len(not_glass)
    # a base sample that was glass and stays glass keeps its own ior draw
    both = frame.filter((pl.col("material") == "glass.clear") & (pl.col("var1_material") == "glass.clear"))
    assert len(both) and both["var1_material_ior"].equals(both["material_ior"], check_names=False)
    # captions follow the variant's values
    row = frame.filter(pl.col("material") != pl.col("var1_material")).row(0, named=True)
    assert row["var1_caption"] != row["caption"]


def test_explicit_values_in_order_and_requires_honoured_by_drawn_variants():
    spec, frame = _frame("variants { lighting.kelvin in [3200, 6500] }")
    assert set(frame["var1_lighting_kelvin"].unique()) == {3200.0}
    assert set(frame["var2_lighting_kelvin"].unique()) == {6500.0}
    spec = compile_text((BASE % "variants { camera.fstop count 3 }").replace(
        "    variants", "    require camera.fstop >= 4 when lighting.kelvin > 6000\n    variants"))
    frame = sample_range(spec, 0, 3000)
    for k in (1, 2, 3):
        bad = frame.filter((pl.col("lighting_kelvin") > 6000) & (pl.col(variant_column(k, "camera_fstop")) < 4))
        assert len(bad) == 0
    warm = frame.filter(pl.col("lighting_kelvin") <= 6000)
    assert (warm["var1_camera_fstop"] < 4).any()  # unconstrained rows still use the whole range


def test_choose_draws_uniformly_among_the_values():
    spec, frame = _frame("variants { material in [metal.gold, glass.clear] count 4 }", 4000)
    values = pl.concat([frame[variant_column(k, "material")] for k in range(1, 5)])
    share = (values == "metal.gold").mean()
    assert set(values.unique()) == {"metal.gold", "glass.clear"}
    assert abs(share - 0.5) < 0.02
    assert not np.array_equal(frame["var1_material"].to_numpy(), frame["var2_material"].to_numpy())


# ---------------------------------------------------------------- plan
def test_plan_counts_variant_members_and_takes_code_size_from_one_function(monkeypatch):
    from psynth_spec import cost_model
    from psynth_spec.plan import make_plan

    text = (BASE % "variants { lighting.kelvin count 3 }").replace(
        "samples 2000", "samples 2000\n    outputs [image, caption, metadata, scene_code]")
    spec = compile_text(text)
    plain = compile_text(text.replace("variants { lighting.kelvin count 3 }", ""))
    storage = {i.kind: i.bytes_per_sample for i in make_plan(spec, pilot_samples=500).storage}
    base = {i.kind: i.bytes_per_sample for i in make_plan(plain, pilot_samples=500).storage}
    assert storage["image"] == 4 * base["image"]
    assert storage["scene_code"] == 4 * cost_model.scene_code_bytes(spec) == 4 * base["scene_code"]
    assert storage["metadata"] > base["metadata"] and storage["samples"] > base["samples"]
    render, plain_render = make_plan(spec, pilot_samples=500).render, make_plan(plain, pilot_samples=500).render
    overhead = cost_model.PER_SAMPLE_OVERHEAD_S
    assert render.cpu_seconds_per_sample - overhead == pytest.approx(4 * (plain_render.cpu_seconds_per_sample - overhead))
    monkeypatch.setattr(cost_model, "scene_code_bytes", lambda spec: 12_000.0)
    smaller = {i.kind: i.bytes_per_sample for i in make_plan(plain, pilot_samples=500).storage}
    assert smaller["scene_code"] == 12_000.0

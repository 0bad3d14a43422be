"""The balance audit counts variant values: each changed axis is audited again as
`AXIS (variants)` over all its `var{k}_` columns; a skewed variant draw is flagged there only."""

import polars as pl
import pytest

from psynth_data.expected import audited_axes, expected_frame, stacked_columns
from psynth_spec.compile import compile_text
from tests.audit_fixtures import audit_of, make_dataset

TEXT = """dataset audit_variants {
    samples    6000
    shard_size 2000
    seed       5
    material        ~ one_of { metal: 1, glass: 1, plastic: 1 }
    material.ior    ~ uniform(1.40, 1.90) when material in glass
    lighting.kelvin ~ triangular(3200, 5600, 7500)
    camera.angle    ~ one_of { eye_level: 2, high_angle: 1 }
    caption "{material|a} object"
    variants { material, lighting.kelvin count 3 }
}
"""


@pytest.fixture(scope="module")
def spec():
    return compile_text(TEXT)


@pytest.fixture(scope="module")
def expected(spec):
    return expected_frame(spec, pilot_samples=30_000)


def _audit(root, spec, expected, **kwargs):
    storage, layout = make_dataset(root, spec, **kwargs)
    return audit_of(storage, layout, spec, expected=expected)


def test_variant_axes_are_audited(tmp_path, spec, expected):
    names = [a.axis for a in audited_axes(spec)]
    assert "material (variants)" in names and "lighting.kelvin (variants)" in names
    assert "camera.angle (variants)" not in names  # not changed by a variant
    assert stacked_columns("var*_material", ["material", "var2_material", "var1_material", "var1_materialx"]) == [
        "var1_material", "var2_material"]
    report = _audit(tmp_path, spec, expected)
    assert report["verdict"] == "pass", [a for a in report["axes"] if a["verdict"] != "pass"]
    axes = {a["axis"]: a for a in report["axes"]}
    counts = {v["value"]: v["count"] for v in axes["material (variants)"]["values"]}
    assert sum(counts.values()) == 3 * 6000  # every variant image counted
    assert axes["lighting.kelvin (variants)"]["kind"] == "numeric"
    # pairs are over the base axes only
    assert all("(variants)" not in " ".join(p["axes"]) for p in report["pairs"])


def test_skewed_variant_values_flag_the_variant_axis(tmp_path, spec, expected):
    def skew(frame: pl.DataFrame) -> pl.DataFrame:
        # variant 2 never shows glass: it shows metal instead
        return frame.with_columns(
            pl.when(pl.col("var2_material").str.starts_with("glass"))
            .then(pl.lit("metal.gold")).otherwise(pl.col("var2_material")).alias("var2_material"))

    report = _audit(tmp_path, spec, expected, alter=skew)
    axes = {a["axis"]: a for a in report["axes"]}
    assert axes["material (variants)"]["verdict"] == "flag"
    assert axes["material"]["verdict"] == "pass"

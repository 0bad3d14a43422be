"""`when` nulls, `require` rejection, registry defaults and derived columns, the table's shape."""

import numpy as np
import polars as pl
import pytest

from psynth_spec.errors import SamplingError
from psynth_spec.pilot import check_pilot, pilot_acceptance
from psynth_spec.sampler import sample_range, sample_shard
from psynth_spec.spec import (
    And,
    Compare,
    LogUniform,
    Member,
    Normal,
    Not,
    Or,
    RegistryColumn,
    Require,
    Truthy,
    Uniform,
)
from tests.spec_factory import choice, make_spec, stmt

MATERIALS = ["metal.gold", "metal.silver", "glass.clear", "glass.frosted", "plastic.glossy"]


def _base(**kw):
    statements = [
        stmt("material", "category", choice(MATERIALS)),
        stmt("material.ior", "float", Uniform(low=1.4, high=1.9), when=Member(axis="material", values=("glass.clear", "glass.frosted"))),
        stmt("camera.dof", "bool", choice([True, False])),
        stmt("camera.fstop", "float", LogUniform(low=1.4, high=16.0), when=Truthy(axis="camera.dof")),
        stmt("camera.focal_length", "float", choice([35, 50, 85, 105])),
        stmt(
            "lighting.kelvin",
            "float",
            Normal(mean=5600.0, std=900.0),
            clamp=(2500.0, 9000.0),
            when=Not(item=Compare(axis="material.ior", op=">", value=1.6)),
        ),
    ]
    return make_spec(statements, samples=20_000, shard_size=5_000, **kw)


def test_when_is_null_exactly_where_false():
    frame = sample_range(_base(), 0, 20_000)
    glass = frame["material"].is_in(["glass.clear", "glass.frosted"])
    assert (frame["material_ior"].is_null() == ~glass).all()
    assert (frame["camera_fstop"].is_null() == ~frame["camera_dof"]).all()
    # a comparison that reads a null axis is false, so `not (ior > 1.6)` is true where ior is null
    expected_kelvin = ~(frame["material_ior"] > 1.6).fill_null(False)
    assert (frame["lighting_kelvin"].is_not_null() == expected_kelvin).all()
    assert 0.35 < glass.mean() < 0.45


def test_every_require_holds_on_every_row_and_rejection_keeps_the_rest():
    requires = [
        Require(
            cond=Compare(axis="camera.fstop", op=">=", value=2.8),
            when=Compare(axis="camera.focal_length", op=">=", value=85),
            line=12,
        ),
        Require(
            cond=Or(items=(Not(item=Member(axis="material", values=("metal.gold",))), Compare(axis="camera.dof", op="==", value=False))),
            line=13,
        ),
    ]
    spec = _base(requires=requires)
    frame = sample_range(spec, 0, 20_000)
    long_lens = frame["camera_focal_length"] >= 85
    assert ((~long_lens) | (frame["camera_fstop"] >= 2.8).fill_null(False)).all()
    assert not ((frame["material"] == "metal.gold") & frame["camera_dof"]).any()
    # rows the constraints accepted at round 0 are untouched by rejection
    free = sample_range(_base(), 0, 20_000)
    same = (frame["camera_fstop"].eq_missing(free["camera_fstop"])) & (frame["material"] == free["material"])
    assert 0.6 < same.mean() < 0.95
    assert pilot_acceptance(spec) == pytest.approx(same.mean(), abs=0.02)


def test_conditional_require_and_and_conditions():
    spec = _base(
        requires=[
            Require(
                cond=And(items=(Compare(axis="lighting.kelvin", op=">", value=4000), Compare(axis="lighting.kelvin", op="<", value=7000))),
                when=Member(axis="material", values=("metal.gold", "metal.silver")),
                line=3,
            )
        ]
    )
    frame = sample_range(spec, 0, 10_000)
    metal = frame.filter(pl.col("material").str.starts_with("metal."))
    assert len(metal) > 3000
    assert metal["lighting_kelvin"].is_between(4000, 7000, closed="none").all()
    other = frame.filter(~pl.col("material").str.starts_with("metal."))
    assert (other["lighting_kelvin"] < 4000).any()


def test_impossible_require_raises_sampling_error_naming_line_and_shard():
    spec = _base(requires=[Require(cond=Compare(axis="camera.focal_length", op=">", value=500), line=42)])
    with pytest.raises(SamplingError) as info:
        sample_shard(spec, 1, limit=50)
    message = str(info.value)
    assert "test_set" in message and "shard 1" in message and "line 42" in message
    assert "0.0000%" in message
    assert pilot_acceptance(spec) == 0.0
    assert "line 42" in check_pilot(spec) and "1 in 1,000" in check_pilot(spec)


def test_rare_but_possible_require_fills_every_row():
    # accepts ~1 in 200 draws: needs many rounds, every row ends up valid
    spec = _base(requires=[Require(cond=Compare(axis="lighting.kelvin", op=">", value=7900), line=5)])
    rate = pilot_acceptance(spec)
    assert 0.002 < rate < 0.01
    assert check_pilot(spec) is None
    frame = sample_shard(spec, 0, limit=2000)
    assert (frame["lighting_kelvin"] > 7900).all()


def test_pilot_below_one_in_a_thousand_is_reported():
    spec = _base(requires=[Require(cond=Compare(axis="lighting.kelvin", op=">", value=8600), line=9)])
    rate = pilot_acceptance(spec)
    assert 0 < rate < 1e-3
    message = check_pilot(spec)
    assert message is not None and "line 9" in message and f"{rate:.2%}" in message


def test_defaults_and_derived_columns():
    extra = [
        RegistryColumn(axis="style", column="style", type="category", stated=False, default="photoreal"),
        RegistryColumn(axis="camera.distance", column="camera_distance", type="float", stated=False, default=3.0),
        RegistryColumn(axis="geometry.subdivision", column="geometry_subdivision", type="int", stated=False, default=0),
        RegistryColumn(
            axis="material.roughness",
            column="material_roughness",
            type="float",
            stated=False,
            derive_from="material",
            derive_map={"metal.gold": 0.2, "metal.silver": 0.15, "glass.clear": 0.0, "glass.frosted": 0.6},
        ),
    ]
    frame = sample_range(_base(extra_columns=extra), 0, 5000)
    assert frame["style"].unique().to_list() == ["photoreal"]
    assert frame["camera_distance"].unique().to_list() == [3.0]
    assert frame["geometry_subdivision"].dtype == pl.Int64
    expected = {"metal.gold": 0.2, "metal.silver": 0.15, "glass.clear": 0.0, "glass.frosted": 0.6}
    got = frame.select("material", "material_roughness").unique().rows()
    for material, roughness in got:
        assert roughness == expected.get(material)  # plastic.glossy is unmapped -> null


def test_columns_order_types_and_ids():
    extra = [RegistryColumn(axis="style", column="style", type="category", stated=False, default="photoreal")]
    spec = _base(extra_columns=extra)
    frame = sample_shard(spec, 2)
    assert frame.columns[:3] == ["sample_id", "shard", "seed"]
    assert frame.columns[3:] == [c.column for c in spec.columns] + ["caption_dense"]  # the built-in caption
    assert frame.schema["sample_id"] == pl.Int64 and frame.schema["shard"] == pl.Int32
    assert frame.schema["seed"] == pl.Int64 and frame.schema["material"] == pl.String
    assert frame.schema["camera_dof"] == pl.Boolean and frame.schema["camera_fstop"] == pl.Float64
    assert frame["sample_id"].to_list() == list(range(10_000, 15_000))
    assert frame["shard"].unique().to_list() == [2]
    seeds = frame["seed"].to_numpy()
    assert (seeds >= 0).all() and len(np.unique(seeds)) == len(seeds)
    assert len(sample_shard(spec, 3, limit=7)) == 7
    assert sample_shard(spec, 3, limit=0).schema == frame.schema
    with pytest.raises(SamplingError):
        sample_shard(spec, 4)


def test_last_shard_is_short():
    spec = make_spec([stmt("a.x", "float", Uniform(low=0.0, high=1.0))], samples=1050, shard_size=500)
    assert len(sample_shard(spec, 2)) == 50

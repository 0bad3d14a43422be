"""Captions: template choice by weight among eligible ones, filters, formats, literal braces."""

import numpy as np
import polars as pl
import pytest
from scipy import stats

from psynth_spec.captions import caption_series
from psynth_spec.errors import SamplingError
from psynth_spec.numbers import format_numbers
from psynth_spec.sampler import draw_statements, sample_range
from psynth_spec.spec import Bernoulli, Member, Normal, RandInt, Uniform
from tests.spec_factory import choice, concept, make_spec, stmt, template

TEXTS = {
    "material": {
        "metal.gold": concept("gold", "golden metal", "gilded metal"),
        "glass.clear": concept("clear glass", "transparent glass"),
        "organic.oak": concept("oak wood"),
    }
}
N = 30_000


def _spec(captions, **kw):
    statements = [
        stmt("material", "category", choice(["metal.gold", "glass.clear", "organic.oak"], [1, 1, 2])),
        stmt("material.ior", "float", Uniform(low=1.4, high=1.9), when=Member(axis="material", values=("glass.clear",))),
        stmt("lighting.kelvin", "float", Normal(mean=5600.0, std=900.0), clamp=(2500.0, 9000.0)),
        stmt("geometry.subdivision", "int", RandInt(low=0, high=3)),
        stmt("camera.dof", "bool", Bernoulli(p=0.5)),
    ]
    return make_spec(statements, captions=captions, concept_text=TEXTS, samples=N, shard_size=N, **kw)


def test_captions_are_non_empty_use_labels_and_leave_no_braces():
    spec = _spec(
        [
            template("a {material} sphere lit at {lighting.kelvin:.0f}K"),
            template("{material|a} object {{literal}} ior {material.ior:.2f}", weight=3),
        ]
    )
    frame = sample_range(spec, 0, 5000)
    captions = frame["caption"]
    assert captions.null_count() == 0 and (captions.str.len_chars() > 0).all()
    assert not captions.str.replace_all("{literal}", "", literal=True).str.contains(r"[{}]").any()
    labels = {"metal.gold": "gold", "glass.clear": "clear glass", "organic.oak": "oak wood"}
    for material, caption in frame.select("material", "caption").head(500).rows():
        assert labels[material] in caption
        assert material not in caption  # the label, not the concept id
    oak = frame.filter(pl.col("material") == "organic.oak")["caption"]
    assert oak.str.starts_with("a oak wood sphere").all()  # only the first template is eligible
    glass = frame.filter(pl.col("material") == "glass.clear")["caption"]
    assert glass.str.starts_with("a clear glass object {literal} ior 1.").mean() > 0.6


def test_template_choice_follows_weights_among_eligible_templates():
    spec = _spec(
        [
            template("A {material}"),
            template("B {material}", weight=3),
            template("C {material.ior:.1f}", weight=4),
        ]
    )
    frame = sample_range(spec, 0, N)
    first = frame["caption"].str.slice(0, 1)
    glass = frame["material"] == "glass.clear"
    on_glass = first.filter(glass).value_counts().sort("caption")["count"].to_numpy()
    off_glass = first.filter(~glass).value_counts().sort("caption")["count"].to_numpy()
    assert stats.chisquare(on_glass, np.array([1, 3, 4]) / 8 * on_glass.sum()).pvalue > 1e-3
    assert stats.chisquare(on_glass, np.array([1, 1, 1]) / 3 * on_glass.sum()).pvalue < 1e-3
    assert len(off_glass) == 2  # C never where ior is null
    assert stats.chisquare(off_glass, np.array([1, 3]) / 4 * off_glass.sum()).pvalue > 1e-3


def test_caption_names_become_columns_and_choices_are_independent():
    spec = _spec([template("{material}"), template("tech {lighting.kelvin:,.1f}", name="tech")])
    frame = sample_range(spec, 0, 1000)
    assert frame.columns[-3:] == ["caption", "caption_tech", "caption_dense"]  # the built-in one last
    kelvin = frame["lighting_kelvin"].to_list()
    assert frame["caption_tech"].to_list() == [f"tech {k:,.1f}" for k in kelvin]


def test_filters():
    spec = _spec(
        [
            template(
                "{material|label};{material|id};{material|a};{material|upper};{material|lower};"
                "{material|title};{material|synonym};{camera.dof};{geometry.subdivision};{geometry.subdivision:d}"
            )
        ]
    )
    frame = sample_range(spec, 0, 3000)
    parts = frame["caption"].str.split(";").to_list()
    for (material, dof, subdivision), p in zip(frame.select("material", "camera_dof", "geometry_subdivision").rows(), parts):
        text = TEXTS["material"][material]
        assert p[0] == text.label and p[1] == material
        assert p[2] == f"{text.article} {text.label}"
        assert p[3:6] == [text.label.upper(), text.label.lower(), text.label.title()]
        assert p[6] in (text.label, *text.synonyms)
        assert p[7] == ("true" if dof else "false")
        assert p[8] == p[9] == str(subdivision)
    gold_synonyms = [p[6] for p in parts if p[1] == "metal.gold"]
    counts = [gold_synonyms.count(s) for s in ("gold", "golden metal", "gilded metal")]
    assert stats.chisquare(counts).pvalue > 1e-3  # uniform over the label and its synonyms


def test_number_formats_match_python_format():
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [rng.uniform(-5000, 5000, 20_000), np.round(rng.uniform(-10, 10, 5000), 3), np.arange(-400, 400) / 8,
         [0.125, 2.675, 1.005, -0.001, -0.0, 0.0, 99.995, 1e17, float("inf"), float("nan")]]
    )
    specs = (".0f", ".1f", ".2f", ".3f", "f", ",.2f", "_.1f", ".1%", "%", ",.0f", "+.1f", " .2f", "z.2f")
    padded = ("10.2f", "<10.1f", "*>12.1f", "010.2f", "+08.1f", "=+9.2f", "F", "+,.0f")
    python_side = (".3e", ".2g", "^9.1f", "#.0f", ".2")  # formatted per distinct value
    for spec_text in specs + padded + python_side:
        got = format_numbers(values, spec_text).to_list()
        assert got == [format(float(v), spec_text) for v in values], spec_text
    ints = np.array([0, 7, -12, -123, 1234, -1234567], dtype=np.int64)
    assert format_numbers(ints, "d").to_list() == [format(int(v), "d") for v in ints]
    assert format_numbers(ints, ",d").to_list() == [format(int(v), ",d") for v in ints]
    for spec_text in (".2f", "+d", "05d", "=+6d", "x", "#x", "b", "%", "", "010,d"):
        assert format_numbers(ints, spec_text).to_list() == [format(int(v), spec_text) for v in ints]
    with pytest.raises(SamplingError):
        format_numbers(values, "d")  # as in Python, `d` does not take floats


def test_number_formats_on_large_columns_and_small_spans():
    rng = np.random.default_rng(9)
    wide = rng.uniform(-5000, 5000, 70_000)  # over the small-batch cut: Polars slices the bytes
    narrow = rng.normal(5600, 900, 70_000)  # `.0f` spans ~9,000 integers: rendered once, gathered
    for values, spec_text in ((wide, ".2f"), (wide, "+,.3f"), (wide, "12.1f"), (narrow, ".0f"), (narrow, "+08.1f")):
        got = format_numbers(values, spec_text).to_list()
        assert got == [format(float(v), spec_text) for v in values], spec_text


def test_empty_range_keeps_the_caption_columns():
    spec = _spec([template("A {material}"), template("B {material.ior:.1f}")])
    empty = sample_range(spec, 10, 10)
    assert empty.height == 0 and empty.schema["caption"] == pl.String
    assert empty.schema["caption_dense"] == pl.String


def test_a_name_with_no_eligible_template_is_a_sampling_error():
    spec = _spec([template("ior {material.ior:.2f}")])
    with pytest.raises(SamplingError, match="caption"):
        sample_range(spec, 0, 100)


def test_captions_cost_no_python_per_row(monkeypatch):
    """The caption of 200k rows is built without calling str.format or a Python lambda per row."""
    spec = _spec([template("a {material} at {lighting.kelvin:.0f}K"), template("{material|synonym}", weight=2)])
    ids = np.arange(200_000, dtype=np.int64)
    batch = draw_statements(spec, ids)
    calls = []
    monkeypatch.setattr(pl.Series, "map_elements", lambda *a, **k: calls.append(1))
    monkeypatch.setattr(pl.Expr, "map_elements", lambda *a, **k: calls.append(1))
    caption, dense = caption_series(spec, ids, batch)
    assert len(caption) == 200_000 and caption.null_count() == 0 and not calls
    assert dense.name == "caption_dense" and len(dense) == 200_000 and dense.null_count() == 0


def test_the_article_rule_is_one_for_known_and_unknown_concepts():
    """A concept without caption text (its label from its name) takes the same a/an rule as one
    with text: before, the fallback knew only vowels ("an unicorn", "a hourglass")."""
    from psynth_spec.english import article

    names = ["unicorn", "hourglass", "apple", "cube", "european_oak"]
    spec = make_spec([stmt("material", "category", choice(names))], captions=[template("{material|a}")],
                     concept_text={"material": {}})
    captions = set(sample_range(spec, 0, 400)["caption"].to_list())
    assert captions == {"a unicorn", "an hourglass", "an apple", "a cube", "a european oak"}
    assert [article(n) for n in ("unicorn", "hourglass", "apple", "cube")] == ["a", "an", "an", "a"]

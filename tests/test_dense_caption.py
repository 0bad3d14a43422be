"""The built-in dense caption: names every stated, visible element, never doubles a word, 40-120
words, deterministic, varied in structure."""

import re
from pathlib import Path

import polars as pl
import pytest

from psynth_spec.caption_words import repeats_word
from psynth_spec.compile import compile_text, load_spec
from psynth_spec.dense_caption import NONE_CONCEPTS, _QUIET, light_phrase, shot_phrase
from psynth_spec.sampler import sample_range

SPECS = sorted((Path(__file__).parent.parent / "specs").glob("*.psynth"))
ROWS = 4000
# categorical axes that are elements of the picture: when stated, their label must be in the caption
ELEMENT_AXES = ("geometry.shape", "material", "texture.pattern", "liquid", "liquid.form", "gas",
                "lighting.setup", "camera.angle", "camera.lens", "camera.movement", "style",
                "post.grade", "scene.background", "color.harmony", "color.mood")
ALWAYS = ("geometry.shape", "material", "lighting.setup", "camera.angle")  # visible even unstated


@pytest.fixture(scope="module", params=SPECS, ids=lambda p: p.name)
def sampled(request):
    spec = load_spec(request.param)
    return spec, sample_range(spec, 0, ROWS)


def test_names_every_stated_visible_element(sampled):
    spec, frame = sampled
    stated = {st.axis for st in spec.statements}
    captions = frame["caption_dense"].str.to_lowercase().to_list()
    checked = 0
    for axis in ELEMENT_AXES:
        if axis not in stated and axis not in ALWAYS:
            continue
        texts = spec.concept_text[axis]
        quiet = NONE_CONCEPTS | _QUIET.get(axis, set())
        column = axis.replace(".", "_")
        liquids = frame["liquid"].to_list() if axis == "liquid.form" else [None] * frame.height
        for value, liquid, caption in zip(frame[column].to_list(), liquids, captions):
            if value is None or value in quiet or (axis == "liquid.form" and liquid in (None, "none")):
                continue
            assert texts[value].label.lower() in caption, (axis, value, caption)
            checked += 1
    assert checked >= ROWS * len(ALWAYS)  # every row names at least the always-visible elements


def test_states_salient_numbers(sampled):
    spec, frame = sampled
    stated = {st.axis for st in spec.statements}
    captions = frame["caption_dense"].to_list()
    for axis, fmt, unit in (("lighting.kelvin", "{:.0f}", " K"), ("camera.focal_length", "{:.0f}", " mm"),
                            ("material.roughness", "roughness {:.2f}", ""), ("gas.density", "density of {:.2f}", "")):
        if axis not in stated:
            continue
        perspective = _perspective_rows(spec, frame)
        for value, caption, persp in zip(frame[axis.replace(".", "_")].to_list(), captions, perspective):
            if value is not None and (axis != "camera.focal_length" or persp):
                assert fmt.format(value) + unit in caption, (axis, value, caption)


def _perspective_rows(spec, frame):
    """Per row, whether its lens is a perspective one (no camera.lens column: the default is)."""
    if "camera_lens" not in frame.columns:
        return [True] * frame.height
    texts = spec.concept_text["camera.lens"]
    return [v is None or texts[v].projection in (None, "PERSP") for v in frame["camera_lens"].to_list()]


LENS_SPEC = """dataset lenses {
    samples 2000
    seed 7
    camera.lens         ~ one_of(camera.lenses)
    camera.focal_length ~ uniform(18, 200)
    camera.framing      ~ one_of(camera.framings)
}
"""


@pytest.mark.parametrize("source", ["crafted", *SPECS], ids=lambda p: getattr(p, "name", p))
def test_orthographic_and_panoramic_rows_state_no_focal_length(source):
    spec = compile_text(LENS_SPEC) if source == "crafted" else load_spec(source)
    frame = sample_range(spec, 0, 2000 if source == "crafted" else ROWS)
    if "camera_lens" not in frame.columns:
        pytest.skip("no camera.lens column")
    texts = spec.concept_text["camera.lens"]
    seen = set()
    for lens, caption in zip(frame["camera_lens"].to_list(), frame["caption_dense"].to_list()):
        projection = texts[lens].projection if lens is not None else None
        seen.add(projection)
        states_mm = re.search(r"\d+ mm( focal length)?", caption) is not None
        if projection in (None, "PERSP"):
            assert states_mm, caption
        else:
            assert not states_mm and "focal length" not in caption, caption
        if projection == "ORTHO":
            assert "orthographic view, without perspective" in caption and " lens" not in caption, caption
    if source == "crafted":
        assert seen == {"PERSP", "ORTHO", "PANO"}


def test_never_doubles_a_word_and_stays_in_length(sampled):
    _, frame = sampled
    captions = frame["caption_dense"]
    assert captions.null_count() == 0
    doubled = [c for c in captions.to_list() if repeats_word(c)]
    assert doubled == []
    words = captions.str.split(" ").list.len()
    assert 40 <= words.min() and words.max() <= 120, (words.min(), words.max())
    assert not captions.str.contains(r"  |\.\.|\s[,.]|\{|\}").any()
    assert captions.str.contains(r"^[A-Z]").all() and captions.str.ends_with(".").all()


def test_none_concepts_say_nothing(sampled):
    spec, frame = sampled
    if "gas" not in {st.axis for st in spec.statements}:
        pytest.skip("no gas stated")
    clear = frame.filter(pl.col("gas") == "none")["caption_dense"]
    assert clear.len() > 0 and not clear.str.contains("effect|clear air").any()


def test_deterministic_and_varied(sampled):
    spec, frame = sampled
    again = sample_range(spec, 100, 600)["caption_dense"]
    assert again.to_list() == frame["caption_dense"][100:600].to_list()  # a row depends only on its id
    openings = frame["caption_dense"].str.extract(r"^(\S+ \S+)").n_unique()
    orders = frame["caption_dense"].map_elements(lambda c: tuple(re.findall(r"(?:^|\. )(\w+)", c)[:4]), return_dtype=pl.Object)
    assert openings >= 3 and len({o for o in orders.to_list()}) >= 6


def test_a_spec_can_write_its_own_dense_caption():
    spec = compile_text('dataset d {\n    samples 10\n    caption dense "a {material} thing"\n}\n')
    frame = sample_range(spec, 0, 10)
    assert spec.caption_columns == ["caption_dense"] and frame.columns.count("caption_dense") == 1
    assert frame["caption_dense"][0].startswith("a ") and frame["caption_dense"][0].endswith(" thing")


def test_phrases_keep_their_nouns_once():
    assert light_phrase("three-point") == "three-point lighting"
    assert light_phrase("candlelight") == "candlelight" and light_phrase("screen glow") == "screen glow"
    assert shot_phrase("eye-level") == "an eye-level shot" and shot_phrase("high-angle") == "a high-angle shot"
    assert shot_phrase("three-quarter view") == "a three-quarter view" and shot_phrase("wide shot") == "a wide shot"
    assert shot_phrase("dutch angle") == "a dutch angle" and shot_phrase("extreme close-up") == "an extreme close-up"

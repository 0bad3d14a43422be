"""Caption wording: the doubled-word warning of `check`, and no shipped spec triggers it."""

import json
from pathlib import Path

import pytest

from psynth_cli.main import main
from psynth_spec.caption_words import doubled_at_joins, repeats_word, stem
from psynth_spec.compile import compile_text, load_spec
from psynth_spec.taxonomy import default_taxonomy

SPECS = sorted((Path(__file__).parent.parent / "specs").glob("*.psynth"))

DOUBLED = """dataset angles {
    samples 100
    camera.angle ~ one_of [three_quarter, eye_level]
    caption "a cube, {camera.angle} view"
    caption plain "a {material|a} cube"
}
"""


def test_stems_and_joins():
    assert stem("lighting") == stem("light") and stem("grades") == stem("grade") and stem("glass") == "glass"
    assert doubled_at_joins("", "warm grade", " grade") == ["grade"]
    assert doubled_at_joins("under ", "light rig", "") == []
    assert doubled_at_joins("a ", "a metal", "") == ["a"]
    assert doubled_at_joins("", "ring light", "s") == []  # "ring lights": no word boundary
    assert repeats_word("ring light lighting") and not repeats_word("ring lighting")


def test_a_label_that_repeats_the_template_word_is_a_located_warning():
    spec = compile_text(DOUBLED, "angles.psynth")  # a warning never stops the spec
    codes = [(w.code, w.line, w.col, w.severity) for w in spec.warnings]
    assert codes == [("doubled-word", 4, 23, "warning"), ("doubled-word", 5, 23, "warning")]
    view, article = spec.warnings
    assert "three-quarter view view" in view.message and "camera.angle is three_quarter" in view.message
    assert view.length == len("camera.angle") and "'a a ...'" in article.message


def test_no_warning_when_the_label_does_not_meet_the_word():
    text = DOUBLED.replace("three_quarter, eye_level", "eye_level, high_angle").replace('"a {material|a} cube"', '"{material|a} cube"')
    assert compile_text(text, "angles.psynth").warnings == ()


def test_the_default_of_an_unstated_axis_is_checked():
    # lighting.setup unstated: its default (three-point) reads fine; a fixed ring light would not
    ok = 'dataset d {\n    samples 10\n    caption "under {lighting.setup} lights"\n}\n'
    assert compile_text(ok).warnings == ()
    doubled = ok.replace("samples 10", "samples 10\n    lighting.setup = studio.high_key").replace("lights", "key lights")
    assert [w.code for w in compile_text(doubled).warnings] == ["doubled-word"]


def test_check_prints_the_warning_and_exits_zero(tmp_path, capsys):
    path = tmp_path / "angles.psynth"
    path.write_text(DOUBLED)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr()
    assert f"{path}:4:23: warning: 'view' is doubled" in out.err and "^^^^^^^^^^^^" in out.err
    assert ": ok" in out.out
    assert main(["check", "--json", str(path)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert [(w["line"], w["code"], w["severity"]) for w in info["warnings"]] == [(4, "doubled-word", "warning"), (5, "doubled-word", "warning")]


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_shipped_specs_have_no_caption_warnings(path):
    assert load_spec(path).warnings == ()


def test_a_spec_with_errors_reports_only_its_errors():
    from psynth_spec.errors import SpecError

    with pytest.raises(SpecError) as info:
        compile_text(DOUBLED.replace("samples 100", "samples 100\n    materail ~ one_of { metal: 1 }"))
    assert [d.code for d in info.value.diagnostics] == ["unknown-axis"]


def test_two_placeholders_whose_labels_meet_on_the_same_word_warn():
    # "{material|a} {geometry.shape}" is fine for most pairs; a material label ending with the word a
    # shape label begins with ("lead crystal" + "crystal") would read "a lead crystal crystal"
    meeting = 'dataset d {\n    samples 10\n    geometry.shape = complex.crystal\n    caption "a {geometry.shape} {geometry.shape}"\n}\n'
    (warning,) = compile_text(meeting).warnings
    assert warning.code == "doubled-word" and (warning.line, warning.col) == (4, 17)
    assert "'crystal' is doubled" in warning.message and "crystal crystal" in warning.message
    apart = meeting.replace("{geometry.shape} {geometry.shape}", "{geometry.shape} and {geometry.shape}")
    assert compile_text(apart).warnings == ()


def test_no_material_label_ends_with_the_word_a_shape_label_begins_with():
    """So the common template "{material|a} {geometry.shape}" (and the dense caption's "A lead
    glass sphere.") never doubles, over the whole taxonomy."""
    taxonomy = default_taxonomy()

    def labels(axis_path):
        axis = taxonomy.axis_by_path[axis_path]
        return {taxonomy.concept(taxonomy.resolve(axis, name)).label for name in taxonomy.domain_names(axis)}

    meets = [(m, s) for m in labels("material") for s in labels("geometry.shape")
             if stem(m.split()[-1]) == stem(s.split()[0])]
    assert meets == []

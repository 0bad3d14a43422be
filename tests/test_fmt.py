"""The formatter: round trip to an equal tree, idempotence, comments kept, version id unchanged."""

from hypothesis import HealthCheck, given, settings

from psynth_spec.compile import compile_text, parse
from psynth_spec.fmt import format_dataset, format_text
from tests.strategies import datasets, valid_spec_texts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets)
def test_printed_tree_reparses_to_the_same_tree(tree):
    text = format_dataset(tree)
    assert parse(text) == tree


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets)
def test_fmt_is_idempotent(tree):
    once = format_text(format_dataset(tree))
    assert format_text(once) == once


MESSY = """# header comment
dataset   demo{samples 10   seed 3
  # about the material
  material~one_of{metal:2,glass:1}   # trailing
  camera.fstop ~ loguniform( 1.4 ,16 )


  require camera.fstop>=2.8 when (camera.focal_length>=85 or not camera.dof)
  caption   weight 2 "a {material}"
  render{engine workbench
  resolution 64x64}
}
# footer
"""

CANONICAL = """# header comment
dataset demo {
    samples 10
    seed    3
    # about the material
    material     ~ one_of { metal: 2, glass: 1 }  # trailing
    camera.fstop ~ loguniform(1.4, 16)

    require camera.fstop >= 2.8 when camera.focal_length >= 85 or not camera.dof
    caption weight 2 "a {material}"
    render {
        engine     workbench
        resolution 64 x 64
    }
}
# footer
"""


def test_canonical_form_of_a_messy_file():
    assert format_text(MESSY) == CANONICAL
    assert parse(CANONICAL) == parse(MESSY)


def test_fmt_keeps_every_comment():
    out = format_text(MESSY)
    for comment in ("# header comment", "# about the material", "# trailing", "# footer"):
        assert comment in out


def test_nested_conditions_keep_their_grouping():
    text = "dataset d { samples 1 require (a or b) and not (c and d) or ((e)) when not not f }\n"
    assert parse(format_text(text)) == parse(text)
    assert "(a or b) and not (c and d) or e when not not f" in format_text(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_spec_texts())
def test_valid_specs_check_and_keep_their_version_id_through_fmt(text):
    spec = compile_text(text, "gen.psynth", pilot=False)
    formatted = format_text(text)
    assert format_text(formatted) == formatted
    assert compile_text(formatted, "gen.psynth", pilot=False).version_id == spec.version_id

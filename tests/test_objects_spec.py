"""Multi-object specs: `scene.objects`, the `each object` block, list columns, object captions."""

import pytest

from psynth_spec import spec as s
from psynth_spec.compile import compile_text
from psynth_spec.errors import SpecError
from psynth_spec.fmt import format_text
from psynth_spec.object_captions import plural
from psynth_spec.sampler import sample_range

MULTI = """dataset d {
    samples 200
    scene.objects ~ randint(1, 5)
    material      ~ one_of(glass)
    each object {  # the objects beside the subject
        material       ~ one_of [metal.copper, glass.clear]
        geometry.shape ~ one_of [primitives.sphere, primitives.cube]
    }
}
"""


def compile_body(body: str) -> s.Spec:
    return compile_text(f"dataset d {{\nsamples 100\n{body}\n}}\n", "t.psynth")


def diagnostics(body: str):
    with pytest.raises(SpecError) as info:
        compile_body(body)
    return info.value.diagnostics


def test_each_object_formats_to_itself_with_comments():
    assert format_text(MULTI) == MULTI


def test_each_object_lowers_to_the_objects_spec():
    spec = compile_text(MULTI, "t.psynth")
    assert spec.objects is not None
    assert [st.axis for st in spec.objects.statements] == ["material", "geometry.shape"]
    assert "material" in spec.objects.axes and "camera.angle" not in spec.objects.axes


def test_version_id_changes_with_the_each_block():
    other = MULTI.replace("metal.copper", "metal.gold")
    assert compile_text(MULTI, "a").version_id != compile_text(other, "a").version_id


def test_only_per_object_axes_inside_each_object_with_located_hint():
    (diag,) = diagnostics("scene.objects ~ randint(1, 3)\neach object {\n  camera.angle ~ one_of(camera.angles)\n}")
    assert (diag.code, diag.line, diag.col) == ("not-per-object", 5, 3)
    (diag,) = diagnostics("scene.objects ~ randint(1, 3)\neach object {\n  materal ~ one_of(metal)\n}")
    assert diag.code == "unknown-axis" and "material" in diag.hint


def test_each_word_and_count_axis_are_checked():
    (diag,) = diagnostics("scene.objects ~ randint(1, 3)\neach objct {\n  material ~ one_of(metal)\n}")
    assert diag.code == "unknown-each" and "object" in diag.hint
    (diag,) = diagnostics("each object {\n  material ~ one_of(metal)\n}")
    assert diag.code == "missing-axis"
    (diag,) = diagnostics("scene.objects ~ randint(1, 3)\neach object {\n  material ~ one_of(metal)\n  material ~ one_of(wood)\n}")
    assert diag.code == "duplicate-axis"
    (diag,) = diagnostics("scene.objects = 65")
    assert diag.code == "out-of-range"


def test_single_object_specs_have_no_list_columns_and_keep_their_values():
    single = compile_body("material ~ one_of(glass)")
    table = sample_range(single, 0, 50)
    assert not [c for c in table.columns if c.startswith("objects_")]
    multi = compile_body("material ~ one_of(glass)\nscene.objects ~ randint(1, 4)")
    assert sample_range(multi, 0, 50)["material"].to_list() == table["material"].to_list()


def test_list_columns_hold_one_entry_per_object_subject_first():
    spec = compile_text(MULTI, "t.psynth")
    table = sample_range(spec, 0, 200)
    lengths = table["objects_material"].list.len().to_list()
    assert lengths == table["scene_objects"].to_list()
    assert table["objects_geometry_shape"].list.len().to_list() == lengths
    assert table["objects_material"].list.first().to_list() == table["material"].to_list()
    extras = table["objects_material"].list.slice(1).explode().drop_nulls()
    assert set(extras) == {"metal.copper", "glass.clear"}
    # per-object values depend on the sample id only: a sub-range draws the same lists
    assert sample_range(spec, 50, 60)["objects_material"].to_list() == table["objects_material"][50:60].to_list()


def test_extras_without_an_each_statement_draw_the_top_level_distribution():
    spec = compile_body("scene.objects = 6\nmaterial ~ one_of(metal)")
    table = sample_range(spec, 0, 40)
    extras = table["objects_material"].list.slice(1).explode()
    assert all(value.startswith("metal.") for value in extras)
    assert extras.n_unique() > 1  # drawn per object, not copied from the subject
    shapes = table["objects_geometry_shape"].explode()
    assert set(shapes) == {"primitives.sphere"}  # unstated: the default


def test_dense_caption_enumerates_objects_with_counts():
    spec = compile_body(
        "scene.objects = 4\nmaterial = glass.clear\ngeometry.shape = primitives.sphere\n"
        "each object {\n  material = metal.copper\n  geometry.shape = primitives.cube\n}"
    )
    caption = sample_range(spec, 0, 1)["caption_dense"][0]
    assert caption.startswith("The scene holds a clear glass sphere and three copper cubes. ")
    one = compile_body("scene.objects = 1\nmaterial = glass.clear")
    assert not sample_range(one, 0, 1)["caption_dense"][0].startswith("The scene holds")


def test_plural():
    assert [plural(w) for w in ("sphere", "box", "body", "rounded cube")] == ["spheres", "boxes", "bodies", "rounded cubes"]


def test_objects_filter_enumerates_objects_in_templates():
    spec = compile_body(
        "scene.objects = 3\nmaterial = glass.clear\ngeometry.shape = primitives.sphere\n"
        "each object {\n  material = metal.copper\n}\n"
        'caption "{scene.objects|objects} on a table"'
    )
    assert sample_range(spec, 0, 2)["caption"].to_list() == ["a clear glass sphere and two copper spheres on a table"] * 2
    single = compile_body('material = glass.clear\ncaption "{scene.objects|objects}"')
    assert sample_range(single, 0, 1)["caption"][0] == "a clear glass sphere"
    (diag,) = diagnostics('caption "{material|objects}"')
    assert diag.code == "type-mismatch" and "scene.objects" in diag.hint


def test_check_summary_names_the_per_object_statements(tmp_path, capsys):
    from psynth_cli.main import main

    path = tmp_path / "multi.psynth"
    path.write_text(MULTI)
    assert main(["check", str(path)]) == 0
    assert "each object states: material, geometry.shape" in capsys.readouterr().out

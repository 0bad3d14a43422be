"""A scene script's `add_objects`: its objects equal the builder's (mesh, modifiers, transform,
pass index, placement) for a primitive, procedural, seeded, Blender-made and asset shape and a
stacked multi-object scene; only the parameters a generator reads are written; a new bpy
modifier holds the defaults scripts leave out."""

import importlib.machinery
import importlib.util
import sys

import pytest

from psynth_render.scene.describe import describe
from psynth_render.scene_code import HELPER_MEMBER, helper_module, scene_script
from psynth_render.scene_code_objects import used_params
from psynth_spec.compile import compile_text
from psynth_spec.render_params import render_params
from psynth_spec.sampler import sample_range
from psynth_spec.taxonomy import default_taxonomy
from tests.asset_fixtures import asset_catalog, asset_library  # noqa: F401 (fixtures)
from tests.scene_code_fixtures import close, run_without_blender

SHAPES = ["primitives.cube", "primitives.torus", "primitives.monkey", "complex.gear", "complex.rock",
          "complex.blob", "complex.pebble_scatter", "complex.chair"]


def _spec(shapes: str, objects: str = "", assets: str = "", samples: int = 8):
    return compile_text(f"""dataset objects_code {{
    samples {samples}
    seed    7
    {assets}
    geometry.shape       ~ one_of [{shapes}]
    geometry.subdivision ~ randint(0, 2)
    geometry.topology    ~ one_of [mixed, quads, triangles]
    geometry.rotation    ~ uniform(0, 360)
    {objects}
    render {{
        engine workbench
        resolution 32x32
    }}
}}
""", "objects_code.psynth")


def _scenes(spec, count):
    tax = default_taxonomy()
    return [describe(row, spec, tax) for row in sample_range(spec, 0, count).to_dicts()]


def _rna(owner):
    """The plain settings of a bpy struct (a modifier): identifier -> value."""
    kinds = {"BOOLEAN", "INT", "FLOAT", "ENUM", "STRING"}
    return {p.identifier: getattr(owner, p.identifier) for p in owner.bl_rna.properties
            if p.type in kinds and not getattr(p, "is_array", False) and p.identifier not in ("name", "show_expanded")}


def _object_state(obj):
    mesh = obj.data
    coords = [v.co for v in mesh.vertices]
    bounds = tuple(tuple(f(c[k] for c in coords) for k in range(3)) for f in (min, max))
    crease = mesh.attributes.get("crease_edge")
    return {
        "mesh": (len(mesh.vertices), len(mesh.polygons), sum(p.use_smooth for p in mesh.polygons),
                 len(mesh.uv_layers), crease is not None),
        "bounds": bounds,
        "modifiers": [(m.name, m.type, _rna(m)) for m in obj.modifiers],
        "matrix": tuple(tuple(row) for row in obj.matrix_world),
        "pass_index": obj.pass_index,
        "rests_on": obj.get("psynth_rests_on"),
    }


def _helper(tmp_path, monkeypatch):
    """The real shard helper, loaded as `__psynth_scene__`, its render a no-op."""
    (tmp_path / HELPER_MEMBER).write_text(helper_module())
    loader = importlib.machinery.SourceFileLoader(HELPER_MEMBER, str(tmp_path / HELPER_MEMBER))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(HELPER_MEMBER, loader))
    loader.exec_module(module)
    module.render = lambda path: None
    monkeypatch.setitem(sys.modules, HELPER_MEMBER, module)


def _objects_after(bpy, build):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    build()
    bpy.context.view_layer.update()
    return {o.name: _object_state(o) for o in bpy.data.objects if o.name.startswith(("psynth_subject", "psynth_object_"))}


def _check_same_objects(bpy, desc, tmp_path, monkeypatch, label):
    from psynth_render.scene.build import builder

    code = scene_script(desc, {"image_name": "x.png"})
    expected = _objects_after(bpy, lambda: builder.build(desc.model_copy(deep=True)))
    _helper(tmp_path, monkeypatch)
    namespace = {"__name__": "__main__", "__file__": str(tmp_path / "scene.py")}
    got = _objects_after(bpy, lambda: exec(compile(code, "scene.py", "exec"), namespace))  # noqa: S102
    assert sorted(got) == sorted(expected), label
    for name, want in expected.items():
        have = got[name]
        assert have["mesh"] == want["mesh"], (label, name)
        assert have["pass_index"] == want["pass_index"] and have["rests_on"] == want["rests_on"], (label, name)
        assert close(have["bounds"], want["bounds"]), (label, name)
        assert [m[:2] for m in have["modifiers"]] == [m[:2] for m in want["modifiers"]], (label, name)
        for (_, _, settings), (_, _, wanted) in zip(have["modifiers"], want["modifiers"]):
            assert close(tuple(settings.items()), tuple(wanted.items())), (label, name, settings, wanted)
        assert all(abs(a - b) < 1e-4 for ra, rb in zip(have["matrix"], want["matrix"]) for a, b in zip(ra, rb)), \
            (label, name, have["matrix"], want["matrix"])
    data = run_without_blender(code, monkeypatch)["scene"]
    assert all(o.pass_index is None and o.geometry.generator is None for o in data.objects), label
    return code


def test_stated_objects_make_the_builders_objects(tmp_path, monkeypatch):
    """Shapes of every kind (primitive, procedural, seeded, metaballs, scatter, the monkey),
    with subdivision, bevel and topology modifiers: the script's objects and the builder's are
    the same mesh (counts, shading, UVs, creases, bounds), modifier stack and settings, world
    transform after placement, and pass index."""
    bpy = pytest.importorskip("bpy")
    seen, codes = set(), []
    spec = _spec(", ".join(SHAPES), samples=60)
    for desc in _scenes(spec, 60):
        concept = desc.subject.geometry.concept
        if concept in seen:
            continue
        seen.add(concept)
        code = _check_same_objects(bpy, desc, tmp_path, monkeypatch, concept)
        assert "ps.Geometry(concept=" in code and "params={" not in code.split("def add_objects")[0], concept
        codes.append(code)
    assert seen == set(SHAPES), seen
    for modifier in ("psynth_subsurf", "psynth_bevel", "psynth_topology_quads", "psynth_topology_tris"):
        assert any(f"modifiers.new('{modifier}'" in code for code in codes), modifier  # each kind compared


def test_a_stacked_multi_object_scene_states_the_builders_objects(tmp_path, monkeypatch):
    bpy = pytest.importorskip("bpy")
    spec = _spec("primitives.cube, complex.gear", objects="""scene.objects = 3
    scene.arrangement ~ one_of [stacked]
    each object {
        geometry.shape ~ one_of [primitives.cube, primitives.torus, primitives.sphere]
    }""", samples=6)
    stacked = [d for d in _scenes(spec, 6) if any(o.support for o in d.objects)]
    assert stacked
    code = _check_same_objects(bpy, stacked[0], tmp_path, monkeypatch, "stacked")
    assert code.count("ps.mesh_object(") == 3 and "on what is below" in code


def test_asset_objects_state_their_catalog_mesh(asset_catalog, tmp_path, monkeypatch):  # noqa: F811
    bpy = pytest.importorskip("bpy")
    spec = _spec("primitives.cube", assets=f'assets lib "{asset_catalog}"', objects="""scene.objects = 2
    each object {
        geometry.asset ~ one_of(assets.lib where tag in [chair, table])
    }""", samples=2)
    desc = _scenes(spec, 1)[0]
    assert desc.objects[1].kind == "asset"
    code = _check_same_objects(bpy, desc, tmp_path, monkeypatch, "asset")
    assert code.count("ps.catalog_mesh(") == 1 and "asset=" not in code


def test_a_new_bpy_modifier_holds_the_defaults_scripts_leave_out():
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene.build.modifier_settings import MODIFIER_DEFAULTS

    obj = bpy.data.objects.new("defaults", bpy.data.meshes.new("defaults"))
    try:
        for kind, defaults in MODIFIER_DEFAULTS.items():
            modifier = obj.modifiers.new(kind.lower(), kind)
            for attribute, value in defaults.items():
                assert close(getattr(modifier, attribute), value), (kind, attribute)
    finally:
        bpy.data.objects.remove(obj)


def test_the_written_parameters_make_every_shape_concepts_mesh():
    """used_params keeps what each generator reads: every shape concept of the taxonomy gives the
    same mesh data from them alone (the monkey, metaballs and scatter are Blender-made)."""
    pytest.importorskip("bpy")  # the seeded generators use mathutils
    from psynth_render.scene.build.shapes import shape_mesh
    from psynth_render.scene.describe.shape_params import resolve_params

    tax = default_taxonomy()
    made = 0
    for leaf in tax.leaves(tax.axis_by_path["geometry.shape"].domain):
        geo = render_params(tax, leaf)
        params = resolve_params(geo.generator, geo.model_dump(mode="json"), 12345, 0.5, 0.5)
        written = used_params(geo.generator, params)
        assert len(written) < len(params), leaf
        if geo.generator in ("metaballs", "scatter") or params.get("op") == "monkey":
            continue
        assert shape_mesh(geo.generator, written, 12345) == shape_mesh(geo.generator, params, 12345), leaf
        made += 1
    assert made > 30


def test_a_script_data_without_its_objects_is_refused_clearly():
    """The data alone (objects left to `add_objects`) cannot be built, and an add_objects that
    misses an object of the data is named."""
    bpy = pytest.importorskip("bpy")
    from psynth_render.scene.build import builder
    from psynth_render.scene_code_parts import split_stated

    desc = _scenes(_spec("primitives.cube", samples=1), 1)[0]
    data, _ = split_stated(desc)
    others = dict.fromkeys(("render", "camera", "materials", "world", "post"), lambda scene: None)
    with pytest.raises(ValueError, match=r"no objects part.*stated=\{'objects'"):
        builder.build(data, stated=others)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    with pytest.raises(ValueError, match="'psynth_subject', which the script's add_objects did not make"):
        builder.build(data, stated={**others, "camera": builder.camera_data, "objects": lambda scene: None})


def test_a_floating_shape_keeps_its_height_in_the_data(tmp_path, monkeypatch):
    """`float_above` is what the build's floor reads and bpy cannot give back: the data keeps it
    (the only parameter there), and the builds agree on where the floor leaves the objects."""
    bpy = pytest.importorskip("bpy")
    desc = _scenes(_spec("primitives.cube", objects="scene.objects = 2", samples=1), 1)[0]
    desc.subject.geometry.params["float_above"] = 0.25
    code = _check_same_objects(bpy, desc, tmp_path, monkeypatch, "floating")
    data = code.split("def add_objects")[0]
    assert data.count("params={'float_above': 0.25}") == 1 and data.count("params=") == 1

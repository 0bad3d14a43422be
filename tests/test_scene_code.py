"""The `py` member: the sample's own scene as short code, inert with hostile strings, and it
re-renders the tar's image for samples of every shipped spec."""

import ast
import difflib
import importlib.machinery
import importlib.util
import itertools
import subprocess

import numpy as np
import pytest

from psynth_render.scene import builder_source
from psynth_render.scene.describe import describe
from psynth_render.scene_code import (
    BODY_START, FOOTER_START, HELPER_MEMBER, SCRIPT_CALLS, STATED_LIBRARY_MATERIALS, STATED_LIBRARY_STEPS, helper_module,
    helper_version, scene_script, script_body,
)
from psynth_render.scene_literals import literal
from psynth_render.supervisor import run_shard
from psynth_spec.compile import load_spec
from psynth_spec.sampler import sample_shard
from psynth_spec.taxonomy import default_taxonomy
from tests.scene_code_fixtures import SPECS, described_data, helper_names, run_without_blender, shipped_scripts
from tests.worker_specs import PYTHON, png_array, tar_members, tiny_spec

HOSTILE = [
    "'); __import__('os').system('touch {mark}'); ('",
    '"""; __import__("os").system("touch {mark}"); """',
    "'''\n__import__('os').system('touch {mark}')\n'''",
    "\\'; import os; os.system('touch {mark}') #",
    "}}; exec(\"__import__('os').system('touch {mark}')\")",
    "\n\nimport os\nos.system('touch {mark}')\n",
    "\u2028# {mark}\r\x00",
]


@pytest.fixture(scope="module")
def scripts():
    return shipped_scripts(rows=3)


# ---------------------------------------------------------------- states the described scene
def test_every_shipped_spec_script_states_exactly_the_described_scene(scripts, monkeypatch):
    """The generator expresses every part of the Scene the helper builds: a field the model
    gains that the script cannot write (or writes wrongly) fails here, for every shipped spec.
    (The parts stated in bpy are checked against the builder in test_scene_code_parts.)"""
    defined = helper_names(helper_module())
    assert {p.stem for p in SPECS} == {name for name, _, _ in scripts}
    for name, desc, code in scripts:
        namespace = run_without_blender(code, monkeypatch)
        data = described_data(desc)
        assert namespace["scene"] == data, name
        assert namespace["scene"].to_json() == data.to_json(), name
        assert data.lighting.lights == [] and len(desc.lighting.lights) == code.count("bpy.data.lights.new("), name
        used = {n.attr for n in ast.walk(ast.parse(code))
                if isinstance(n, ast.Attribute) and getattr(n.value, "id", None) == "ps"}
        assert used and used <= defined, f"{name}: the helper module lacks {used - defined}"


def test_scripts_are_short_and_hold_only_this_samples_data(scripts):
    sizes = sorted(len(code.encode()) for _, _, code in scripts)
    assert sizes[-1] < 12_300, sizes  # 11.9 KB measured (a liquid's, a gas's and a set's material, the post);
    # the old py member was ~165 KB
    assert np.median([code.count("\n") for _, _, code in scripts]) < 180  # 170 measured
    for name, _, code in scripts:
        tree = ast.parse(code)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.ClassDef, ast.Lambda))], name
        functions = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
        stated = {"add_lights", "set_render", "set_world", "set_camera", "add_materials", "add_objects", "add_post"}
        assert functions[0] == "_helpers" and set(functions[1:]) <= stated, name  # no library
        calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        helper_calls = {c for c in calls if c.startswith("ps.")}
        assert helper_calls - {f"ps.{n}" for n in ("require", "output_path", *SCRIPT_CALLS)} <= {
            f"ps.{n}" for n in helper_names(helper_module()) if n[:1].isupper()}, name  # model constructors only
        body = ast.parse(code[code.index(BODY_START):])
        roots = {ast.unparse(n.func).split(".")[0].split("(")[0] for n in ast.walk(body) if isinstance(n, ast.Call)
                 and not (isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Dict))}  # {...}.items()
        bpy_data = {"bpy_scene", "nodes", "links", "camera"}  # the scene, the world's node tree, the lens
        bpy_data |= {n.targets[0].id for n in ast.walk(body) if isinstance(n, ast.Assign)  # the objects
                     and isinstance(n.value, ast.Call) and ast.unparse(n.value.func) == "ps.mesh_object"}
        builtins = {"min", "max", "int", "round", "zip", "range"}
        assert roots <= {"ps", "bpy", "math", "Vector", ""} | builtins | bpy_data, (name, roots)  # no library


def test_two_samples_share_only_the_fixed_header_and_structure(scripts):
    """Duplication between scripts: beyond the fixed header (imports, the helper's loading) and
    footer (the build's call) they share data lines (the same concept's parameters) and the
    structure of their parts, never library code; every script shares at most a small set of
    lines with all the others."""
    headers = {code[: code.index(BODY_START)] for _, _, code in scripts}
    assert len(headers) == 1 and len(headers.pop()) < 1_500  # one fixed header, the same for all
    footers = {code[code.rindex(FOOTER_START):] for _, _, code in scripts}
    assert len(footers) == 1 and len(footers.pop()) < 300  # one fixed footer (273 bytes)
    bodies = [script_body(code).splitlines() for _, _, code in scripts]
    common = set.intersection(*(set(b) for b in bodies))
    # 1,257 measured: the data sections' punctuation and constructor heads, the bpy functions'
    # heads, the node statements every material and world has, the subject's pass index
    assert sum(len(line) + 1 for line in common) < 1_350, sorted(common)
    shared = []
    for a, b in itertools.combinations(bodies, 2):
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        same = sum(len(line) + 1 for blk in matcher.get_matching_blocks() for line in a[blk.a: blk.a + blk.size])
        shared.append(same / len("\n".join(a)))
    assert np.median(shared) < 0.45, np.median(shared)  # 0.43 measured (same-spec pairs share more: their fixed choices)


def test_the_helper_ships_only_what_scripts_reach(tmp_path):
    """__psynth_scene__ is the model and builder less what no script reaches (the worker's
    metadata and device code, describe-time models, module docstrings) and less the builder's
    own versions of the steps scripts state in bpy (stubs that fail clearly, so what only they
    used goes too); it still defines every name the scripts call, and loads."""
    bpy = pytest.importorskip("bpy")  # noqa: F841 - the helper imports it
    helper = helper_module()
    names = helper_names(helper)
    assert len(helper.encode()) < 0.82 * len(builder_source().encode())  # 0.79 measured
    assert set(SCRIPT_CALLS) | {"require", "output_path", "Scene"} <= names
    gone = {"objects_info", "configure_device", "render_assignments", "optics_assignments", "principled_inputs",
            "_environment", "PRINCIPLED_DEFAULTS", "_effects", "_vignette", "_grain", "bloom_inputs", "NODE_DEFAULTS"}
    assert gone <= helper_names(builder_source()) and not gone & names  # in the builder, not in the helper
    (tmp_path / HELPER_MEMBER).write_text(helper)
    loader = importlib.machinery.SourceFileLoader("helper_under_test", str(tmp_path / HELPER_MEMBER))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("helper_under_test", loader))
    loader.exec_module(module)
    for function in (*STATED_LIBRARY_STEPS.values(), *STATED_LIBRARY_MATERIALS):
        with pytest.raises(RuntimeError, match="the scene script states this step"):
            getattr(module, function)(None, None)


def test_a_variant_differs_from_its_base_only_on_the_changed_values():
    spec = load_spec(next(p for p in SPECS if p.stem == "studio_materials"))
    tax = default_taxonomy()
    row = sample_shard(spec, 0, limit=1).to_dicts()[0]
    column = tax.axis_by_path["lighting.kelvin"].column
    sample = {"sample_id": 0, "image_name": "000000000.png"}
    base = scene_script(describe(row, spec, tax), sample)
    warmer = scene_script(describe(dict(row, **{column: 3200.0}), spec, tax), sample)
    changed = [line for line in difflib.unified_diff(base.splitlines(), warmer.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed and len(changed) <= 24, changed
    assert any("3200.0" in line for line in changed)


# ---------------------------------------------------------------- hostile strings
def _hostile_script(mark: str):
    spec = tiny_spec(name="hostile", samples=1)
    row = sample_shard(spec, 0).to_dicts()[0]
    desc = describe(row, spec, default_taxonomy())
    payloads = [h.format(mark=mark) for h in HOSTILE]
    desc.subject.material.concept = payloads[3]  # a name that reaches a comment line
    sample = {"sample_id": 0, "captions": {"caption": payloads[0]}, "image_name": "out.png",
              "dataset": payloads[1], "version_id": payloads[2], "note": payloads}  # carried inertly
    return scene_script(desc, sample), desc, payloads


def test_hostile_strings_stay_string_constants(tmp_path, monkeypatch):
    mark = str(tmp_path / "pwned")
    code, desc, payloads = _hostile_script(mark)
    tree = ast.parse(code)
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert not {"__import__", "exec", "eval", "os.system"} & calls
    for node in ast.walk(tree):  # a payload is only ever inside one string constant
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "pwned" in node.value:
            assert node.value in payloads
    assert "pwned" not in "\n".join(line for line in code.splitlines() if line.lstrip().startswith("#"))
    namespace = run_without_blender(code, monkeypatch)
    assert namespace["scene"] == described_data(desc)  # round-trips exactly
    assert namespace["SAMPLE"]["note"] == payloads
    assert namespace["SAMPLE"]["captions"]["caption"] == payloads[0]
    assert not (tmp_path / "pwned").exists()


def test_literal_refuses_what_has_no_exact_literal():
    assert literal({"a": [1, 2.5, None, True, "x'\""]}) == "{'a': [1, 2.5, None, True, 'x\\'\"']}"
    for bad in (float("nan"), float("inf"), object(), {1: 2}):
        with pytest.raises(ValueError):
            literal(bad)


def test_the_script_refuses_another_helper_version(tmp_path):
    (tmp_path / HELPER_MEMBER).write_text(helper_module().replace(helper_version(), "scene-000000000000"))
    code, _, _ = _hostile_script(str(tmp_path / "pwned"))
    (tmp_path / "scene.py").write_text(code)
    done = subprocess.run([PYTHON, str(tmp_path / "scene.py")], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "needs __psynth_scene__ scene-" in done.stderr


@pytest.mark.render
def test_running_a_hostile_script_renders_and_executes_nothing(tmp_path):
    mark = tmp_path / "pwned"
    code, _, _ = _hostile_script(str(mark))
    (tmp_path / HELPER_MEMBER).write_text(helper_module())
    script = tmp_path / "scene.py"
    script.write_text(code)
    done = subprocess.run([PYTHON, str(script), str(tmp_path / "x.png")], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "x.png").stat().st_size > 0
    assert not mark.exists()


# ---------------------------------------------------------------- re-renders the tar's image
def _tiny_shipped(path, samples: int = 2):
    spec = load_spec(path)
    render = spec.render.model_copy(update={"width": 32, "height": 32, "samples": 2, "passes": ()})
    return spec.model_copy(update={"render": render, "video": None, "samples": samples, "shard_size": samples,
                                   "outputs": ("image", "scene_code")})


def _re_render(members: dict[str, bytes], folder, stem: str, fmt: str):
    (folder / HELPER_MEMBER).write_bytes(members[HELPER_MEMBER])
    script = folder / f"{stem}.py"
    script.write_bytes(members[script.name])
    done = subprocess.run([PYTHON, str(script)], capture_output=True, text=True, timeout=180, cwd=folder)
    assert done.returncode == 0, done.stderr[-2000:]
    return png_array((folder / f"{stem}.{fmt}").read_bytes())  # default: next to the script


@pytest.mark.render
@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_scene_code_re_renders_the_tar_image(path, tmp_path):
    spec = _tiny_shipped(path)
    run_shard(spec, 0, str(tmp_path / "data"), device="cpu")
    members = tar_members(tmp_path / "data", spec)
    assert next(iter(members)) == HELPER_MEMBER  # once per shard, before the samples
    assert sum(name.endswith(".py") for name in members) == spec.samples * (1 + spec.variant_count)
    stems = [f"{sid:09d}" for sid in spec.shard_range(0)] + (["000000000.var1"] if spec.variant_count else [])
    for stem in stems:  # every sample, and a variant where the spec has them
        folder = tmp_path / f"again{stem}"
        folder.mkdir()
        again = _re_render(members, folder, stem, spec.render.format)
        original = png_array(members[f"{stem}.{spec.render.format}"])
        assert again.shape == original.shape
        assert np.abs(again - original).mean() < 1.0, f"{path.stem} {stem}"  # < 1/255
        assert original.std() > 1.0  # and not a blank picture matching a blank picture


def test_the_plans_code_size_is_the_measured_compact_script(scripts):
    """`psynth plan`'s storage line for scene code: the compact script plus its share of the
    shard's helper module, within 25% of what the generator writes for the shipped specs."""
    from psynth_spec import cost_model
    from psynth_spec.plan import make_plan

    measured = float(np.median([len(code.encode()) for _, _, code in scripts]))
    assert cost_model.SCENE_CODE_BYTES == pytest.approx(measured, rel=0.25)
    assert cost_model.SCENE_HELPER_BYTES == pytest.approx(len(helper_module().encode()), rel=0.25)
    spec = load_spec(next(p for p in SPECS if p.stem == "studio_materials"))
    spec = spec.model_copy(update={"outputs": (*spec.outputs, "scene_code")} if "scene_code" not in spec.outputs
                           else {})
    item = {i.kind: i for i in make_plan(spec, 500).storage}["scene_code"]
    share = len(helper_module().encode()) / min(spec.shard_size, spec.samples)
    assert item.bytes_per_sample == pytest.approx(measured + share, rel=0.25)
    assert item.bytes_per_sample < 20_000  # not the 165 KB of the inlined builder

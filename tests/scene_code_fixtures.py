"""Helpers for the scene-code tests: shipped specs' scripts, and running a script's statements
without Blender (the helper module stood in for by the scene model's own classes)."""

import ast
import math
import sys
import types
from pathlib import Path

from psynth_render.scene import SCRIPT_MODULES, Scene
from psynth_render.scene.describe import describe
from psynth_render.scene_code import scene_script
from psynth_spec.compile import load_spec
from psynth_spec.sampler import sample_shard
from psynth_spec.taxonomy import default_taxonomy

SPECS = sorted((Path(__file__).resolve().parent.parent / "specs").glob("*.psynth"))
HELPER = "__psynth_scene__"


def shipped_scripts(rows: int = 3) -> list[tuple[str, Scene, str]]:
    """(spec name, described Scene, script) for the first `rows` samples of every shipped spec."""
    tax = default_taxonomy()
    out = []
    for path in SPECS:
        spec = load_spec(path)
        for row in sample_shard(spec, 0, limit=rows).to_dicts():
            desc = describe(row, spec, tax)
            sample = {"sample_id": row["sample_id"], "image_name": f"{row['sample_id']:09d}.png",
                      "captions": {c: row.get(c) for c in spec.caption_columns}}
            out.append((path.stem, desc, scene_script(desc, sample)))
    return out


def model_namespace() -> types.ModuleType:
    """A stand-in for `__psynth_scene__` without bpy: the classes of the script's model modules,
    `require` that accepts any version, and a `render_still` that only records its call."""
    module = types.ModuleType(HELPER)
    for dotted in SCRIPT_MODULES:
        if ".build." in dotted:
            continue  # the builder (bpy)
        __import__(dotted)
        for name, value in vars(sys.modules[dotted]).items():
            if isinstance(value, type):
                setattr(module, name, value)
    module.require = lambda version: None
    module.calls = []
    module.render_still = lambda scene, path: module.calls.append((scene, path))
    module.build = lambda scene, stated=None: module.calls.append((scene, stated))
    module.render = lambda path: module.calls.append(path)
    module.output_path = lambda script, name: name
    return module


def run_without_blender(code: str, monkeypatch) -> dict:
    """Execute a script's statements (not its __main__ block, nor its bpy functions) against
    `model_namespace()`; returns its globals."""
    monkeypatch.setitem(sys.modules, HELPER, model_namespace())
    namespace = {"__name__": "scene_script", "__file__": "/nonexistent/scene.py"}
    exec(compile(code, "scene.py", "exec"), namespace)  # noqa: S102 - the generated script under test
    return namespace


def described_data(desc: Scene) -> Scene:
    """What a script states as data for the helper: `desc` less the parts it states in bpy."""
    from psynth_render.scene_code_parts import split_stated

    return split_stated(desc)[0]


def helper_names(helper_text: str) -> set[str]:
    """Names the helper module defines at top level (classes, functions, assignments)."""
    names = set()
    for node in ast.parse(helper_text).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def close(a, b):
    """Values equal as Blender stores them (floats within 1e-5; tuples item by item)."""
    if isinstance(a, tuple):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-5)
    return a == b

"""The `py` member: standalone, inert with hostile strings, and re-renders the same image."""

import ast
import json
import subprocess

import numpy as np
import pytest

from psynth_render.scene import builder_source
from psynth_render.scene.describe import describe
from psynth_render.scene_code import scene_script
from psynth_render.supervisor import run_shard
from psynth_spec.sampler import sample_shard
from psynth_spec.taxonomy import default_taxonomy
from tests.worker_specs import PYTHON, png_array, run_bpy, tar_members, tiny_spec

HOSTILE = [
    "'); __import__('os').system('touch {mark}'); ('",
    '"""; __import__("os").system("touch {mark}"); """',
    "'''\n__import__('os').system('touch {mark}')\n'''",
    "\\'; import os; os.system('touch {mark}') #",
    "}}; exec(\"__import__('os').system('touch {mark}')\")",
    "\n\nimport os\nos.system('touch {mark}')\n",
]


def _hostile_script(mark: str) -> tuple[str, list[str]]:
    spec = tiny_spec(name="hostile", samples=1)
    row = sample_shard(spec, 0).to_dicts()[0]
    desc = describe(row, spec, default_taxonomy())
    payloads = [h.format(mark=mark) for h in HOSTILE]
    desc.axes["note"] = payloads  # extra data the builder ignores, but the script must carry inertly
    sample = {"sample_id": 0, "captions": {"caption": payloads[0]}, "image_name": "out.png",
              "dataset": payloads[1], "version_id": payloads[2]}
    return scene_script(builder_source(), desc, sample), payloads


def test_hostile_strings_stay_string_constants(tmp_path):
    mark = str(tmp_path / "pwned")
    code, payloads = _hostile_script(mark)
    tree = ast.parse(code)
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert not {"__import__", "exec", "eval", "os.system"} & calls
    # the payloads live only inside the JSON text given to json.loads
    data_nodes = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) in ("DESCRIPTION", "SAMPLE")
    ]
    assert len(data_nodes) == 2
    for node in data_nodes:
        assert ast.unparse(node.value.func) == "json.loads"
        (arg,) = node.value.args
        assert isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    values = {n.targets[0].id: json.loads(n.value.args[0].value) for n in data_nodes}
    assert values["DESCRIPTION"]["axes"]["note"] == payloads  # round-trips exactly
    assert values["SAMPLE"]["captions"]["caption"] == payloads[0]
    for node in ast.walk(tree):  # nowhere else does a payload appear, not even in a comment
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "pwned" in node.value:
            assert node in [d.value.args[0] for d in data_nodes]
    assert "pwned" not in "\n".join(line for line in code.splitlines() if line.lstrip().startswith("#"))


@pytest.mark.render
def test_running_a_hostile_script_renders_and_executes_nothing(tmp_path):
    mark = tmp_path / "pwned"
    code, _ = _hostile_script(str(mark))
    script = tmp_path / "scene.py"
    script.write_text(code)
    done = subprocess.run([PYTHON, str(script), str(tmp_path / "x.png")], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "x.png").stat().st_size > 0
    assert not mark.exists()


@pytest.fixture(scope="module")
def coded_shard(tmp_path_factory):
    root = tmp_path_factory.mktemp("coded")
    spec = tiny_spec(name="coded", samples=1, engine="cycles", spp=4, outputs="image, scene_code, usd")
    run_shard(spec, 0, str(root))
    return root, tar_members(root, spec)


@pytest.mark.render
def test_scene_code_re_renders_the_same_image(coded_shard, tmp_path):
    _, members = coded_shard
    script = tmp_path / "000000000.py"
    script.write_bytes(members["000000000.py"])
    done = subprocess.run([PYTHON, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    again = png_array((tmp_path / "000000000.png").read_bytes())  # default: next to the script
    original = png_array(members["000000000.png"])
    assert again.shape == original.shape
    assert np.abs(again - original).mean() < 1.0  # same seed: (near) identical pixels
    assert original.std() > 1.0  # and not a blank picture matching a blank picture


@pytest.mark.render
def test_usdc_imports_and_holds_the_subject_mesh(coded_shard, tmp_path):
    _, members = coded_shard
    path = tmp_path / "scene.usdc"
    path.write_bytes(members["000000000.usdc"])
    out = run_bpy(f"""
import bpy
bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.wm.usd_import(filepath={str(path)!r})
meshes = [o for o in bpy.data.objects if o.type == "MESH"]
print([(o.name, len(o.data.vertices)) for o in meshes])
""")
    meshes = dict(eval(out.strip().splitlines()[-1]))
    subject = [n for n in meshes if "subject" in n]
    assert subject and meshes[subject[0]] > 8

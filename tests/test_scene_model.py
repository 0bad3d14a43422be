"""The typed scene model: describe needs no bpy, every shipped spec describes into a valid
Scene, and a Scene round-trips through JSON exactly."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from psynth_render.scene.describe import Scene, describe
from psynth_render.scene.describe.model import Backdrop, GasEffect, LiquidEffect, SceneObject
from psynth_spec.compile import load_spec
from psynth_spec.sampler import sample_shard
from psynth_spec.taxonomy import default_taxonomy

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.psynth"))
FIRST = 12


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


@pytest.fixture(scope="module")
def scenes(tax):
    out = {}
    for path in SPECS:
        spec = load_spec(path, tax)
        out[path.stem] = [describe(row, spec, tax) for row in sample_shard(spec, 0).to_dicts()[:FIRST]]
    return out


def _python(*lines: str) -> str:
    """Run `lines` in a fresh interpreter; its stdout (it must exit 0)."""
    done = subprocess.run([sys.executable, "-c", "\n".join(lines)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_describe_imports_without_bpy():
    assert _python(
        "import sys",
        "import psynth_render.scene, psynth_render.scene.describe.model",
        "assert 'bpy' not in sys.modules and 'mathutils' not in sys.modules, 'bpy imported'",
        "print('clean')",
    ) == "clean"


def test_every_shipped_spec_describes_into_valid_scenes(scenes):
    assert set(scenes) == {p.stem for p in SPECS} and len(SPECS) >= 4
    for name, items in scenes.items():
        assert len(items) == FIRST, name
        for scene in items:
            assert isinstance(scene, Scene)
            assert [o.element for o in scene.objects] == ["subject"]
            assert scene.subject is scene.objects[0]
            assert len(scene.camera.views) == 1 and scene.camera.main is scene.camera.views[0]
            assert all(isinstance(e, (LiquidEffect, GasEffect)) for e in scene.effects)
            assert len({type(e) for e in scene.effects}) == len(scene.effects)  # one of each kind
            assert scene.backdrop.element == "backdrop"
            assert all(light.element == "light" for light in scene.lighting.lights)
            Scene.model_validate(scene.model_dump())  # what describe made passes the model's checks


def test_effects_appear_in_the_vfx_spec(scenes):
    kinds = {type(e) for scene in scenes["vfx_elements"] for e in scene.effects}
    assert kinds == {LiquidEffect, GasEffect}


def test_scene_round_trips_through_json_exactly(scenes):
    for items in scenes.values():
        for scene in items:
            text = scene.to_json()
            back = Scene.from_json(text)
            assert back == scene
            assert back.to_json() == text
            data = json.loads(text)
            assert Scene.model_validate(data).model_dump(mode="json") == data
            assert data["objects"][0]["element"] == "subject"
            assert {e["element"] for e in data["effects"]} <= {"liquid", "gas"}


def test_model_rejects_unknown_fields_and_elements(scenes):
    data = json.loads(scenes["quickstart"][0].to_json())
    with pytest.raises(ValidationError, match="geometryy"):
        Scene.model_validate({**data, "objects": [{**data["objects"][0], "geometryy": {}}]})
    with pytest.raises(ValidationError, match="element"):
        Scene.model_validate({**data, "effects": [{"element": "plasma"}]})
    with pytest.raises(ValidationError, match="objects"):
        Scene.model_validate({**data, "objects": []})


def test_describe_is_deterministic_per_row(tax):
    spec = load_spec(SPECS[0], tax)
    row = sample_shard(spec, 0).to_dicts()[0]
    assert describe(row, spec, tax).to_json() == describe(dict(row), spec, tax).to_json()
    other = dict(row, seed=row["seed"] + 1)
    assert describe(other, spec, tax).seed == row["seed"] + 1


def test_builder_dispatches_on_element_types():
    pytest.importorskip("bpy")
    from psynth_render.scene.build import builder

    fallback = builder.add.dispatch(object)
    for kind in (SceneObject, Backdrop, LiquidEffect, GasEffect):
        assert builder.add.dispatch(kind) is not fallback, kind
    assert set(builder.CLEAR) == {LiquidEffect, GasEffect}  # every effect kind can be cleared from the fixed cast
    with pytest.raises(TypeError, match="cannot add a str"):
        builder.add("a string", None, None)


def test_the_scene_subpackages_import_by_dotted_path():
    """`psynth_render.scene.describe` / `.build` are the subpackages, not functions of the same
    name (which would break `import psynth_render.scene.describe.model as m`)."""
    assert _python(
        "import psynth_render.scene.describe.model as m",
        "import psynth_render.scene.describe.from_row as r",
        "import psynth_render.scene.build.motion as motion",
        "print(m.Scene.__name__, r.describe.__name__, motion.camera_at_frame.__name__)",
    ) == "Scene describe camera_at_frame"

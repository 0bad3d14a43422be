"""A distribution is one registration: a `Law` subclass is parsed, checked, sampled, formatted
and audited with no other change (the enumerations the language names are written once too)."""

import json
import subprocess
import sys
from pathlib import Path
from typing import get_args

from psynth_spec import check, spec as s, templates
from psynth_spec.laws import LAWS, laws_sampling, signature

ROOT = Path(__file__).resolve().parent.parent

# Defined in a fresh interpreter, before `psynth_spec.spec` is imported (its union is built then).
PROGRAM = r'''
import json, math
from typing import Literal

import numpy as np

from psynth_spec.laws import Law


class Rayleigh(Law):
    """A test law that exists only here: sigma * sqrt(-2 ln(1 - u))."""
    kind: Literal["rayleigh"] = "rayleigh"
    sigma: float
    params = ("sigma",)

    @classmethod
    def problem(cls, values, texts):
        return None if values[0] > 0 else "sigma must be > 0"

    def support(self):
        return (0.0, math.inf)

    def quantile(self, u):
        return self.sigma * np.sqrt(-2.0 * np.log1p(-u))


from psynth_spec.compile import compile_text
from psynth_spec.errors import SpecError
from psynth_spec.fmt import format_text
from psynth_spec.sampler import sample_range
from psynth_spec.spec import Spec


def codes(body):
    try:
        compile_text("dataset d { samples 10\n" + body + "\n}")
    except SpecError as exc:
        return [(d.code, d.message, d.hint) for d in exc.diagnostics]
    return []


text = "dataset d { samples 4000 seed 1\n  camera.focal_length ~ rayleigh(40) clamp(8, 600)\n}\n"
spec = compile_text(text)
values = sample_range(spec, 0, 4000)["camera_focal_length"].to_numpy()
out = {
    "median": float(np.median(values)),
    "in_range": bool(values.min() >= 8 and values.max() <= 600),
    "round_trip": Spec.model_validate_json(spec.model_dump_json()) == spec,
    "fmt": format_text("dataset d { samples 4000 camera.focal_length ~ rayleigh( 40 ) clamp(8,600) }"),
    "bad": codes("camera.focal_length ~ rayleigh(-1) clamp(8, 600)"),
    "arity": codes("camera.focal_length ~ rayleigh(1, 2) clamp(8, 600)"),
    "range": codes("camera.focal_length ~ rayleigh(40)"),
    "typo": codes("camera.focal_length ~ raleigh(40)"),
    "bool": codes("camera.dof ~ rayleigh(1)"),
}
print(json.dumps(out))
'''


def test_a_law_registered_in_one_place_is_parsed_checked_sampled_and_formatted():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert abs(out["median"] - 40 * (2 * 0.6931471805599453) ** 0.5) < 2.5  # sigma * sqrt(2 ln 2)
    assert out["in_range"] and out["round_trip"]
    assert "camera.focal_length ~ rayleigh(40) clamp(8, 600)" in out["fmt"]
    assert out["bad"] == [["invalid-parameter", "rayleigh: sigma must be > 0", None]]
    assert out["arity"][0][:2] == ["wrong-arity", "rayleigh takes 1 argument (sigma), got 2"]
    assert out["range"][0][0] == "out-of-range"  # its support (0, inf) is checked against 8..600
    assert out["typo"][0][0] == "unknown-distribution" and "rayleigh" in out["typo"][0][2]
    assert out["bool"][0][0] == "type-mismatch" and "bernoulli(p)" in out["bool"][0][1]


def test_the_builtin_laws_are_the_registry():
    assert list(LAWS) == ["uniform", "loguniform", "normal", "lognormal", "beta", "triangular", "randint", "bernoulli"]
    assert [signature(law) for law in laws_sampling("int")] == ["randint(a, b)"]
    assert [signature(law) for law in laws_sampling("bool")] == ["bernoulli(p)"]
    assert LAWS["bernoulli"](p=0.3).shares() == {True: 0.3, False: 0.7}
    assert LAWS["uniform"](low=1, high=2).shares() is None


def test_the_language_enumerations_are_the_spec_model_literals():
    assert check.ENGINES == get_args(s.Engine) == ("cycles", "eevee", "workbench")
    assert check.OUTPUTS == get_args(s.Output)
    assert check.PASSES == get_args(s.RenderPass) and check.FORMATS == get_args(s.ImageFormat)
    assert check.DEVICES == get_args(s.Device)
    assert templates.FILTERS == get_args(s.Filter)
    from psynth_render.worker import build_parser

    device = next(a for a in build_parser()._actions if a.dest == "device")
    assert tuple(device.choices) == get_args(s.Device)

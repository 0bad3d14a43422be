"""Every spec in specs/ checks, is canonically formatted, and together they state every axis."""

from pathlib import Path

import pytest

from psynth_spec.compile import load_spec
from psynth_spec.fmt import format_text

SPECS = sorted((Path(__file__).resolve().parent.parent / "specs").glob("*.psynth"))
# The axes of shared/docs/axes.md: the example specs must state each of them somewhere.
AXES_MD = """camera.focal_length camera.fstop camera.dof camera.angle camera.distance camera.movement
camera.lens lighting.setup lighting.kelvin lighting.exposure lighting.key_azimuth material
material.roughness material.ior material.subsurface texture.pattern texture.scale texture.mapping
liquid liquid.viscosity liquid.form gas gas.density geometry.shape geometry.subdivision
geometry.rotation render.engine render.samples post.bloom post.vignette post.grain
post.chromatic_aberration post.grade style color.harmony color.base_hue color.mood
scene.background""".split()


def test_there_are_at_least_four_specs_and_a_quickstart():
    assert len(SPECS) >= 4
    quickstart = load_spec(next(p for p in SPECS if p.name == "quickstart.psynth"))
    assert 100 <= quickstart.samples <= 1000


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_spec_checks_and_is_canonical(path):
    spec = load_spec(path)
    assert spec.dataset == path.stem
    text = path.read_text(encoding="utf-8")
    assert format_text(text) == text, f"run `psynth fmt {path}`"


def test_specs_together_state_every_axis():
    stated = set()
    for path in SPECS:
        stated |= {st.axis for st in load_spec(path).statements}
    assert not set(AXES_MD) - stated

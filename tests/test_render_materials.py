"""Materials read as their names, measured on the subject's pixels in tiny real renders: marble
and wood show oriented fine structure (veins, grain) that a plain material lacks and a
speckled stone does not orient; rust lies in patches on bare metal; brushed metal streaks."""

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from psynth_render.scene.describe import describe  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.render_fixtures import box_blur, cached_renderer, centre, luminance, make_row, make_spec  # noqa: E402

SIZE = 64
SCENE = {"scene__background": "floor", "camera__distance": 3.2}


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


@pytest.fixture(scope="module")
def subject(tax, tmp_path_factory):
    """subject(material) -> the centre of a denoised 64 px Cycles render (16 spp) of it."""
    render = cached_renderer(tax, tmp_path_factory.mktemp("materials"), size=SIZE, samples=16, **SCENE)
    return lambda material: centre(render(material=material), 0.45)


def fine_structure(img: np.ndarray) -> tuple[float, float]:
    """(energy, orientation) of the luminance's fine detail (minus its 5x5 local mean):
    energy = its mean square; orientation = the energy-weighted coherence of the local (7x7)
    structure tensor, 1 for parallel lines, 0 for isotropic speckle."""
    y = luminance(img)
    fine = y - box_blur(y, 2)
    gy, gx = np.gradient(fine)
    jxx, jyy, jxy = box_blur(gx * gx, 3), box_blur(gy * gy, 3), box_blur(gx * gy, 3)
    trace = jxx + jyy
    spread = np.sqrt(np.maximum((jxx - jyy) ** 2 + 4 * jxy**2, 0.0))  # l1 - l2
    return float((fine**2).mean()), float(spread.sum() / max(trace.sum(), 1e-12))


@pytest.mark.parametrize("material", ["organic.marble", "organic.wood"])
def test_marble_and_wood_show_oriented_fine_structure(subject, material):
    plain_energy, _ = fine_structure(subject("plastic.matte"))
    _, speckle_orientation = fine_structure(subject("stone.granite"))
    energy, orientation = fine_structure(subject(material))
    assert energy > 5 * plain_energy, f"{material}: fine energy {energy:.2e} vs plain {plain_energy:.2e}"
    assert orientation > speckle_orientation + 0.05, f"{material}: {orientation:.2f} vs granite {speckle_orientation:.2f}"


def test_brushed_metal_streaks_in_one_direction(subject):
    _, brushed = fine_structure(subject("metal.brushed_steel"))
    _, polished = fine_structure(subject("metal.steel"))
    assert brushed > 0.8 and brushed > polished + 0.1


def test_rust_lies_in_patches_on_bare_metal(subject):
    img = subject("weathered.rusted_iron")
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    rust = (r > g + 0.08) & (r > b + 0.12)
    metal = (np.abs(r - b) < 0.06) & (np.abs(r - g) < 0.06)
    assert 0.1 < rust.mean() < 0.9 and metal.mean() > 0.1, (rust.mean(), metal.mean())
    # patches, not salt and pepper: a rust pixel's neighbours are mostly rust too
    neighbours = box_blur(rust.astype(float), 1)
    assert neighbours[rust].mean() > 0.6


def test_the_palette_leaves_white_marble_white(tax):
    desc = describe(make_row(tax, material="organic.marble", color__base_hue=210.0), make_spec(tax), tax)
    base = desc.subject.material.base_color
    assert max(base) - min(base) < 0.08  # nearly neutral: the blue palette does not paint it

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


def _edited(tax, folder, material, edit, name):
    """A 64 px Cycles render (16 spp, void background, sphere) of `material`, with `edit`
    applied to the subject's material fields first."""
    from tests.render_fixtures import render_array

    row = make_row(tax, seed=5, material=material, geometry__shape="primitives.sphere", scene__background="void",
                   camera__distance=3.2)
    desc = describe(row, make_spec(tax, size=SIZE, samples=16), tax)
    for key, value in edit.items():
        setattr(desc.subject.material, key, value)
    return render_array(desc, folder / f"{name}.png")


def _rim_and_core(mask):
    """The silhouette's outer ring (grazing angles) and its inside, eroded twice."""
    inner = mask.copy()
    for _ in range(3):
        inner[1:-1, 1:-1] = inner[1:-1, 1:-1] & inner[:-2, 1:-1] & inner[2:, 1:-1] & inner[1:-1, :-2] & inner[1:-1, 2:]
    core = inner.copy()
    for _ in range(6):
        core[1:-1, 1:-1] = core[1:-1, 1:-1] & core[:-2, 1:-1] & core[2:, 1:-1] & core[1:-1, :-2] & core[1:-1, 2:]
    return mask & ~inner, core


def test_fabric_sheen_brightens_grazing_angles(tax, tmp_path):
    from tests.render_fixtures import silhouette

    sheen = _edited(tax, tmp_path, "fabric.velvet", {}, "sheen")
    plain = _edited(tax, tmp_path, "fabric.velvet", {"sheen": 0.0}, "plain")
    rim, core = _rim_and_core(silhouette(plain) | silhouette(sheen))
    y_sheen, y_plain = luminance(sheen), luminance(plain)
    rim_gain = y_sheen[rim].mean() / max(y_plain[rim].mean(), 1e-6)
    core_gain = y_sheen[core].mean() / max(y_plain[core].mean(), 1e-6)
    assert rim.sum() > 30 and core.sum() > 30
    assert rim_gain > 1.3 and rim_gain > core_gain + 0.2, f"rim x{rim_gain:.2f}, core x{core_gain:.2f}"


def test_skin_subsurface_bleeds_red_light_into_a_softer_shadow(tax, tmp_path):
    """Subsurface scattering carries light under the skin into the shadow side, reddened (red
    travels furthest: the radius is largest for red), and blurs the shading's gradients."""
    from tests.render_fixtures import silhouette

    skin = _edited(tax, tmp_path, "organic.skin", {}, "skin")
    diffuse = _edited(tax, tmp_path, "organic.skin", {"subsurface": 0.0}, "diffuse")  # same colour, no subsurface
    mask = silhouette(diffuse) & silhouette(skin)
    y_skin, y_diffuse = luminance(skin), luminance(diffuse)
    dark = mask & (y_diffuse < np.quantile(y_diffuse[mask], 0.3))  # the shadow side of the plain one
    assert dark.sum() > 20
    red_skin = skin[..., 0][dark].mean() / max(skin[..., 2][dark].mean(), 1e-6)
    red_diffuse = diffuse[..., 0][dark].mean() / max(diffuse[..., 2][dark].mean(), 1e-6)
    assert red_skin > red_diffuse + 0.05, f"the bled light is red: {red_skin:.2f} vs {red_diffuse:.2f}"
    gy, gx = np.gradient(y_skin)
    dy, dx = np.gradient(y_diffuse)
    inner = mask.copy()
    inner[1:-1, 1:-1] = mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    assert np.hypot(gx, gy)[inner].mean() < np.hypot(dx, dy)[inner].mean(), "a softer terminator"

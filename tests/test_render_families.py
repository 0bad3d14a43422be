"""Concept families without an axis test of their own move the picture in their direction:
material families recolour the subject toward their base colour, natural and artificial light
carry their colour temperature, complex and platonic shapes have their own silhouettes."""

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from psynth_render.scene.describe import describe  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.render_fixtures import LEGACY_DISTANCE, centre, luminance, make_row, make_spec, render_array, silhouette  # noqa: E402

SIZE = 32


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


@pytest.fixture(scope="module")
def shot(tax, tmp_path_factory):
    folder = tmp_path_factory.mktemp("families")
    counter = iter(range(10_000))

    def render(samples=6, **overrides):
        overrides.setdefault("camera__distance", LEGACY_DISTANCE)  # these tests predate framing
        desc = describe(make_row(tax, **overrides), make_spec(tax, size=SIZE, samples=samples), tax)
        desc.render.denoise = False
        return desc, render_array(desc, folder / f"{next(counter)}.png")

    return render


def red_over_blue(img):
    return img[..., 0].mean() / max(img[..., 2].mean(), 1e-6)


REPRESENTATIVE = {"gem": "gem.ruby"}
"""Families whose first leaf is colourless (diamond): a coloured member stands for them."""


@pytest.mark.parametrize("family", ["emissive", "coating", "weathered", "pottery", "stone", "fabric", "gem"])
def test_material_family_moves_the_subject_colour(shot, tax, family):
    view = {"scene__background": "void", "lighting__setup": "studio.high_key", "color__mood": "neutral"}
    leaf = REPRESENTATIVE.get(family) or tax.leaves(f"materials.{family}")[0][len("materials."):]
    base_desc, base = shot(material="plastic.matte", **view)
    desc, img = shot(material=leaf, **view)
    moved = centre(img, 0.4).mean(axis=(0, 1)) - centre(base, 0.4).mean(axis=(0, 1))
    if desc.subject.material.emission_strength > 0:  # an emitter glows in its own colour
        wanted = np.array(desc.subject.material.emission_color)
        assert luminance(centre(img, 0.4)).mean() > luminance(centre(base, 0.4)).mean() + 0.05, leaf
    else:
        wanted = np.array(desc.subject.material.base_color) - np.array(base_desc.subject.material.base_color)
    if np.abs(wanted).max() < 0.05:  # same colour: it must differ in how it reflects
        assert np.abs(img - base).mean() > 0.01, leaf
        return
    assert float(moved @ wanted) > 0, (leaf, moved, wanted)


def test_natural_light_follows_the_sun(shot):
    _, golden = shot(lighting__setup="natural.golden_hour")
    _, noon = shot(lighting__setup="natural.noon")
    _, night = shot(lighting__setup="natural.night")
    assert red_over_blue(golden) > red_over_blue(noon) * 1.1
    assert luminance(night).mean() < luminance(noon).mean() - 0.1


def test_artificial_lamps_have_their_colour(shot):
    _, tungsten = shot(lighting__setup="artificial.tungsten")
    _, fluorescent = shot(lighting__setup="artificial.fluorescent")
    _, candle = shot(lighting__setup="artificial.candle")
    assert red_over_blue(tungsten) > red_over_blue(fluorescent) * 1.1
    assert red_over_blue(candle) > red_over_blue(fluorescent) * 1.2


def test_complex_and_platonic_silhouettes(shot):
    overhead = {"camera__angle": "overhead", "camera__distance": 4.0, "render__engine": "solid",
                "scene__background": "void"}
    mask = lambda **o: silhouette(shot(**overhead, **o)[1])  # noqa: E731
    sphere = mask(geometry__shape="primitives.sphere")
    knot = mask(geometry__shape="complex.knot")
    tetra = mask(geometry__shape="platonic.tetrahedron")
    c = SIZE // 2
    assert sphere[c - 1 : c + 1, c - 1 : c + 1].all() and not knot[c - 1 : c + 1, c - 1 : c + 1].all()
    assert tetra.sum() < 0.8 * sphere.sum()  # inscribed in the same unit sphere, with flat faces

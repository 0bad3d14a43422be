"""Real HDRI environments: each of Blender's bundled world HDRIs lights the subject differently
and shows behind it; lighting.hdri_rotation turns it and lighting.hdri_strength scales it."""

from itertools import combinations

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from psynth_render.scene.describe import describe  # noqa: E402
from psynth_spec.render_params.staging import BUNDLED_HDRIS  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.render_fixtures import luminance, make_row, make_spec, render_array  # noqa: E402

SIZE = 40


@pytest.fixture(scope="module")
def shot(tmp_path_factory):
    """shot(**axis overrides) -> (float RGB image, subject mask) of a sphere on no backdrop."""
    tax = default_taxonomy()
    folder = tmp_path_factory.mktemp("hdri")
    counter = iter(range(1000))

    def render(**overrides):
        row = make_row(tax, seed=3, geometry__shape="primitives.sphere", scene__background="void",
                       material="plastic.matte", **overrides)
        desc = describe(row, make_spec(tax, size=SIZE, samples=4), tax)
        image = render_array(desc, folder / f"{next(counter)}.png")
        yy, xx = np.mgrid[:SIZE, :SIZE]
        centre = (yy - SIZE / 2) ** 2 + (xx - SIZE / 2) ** 2 < (SIZE / 8) ** 2  # inside the sphere
        return image, centre

    return render


@pytest.fixture(scope="module")
def renders(shot):
    return {name: shot(lighting__setup=f"hdri.{name}") for name in BUNDLED_HDRIS}


def _corners(image):
    return np.concatenate([image[:5, :5].reshape(-1, 3), image[:5, -5:].reshape(-1, 3)]).mean(axis=0)


def test_the_bundled_hdris_ship_with_bpy():
    folder = bpy.utils.system_resource("DATAFILES", path="studiolights/world")
    for name in BUNDLED_HDRIS:
        assert (np.fromfile(f"{folder}/{name}.exr", dtype=np.uint8, count=4) == [0x76, 0x2F, 0x31, 0x01]).all()


def test_each_hdri_shows_in_the_background_and_lights_the_subject_its_own_way(renders):
    backgrounds = {n: _corners(img) for n, (img, _) in renders.items()}
    subjects = {n: img[mask].mean(axis=0) for n, (img, mask) in renders.items()}
    for a, b in combinations(BUNDLED_HDRIS, 2):
        assert np.abs(backgrounds[a] - backgrounds[b]).max() > 0.02, f"{a} and {b} show the same background"
        assert np.abs(subjects[a] - subjects[b]).max() > 0.01, f"{a} and {b} light the subject alike"
    for name, (img, mask) in renders.items():
        assert img[mask].std() > 0 and luminance(img).max() > 0.02, f"{name} renders black"


def test_hdri_rotation_turns_the_background_and_strength_brightens(shot, renders):
    base, mask = renders["courtyard"]
    turned, _ = shot(lighting__setup="hdri.courtyard", lighting__hdri_rotation=180.0)
    brighter, _ = shot(lighting__setup="hdri.courtyard", lighting__hdri_strength=4.0)
    assert np.abs(_corners(turned) - _corners(base)).max() > 0.02
    assert luminance(brighter)[mask].mean() > luminance(base)[mask].mean() * 1.2

"""Liquids read as what they are, measured on tiny real renders of the gallery's scene against
the same scene without the liquid: every form puts liquid pixels in the frame, each liquid's
pixels fall in its colour family, and viscosity changes the liquid's silhouette."""

import colorsys

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.render_fixtures import GALLERY_SCENE, GALLERY_SIZE, gallery_shots  # noqa: E402

SIZE, SCENE = GALLERY_SIZE, GALLERY_SCENE


@pytest.fixture(scope="module")
def shot(tmp_path_factory):
    return gallery_shots(tmp_path_factory, "liquids")


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


def liquid_mask(img: np.ndarray, clear: np.ndarray) -> np.ndarray:
    return np.abs(img - clear).sum(axis=2) > 0.15


def test_every_form_puts_liquid_in_the_frame(shot, tax):
    clear = shot(liquid="none", **SCENE)
    forms = [leaf.removeprefix("liquid_forms.") for leaf in tax.leaves("liquid_forms")]
    shown = {form: liquid_mask(shot(liquid="milk", liquid__form=form, **SCENE), clear).mean() for form in forms}
    assert all(fraction > 0.004 for fraction in shown.values()), shown


def _mean_hsv(img, mask):
    """Mean colour of the masked pixels as (hue in degrees, saturation, value)."""
    r, g, b = img[mask].mean(axis=0)
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    return h * 360, s, v


def _in_hues(hue, lo, hi):
    """`hue` within lo..hi degrees, a range that may wrap past 360 (350..380 = red)."""
    return any(lo <= h <= hi for h in (hue, hue + 360))


FAMILIES = {
    # liquid: (hue range in degrees or None, least saturation, value range) of its pool's pixels
    "milk": (None, 0.0, (0.65, 1.0)),       # white (and see the saturation check below)
    "wine": ((330, 380), 0.45, (0.0, 0.5)),   # deep red
    "blood": ((330, 380), 0.5, (0.0, 1.0)),   # red
    "paint": ((330, 380), 0.45, (0.35, 1.0)),  # opaque red (the concept's colour)
    "honey": ((15, 50), 0.35, (0.25, 1.0)),   # amber
    "oil": ((10, 60), 0.3, (0.0, 0.55)),      # dark golden
    "coffee": ((0, 45), 0.15, (0.0, 0.35)),   # dark brown
    "ink": (None, 0.0, (0.0, 0.3)),           # black
}


@pytest.fixture(scope="module")
def pools(shot):
    clear = shot(liquid="none", **SCENE)
    out = {}
    for liquid in FAMILIES:
        img = shot(liquid=liquid, liquid__form="pool", **SCENE)
        mask = liquid_mask(img, clear)
        assert mask.mean() > 0.01, liquid
        out[liquid] = _mean_hsv(img, mask)
    return out


@pytest.mark.parametrize("liquid", sorted(FAMILIES))
def test_each_liquid_falls_in_its_colour_family(pools, liquid):
    hue, sat, value = pools[liquid]
    hues, least_sat, values = FAMILIES[liquid]
    if hues is not None:
        assert _in_hues(hue, *hues), f"{liquid}: hue {hue:.0f}"
    assert sat >= least_sat, f"{liquid}: saturation {sat:.2f}"
    assert values[0] <= value <= values[1], f"{liquid}: value {value:.2f}"


def test_milk_is_the_whitest_and_ink_the_darkest(pools):
    assert pools["milk"][1] < 0.12 and pools["milk"][2] == max(v for _, _, v in pools.values())
    assert pools["ink"][2] == min(v for _, _, v in pools.values())


def test_water_is_clear_where_milk_is_opaque(shot):
    """Through a water pool the floor keeps its hue; a milk pool turns it white."""
    clear = shot(liquid="none", **SCENE)
    milk = shot(liquid="milk", liquid__form="pool", **SCENE)
    water = shot(liquid="water", liquid__form="pool", **SCENE)
    pool = liquid_mask(milk, clear)
    floor_hue, floor_sat, _ = _mean_hsv(clear, pool)
    water_hue, water_sat, _ = _mean_hsv(water, pool)
    assert abs(water_hue - floor_hue) < 20 and water_sat > 0.5 * floor_sat
    assert _mean_hsv(milk, pool)[1] < 0.5 * floor_sat


@pytest.mark.parametrize("form", ["pour", "splash", "pool"])
def test_viscosity_changes_the_silhouette(shot, form):
    clear = shot(liquid="none", **SCENE)
    thin = liquid_mask(shot(liquid="paint", liquid__form=form, liquid__viscosity=0.001, **SCENE), clear)
    thick = liquid_mask(shot(liquid="paint", liquid__form=form, liquid__viscosity=50.0, **SCENE), clear)
    iou = (thin & thick).sum() / max((thin | thick).sum(), 1)
    assert iou < 0.75, f"{form}: silhouettes overlap {iou:.2f}"

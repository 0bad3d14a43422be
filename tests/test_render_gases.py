"""Each gas carries its visual signature, measured on tiny real renders against the same scene
without the gas: flame-coloured pixels for fire and explosions, lumpy structure (not a uniform
veil) for smoke and clouds, thin bright streaks for steam, a depth gradient for fog, a ground
layer for mist; gas.density changes the strength but never hides the subject."""

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.render_fixtures import GALLERY_SCENE, GALLERY_SIZE, box_blur, cached_renderer, centre, gallery_shots, luminance  # noqa: E402

SIZE, SCENE = GALLERY_SIZE, GALLERY_SCENE


@pytest.fixture(scope="module")
def shot(tmp_path_factory):
    return gallery_shots(tmp_path_factory, "gases")


def flame_pixels(img: np.ndarray) -> np.ndarray:
    """Bright pixels whose red is well above their blue: fire's colours, not daylight's."""
    return (img.max(axis=2) > 0.55) & (img[..., 0] > img[..., 2] + 0.3)


def structure(img: np.ndarray, clear: np.ndarray) -> float:
    """How lumpy the gas's change to the picture is: the high-pass part of its luminance change
    (change minus its 5x5 local mean) relative to the change, over the pixels it changes, away
    from the scene's own edges (where even a uniform veil changes abruptly)."""
    change = luminance(img) - luminance(clear)
    y = luminance(clear)
    edges = box_blur((np.abs(np.gradient(y)[0]) + np.abs(np.gradient(y)[1]) > 0.03).astype(float), 1) > 0
    touched = (np.abs(change) > 0.02) & ~edges
    if touched.sum() < 10:
        return 0.0
    return float(np.abs(change - box_blur(change, 2))[touched].mean() / np.abs(change)[touched].mean())


@pytest.mark.parametrize("gas", ["fire", "explosion"])
def test_fire_and_explosions_show_flame_coloured_pixels(shot, gas):
    clear = flame_pixels(shot(gas="none", **SCENE)).mean()
    burning = flame_pixels(shot(gas=gas, gas__density=0.7, **SCENE)).mean()
    assert clear < 0.002
    assert burning > 0.02, f"{gas}: {burning:.3%} flame-coloured pixels"


def test_fire_shows_at_the_default_framing_too(shot):
    """At the registry's default camera (the subject filling most of the frame) the flames
    still show around it."""
    assert flame_pixels(shot(gas="fire", gas__density=0.7, scene__background="floor")).mean() > 0.01


def test_fire_is_yellow_white_in_its_core_and_red_at_its_tips(shot):
    """The blackbody colour follows the heat: the flame's brightest pixels are yellow-white
    (green close to red), its dim tips orange-red (green well below red)."""
    clear, fire = shot(gas="none", **SCENE), shot(gas="fire", gas__density=0.7, **SCENE)
    flame = (np.abs(fire - clear).sum(axis=2) > 0.25) & (fire[..., 0] > fire[..., 2] + 0.15)
    y, g_over_r = luminance(fire)[flame], fire[..., 1][flame] / np.maximum(fire[..., 0][flame], 1e-3)
    order = np.argsort(y)
    n = len(order)
    assert n > 20
    hot, tips = g_over_r[order[-n // 5:]].mean(), g_over_r[order[: n * 2 // 5]].mean()
    assert hot > 0.8 and hot > tips + 0.1, f"core g/r {hot:.2f}, tips g/r {tips:.2f}"


def test_fire_lights_the_scene(shot):
    """The floor beside and in front of the flames (the frame's lower right quarter, flame
    pixels left out) takes their warm light."""
    clear, fire = shot(gas="none", **SCENE), shot(gas="fire", gas__density=0.7, **SCENE)
    h, w = fire.shape[:2]
    lit = np.zeros((h, w), bool)
    lit[h * 3 // 4 :, w // 2 :] = True
    lit &= np.abs(fire - clear).sum(axis=2) < 0.6
    warmth = lambda img: (img[..., 0] - img[..., 2])[lit].mean()  # noqa: E731
    assert warmth(fire) > warmth(clear) + 0.03


def saturated_flame_pixels(img: np.ndarray) -> np.ndarray:
    """Pixels of a saturated orange-yellow: bright red, blue well under it relative to the red
    (a pale pink or peach glow over a bright backdrop is not one)."""
    r, b = img[..., 0], img[..., 2]
    return (r > 0.5) & ((r - b) / np.maximum(r, 1e-3) > 0.55)


@pytest.mark.parametrize("setup", ["studio.three_point", "natural.noon"])
def test_fire_reads_as_saturated_flames_on_a_bright_sweep(shot, setup):
    """Against the bright studio sweep the flames are saturated orange-yellow, not a pale haze:
    their soot makes the body opaque, so their own glow (not the backdrop) gives their colour."""
    view = dict(SCENE, scene__background="studio_sweep", lighting__setup=setup)
    clear = saturated_flame_pixels(shot(gas="none", **view))
    fire = saturated_flame_pixels(shot(gas="fire", gas__density=0.7, **view))
    assert clear.mean() < 0.002
    assert (fire & ~clear).mean() > 0.01, f"{setup}: {(fire & ~clear).mean():.2%} saturated flame pixels"


def test_fire_at_night_is_metered_on_its_flames(tmp_path):
    """Night metering (+2.5 EV) would expose the flames past white; metered on their core
    (from_row.metered_on_glow) they stay saturated orange tongues in the dark."""
    from psynth_render.scene.describe import describe
    from tests.render_fixtures import make_row, make_spec, render_array

    tax = default_taxonomy()
    row = make_row(tax, seed=5, gas="fire", gas__density=0.7, lighting__setup="natural.night", **SCENE)
    desc = describe(row, make_spec(tax, size=SIZE, samples=16), tax)
    assert desc.lighting.metering_ev < 1.0
    metered = saturated_flame_pixels(render_array(desc, tmp_path / "metered.png")).mean()
    desc.lighting.metering_ev = 2.5  # the setup's own metering
    full = saturated_flame_pixels(render_array(desc, tmp_path / "full.png")).mean()
    # measured: 18% of the frame saturated flame metered on the flames, 7.9% at the setup's metering
    assert metered > 0.1 and metered > 1.6 * full, (metered, full)


@pytest.mark.parametrize("gas", ["smoke", "cloud", "colored_smoke", "steam"])
def test_smoke_and_clouds_have_structure_not_a_uniform_veil(shot, gas):
    clear = shot(gas="none", **SCENE)
    fog = structure(shot(gas="fog", gas__density=0.7, **SCENE), clear)
    lumpy = structure(shot(gas=gas, gas__density=0.7, **SCENE), clear)
    assert lumpy > 2.0 * fog, f"{gas}: structure {lumpy:.4f} vs fog {fog:.4f}"


def test_smoke_rises_above_the_subject(shot):
    """A plume changes the top third of the frame (above the subject) more than the bottom."""
    change = np.abs(shot(gas="smoke", gas__density=0.7, **SCENE) - shot(gas="none", **SCENE)).sum(axis=2)
    third = change.shape[0] // 3
    assert change[:third].mean() > 1.5 * change[-third:].mean()


def test_fog_thickens_with_depth(shot):
    """Looking down on the floor (near at the bottom of the frame, far at the top), fog
    changes the far floor more than the near floor."""
    view = {"scene__background": "floor", "camera__angle": "high_angle", "camera__distance": 6.0}
    change = np.abs(shot(gas="fog", gas__density=0.6, **view) - shot(gas="none", **view)).sum(axis=2)
    rows = change.mean(axis=1)
    quarter = len(rows) // 4
    assert rows[:quarter].mean() > 1.3 * rows[-quarter:].mean()


def test_mist_hugs_the_ground(shot):
    change = np.abs(shot(gas="mist", gas__density=0.7, **SCENE) - shot(gas="none", **SCENE)).sum(axis=2)
    third = change.shape[0] // 3
    assert change[-third:].mean() > 3.0 * change[:third].mean()


@pytest.mark.parametrize("gas", ["smoke", "fog", "cloud", "fire", "steam", "mist", "explosion", "colored_smoke",
                                 "magic_glow", "dust", "haze"])
def test_density_changes_strength_but_never_hides_the_subject(shot, gas):
    clear = shot(gas="none", **SCENE)
    thin = np.abs(shot(gas=gas, gas__density=0.2, **SCENE) - clear).mean()
    thick_img = shot(gas=gas, gas__density=1.0, **SCENE)
    thick = np.abs(thick_img - clear).mean()
    assert thick > 1.3 * thin, f"{gas}: density 0.2 -> {thin:.4f}, 1.0 -> {thick:.4f}"
    subject = np.abs(centre(thick_img, 0.2) - centre(clear, 0.2)).mean()
    assert subject < 0.3, f"{gas}: the subject changes by {subject:.3f} at density 1"


def _saturation(img: np.ndarray) -> np.ndarray:
    return img.max(axis=2) - img.min(axis=2)


def test_haze_veils_the_distance_and_greys_it_but_not_the_subject(shot):
    """Aerial perspective: haze changes the far background several times more than the subject
    (which stays clear), and the far floor it veils loses colour."""
    clear, hazy = shot(gas="none", **SCENE), shot(gas="haze", gas__density=0.7, **SCENE)
    change = np.abs(hazy - clear).sum(axis=2)
    far = change[: SIZE // 4].mean()  # the top rows: the far floor and the wall behind
    subject = np.abs(centre(hazy, 0.2) - centre(clear, 0.2)).sum(axis=2).mean()
    assert far > 0.15, f"the distance changes by {far:.3f}"
    assert far > 3 * subject, f"far {far:.3f} vs subject {subject:.3f}"
    floor = (_saturation(clear) > 0.08)  # the coloured floor, beside the subject
    floor[: SIZE // 4] = False
    floor[:, SIZE // 4: 3 * SIZE // 4] = False
    rows = np.nonzero(floor.any(axis=1))[0]
    far_floor = floor & (np.arange(SIZE)[:, None] < np.median(rows))  # its farther half
    assert far_floor.sum() > 10
    assert _saturation(hazy)[far_floor].mean() < 0.7 * _saturation(clear)[far_floor].mean()


@pytest.fixture(scope="module")
def fine_shot(tmp_path_factory):
    """A 96 px render of the gallery scene: dust motes are a pixel or two across."""
    return cached_renderer(default_taxonomy(), tmp_path_factory.mktemp("dust"), size=96, samples=16, **SCENE)


def test_dust_is_fine_specks_not_an_even_veil(fine_shot):
    """Dust's change to the picture is grainy: its fine (high-pass) part is a larger share of
    the change than for fog and haze, which are smooth veils."""
    clear = fine_shot(gas="none")
    dust = structure(fine_shot(gas="dust", gas__density=0.4), clear)
    veils = [structure(fine_shot(gas=gas, gas__density=0.4), clear) for gas in ("fog", "haze")]
    assert dust > 1.5 * max(veils), f"dust {dust:.3f} vs fog, haze {veils}"

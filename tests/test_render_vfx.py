"""Textures, liquids, gases, post-processing, styles and colour move the picture the way they
should, measured on tiny real renders (32-40 px, Cycles with a few samples and a shared seed,
or Workbench where only the silhouette matters). The coverage table at the end maps every
registry axis and every concept family to the pixel tests that prove it.
"""

import colorsys
import itertools

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from psynth_render.scene import NOT_YET_RENDERED, RENDERED_AXES  # noqa: E402
from psynth_render.scene.describe import describe  # noqa: E402
from psynth_render.scene.build.fluids import liquid_mesh, thickness_of  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.render_fixtures import (  # noqa: E402
    LEGACY_DISTANCE,
    centre, high_frequency, luminance, make_row, make_spec, render_array, silhouette,
)

SIZE = 36


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


@pytest.fixture(scope="module")
def shot(tax, tmp_path_factory):
    """shot(size=..., samples=..., edit=fn(desc), **axis overrides) -> float RGB array."""
    folder = tmp_path_factory.mktemp("vfx")
    counter = iter(range(10_000))

    def render(size=SIZE, samples=6, seed=1, edit=None, engine=None, **overrides):
        overrides.setdefault("camera__distance", LEGACY_DISTANCE)  # these tests predate framing
        if engine is not None:
            overrides["render__engine"] = engine
        desc = describe(make_row(tax, seed=seed, **overrides), make_spec(tax, size=size, samples=samples), tax)
        desc.render.denoise = False
        if edit is not None:
            edit(desc)
        return render_array(desc, folder / f"{next(counter)}.png")

    return render


def solid(shot, **overrides):
    """A Workbench silhouette on the void background (cheap, noise-free)."""
    return silhouette(shot(engine="solid", scene__background="void", **overrides))


def _erode(mask, steps=1):
    for _ in range(steps):
        inner = np.zeros_like(mask)
        inner[1:-1, 1:-1] = mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
        mask = inner
    return mask


def _dilate(mask, steps=1):
    return ~_erode(~mask, steps)


def saturation(img):
    mx, mn = img.max(axis=2), img.min(axis=2)
    return np.where(mx > 1e-6, (mx - mn) / np.maximum(mx, 1e-6), 0.0)


def red_over_blue(img):
    return img[..., 0].mean() / max(img[..., 2].mean(), 1e-6)


def distinct_colours(img, levels=32):
    q = np.round(img * (levels - 1)).astype(int)
    return len({tuple(p) for p in q.reshape(-1, 3)})


def leaves(tax, domain):
    return [full[len(domain) + 1:] for full in tax.leaves(domain)]


# ---------------------------------------------------------------- textures
def _texture_energy(img, plain):
    """Spread of the subject's colour relative to the plain render (the shading divided out):
    what a pattern adds to the surface."""
    ratio = centre(img, 0.5) / np.maximum(centre(plain, 0.5), 0.02)
    return float(ratio.std(axis=(0, 1)).mean())


def test_each_texture_pattern_adds_texture_energy(shot, tax):
    view = {"material": "plastic.matte", "scene__background": "void", "texture__scale": 6.0, "samples": 12}
    plain = shot(texture__pattern="none", **view)  # same seed: the noise divides out
    weak = []
    for pattern in leaves(tax, "textures"):
        if pattern == "none":
            continue
        energy = _texture_energy(shot(texture__pattern=pattern, **view), plain)
        if energy < 0.02:
            weak.append((pattern, round(energy, 3)))
    assert not weak, f"patterns that leave the surface plain: {weak}"


def test_texture_scale_raises_the_pattern_frequency(shot):
    view = {"texture__pattern": "procedural.checker", "material": "plastic.matte", "scene__background": "void",
            "texture__mapping": "object"}
    coarse = high_frequency(centre(shot(texture__scale=2.0, **view), 0.6))
    fine = high_frequency(centre(shot(texture__scale=14.0, **view), 0.6))
    assert fine > 2 * coarse


def test_each_mapping_projects_the_pattern_differently(shot, tax):
    view = {"texture__pattern": "procedural.checker", "material": "plastic.matte", "scene__background": "void",
            "texture__scale": 4.0, "geometry__shape": "primitives.cube", "geometry__rotation": 30.0}
    images = {m: centre(shot(texture__mapping=m, **view), 0.7) for m in leaves(tax, "mappings")}
    same = [(a, b) for a, b in itertools.combinations(images, 2) if np.abs(images[a] - images[b]).mean() < 0.02]
    assert not same, f"mappings that project alike: {same}"


def test_toon_ramp_texture_steps_into_few_colours(shot):
    view = {"material": "plastic.matte", "scene__background": "void", "lighting__setup": "studio.high_key"}
    ramp = centre(shot(texture__pattern="stylized.toon_ramp", edit=_flat_light, **view), 0.5)
    smooth = centre(shot(texture__pattern="procedural.gradient", edit=_flat_light, **view), 0.5)
    assert distinct_colours(ramp, 16) < distinct_colours(smooth, 16)


def _flat_light(desc):
    """Emission-lit subject: the pattern's own colours, without shading."""
    desc.subject.material.emission_color, desc.subject.material.emission_strength = (1.0, 1.0, 1.0), 0.0


# ---------------------------------------------------------------- liquids
def test_a_liquid_adds_a_body_around_the_subject(shot):
    view = {"camera__angle": "high_angle", "camera__distance": 6.0}
    dry = solid(shot, liquid="none", **view)
    wet = solid(shot, liquid="water", liquid__form="pool", **view)
    assert wet.sum() > dry.sum() * 1.3


def test_honey_piles_where_water_spreads(shot):
    view = {"camera__angle": "high_angle", "camera__distance": 6.0, "liquid__form": "pool"}
    water = solid(shot, liquid="water", **view)
    honey = solid(shot, liquid="honey", **view)
    assert water.sum() > honey.sum() * 1.2
    # the viscosity axis, not the liquid's name, drives the shape: thick water piles like honey
    thick_water = solid(shot, liquid="water", liquid__viscosity=10.0, **view)
    assert abs(int(thick_water.sum()) - int(honey.sum())) < 0.1 * honey.sum()


def test_viscosity_shapes_the_geometry():
    """The procedural model: thin liquids splash higher, ripple more and spread wider."""
    form = {"extent": 1.2, "height": 0.8, "droplets": 40, "thickness": 0.03, "rings": 8, "amplitude": 0.03,
            "stream_radius": 0.08}

    def top(name, viscosity):
        mesh = liquid_mesh(dict(form, form=name), viscosity, -1.0, 1)
        return max(v[2] for v in mesh["verts"])

    def spread(name, viscosity):
        mesh = liquid_mesh(dict(form, form=name), viscosity, -1.0, 1)
        return max(abs(v[0]) for v in mesh["verts"])

    assert thickness_of(0.001) == 0.0 and thickness_of(10.0) == 1.0
    assert top("splash", 0.001) > top("splash", 10.0) + 0.3
    assert top("ripple", 0.001) > top("ripple", 10.0)
    assert spread("pool", 0.001) > spread("pool", 10.0) * 1.4
    assert top("pool", 10.0) > top("pool", 0.001)  # honey piles up


def test_each_liquid_form_has_its_own_silhouette(shot, tax):
    view = {"camera__angle": "high_angle", "camera__distance": 6.0, "liquid": "paint"}
    masks = {f: solid(shot, liquid__form=f, **view) for f in leaves(tax, "liquid_forms")}
    alike = [(a, b) for a, b in itertools.combinations(masks, 2) if (masks[a] ^ masks[b]).mean() < 0.01]
    assert not alike, f"forms with the same silhouette: {alike}"


def _pool_region(shot, liquid="water"):
    view = {"camera__angle": "high_angle", "camera__distance": 6.0}
    dry = solid(shot, liquid="none", **view)
    wet = solid(shot, liquid=liquid, liquid__form="pool", **view)
    return wet & ~dry


def test_milk_scatters_where_water_shows_the_floor(shot):
    region = _pool_region(shot)
    view = {"camera__angle": "high_angle", "camera__distance": 6.0, "liquid__form": "pool",
            "scene__background": "floor", "samples": 12}
    milk = shot(liquid="milk", **view)
    water = shot(liquid="water", **view)
    floor = shot(liquid="none", **view)
    lum = lambda img: luminance(img)[region].mean()  # noqa: E731
    assert lum(milk) > lum(floor) + 0.08  # a bright scattering body, not the floor seen through
    assert lum(milk) > lum(water) + 0.2  # clear water shows the floor and the dark world it mirrors


def test_liquid_colours_follow_their_absorption(shot):
    view = {"camera__angle": "high_angle", "camera__distance": 6.0, "liquid__form": "pool",
            "scene__background": "floor", "samples": 12, "color__mood": "muted"}

    def rb(liquid):
        region = _pool_region(shot, liquid)
        img = shot(liquid=liquid, **view)
        return img[..., 0][region].mean() / max(img[..., 2][region].mean(), 1e-6)

    water = rb("water")
    assert rb("wine") > water * 1.08
    assert rb("oil") > water * 1.05
    assert rb("honey") > water * 1.15


# ---------------------------------------------------------------- gases
def test_fog_lowers_contrast(shot):
    """Fog pulls the subject and the background toward the same veil."""
    view = {"camera__distance": 5.0, "scene__background": "dark_sweep"}
    subject = solid(shot, camera__distance=5.0)

    def contrast(img):
        y = luminance(img)
        return abs(y[subject].mean() - y[~subject].mean())

    assert contrast(shot(gas="fog", gas__density=0.8, **view)) < 0.7 * contrast(shot(gas="none", **view))


def test_denser_smoke_covers_more_of_the_scene(shot):
    """Smoke rises behind and beside the subject (never hiding it); more of it covers more of
    the scene around the subject."""
    view = {"camera__distance": 5.0}
    clear = shot(gas="none", **view)
    subject = solid(shot, **view)

    def covered(density):
        img = shot(gas="smoke", gas__density=density, **view)
        return (np.abs(img - clear).sum(axis=2) > 0.1)[~subject].mean()

    thin, thick = covered(0.15), covered(0.9)
    assert thick > thin + 0.05


def test_fire_brightens_and_warms(shot):
    view = {"camera__distance": 5.0, "scene__background": "dark_sweep"}
    dark = shot(gas="none", **view)
    fire = shot(gas="fire", gas__density=0.8, **view)
    assert luminance(fire).mean() > luminance(dark).mean() + 0.02
    assert red_over_blue(fire) > red_over_blue(dark) * 1.1


def test_every_gas_shows_and_density_zero_is_clear_air(shot, tax):
    view = {"camera__distance": 5.0, "samples": 4, "size": 32}
    clear = shot(gas="none", **view)
    faint = []
    for gas in leaves(tax, "gases"):
        if gas == "none":
            continue
        if np.abs(shot(gas=gas, gas__density=0.0, **view) - clear).mean() > 0.005:
            faint.append((gas, "density 0 is not clear"))
        if np.abs(shot(gas=gas, gas__density=0.9, **view) - clear).mean() < 0.01:
            faint.append((gas, "invisible"))
    assert not faint, faint


# ---------------------------------------------------------------- post-processing
def test_vignette_darkens_the_corners_relative_to_the_centre(shot):
    view = {"scene__background": "studio_sweep", "lighting__setup": "studio.high_key"}

    def corners_over_centre(img):
        y = luminance(img)
        k = SIZE // 6
        corners = np.concatenate([y[:k, :k].ravel(), y[:k, -k:].ravel(), y[-k:, :k].ravel(), y[-k:, -k:].ravel()])
        return corners.mean() / luminance(centre(img, 0.3)).mean()

    assert corners_over_centre(shot(post__vignette=1.0, **view)) < 0.8 * corners_over_centre(shot(**view))


def test_grain_raises_high_frequency_energy(shot):
    view = {"samples": 16}
    assert high_frequency(shot(post__grain=1.0, **view)) > 2 * high_frequency(shot(post__grain=0.0, **view))


def test_chromatic_aberration_separates_the_channels_at_edges(shot):
    view = {"scene__background": "void", "style": "stylized.clay", "lighting__setup": "studio.high_key",
            "camera__distance": 4.0, "samples": 12}
    subject = solid(shot, camera__distance=4.0)
    edge = _dilate(subject, 2) & ~_erode(subject, 2)

    def fringe(img):
        return np.abs(img[..., 0] - img[..., 2])[edge].mean()

    assert fringe(shot(post__chromatic_aberration=1.0, **view)) > 2 * fringe(shot(**view)) + 0.004


def test_bloom_spreads_light_around_bright_areas(shot):
    view = {"scene__background": "void", "material": "plastic.glossy", "camera__distance": 5.0, "samples": 8}
    mask = solid(shot, camera__distance=5.0)
    def glow(desc):
        desc.subject.material.emission_color, desc.subject.material.emission_strength = (1.0, 1.0, 1.0), 6.0
    plain = luminance(shot(edit=glow, **view))
    bloom = luminance(shot(edit=glow, post__bloom=1.0, **view))
    ring = ~mask
    ring[: SIZE // 8] = ring[-SIZE // 8 :] = False
    assert bloom[ring].mean() > plain[ring].mean() + 0.03


def _hsv(img):
    flat = img.reshape(-1, 3)
    return np.array([colorsys.rgb_to_hsv(*p) for p in flat])


def test_grades_shift_colour_as_named(shot, tax):
    view = {"scene__background": "studio_sweep", "lighting__setup": "studio.three_point", "samples": 12}
    neutral = shot(post__grade="neutral", **view)
    graded = {g: shot(post__grade=g, **view) for g in leaves(tax, "post.grades") if g != "neutral"}
    sat = lambda img: saturation(img).mean()  # noqa: E731
    spread = lambda img: np.percentile(luminance(img), 97) - np.percentile(luminance(img), 3)  # noqa: E731
    assert red_over_blue(graded["sepia"]) > red_over_blue(neutral) * 1.1  # sepia warms...
    assert sat(graded["sepia"]) < sat(neutral) + 0.05 or sat(graded["noir"]) < 0.02  # ...and is a monotone
    assert sat(graded["noir"]) < 0.3 * sat(neutral)
    assert sat(graded["bleach_bypass"]) < 0.8 * sat(neutral)  # bleach bypass desaturates
    assert spread(graded["high_contrast"]) > spread(neutral) * 1.1  # widens the histogram
    assert red_over_blue(graded["warm"]) > red_over_blue(neutral) > red_over_blue(graded["cool"])
    assert luminance(graded["day_for_night"]).mean() < 0.95 * luminance(neutral).mean()
    assert red_over_blue(graded["day_for_night"]) < red_over_blue(neutral)
    assert np.percentile(luminance(graded["matte"]), 3) > np.percentile(luminance(neutral), 3)  # raised blacks
    unchanged = [g for g, img in graded.items() if np.abs(img - neutral).mean() < 0.01]
    assert not unchanged, unchanged


# ---------------------------------------------------------------- styles
def test_toon_reduces_the_number_of_distinct_colours(shot):
    view = {"material": "plastic.matte", "scene__background": "void", "samples": 12}
    photo = distinct_colours(shot(style="photoreal", **view))
    for style in ("npr.toon", "cartoon", "anime"):
        assert distinct_colours(shot(style=style, **view)) < 0.6 * photo, style


def _dark_thin_lines(img):
    """Share of very dark pixels, and the share of them that survive a 1-px erosion (thin)."""
    dark = luminance(img) < 0.35
    core = dark[1:-1, 1:-1] & dark[:-2, 1:-1] & dark[2:, 1:-1] & dark[1:-1, :-2] & dark[1:-1, 2:]
    return dark.mean(), core.sum() / max(dark.sum(), 1)


def test_sketch_and_ink_draw_dark_thin_lines(shot):
    view = {"material": "plastic.matte", "lighting__setup": "studio.high_key", "size": 48, "samples": 8}
    photo_dark, _ = _dark_thin_lines(shot(style="photoreal", **view))
    for style in ("npr.sketch", "npr.ink", "cartoon", "anime"):
        dark, thick_share = _dark_thin_lines(shot(style=style, **view))
        assert dark > photo_dark + 0.02, style
        assert thick_share < 0.5, style  # lines, not filled areas


def test_sketch_drains_colour_onto_paper(shot):
    view = {"material": "plastic.matte", "lighting__setup": "studio.high_key"}
    assert saturation(shot(style="npr.sketch", **view)).mean() < 0.5 * saturation(shot(**view)).mean()


def test_clay_makes_every_material_one_matte_grey(shot):
    view = {"scene__background": "void", "lighting__setup": "studio.high_key"}
    gold = centre(shot(material="metal.gold", style="stylized.clay", **view), 0.4)
    denim = centre(shot(material="fabric.denim", style="stylized.clay", **view), 0.4)
    assert np.abs(gold.mean(axis=(0, 1)) - denim.mean(axis=(0, 1))).max() < 0.04
    assert saturation(gold).mean() < 0.15


def test_low_poly_facets_the_surface(shot):
    """Flat-shaded facets: the shading jumps from facet to facet, where a smooth subject
    shades in a gradient of tiny steps."""
    view = {"engine": "solid", "scene__background": "void", "size": 48}

    def jumps(img):
        y = luminance(centre(img, 0.5))
        return float(np.percentile(np.abs(np.diff(y, axis=1)), 95))

    assert jumps(shot(style="stylized.low_poly", **view)) > 2 * jumps(shot(style="photoreal", **view))


def test_wireframe_and_pixel_art(shot):
    view = {"camera__distance": 3.0, "size": 48, "geometry__shape": "primitives.cube"}
    assert solid(shot, style="stylized.wireframe", **view).sum() < 0.6 * solid(shot, **view).sum()
    img = shot(style="stylized.pixel_art", size=48, samples=8)
    same_as_right = (np.abs(img[:, 1:] - img[:, :-1]).sum(axis=2) < 1e-6).mean()
    photo = shot(size=48, samples=8)
    assert same_as_right > (np.abs(photo[:, 1:] - photo[:, :-1]).sum(axis=2) < 1e-6).mean() + 0.15


def test_anime_rim_light_brightens_the_silhouette_edge(shot):
    view = {"material": "plastic.matte", "scene__background": "void", "size": 48}
    mask = solid(shot, size=48)
    inner = mask[2:-2, 2:-2] & mask[:-4, 2:-2] & mask[4:, 2:-2] & mask[2:-2, :-4] & mask[2:-2, 4:]
    edge = mask.copy()
    edge[2:-2, 2:-2] &= ~inner
    def no_rim(desc):
        desc.style.rim_strength = 0.0
    rim = luminance(shot(style="anime", **view))
    plain = luminance(shot(style="anime", edit=no_rim, **view))
    assert rim[edge].mean() > plain[edge].mean() + 0.02


# ---------------------------------------------------------------- colour
def _hue_peaks(img, mask):
    """The two strongest hue-histogram peaks (degrees) among saturated pixels in `mask`."""
    hsv = _hsv(img)[mask.ravel()]
    hues = hsv[:, 0][hsv[:, 1] > 0.15] * 360
    hist, edges = np.histogram(hues, bins=24, range=(0, 360))
    order = np.argsort(hist)[::-1]
    first = order[0]
    second = next(i for i in order[1:] if min(abs(i - first), 24 - abs(i - first)) > 2)
    return (edges[first] + 7.5, edges[second] + 7.5)


def _hue_gap(a, b):
    d = abs(a - b) % 360
    return min(d, 360 - d)


def test_complementary_palette_puts_hue_peaks_180_degrees_apart(shot):
    view = {"material": "plastic.matte", "scene__background": "studio_sweep", "color__base_hue": 30.0,
            "camera__distance": 4.0, "samples": 8}
    everything = np.ones((SIZE, SIZE), bool)
    comp = _hue_gap(*_hue_peaks(shot(color__harmony="complementary", **view), everything))
    analogous = _hue_gap(*_hue_peaks(shot(color__harmony="analogous", **view), everything))
    assert abs(comp - 180) <= 35
    assert analogous <= 75


def test_base_hue_turns_the_subject_colour(shot):
    view = {"material": "plastic.matte", "scene__background": "void", "color__harmony": "monochromatic"}
    red = centre(shot(color__base_hue=0.0, **view), 0.4).mean(axis=(0, 1))
    green = centre(shot(color__base_hue=120.0, **view), 0.4).mean(axis=(0, 1))
    assert red[0] > red[1] + 0.05 and green[1] > green[0] + 0.05


def test_moods_shift_temperature_saturation_and_value(shot):
    view = {"material": "plastic.matte", "scene__background": "studio_sweep", "samples": 8}
    neutral = shot(color__mood="neutral", **view)
    warm, pastel, muted = (shot(color__mood=m, **view) for m in ("warm", "pastel", "muted"))
    assert red_over_blue(warm) > red_over_blue(neutral) * 1.05
    assert saturation(pastel).mean() < 0.8 * saturation(neutral).mean()
    assert luminance(pastel).mean() > luminance(neutral).mean()
    assert saturation(muted).mean() < 0.8 * saturation(neutral).mean()


# ---------------------------------------------------------------- scene code
def test_builder_modules_define_each_name_once():
    """The standalone script concatenates the scene model and builder modules: a top-level name
    defined in two of them would silently replace the first."""
    import ast

    from psynth_render.scene import SCRIPT_MODULES, module_path

    owners = {}
    clashes = []
    for module in SCRIPT_MODULES:
        for node in ast.parse(module_path(module).read_text()).body:
            names = [node.name] if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else [
                t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
            for name in names:
                if name in owners and owners[name] != module:
                    clashes.append((name, owners[name], module))
                owners[name] = module
    assert not clashes, clashes


# ---------------------------------------------------------------- coverage
AXIS_TESTS = {
    "texture.pattern": ["test_each_texture_pattern_adds_texture_energy", "test_toon_ramp_texture_steps_into_few_colours"],
    "texture.scale": ["test_texture_scale_raises_the_pattern_frequency"],
    "texture.mapping": ["test_each_mapping_projects_the_pattern_differently"],
    "liquid": ["test_a_liquid_adds_a_body_around_the_subject", "test_milk_scatters_where_water_shows_the_floor",
               "test_liquid_colours_follow_their_absorption"],
    "liquid.viscosity": ["test_honey_piles_where_water_spreads", "test_viscosity_shapes_the_geometry"],
    "liquid.form": ["test_each_liquid_form_has_its_own_silhouette"],
    "gas": ["test_fog_lowers_contrast", "test_fire_brightens_and_warms", "test_every_gas_shows_and_density_zero_is_clear_air"],
    "gas.density": ["test_denser_smoke_covers_more_of_the_scene"],
    "post.bloom": ["test_bloom_spreads_light_around_bright_areas"],
    "post.vignette": ["test_vignette_darkens_the_corners_relative_to_the_centre"],
    "post.grain": ["test_grain_raises_high_frequency_energy"],
    "post.chromatic_aberration": ["test_chromatic_aberration_separates_the_channels_at_edges"],
    "post.grade": ["test_grades_shift_colour_as_named"],
    "style": ["test_toon_reduces_the_number_of_distinct_colours", "test_sketch_and_ink_draw_dark_thin_lines"],
    "color.harmony": ["test_complementary_palette_puts_hue_peaks_180_degrees_apart"],
    "color.base_hue": ["test_base_hue_turns_the_subject_colour"],
    "color.mood": ["test_moods_shift_temperature_saturation_and_value"],
    "camera.focal_length": ["test_render_axes::test_longer_focal_length_enlarges_the_subject"],
    "camera.fstop": ["test_render_axes::test_smaller_fstop_blurs_more"],
    "camera.dof": ["test_render_axes::test_dof_blurs_the_background"],
    "camera.angle": ["test_render_axes::test_high_angle_sees_floor_where_eye_level_sees_the_world",
                     "test_render_axes::test_dutch_angle_rolls_the_horizon"],
    "camera.distance": ["test_render_axes::test_distance_shrinks_the_subject"],
    "camera.movement": ["test_render_axes::test_movement_still_uses_the_end_pose"],
    "camera.framing": ["test_framing::test_medium_framing_keeps_the_subject_in_its_band_across_focal_lengths",
                       "test_framing::test_every_framing_is_met_by_every_flat_lens"],
    "camera.lens": ["test_render_axes::test_fisheye_blacks_the_corners_and_panorama_shrinks_the_subject",
                    "test_render_axes::test_orthographic_ignores_focal_length"],
    "lighting.setup": ["test_render_axes::test_lighting_setup_high_key_is_brighter_than_low_key"],
    "lighting.kelvin": ["test_render_axes::test_warmer_kelvin_raises_red_over_blue"],
    "lighting.exposure": ["test_render_axes::test_exposure_plus_two_brightens"],
    "lighting.key_azimuth": ["test_render_axes::test_key_azimuth_moves_the_bright_side"],
    "lighting.hdri_rotation": ["test_hdri::test_hdri_rotation_turns_the_background_and_strength_brightens"],
    "lighting.hdri_strength": ["test_hdri::test_hdri_rotation_turns_the_background_and_strength_brightens"],
    "lighting.hdri": ["test_hdri_catalog::test_the_worker_renders_the_drawn_environment_and_records_it"],
    "material": ["test_render_axes::test_material_gold_is_warm_and_metal_has_highlights"],
    "material.roughness": ["test_render_axes::test_roughness_spreads_the_highlight"],
    "material.ior": ["test_render_axes::test_ior_bends_the_background_through_glass"],
    "material.subsurface": ["test_render_axes::test_subsurface_reddens_skin"],
    "geometry.shape": ["test_render_axes::test_geometry_shape_changes_the_silhouette"],
    "geometry.subdivision": ["test_render_axes::test_subdivision_rounds_the_silhouette"],
    "geometry.rotation": ["test_render_axes::test_rotation_turns_a_non_symmetric_subject"],
    "geometry.asset": ["test_assets_render::test_every_format_imports_normalised_upright_and_resting"],
    "geometry.detail": ["test_procedural_meshes::test_detail_and_proportion_change_the_picture"],
    "geometry.proportion": ["test_procedural_meshes::test_detail_and_proportion_change_the_picture"],
    "render.engine": ["test_render_axes::test_each_engine_renders_the_subject"],
    "render.samples": ["test_render_axes::test_more_samples_less_noise"],
    "scene.background": ["test_render_axes::test_background_changes_the_border"],
    "scene.objects": ["test_multi_object_render::test_every_object_is_framed_and_visible_and_renders_repeat_exactly"],
    "scene.arrangement": ["test_stacking::test_stacking_changes_the_picture"],
    "geometry.topology": ["test_generator_axes::test_topology_shows_in_a_wireframe_render"],
    "geometry.subdivision_type": ["test_generator_axes::test_subdivision_scheme_rounds_or_keeps_the_shape"],
    **{axis: ["test_generator_axes::test_generator_axes_change_the_picture"] for axis in (
        "geometry.neck_width", "geometry.rock_roughness", "geometry.crystal_count", "geometry.crystal_facets",
        "geometry.leg_count", "geometry.back_height", "geometry.branching", "geometry.gear_teeth",
        "geometry.terrain_amplitude", "geometry.scatter_density", "geometry.pipe_runs")},
}
"""Every registry axis -> the pixel tests that show it moves the picture."""

FAMILY_TESTS = {
    "camera.angles": AXIS_TESTS["camera.angle"],
    "camera.movements": AXIS_TESTS["camera.movement"],
    "camera.lenses": AXIS_TESTS["camera.lens"],
    "camera.framings": AXIS_TESTS["camera.framing"],
    "lighting": AXIS_TESTS["lighting.setup"],
    "lighting.studio": ["test_render_axes::test_lighting_setup_high_key_is_brighter_than_low_key"],
    "lighting.natural": ["test_render_families::test_natural_light_follows_the_sun"],
    "lighting.artificial": ["test_render_families::test_artificial_lamps_have_their_colour"],
    "lighting.hdri": ["test_hdri::test_each_hdri_shows_in_the_background_and_lights_the_subject_its_own_way",
                      "test_render_axes::test_kelvin_tints_a_sky_lit_scene_too",
                      "test_render_axes::test_key_azimuth_turns_the_sun_of_a_sky"],
    "materials": AXIS_TESTS["material"],
    "materials.metal": ["test_render_axes::test_material_gold_is_warm_and_metal_has_highlights"],
    "materials.plastic": ["test_render_axes::test_roughness_spreads_the_highlight"],
    "materials.glass": ["test_render_axes::test_ior_bends_the_background_through_glass"],
    "materials.organic": ["test_render_axes::test_subsurface_reddens_skin"],
    **{f"materials.{f}": ["test_render_families::test_material_family_moves_the_subject_colour"]
       for f in ("emissive", "coating", "weathered", "pottery", "stone", "fabric", "gem")},
    "textures": AXIS_TESTS["texture.pattern"],
    "textures.procedural": ["test_each_texture_pattern_adds_texture_energy", "test_texture_scale_raises_the_pattern_frequency"],
    "textures.photoreal": ["test_each_texture_pattern_adds_texture_energy"],
    "textures.stylized": ["test_each_texture_pattern_adds_texture_energy", "test_toon_ramp_texture_steps_into_few_colours"],
    "mappings": AXIS_TESTS["texture.mapping"],
    "liquids": AXIS_TESTS["liquid"] + ["test_honey_piles_where_water_spreads"],
    "liquid_forms": AXIS_TESTS["liquid.form"],
    "gases": AXIS_TESTS["gas"] + AXIS_TESTS["gas.density"],
    "geometry": AXIS_TESTS["geometry.shape"],
    "geometry.primitives": ["test_render_axes::test_geometry_shape_changes_the_silhouette"],
    "geometry.complex": ["test_render_families::test_complex_and_platonic_silhouettes"],
    "geometry.platonic": ["test_render_families::test_complex_and_platonic_silhouettes"],
    "rendering.engines": AXIS_TESTS["render.engine"],
    "post.grades": AXIS_TESTS["post.grade"],
    "styles": AXIS_TESTS["style"] + ["test_anime_rim_light_brightens_the_silhouette_edge"],
    "styles.stylized": ["test_clay_makes_every_material_one_matte_grey", "test_low_poly_facets_the_surface",
                        "test_wireframe_and_pixel_art"],
    "styles.npr": ["test_toon_reduces_the_number_of_distinct_colours", "test_sketch_and_ink_draw_dark_thin_lines",
                   "test_sketch_drains_colour_onto_paper"],
    "color.harmonies": AXIS_TESTS["color.harmony"],
    "color.moods": AXIS_TESTS["color.mood"],
    "backgrounds": AXIS_TESTS["scene.background"],
    "topologies": AXIS_TESTS["geometry.topology"],
    "subdivision_types": AXIS_TESTS["geometry.subdivision_type"],
    "arrangements": AXIS_TESTS["scene.arrangement"],
}
"""Every concept family (a categorical axis's domain, and each inner node right under it) ->
its pixel tests."""


def _families(tax):
    out = set()
    for axis in tax.axes:
        if axis.type != "category":
            continue
        out.add(axis.domain)
        depth = axis.domain.count(".") + 1
        out |= {path for path, concept in tax.concepts.items()
                if path.startswith(axis.domain + ".") and path.count(".") == depth and not concept.is_leaf}
    return out


def _resolve(name):
    import importlib

    module, _, func = name.rpartition("::")
    target = importlib.import_module(f"tests.{module}") if module else globals()
    return target.get(func) if isinstance(target, dict) else getattr(target, func, None)


def test_every_axis_and_concept_family_has_a_pixel_test(tax):
    registry = {a.path for a in tax.axes}
    assert not NOT_YET_RENDERED and RENDERED_AXES == registry
    assert set(AXIS_TESTS) == registry, set(AXIS_TESTS) ^ registry
    families = _families(tax)
    assert set(FAMILY_TESTS) >= families, families - set(FAMILY_TESTS)
    missing = [n for names in (*AXIS_TESTS.values(), *FAMILY_TESTS.values()) for n in names if not callable(_resolve(n))]
    assert not missing, f"no such test: {missing}"

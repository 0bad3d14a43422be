"""Each rendered axis moves the picture the way it should, measured on tiny real renders.

Renders are 40-56 px, Cycles CPU with a few samples and the same seed on both sides of a
comparison (so the noise is shared), or Workbench where only the silhouette matters.
"""

import json
import math

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from psynth_render.scene import (  # noqa: E402
    BUILDER_MODULES,
    NOT_YET_RENDERED,
    RENDERED_AXES,
    builder_source,
    camera_at_frame,
    configure_device,
)
from psynth_render.scene.build.builder import build  # noqa: E402
from psynth_render.scene.build.shapes import shape_mesh  # noqa: E402
from psynth_render.scene.describe import Scene, SceneError, describe  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402
from tests.render_fixtures import LEGACY_DISTANCE, luminance, make_row, make_spec, render_array  # noqa: E402

SIZE = 48


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


@pytest.fixture(scope="module")
def shot(tax, tmp_path_factory):
    """shot(size=..., samples=..., **axis overrides) -> float RGB array of a fresh render."""
    folder = tmp_path_factory.mktemp("renders")
    counter = iter(range(10_000))

    def render(size=SIZE, samples=8, denoise=False, seed=1, **overrides):
        overrides.setdefault("camera__distance", LEGACY_DISTANCE)  # these tests predate framing
        desc = describe(make_row(tax, seed=seed, **overrides), make_spec(tax, size=size, samples=samples), tax)
        desc.render.denoise = denoise
        return render_array(desc, folder / f"{next(counter)}.png")

    return render


def silhouette(img):
    """Pixels that differ from the frame's corner colour (the background)."""
    corners = np.stack([img[0, 0], img[0, -1], img[-1, 0], img[-1, -1]]).mean(axis=0)
    return np.abs(img - corners).sum(axis=2) > 0.12


def solid(shot, **overrides):
    """A Workbench render on the void background: cheap and noise-free, for silhouettes."""
    overrides = {"render__engine": "solid", "scene__background": "void", **overrides}
    return silhouette(shot(**overrides))


def high_frequency(img):
    """Mean squared Laplacian of the luminance: fine detail and noise energy."""
    y = luminance(img)
    lap = 4 * y[1:-1, 1:-1] - y[:-2, 1:-1] - y[2:, 1:-1] - y[1:-1, :-2] - y[1:-1, 2:]
    return float((lap**2).mean())


def centre(img, frac=0.3):
    h, w = img.shape[:2]
    dh, dw = int(h * frac), int(w * frac)
    return img[h // 2 - dh // 2 : h // 2 + dh // 2, w // 2 - dw // 2 : w // 2 + dw // 2]


# ---------------------------------------------------------------- registry
def test_every_registry_axis_is_rendered_or_declared_not_yet(tax):
    registry = {a.path for a in tax.axes}
    assert RENDERED_AXES.isdisjoint(NOT_YET_RENDERED)
    assert RENDERED_AXES | NOT_YET_RENDERED == registry


def test_description_is_plain_json_and_lists_applied_axes(tax):
    desc = describe(make_row(tax, material="metal.gold"), make_spec(tax), tax)
    assert Scene.from_json(json.dumps(json.loads(desc.to_json()))) == desc
    assert set(desc.rendered_axes) == RENDERED_AXES
    assert set(desc.not_rendered_axes) == NOT_YET_RENDERED
    assert desc.subject.material.metallic == 1.0
    assert desc.render.engine == "CYCLES"


def test_bad_rows_raise_scene_errors(tax):
    spec = make_spec(tax)
    with pytest.raises(SceneError, match="metal.gld"):
        describe(make_row(tax, material="metal.gld"), spec, tax)
    row = make_row(tax)
    del row["seed"]
    with pytest.raises(SceneError, match="seed"):
        describe(row, spec, tax)


def test_builder_source_is_standalone():
    source = builder_source()
    compile(source, "<scene>", "exec")
    imports = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imports <= {"bpy", "mathutils", "math", "json", "random", "functools", "dataclasses", "typing", "pydantic",
                       "numpy"}  # numpy: bpy's own dependency
    assert "def build(" in source and len(BUILDER_MODULES) >= 1


def test_build_removes_what_the_previous_sample_had(tax):
    spec = make_spec(tax, size=16, samples=1)
    build(describe(make_row(tax, scene__background="studio_sweep", lighting__setup="studio.three_point"), spec, tax))
    lights_before = sum(o.type == "LIGHT" for o in bpy.context.scene.objects)
    build(describe(make_row(tax, scene__background="void", lighting__setup="studio.low_key"), spec, tax))
    names = {o.name for o in bpy.context.scene.objects}
    desc = describe(make_row(tax, lighting__setup="studio.low_key"), spec, tax)
    assert "psynth_backdrop" not in names
    assert sum(o.type == "LIGHT" for o in bpy.context.scene.objects) == len(desc.lighting.lights)
    assert lights_before == 3 and len(desc.lighting.lights) < 3
    assert {"psynth_subject", "psynth_camera"} <= names


def test_every_concept_of_the_rendered_domains_builds(tax):
    spec = make_spec(tax, size=16, samples=1)
    for axis_path in ("geometry.shape", "material", "lighting.setup", "scene.background", "camera.angle",
                      "camera.lens", "camera.movement", "render.engine"):
        axis = tax.axis_by_path[axis_path]
        for full in tax.leaves(axis.domain):
            info = build(describe(make_row(tax, **{axis.column: tax.relative(axis, full)}), spec, tax))
            assert info["resolution"] == [16, 16], full


# ---------------------------------------------------------------- geometry
def test_geometry_shape_changes_the_silhouette(shot):
    overhead = {"camera__angle": "overhead", "camera__distance": 4.0}
    sphere = solid(shot, geometry__shape="primitives.sphere", **overhead)
    torus = solid(shot, geometry__shape="primitives.torus", **overhead)
    cube = solid(shot, geometry__shape="primitives.cube", **overhead)
    c = SIZE // 2
    assert sphere[c - 1 : c + 1, c - 1 : c + 1].all()  # a sphere seen from above is solid
    assert not torus[c - 1 : c + 1, c - 1 : c + 1].any()  # a torus has a hole
    assert (sphere ^ cube).mean() > 0.05  # a square is not a disc


def test_complex_shapes_are_seeded(tax):
    params = tax.concept("geometry.complex.rock").render
    a, b, a_again = (shape_mesh("rock", params, s) for s in (1, 2, 1))
    assert a["verts"] == a_again["verts"]
    assert a["verts"] != b["verts"]
    assert max(math.dist(v, (0, 0, 0)) for v in a["verts"]) == pytest.approx(1.0)


def test_subdivision_rounds_the_silhouette(shot):
    def squareness(mask):
        rows, cols = np.nonzero(mask)
        box = (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
        return mask.sum() / box

    view = {"geometry__shape": "primitives.cube", "camera__angle": "overhead", "camera__distance": 4.0}
    square, subdivided = (squareness(solid(shot, geometry__subdivision=n, **view)) for n in (0, 3))
    assert square > 0.95
    assert 0.9 < subdivided < square  # creased corners: softened, still a cube (issue 12)


def test_rotation_turns_a_non_symmetric_subject(shot):
    def asymmetry(mask):
        return (mask ^ mask[:, ::-1]).mean()

    front = solid(shot, geometry__shape="primitives.monkey", geometry__rotation=0.0)
    side = solid(shot, geometry__shape="primitives.monkey", geometry__rotation=90.0)
    assert asymmetry(side) > asymmetry(front) + 0.05


# ---------------------------------------------------------------- materials
def test_material_gold_is_warm_and_metal_has_highlights(shot):
    view = {"scene__background": "void", "camera__distance": 3.5}
    gold = centre(shot(material="metal.gold", **view), 0.5)
    matte = centre(shot(material="plastic.matte", **view), 0.5)
    chrome = centre(shot(material="metal.chrome", **view), 0.5)
    red_over_blue = lambda img: img[..., 0].mean() / img[..., 2].mean()  # noqa: E731
    assert red_over_blue(gold) > 1.3 * red_over_blue(matte)
    contrast = lambda img: np.percentile(luminance(img), 98) - np.percentile(luminance(img), 30)  # noqa: E731
    assert contrast(chrome) > contrast(matte)


def test_roughness_spreads_the_highlight(shot):
    view = {"material": "plastic.glossy", "scene__background": "void", "camera__distance": 3.5}
    sharp = luminance(shot(material__roughness=0.05, **view))
    rough = luminance(shot(material__roughness=0.8, **view))
    assert sharp.max() > rough.max()
    assert np.percentile(sharp, 99.5) - np.median(sharp) > np.percentile(rough, 99.5) - np.median(rough)


def test_ior_bends_the_background_through_glass(shot):
    view = {"material": "glass.clear", "scene__background": "checkerboard", "camera__angle": "high_angle",
            "material__roughness": 0.0}
    flat = shot(material__ior=1.0, samples=16, **view)
    low = shot(material__ior=1.15, samples=16, **view)
    high = shot(material__ior=2.0, samples=16, **view)
    diff = lambda a, b: np.abs(centre(a, 0.4) - centre(b, 0.4)).mean()  # noqa: E731
    assert diff(high, flat) > diff(low, flat) > 0.005


def test_subsurface_reddens_skin(shot):
    """Skin scatters red light farthest (its radius is largest in red): more subsurface, redder."""
    view = {"material": "organic.skin", "scene__background": "void", "lighting__setup": "studio.split",
            "samples": 16}

    def red_over_green(img):
        mask = img.sum(axis=2) > 0.25
        return img[..., 0][mask].mean() / img[..., 1][mask].mean()

    assert red_over_green(shot(material__subsurface=1.0, **view)) > red_over_green(
        shot(material__subsurface=0.0, **view)) + 0.02


# ---------------------------------------------------------------- lighting
def test_lighting_setup_high_key_is_brighter_than_low_key(shot):
    high = shot(lighting__setup="studio.high_key")
    low = shot(lighting__setup="studio.low_key")
    assert luminance(high).mean() > luminance(low).mean() + 0.15


def test_warmer_kelvin_raises_red_over_blue(shot):
    warm, cool = shot(lighting__kelvin=3000.0), shot(lighting__kelvin=9000.0)
    ratio = lambda img: img[..., 0].mean() / img[..., 2].mean()  # noqa: E731
    assert ratio(warm) > ratio(cool) * 1.15


def test_kelvin_tints_a_sky_lit_scene_too(shot):
    warm = shot(lighting__setup="hdri.sky_clear", lighting__kelvin=3000.0)
    cool = shot(lighting__setup="hdri.sky_clear", lighting__kelvin=9000.0)
    ratio = lambda img: img[..., 0].mean() / img[..., 2].mean()  # noqa: E731
    assert ratio(warm) > ratio(cool) * 1.1


def test_exposure_plus_two_brightens(shot):
    dark = luminance(shot(lighting__exposure=-1.0, scene__background="dark_sweep")).mean()
    bright = luminance(shot(lighting__exposure=1.0, scene__background="dark_sweep")).mean()
    assert bright > dark + 0.1


def test_key_azimuth_moves_the_bright_side(shot):
    view = {"scene__background": "void", "lighting__setup": "studio.rembrandt"}  # key offset 0

    def right_minus_left(img):
        y = luminance(centre(img, 0.6))
        half = y.shape[1] // 2
        return y[:, half:].mean() - y[:, :half].mean()

    assert right_minus_left(shot(lighting__key_azimuth=90.0, **view)) > 0.1
    assert right_minus_left(shot(lighting__key_azimuth=270.0, **view)) < -0.1


def test_key_azimuth_turns_the_sun_of_a_sky(shot):
    view = {"scene__background": "void", "lighting__setup": "hdri.sky_clear"}

    def right_minus_left(img):
        y = luminance(centre(img, 0.6))
        half = y.shape[1] // 2
        return y[:, half:].mean() - y[:, :half].mean()

    assert right_minus_left(shot(lighting__key_azimuth=90.0, **view)) > 0.05
    assert right_minus_left(shot(lighting__key_azimuth=270.0, **view)) < -0.05


# ---------------------------------------------------------------- camera
def test_longer_focal_length_enlarges_the_subject(shot):
    assert solid(shot, camera__focal_length=70.0).mean() > 2 * solid(shot, camera__focal_length=35.0).mean()


def test_distance_shrinks_the_subject(shot):
    assert solid(shot, camera__distance=8.0).mean() < 0.5 * solid(shot, camera__distance=3.0).mean()


def test_high_angle_sees_floor_where_eye_level_sees_the_world(shot):
    view = {"scene__background": "floor", "lighting__setup": "studio.three_point", "camera__distance": 6.0}
    top = lambda img: luminance(img[:4]).mean()  # noqa: E731
    eye, high = shot(camera__angle="eye_level", **view), shot(camera__angle="birds_eye", **view)
    # eye level: the dark world above the horizon; from high above: the lit floor behind
    assert top(high) > top(eye) + 0.1


def test_dutch_angle_rolls_the_horizon(shot):
    view = {"scene__background": "floor", "lighting__setup": "studio.high_key", "camera__distance": 8.0,
            "camera__focal_length": 24.0}

    def tilt(img):
        y = luminance(img)
        left, right = y[:, : SIZE // 4].mean(axis=1), y[:, -SIZE // 4 :].mean(axis=1)
        return np.abs(left - right).mean()

    assert tilt(shot(camera__angle="dutch", **view)) > tilt(shot(camera__angle="eye_level", **view)) + 0.02


def test_dof_blurs_the_background(shot):
    view = {"scene__background": "checkerboard", "camera__angle": "high_angle", "camera__fstop": 0.95,
            "camera__distance": 4.0, "samples": 32}
    sharp, blurred = shot(camera__dof=False, **view), shot(camera__dof=True, **view)
    assert high_frequency(blurred[:12]) < 0.6 * high_frequency(sharp[:12])


def test_smaller_fstop_blurs_more(shot):
    view = {"scene__background": "checkerboard", "camera__angle": "high_angle", "camera__dof": True,
            "camera__distance": 4.0, "samples": 32}
    wide, narrow = shot(camera__fstop=0.95, **view), shot(camera__fstop=22.0, **view)
    assert high_frequency(wide[:12]) < 0.6 * high_frequency(narrow[:12])


def test_fisheye_blacks_the_corners_and_panorama_shrinks_the_subject(shot):
    view = {"scene__background": "studio_sweep", "lighting__setup": "studio.high_key"}
    persp = shot(camera__lens="perspective", **view)
    fisheye = shot(camera__lens="fisheye", **view)
    assert luminance(persp[:2, :2]).mean() > 0.3
    assert luminance(fisheye[:2, :2]).mean() < 0.02  # outside the fisheye's image circle
    pano = solid(shot, camera__lens="panoramic", render__engine="path_tracing", samples=4)
    assert pano.mean() < 0.5 * solid(shot, camera__lens="perspective").mean()


def test_orthographic_ignores_focal_length(shot):
    ortho_short = solid(shot, camera__lens="orthographic", camera__focal_length=35.0)
    ortho_long = solid(shot, camera__lens="orthographic", camera__focal_length=100.0)
    assert (ortho_short ^ ortho_long).mean() < 0.01
    persp = solid(shot, camera__lens="perspective", camera__focal_length=35.0)
    assert (ortho_short ^ persp).mean() > 0.02


def test_movement_still_uses_the_end_pose(shot):
    static = solid(shot, camera__movement="static", camera__distance=6.0)
    dolly_in = solid(shot, camera__movement="dolly_in", camera__distance=6.0)
    zoom_out = solid(shot, camera__movement="zoom_out", camera__distance=6.0)
    assert dolly_in.mean() > 1.5 * static.mean()
    assert zoom_out.mean() < 0.6 * static.mean()


def test_camera_at_frame_follows_the_movement(tax):
    spec = make_spec(tax)
    orbit = describe(make_row(tax, camera__movement="orbit"), spec, tax)
    quarter = camera_at_frame(orbit, 24, 97)
    start = camera_at_frame(orbit, 0, 97)
    assert start["location"] != pytest.approx(quarter["location"])
    assert math.hypot(*start["location"][:2]) == pytest.approx(math.hypot(*quarter["location"][:2]))
    hand_a = describe(make_row(tax, seed=1, camera__movement="handheld"), spec, tax)
    hand_b = describe(make_row(tax, seed=2, camera__movement="handheld"), spec, tax)
    assert camera_at_frame(hand_a, 5, 10) == camera_at_frame(hand_a, 5, 10)
    assert camera_at_frame(hand_a, 5, 10)["location"] != camera_at_frame(hand_b, 5, 10)["location"]


def test_camera_stays_above_the_floor_at_the_same_distance(tax):
    desc = describe(make_row(tax, camera__angle="worms_eye"), make_spec(tax), tax)
    free = camera_at_frame(desc)
    floored = camera_at_frame(desc, floor_z=-1.0)
    assert free["location"][2] < -1.0 < floored["location"][2]
    assert math.dist(floored["location"], floored["target"]) == pytest.approx(
        math.dist(free["location"], free["target"]))


# ---------------------------------------------------------------- render and background
@pytest.mark.parametrize("engine", ["path_tracing", "rasterization", "solid"])
def test_each_engine_renders_the_subject(shot, engine):
    img = shot(render__engine=engine, size=32, samples=4, scene__background="void")
    y = luminance(img)
    assert y.std() > 0.05
    assert abs(luminance(centre(img)).mean() - luminance(img[:3, :3]).mean()) > 0.1


def test_configure_device_falls_back_to_the_cpu():
    assert configure_device("cpu") == "CPU"
    assert bpy.context.scene.cycles.device == "CPU"
    picked = configure_device("auto")  # a GPU kind where Blender finds one, else the CPU
    assert picked in {"OPTIX", "CUDA", "HIP", "METAL", "ONEAPI", "CPU"}
    assert bpy.context.scene.cycles.device == ("CPU" if picked == "CPU" else "GPU")


def test_more_samples_less_noise(shot):
    view = {"scene__background": "studio_sweep", "lighting__setup": "studio.three_point"}
    few = shot(render__samples=1, **view)
    many = shot(render__samples=64, **view)
    assert high_frequency(few) > 2 * high_frequency(many)


def test_background_changes_the_border(shot):
    def border(img):
        return np.concatenate([img[:3].reshape(-1, 3), img[:, :3].reshape(-1, 3), img[:, -3:].reshape(-1, 3)])

    view = {"camera__angle": "low_angle"}  # looking up a little: backdrop wall or sky behind
    sweep = border(shot(scene__background="studio_sweep", **view))
    void = border(shot(scene__background="void", **view))
    sky = border(shot(scene__background="sky", **view))
    assert luminance(sweep).mean() > luminance(void).mean() + 0.3  # a lit backdrop, not the dark world
    blue = lambda px: px[:, 2].mean() - px[:, 0].mean()  # noqa: E731
    assert blue(sky) > blue(sweep) + 0.05

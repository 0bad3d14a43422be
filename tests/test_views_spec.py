"""Multi-view settings without rendering: the render block's views/rig/background, the camera
rig's poses in the scene model, the per-view member names and transforms.json."""

import math

import pytest

from psynth_render.outputs import member_suffixes, still_suffix, view_suffix
from psynth_render.scene.describe import describe
from psynth_render.scene.describe.camera_rig import FIXED6, rig_angles
from psynth_render.views import transforms, view_record
from psynth_spec.compile import compile_text
from psynth_spec.fmt import format_text
from psynth_spec.taxonomy import default_taxonomy
from tests.render_fixtures import make_row

BASE = """dataset mv {{
    samples 10
    outputs [image, metadata, glb]
    render {{
        resolution 64 x 64
        passes [depth, normal]
        {lines}
    }}
}}
"""


def _spec(lines: str):
    return compile_text(BASE.format(lines=lines), path="<mv>")


def test_render_block_takes_views_rig_and_background():
    spec = _spec("views 4\n        rig sphere\n        background transparent")
    assert (spec.render.views, spec.render.rig, spec.render.background) == (4, "sphere", "transparent")
    plain = _spec("")
    assert (plain.render.views, plain.render.rig, plain.render.background) == (1, "orbit", "opaque")


def test_views_and_rig_enter_the_version_id():
    ids = {_spec(lines).version_id for lines in ("", "views 4", "views 5", "views 4\n        rig turntable")}
    assert len(ids) == 4


def test_fmt_keeps_the_view_settings():
    text = BASE.format(lines="views   4\n  rig fixed6\n background transparent")
    formatted = format_text(text)
    assert "views      4" in formatted or "views 4" in formatted
    assert format_text(formatted) == formatted
    assert compile_text(formatted).version_id == compile_text(text).version_id


@pytest.mark.parametrize("rig", ["orbit", "sphere", "turntable", "fixed6", "random"])
def test_rig_angles_are_deterministic_per_seed_and_distinct(rig):
    first = rig_angles(rig, 5, 7, 30.0, 25.0, upper_only=True)
    assert first == rig_angles(rig, 5, 7, 30.0, 25.0, upper_only=True)
    assert len({(round(a, 6), round(e, 6)) for a, e in first}) == 5
    assert all(-90 < e < 90 for _, e in first)
    if rig in ("sphere", "random"):
        assert all(e > 0 for _, e in first)  # a floor: the upper hemisphere only
        assert rig_angles(rig, 5, 8, 30.0, 25.0, upper_only=True) != first  # another seed, other views


def test_orbit_starts_at_the_sampled_view_and_spaces_azimuths_evenly():
    angles = rig_angles("orbit", 4, 1, 30.0, 25.0, upper_only=True)
    assert angles == [(30.0, 25.0), (120.0, 25.0), (210.0, 25.0), (300.0, 25.0)]
    assert [name for name, *_ in FIXED6] == ["front", "back", "left", "right", "top", "bottom"]


def test_sphere_over_no_floor_covers_both_hemispheres():
    elevations = [e for _, e in rig_angles("sphere", 8, 3, 0.0, 0.0, upper_only=False)]
    assert min(elevations) < -30 and max(elevations) > 30


def test_describe_puts_every_view_in_the_scene_model():
    taxonomy = default_taxonomy()
    spec = _spec("views 3\n        rig turntable")
    scene = describe(make_row(taxonomy, seed=5), spec, taxonomy)
    views = scene.camera.views
    assert scene.camera.rig == "turntable" and [v.name for v in views] == ["v00", "v01", "v02"]
    assert [v.azimuth_deg for v in views] == [0.0, 120.0, 240.0]
    assert len({(v.distance, v.focal_length, tuple(v.target)) for v in views}) == 1  # the framing is shared
    assert type(scene).from_json(scene.to_json()) == scene
    single = describe(make_row(taxonomy, seed=5), _spec(""), taxonomy)
    assert [v.name for v in single.camera.views] == ["main"] and single.camera.rig is None


def test_member_names_carry_the_view_only_for_multi_view_samples():
    single, multi = _spec(""), _spec("views 2")
    assert member_suffixes(single) == ["png", "json", "glb", "depth.exr", "normal.exr", "normal_camera.exr"]
    assert member_suffixes(multi) == [
        "v00.png", "v01.png", "json", "glb",
        "v00.depth.exr", "v00.normal.exr", "v00.normal_camera.exr",
        "v01.depth.exr", "v01.normal.exr", "v01.normal_camera.exr",
        "transforms.json",
    ]
    assert still_suffix(single, "png") == "png" and still_suffix(multi, "png") == "v00.png"
    assert view_suffix("seg.png", 12) == "v12.seg.png"


def test_transforms_json_takes_the_horizontal_field_of_view_from_K():
    camera = {
        "projection": "perspective", "K": [[100.0, 0, 32], [0, 100.0, 32], [0, 0, 1]], "resolution": [64, 64],
        "camera_to_world": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 3], [0, 0, 0, 1]],
        "world_to_camera_opencv": [[1, 0, 0, 0], [0, -1, 0, 0], [0, 0, -1, 3], [0, 0, 0, 1]],
        "location": [0, 0, 3], "target": [0, 0, 0],
    }
    views = [view_record(k, f"v{k:02d}", camera, [f"x.v{k:02d}.png"]) for k in range(2)]
    out = transforms(views, ["x.v00", "x.v01"])
    assert out["camera_angle_x"] == pytest.approx(2 * math.atan(32 / 100))
    assert [f["file_path"] for f in out["frames"]] == ["./x.v00", "./x.v01"]
    assert out["frames"][1]["transform_matrix"] == camera["camera_to_world"]

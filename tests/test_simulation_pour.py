"""A simulated pour reads as a pour: its stream is thick enough to see, unbroken from the spout
to the pool it lands in, and the spout, stream and pool stay in frame over the clip for wide and
narrow subjects (pour_spot places them from the camera's frame). Measured on the per-frame id
render the worker records (psynth_render.instances), at tiny sizes and few particles."""

import math

import numpy as np
import pytest

from psynth_render.scene.build.pour_spot import MARGIN, pour_spot
from psynth_render.vfx_solver import Setup, simulate

FRAMES = 6
FPS = 12.0
SIZE = 64
PARTICLES = 1500


def test_a_pour_lands_on_its_spot_and_its_pool_stays_within_reach():
    setup = Setup(kind="pour", origin=(1.4, 0.3, 1.2), size=0.08, height=2.2, floor_z=-1.0,
                  subject_centre=(0.0, 0.0, 0.0), subject_radius=1.0, reach=0.35)
    frames = simulate(setup, PARTICLES, FRAMES, FPS, 4)
    for frame in frames:  # the stream reaches the floor from the first frame on (it ran before the clip)
        landed = frame.positions[frame.positions[:, 2] < -0.9]
        assert len(landed) > 20
        assert np.hypot(landed[:, 0] - 1.4, landed[:, 1] - 0.3).max() <= 0.35 + 1e-6
    falling = frames[FRAMES // 2].positions
    falling = falling[falling[:, 2] > -0.9]
    heights = np.sort(falling[:, 2])
    assert heights.max() > 1.1 and np.diff(heights).max() < 0.05  # unbroken from spout to floor


def _shot(shape, framing="medium", movement="static", liquid="milk", size=SIZE):
    """A built scene with a simulated pour, the clip open; yields (desc, clip, liquid id)."""
    pytest.importorskip("bpy")
    from psynth_render.scene.build.builder import build, instance_table
    from psynth_render.scene.build.media import LIQUID
    from psynth_render.scene.describe import describe
    from psynth_spec.taxonomy import default_taxonomy
    from tests.render_fixtures import make_row, make_spec

    tax = default_taxonomy()
    row = make_row(tax, seed=3, liquid=liquid, liquid__form="pour", geometry__shape=shape,
                   camera__framing=framing, camera__movement=movement)
    desc = describe(row, make_spec(tax, size=size, samples=1), tax)
    desc.camera.main.movement.frames, desc.camera.main.movement.clip_seconds = FRAMES, FRAMES / FPS
    build(desc)
    liquid_id = next(e["id"] for e in instance_table(desc) if e["object"] == LIQUID)
    return desc, liquid_id


def _liquid_masks(tmp_path, desc, liquid_id, frames=range(FRAMES)):
    """Per frame: the liquid's id mask and the spout's and landing spot's pixels (col, row)."""
    import bpy
    from bpy_extras.object_utils import world_to_camera_view

    from psynth_render.instances import render_instance_ids
    from psynth_render.scene import pose_camera
    from psynth_render.scene.build.simulation import SimulatedClip

    out = []
    with SimulatedClip(desc, PARTICLES, 0.04, FRAMES, FPS, tmp_path) as clip:
        setup = clip.tracks[0]["setup"]
        for index in frames:
            clip.show(index)
            pose_camera(desc, index, FRAMES)
            ids, _ = render_instance_ids(desc)
            scene, camera = bpy.context.scene, bpy.context.scene.camera
            h, w = ids.shape

            def pixel(point):
                x, y, _ = world_to_camera_view(scene, camera, __import__("mathutils").Vector(point))
                return int(round(x * w - 0.5)), int(round((1 - y) * h - 0.5))

            spout = pixel(setup.origin)
            landing = pixel((setup.origin[0], setup.origin[1], setup.floor_z))
            out.append((ids == liquid_id, spout, landing))
    return out


def _near(mask, pixel, radius=3):
    x, y = pixel
    h, w = mask.shape
    return mask[max(0, y - radius):min(h, y + radius + 1), max(0, x - radius):min(w, x + radius + 1)].any()


@pytest.mark.render
@pytest.mark.parametrize("liquid", ["milk", "water"])
def test_a_simulated_stream_is_visible_and_unbroken_from_spout_to_pool(tmp_path, liquid):
    from scipy import ndimage

    desc, liquid_id = _shot("primitives.sphere", liquid=liquid)
    (mask, spout, landing), = _liquid_masks(tmp_path, desc, liquid_id, frames=[FRAMES // 2])
    assert mask.mean() > 0.01, f"the stream covers {mask.mean():.2%} of the frame"
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    sizes = np.bincount(labels.ravel())[1:]
    stream = labels == 1 + int(np.argmax(sizes))
    assert _near(stream, spout) and _near(stream, landing), (spout, landing)  # one piece, spout to pool
    rows = np.flatnonzero(stream.any(axis=1))
    assert rows.max() - rows.min() > 0.3 * mask.shape[0]  # a stream, not a puddle
    widths = stream[rows.min() + 2:rows.max() - 6].sum(axis=1)  # the falling part, above the pool
    assert np.median(widths) >= 2.0, widths  # several pixels wide at 64 px, not a thread


def _border_share(mask, band=1):
    border = np.zeros_like(mask)
    border[:band], border[-band:], border[:, :band], border[:, -band:] = True, True, True, True
    return (mask & border).sum() / max(mask.sum(), 1)


@pytest.mark.render
@pytest.mark.parametrize("shape, framing, movement", [
    ("complex.table", "medium", "static"),  # wide
    ("primitives.torus", "close_up", "static"),  # wide and filling the frame: the stream falls in front
    ("complex.bottle", "medium", "static"),  # narrow
    ("primitives.cylinder", "medium", "arc"),  # narrow, a moving camera
])
def test_the_whole_pour_stays_in_frame_over_the_clip(tmp_path, shape, framing, movement):
    desc, liquid_id = _shot(shape, framing, movement)
    for index, (mask, spout, landing) in enumerate(_liquid_masks(tmp_path, desc, liquid_id)):
        h, w = mask.shape
        assert mask.mean() > 0.005, (index, mask.mean())
        assert _border_share(mask) < 0.02, (index, _border_share(mask))
        for x, y in (spout, landing):  # the spout and the landing spot are inside the frame
            assert 0 < x < w - 1 and 0 < y < h - 1, (index, spout, landing)


def _framed(framing, lo, hi, floor_z, size=64, round_=False, points=None):
    """A description whose camera frames the box lo..hi (`round_`: the ball inside it;
    `points`: those points of the subject) at `framing`, and its still pose."""
    from psynth_render.scene.build.framing import solve_framing
    from psynth_render.scene.build.motion import camera_pose
    from psynth_render.scene.describe import describe
    from psynth_spec.taxonomy import default_taxonomy
    from tests.render_fixtures import make_row, make_spec

    tax = default_taxonomy()
    row = make_row(tax, seed=3, liquid="milk", liquid__form="pour", camera__framing=framing)
    desc = describe(row, make_spec(tax, size=size), tax)
    corners = [(x, y, z) for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    ball = [(math.cos(a) * math.cos(e), math.sin(a) * math.cos(e), math.sin(e))
            for a in np.linspace(0, 2 * math.pi, 24) for e in np.linspace(-1.5, 1.5, 9)]
    solve_framing(desc, points or (ball if round_ else corners), floor_z, (size, size))
    return desc, camera_pose(desc, desc.camera.main.movement.still_at, floor_z), corners


def test_the_spot_keeps_the_pour_inside_the_frame_and_beside_a_narrow_subject():
    """pour_spot on the still camera of a narrow subject: beside it (outside its projected
    bounds), everything within MARGIN of the frame's centre."""
    from psynth_render.scene.build.framing import extent, project

    lo, hi, floor_z = (-0.3, -0.3, -1.0), (0.3, 0.3, 1.0), -1.0
    desc, pose, corners = _framed("medium", lo, hi, floor_z)
    spot = pour_spot(desc, lo, hi, floor_z, (64, 64), 2.8, 0.05, 0.8, 0.04)
    stream = [(*spot.landing, spot.top), (*spot.landing, floor_z)]
    assert extent(stream, pose, desc.camera.main, 64, 64)[1] <= MARGIN + 1e-9
    subject_x = [project(c, pose, desc.camera.main)[0] for c in corners]
    stream_x = [project(p, pose, desc.camera.main)[0] for p in stream]
    assert min(stream_x) > max(subject_x) or max(stream_x) < min(subject_x)  # beside, not behind
    assert spot.top - floor_z > 1.0 and spot.stream_radius >= 0.08 and spot.pool_reach > 0
    assert math.isfinite(spot.pool_reach)


def test_in_a_close_up_the_stream_is_seen_not_behind_the_subject_nor_against_the_lens():
    """A close-up has no floor in frame round a subject that fills it: the spot is still one
    the camera sees (beside the subject's silhouette or before its front), its spout in frame,
    not against the lens."""
    from psynth_render.scene.build.framing import camera_basis, extent, project
    from psynth_render.scene.build.vectors import vec_dot, vec_sub

    lo, hi, floor_z = (-1.0, -1.0, -1.0), (1.0, 1.0, 1.0), -1.0
    desc, pose, corners = _framed("close_up", lo, hi, floor_z, round_=True)  # a sphere
    spot = pour_spot(desc, lo, hi, floor_z, (64, 64), 2.8, 0.08, 1.0, 0.04)
    assert extent([(*spot.landing, spot.top)], pose, desc.camera.main, 64, 64)[1] > 0.5  # no room: a fallback
    forward = camera_basis(pose)[0]
    depth = vec_dot(vec_sub((*spot.landing, 0.0), pose["location"]), forward)
    centre = vec_dot(vec_sub((0.0, 0.0, 0.0), pose["location"]), forward)
    assert depth >= 0.6 * centre  # off the lens
    subject_x = [project(c, pose, desc.camera.main)[0] for c in corners]
    stream_x = [project((spot.landing[0] + s * spot.stream_radius, spot.landing[1], z), pose, desc.camera.main)[0]
                for s in (-1, 1) for z in (spot.top, 0.0)]
    beside = min(stream_x) > max(subject_x) or max(stream_x) < min(subject_x)
    assert beside or depth <= centre + 1e-9  # seen: not across the subject and behind its middle
    assert extent([(*spot.landing, spot.top)], pose, desc.camera.main, 64, 64)[1] <= 1.0  # the spout shows


@pytest.mark.render
def test_a_pours_scene_script_re_renders_its_image(tmp_path):
    """The pour's spot is the builder's (pour_spot, inlined into the shard's helper module): a
    sample's script alone, run by Python with bpy, gives the tar's image."""
    import subprocess

    from psynth_render.scene_code import HELPER_MEMBER
    from psynth_render.supervisor import run_shard
    from tests.worker_specs import PYTHON, png_array, tar_members, tiny_spec

    spec = tiny_spec(samples=1, outputs="image, scene_code", engine="cycles", spp=2, size=32,
                     axes="liquid = milk\n    liquid.form = pour")
    run_shard(spec, 0, str(tmp_path / "data"), device="cpu")
    members = tar_members(tmp_path / "data", spec)
    (tmp_path / HELPER_MEMBER).write_bytes(members[HELPER_MEMBER])
    script = tmp_path / "000000000.py"
    script.write_bytes(members[script.name])
    done = subprocess.run([PYTHON, str(script)], capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    again, original = png_array((tmp_path / "000000000.png").read_bytes()), png_array(members["000000000.png"])
    assert np.abs(again - original).mean() < 1.0 and original.std() > 1.0


def _rope_pile(spot, viscosity, floor_z):
    """The still pour (fluids.pour) standing on `spot`: its vertices."""
    import random

    from psynth_render.scene.build.fluids import pour, thickness_of

    p = {"height": 2.5, "stream_radius": 0.08, "extent": 1.2,
         "spot": {"landing": list(spot.landing), "top": spot.top, "stream_radius": spot.stream_radius,
                  "pool_reach": spot.pool_reach}}
    return pour(p, thickness_of(viscosity), floor_z, random.Random(0))["verts"]


def test_a_thick_ropes_coils_stay_off_the_lens_and_within_its_spot_beside_a_wide_plane():
    """vfx_elements 149: a wide plane at medium framing leaves no room beside it; the coils of a
    thick paint rope (11.1 Pa·s) were drawn 3.6 stream radii round a spot checked with a pool a
    fifth of that, in front of the plane, and filled the frame. The coils stay within the spot's
    pool, below the spout, and further from the camera than NEAR_SHARE of the subject's depth."""
    from types import SimpleNamespace

    from psynth_render.scene.build.framing import camera_basis
    from psynth_render.scene.build.vectors import vec_dot, vec_sub
    from psynth_render.scene.build.pour_spot import NEAR_SHARE, place_pour

    lo, hi, floor_z = (-0.707, -0.6, -0.375), (0.707, 0.6, 0.375), -0.345
    plane = [(-0.707, 0.0, 0.0), (0.707, 0.0, 0.0), (0.0, -0.6, -0.375), (0.0, 0.6, 0.375)]  # tilted, turned 45°
    desc, pose, _ = _framed("medium", lo, hi, floor_z, size=128, points=plane)
    form = SimpleNamespace(stream_radius=0.08, extent=1.2)
    spot = place_pour(desc, lo, hi, floor_z, (128, 128), form, 11.146)
    verts = _rope_pile(spot, 11.146, floor_z)
    forward = camera_basis(pose)[0]
    subject_depth = vec_dot(vec_sub((0.0, 0.0, 0.0), pose["location"]), forward)
    nearest = min(vec_dot(vec_sub(v, pose["location"]), forward) for v in verts)
    assert nearest >= NEAR_SHARE * subject_depth, (spot, nearest, subject_depth)
    landing = spot.landing
    assert max(math.hypot(v[0] - landing[0], v[1] - landing[1]) for v in verts) <= spot.pool_reach + 1e-6
    assert max(v[2] for v in verts) <= spot.top + 1e-6  # the pile stays below the spout


def test_a_pour_beside_a_flat_torus_falls_a_readable_height():
    """vfx_elements 53: beside a lying torus (2 wide, 0.46 high) the stream fell 1.4 times its
    height, a fifth of the frame's height, and its thin pour was under 1% of the image. A flat
    subject counts half its width as its height: the stream spans over 30% of the frame."""
    from types import SimpleNamespace

    from psynth_render.scene.build.framing import frame_half_sizes, project
    from psynth_render.scene.build.pour_spot import place_pour

    lo, hi, floor_z = (-1.0, -1.0, -0.231), (1.0, 1.0, 0.231), -0.233
    desc, pose, _ = _framed("medium", lo, hi, floor_z, size=128)
    form = SimpleNamespace(stream_radius=0.08, extent=1.2)
    spot = place_pour(desc, lo, hi, floor_z, (128, 128), form, 0.0013)
    top = project((*spot.landing, spot.top), pose, desc.camera.main)
    foot = project((*spot.landing, floor_z), pose, desc.camera.main)
    _, half_height = frame_half_sizes(desc.camera.main, 128, 128)
    assert abs(top[1] - foot[1]) / (2 * half_height) > 0.3, (spot, top, foot)
    assert max(abs(top[0]), abs(top[1]), abs(foot[0]), abs(foot[1])) <= 0.5  # in frame

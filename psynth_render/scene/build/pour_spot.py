"""Where a simulated pour stands in the shot: the floor spot its stream lands on, the spout's
height above it, how wide the stream is and how far its pool may spread, chosen from the
camera's frame so the spout, the whole stream and the pool stay in view over the clip.

Pure math (no bpy), as framing.py: the caller hands in the subject's world bounds. A spot
beside the subject (the camera's right first, then its left, nearest first) is preferred, so
the stream falls against the backdrop; a wide subject that fills the frame's width leaves no
room beside it, and the stream falls in front of it instead. The stream is at least
STREAM_SHARE of the frame's width thick (a stream a couple of pixels wide reads as noise) and
several voxels thick (Volume to Mesh drops thinner ones).
"""

import math
from dataclasses import dataclass

from psynth_render.scene.build.fluids import COIL_REACH, pour_stream_radius, thickness_of
from psynth_render.scene.build.vectors import vec_dot, vec_sub
from psynth_render.scene.build.framing import camera_basis, clip_times, extent, frame_half_sizes, project
from psynth_render.scene.build.motion import camera_pose

POUR_FALL = 1.4
"""A pour's spout stands this many times the subject's height above the floor (lower where the
frame has no room)."""
FLAT_HEIGHT = 0.5
"""A flat subject (a lying torus, disc or plane) counts at least this share of its width as its
height for the pour's fall: a stream as short as it is low reads as a dribble."""
MARGIN = 0.85
"""The furthest the spout and the stream may reach from the frame's centre (1 = on its edge)."""
RIM_MARGIN = 0.92
"""The furthest the pool's rim may reach (it is thin, and reached only where the pool fills)."""
STREAM_SHARE = 0.035
"""The stream's least width, as a share of the frame's width at the spot's depth."""
STREAM_VOXELS = 2.0
"""The stream's least radius in voxels of the meshing."""
GAP = 0.12
"""Clearance between the subject's bounds and the pool's rim (scene units)."""
BESIDE_POOL = 0.3
"""Share of the pool's reach kept clear between a spot beside the subject and its bounds."""
POOL_SCALES = (1.0, 0.6, 0.35, 0.2)
"""Shares of the pool's wanted reach tried, largest first, where the whole one does not fit."""
NEAR_SHARE = 0.6
"""A pour's pool (a rope's coils) stays at least this share of the subject's depth from the
camera, fitting or not (nearer, the coils fill the lens and hide the subject)."""
HEIGHT_SCALES = (1.0, 0.8, 0.6, 0.45)
"""Shares of the wanted fall height tried, tallest first."""
LEAST_POOL = 2.0
"""A pool (a rope's coils) reaches at least this many stream radii round the landing."""


@dataclass(frozen=True)
class PourSpot:
    """A pour's place in world units: `landing` (x, y) on the floor under the spout, the spout's
    height `top` (z), the stream's `stream_radius` and the pool's `pool_reach` around `landing`."""

    landing: tuple[float, float]
    top: float
    stream_radius: float
    pool_reach: float


def place_pour(desc, lo, hi, floor_z, size, form, viscosity: float, voxel: float = 0.0) -> PourSpot:
    """The spot of a pour of `form` (its stream_radius and extent) and `viscosity` (Pa·s) for
    the Scene `desc`: the still pour (fluids.pour) and the simulated one stand on the same one.
    A thick liquid's rope is wider and its pool smaller (as fluids.pour shapes them)."""
    t = thickness_of(viscosity)
    stream = pour_stream_radius(form.stream_radius, t)
    pool = form.extent * 0.7 * (1.2 - 0.6 * t)
    clearance = None
    if t >= 0.5:  # the rope's coils (fluids.pour) pile up to COIL_REACH stream radii round it, clear of the subject
        pool = clearance = max(pool, COIL_REACH * stream)
    height = max(hi[2] - floor_z, FLAT_HEIGHT * max(hi[0] - lo[0], hi[1] - lo[1]))
    return pour_spot(desc, lo, hi, floor_z, size, POUR_FALL * height, stream, pool, voxel, clearance)


def pour_spot(desc, lo, hi, floor_z, size, fall, stream_radius, pool_reach, voxel, clearance=None) -> PourSpot:
    """The pour's spot for the Scene `desc` (its main view's distance already solved), whose
    subject spans the world box `lo`..`hi`, in a frame of `size` (width, height) pixels.
    `fall`, `stream_radius`, `pool_reach`: the form's wanted spout height over the floor, stream
    radius and pool radius; each shrinks (the stream grows) to keep the pour in view.
    `clearance`: how far from the subject's bounds a spot beside it stays (default: a share of
    the pool, BESIDE_POOL; the rest of a thin pool may run round the subject's foot)."""
    view = desc.camera.main
    poses = [camera_pose(desc, view.movement.still_at, floor_z)]
    poses += [camera_pose(desc, t, floor_z) for t in clip_times(view)]
    width, height = size
    right, toward = _floor_axes(poses[0])
    centre = ((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2)
    corners = [(x, y) for x in (lo[0], hi[0]) for y in (lo[1], hi[1])]
    half_right = max(abs(_dot2(_sub2(c, centre), right)) for c in corners)
    half_toward = max(abs(_dot2(_sub2(c, centre), toward)) for c in corners)
    fall = max(fall, 0.3)
    tests = [_hidden_by(pose, view, lo, hi, stream_radius) for pose in poses]
    near = _nearer_than(poses[0], lo, hi, NEAR_SHARE, toward)
    pools = sorted({max(pool_reach * s, LEAST_POOL * stream_radius) for s in POOL_SCALES}, reverse=True)
    best, best_key = None, None
    for group in (_beside, _in_front):  # beside with a smaller pool before in front with a whole one
        for pool in pools:  # the pool (a rope's coils, fluids.pour) is checked at the size it is drawn
            clear = BESIDE_POOL * pool if clearance is None else min(clearance, pool)
            for landing in group(centre, right, toward, half_right, half_toward, pool, clear):
                hidden = sum(test(landing, floor_z + fall) for test in tests) / len(tests)
                lens = near(landing, pool)  # in view, yet its pool (a rope's coils) before the lens
                for top in (floor_z + fall * s for s in HEIGHT_SCALES):
                    reach, spout = _reach(poses, view, width, height, landing, top, floor_z, pool, right, toward)
                    if reach <= 1.0 and not hidden and not lens:
                        return _spot(poses[0], view, width, height, landing, top, floor_z, pool, stream_radius,
                                     voxel, right)
                    key = (lens, hidden, spout > 1.0, reach)
                    if best is None or key < best_key:
                        best, best_key = (landing, top, pool), key
    # nothing fits (a close-up: no floor in frame beside or before the subject): a stream off the
    # lens, seen whole or in part, hidden at the fewest poses, its spout in frame, straying least
    landing, top, pool = best
    return _spot(poses[0], view, width, height, landing, top, floor_z, pool, stream_radius, voxel, right)


def _nearer_than(pose, lo, hi, share, toward):
    """A test of whether a spot's pool, `pool` round it, reaches nearer the camera (along the
    floor's `toward`) than `share` of the subject's centre's depth: a rope's coils fill the lens."""
    forward = camera_basis(pose)[0]
    centre = [(a + b) / 2 for a, b in zip(lo, hi)]
    depth = vec_dot(vec_sub(centre, pose["location"]), forward)

    def near(landing, pool):
        rim = (landing[0] + pool * toward[0], landing[1] + pool * toward[1], centre[2])
        return vec_dot(vec_sub(rim, pose["location"]), forward) < share * depth

    return near


def _hidden_by(pose, view, lo, hi, stream_radius):
    """A test of whether a stream landing at a spot would fall behind the subject: across its
    projected bounds (horizontally) and further from the camera than its centre."""
    forward, right, _ = camera_basis(pose)
    corners = [(x, y, z) for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    xs = [xy[0] for xy in (project(c, pose, view) for c in corners) if xy is not None]
    centre = [(a + b) / 2 for a, b in zip(lo, hi)]
    depth = vec_dot(vec_sub(centre, pose["location"]), forward)
    if not xs:
        return lambda landing, top: False

    def hidden(landing, top):
        spans = []
        for z in (top, 0.5 * (lo[2] + hi[2])):
            for side in (-1.0, 1.0):
                p = (landing[0] + side * stream_radius * right[0], landing[1] + side * stream_radius * right[1], z)
                xy = project(p, pose, view)
                if xy is not None:
                    spans.append(xy[0])
        if not spans or max(spans) < min(xs) or min(spans) > max(xs):
            return False
        return vec_dot(vec_sub((landing[0], landing[1], centre[2]), pose["location"]), forward) > depth

    return hidden


def _beside(centre, right, toward, half_right, half_toward, pool, clear):
    """Landing spots beside the subject, nearest first: its right, then its left; level with
    it, then stepping away from and toward the camera."""
    beside = half_right + GAP + clear
    for side in (1.0, -1.0):
        for step in (0.0, 0.5, -0.5, 1.0, -1.0):  # behind its centre the frame is wider
            for out in (0.0, 0.5 * pool, pool):
                yield _at(centre, right, toward, side * (beside + out), step * (half_toward + pool))


def _in_front(centre, right, toward, half_right, half_toward, pool, clear):
    """Landing spots in front of the subject (between it and the camera): centred, then to
    either side; at its foot first (a close-up has no room nearer the camera)."""
    front = half_toward + GAP + clear
    for across in (0.0, 0.4, -0.4, 0.8, -0.8):
        for step in (0.0, 0.5, 1.0):
            yield _at(centre, right, toward, across * half_right, front + step * pool)


def _reach(poses, view, width, height, landing, top, floor_z, pool, right, toward):
    """(pour, spout): how far the pour strays over the poses, as a share of what it may (1 when
    the spout or the stream's foot is MARGIN from the frame's centre or the pool's rim
    RIM_MARGIN), and the spout alone (MARGIN); inf behind the camera."""
    stream = [(landing[0], landing[1], top), (landing[0], landing[1], floor_z)]
    rim = []
    for k in range(8):
        a = 2 * math.pi * k / 8
        dx, dy = (pool * (math.cos(a) * right[i] + math.sin(a) * toward[i]) for i in range(2))
        rim.append((landing[0] + dx, landing[1] + dy, floor_z))
    pour = max(max(extent(stream, pose, view, width, height)[1] / MARGIN,
                   extent(rim, pose, view, width, height)[1] / RIM_MARGIN) for pose in poses)
    spout = max(extent(stream[:1], pose, view, width, height)[1] / MARGIN for pose in poses)
    return pour, spout


def _spot(pose, view, width, height, landing, top, floor_z, pool, stream_radius, voxel, right) -> PourSpot:
    """The spot with its stream thickened to STREAM_SHARE of the frame's width and STREAM_VOXELS."""
    z = 0.5 * (top + floor_z)  # mid-stream
    mid = (landing[0], landing[1], z)
    side = (landing[0] + right[0], landing[1] + right[1], z)
    a, b = project(mid, pose, view), project(side, pose, view)
    hw, _ = frame_half_sizes(view, width, height)
    per_unit = abs(b[0] - a[0]) / (2 * hw) if a is not None and b is not None else 0.0  # frame widths
    wanted = 0.5 * STREAM_SHARE / per_unit if per_unit > 1e-9 else stream_radius
    radius = max(stream_radius, wanted, STREAM_VOXELS * voxel)
    return PourSpot((round(landing[0], 4), round(landing[1], 4)), round(top, 4), round(radius, 4),
                    round(max(pool, LEAST_POOL * radius), 4))


def _floor_axes(pose):
    """The camera's right and its direction toward the camera, flat on the floor (unit 2D)."""
    _, right, _ = camera_basis(pose)
    r = _unit2((right[0], right[1]))
    t = _unit2((pose["location"][0] - pose["target"][0], pose["location"][1] - pose["target"][1]))
    if t == (0.0, 0.0):  # looking straight down: toward the camera's bottom edge
        t = (-r[1], r[0])
    return r, t


def _at(centre, right, toward, a, b):
    return (centre[0] + a * right[0] + b * toward[0], centre[1] + a * right[1] + b * toward[1])


def _sub2(a, b):
    return (a[0] - b[0], a[1] - b[1])


def _dot2(a, b):
    return a[0] * b[0] + a[1] * b[1]


def _unit2(a):
    n = math.hypot(*a)
    return (a[0] / n, a[1] / n) if n > 1e-12 else (0.0, 0.0)

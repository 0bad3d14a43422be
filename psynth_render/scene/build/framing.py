"""Framing: the camera distance (and orthographic scale) that gives the subject its share of
the frame (the `camera.framing` axis), from the subject's real bounds, the focal length and the
lens. Pure math (no bpy): the builder hands in the subject's extreme points.

The share is the subject's projected extent: twice its furthest projected point from the frame
centre, over the frame's side (per axis, the larger of the two). Below 1 nothing is cropped
whatever the shape; 1 touches an edge. Measured at the still's pose (the movement's `still_at`
moment: a dolly or zoom is accounted for), so focal length changes perspective and
compression, not whether the subject fits. Panoramic lenses measure in their own image
coordinates (fisheye radius, equirectangular longitude/latitude); when a share cannot be
reached outside the subject (a 360-degree panorama), the camera stops at the closest distance.
"""

import math

from psynth_render.scene.build.motion import camera_pose

MIN_GAS_REACH = 6.0
"""Half-size of a scene-filling gas volume at the least (object radii)."""
NEAR_MARGIN = 1.15
"""The camera stays this many times the subject's furthest point from its centre away."""
FAR_LIMIT = 400.0
"""The farthest a solved camera goes (object radii; the backdrop is larger)."""
_ITERATIONS = 40


def gas_reach(camera_distance):
    """Half-size of a gas that fills the scene: past the camera, so it is inside the fog."""
    return max(MIN_GAS_REACH, 1.5 * camera_distance + 1.0)


def _sub(a, b):
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _unit(a):
    n = math.sqrt(_dot(a, a)) or 1.0
    return (a[0] / n, a[1] / n, a[2] / n)


def camera_basis(pose):
    """(forward, right, up) of a posed camera, as Blender aims it (track -Z, up Y) and rolls it."""
    forward = _unit(_sub(pose["target"], pose["location"]))
    right = _cross(forward, (0.0, 0.0, 1.0))
    if _dot(right, right) < 1e-12:  # looking straight up or down
        right = _cross(forward, (0.0, 1.0, 0.0))
    right = _unit(right)
    up = _cross(right, forward)
    r = math.radians(pose["roll_deg"])
    c, s = math.cos(r), math.sin(r)
    rolled_right = tuple(c * right[k] + s * up[k] for k in range(3))
    rolled_up = tuple(-s * right[k] + c * up[k] for k in range(3))
    return forward, rolled_right, rolled_up


def project(point, pose, view, basis=None):
    """Image coordinates of a world point: (x, y) with the frame's larger side spanning -0.5..0.5
    (equirectangular and cylindrical: width and height each span -0.5..0.5); None behind a
    perspective camera."""
    forward, right, up = basis or camera_basis(pose)
    d = _sub(point, pose["location"])
    z, x, y = _dot(d, forward), _dot(d, right), _dot(d, up)
    lens = view.lens
    if lens.lens_type == "ORTHO":
        return (x / pose["ortho_scale"] - lens.shift_x, y / pose["ortho_scale"] - lens.shift_y)
    if lens.lens_type == "PERSP":
        if z <= 1e-6:
            return None
        k = pose["focal_length"] / view.sensor_width
        return (x / z * k - lens.shift_x, y / z * k - lens.shift_y)
    kind = lens.panorama_type
    if kind in ("EQUIRECTANGULAR", "CENTRAL_CYLINDRICAL", "EQUIANGULAR_CUBEMAP_FACE"):
        return (math.atan2(x, z) / (2 * math.pi), math.atan2(y, math.hypot(x, z)) / math.pi)
    theta, phi = math.atan2(math.hypot(x, y), z), math.atan2(y, x)
    if kind == "FISHEYE_EQUISOLID":
        r = 2 * lens.fisheye_lens_mm * math.sin(theta / 2) / view.sensor_width
    elif kind == "FISHEYE_EQUIDISTANT":
        r = theta / math.radians(lens.fisheye_fov_deg)
    else:  # mirror ball: the whole sphere of directions in a disc
        r = 0.5 * math.sin(theta / 2)
    return (r * math.cos(phi), r * math.sin(phi))


def frame_half_sizes(view, width, height):
    """Half the frame's width and height in `project`'s units."""
    if view.lens.lens_type == "PANO" and view.lens.panorama_type in (
            "EQUIRECTANGULAR", "CENTRAL_CYLINDRICAL", "EQUIANGULAR_CUBEMAP_FACE"):
        return 0.5, 0.5
    side = max(width, height)
    return 0.5 * width / side, 0.5 * height / side


def extent(points, pose, view, width, height):
    """The subject's projected extent (see the module docstring); inf when part of it is
    behind the camera."""
    basis = camera_basis(pose)
    hw, hh = frame_half_sizes(view, width, height)
    out = 0.0
    for p in points:
        xy = project(p, pose, view, basis)
        if xy is None:
            return math.inf
        out = max(out, abs(xy[0]) / hw, abs(xy[1]) / hh)
    return out


def still_extent(desc, points, floor_z, width, height):
    """The extent at the still's pose with the view's current distance and ortho scale."""
    view = desc.camera.main
    return extent(points, camera_pose(desc, view.movement.still_at, floor_z), view, width, height)


def solve_framing(desc, points, floor_z):
    """Set the main view's `distance` (and, orthographic, `ortho_scale`) so that the subject's
    extent at the still's pose is the view's `framing_share`; returns the extent reached.

    `points`: the subject's extreme points in world space (builder: its evaluated mesh's).
    """
    view = desc.camera.main
    width, height = desc.render.width, desc.render.height
    radius = max(math.sqrt(_dot(p, p)) for p in points)
    target = view.framing_share
    orthographic = view.lens.lens_type == "ORTHO"
    saved = view.lens.lens_type, view.focal_length
    if orthographic:  # distance as a 50 mm lens would stand; the scale does the framing
        view.lens.lens_type, view.focal_length = "PERSP", 50.0
    try:
        view.distance = _solve_distance(desc, points, floor_z, NEAR_MARGIN * radius, target)
    finally:
        view.lens.lens_type, view.focal_length = saved
    if orthographic:
        view.ortho_scale = 1.0
        view.ortho_scale = still_extent(desc, points, floor_z, width, height) / target
    reached = still_extent(desc, points, floor_z, width, height)
    for effect in desc.effects:
        if getattr(effect, "element", None) == "gas":
            effect.reach = gas_reach(view.distance)
    return reached


def _solve_distance(desc, points, floor_z, lo, target):
    """The base distance whose still extent is `target` (bisection in log distance)."""
    view = desc.camera.main
    width, height = desc.render.width, desc.render.height
    hi = FAR_LIMIT

    def at(distance):
        view.distance = distance
        return still_extent(desc, points, floor_z, width, height)

    if at(lo) <= target:
        distance = lo
    elif at(hi) >= target:
        distance = hi
    else:
        for _ in range(_ITERATIONS):  # the extent falls as the camera backs away
            mid = math.sqrt(lo * hi)
            if at(mid) > target:
                lo = mid
            else:
                hi = mid
        distance = hi
    return distance


ROOM_MARGIN = 2.0
"""How far past the camera's furthest point a round studio's wall stands (object radii)."""


def room_radius(desc, floor_z, bend, samples=25):
    """The radius of the round studio a sweep or wall becomes when a flat one would show its
    edges (the camera orbits, or a panoramic or fisheye lens sees behind and above it): past
    every point the camera reaches over the clip. None when the flat backdrop covers the view."""
    view = desc.camera.main
    if view.lens.lens_type != "PANO" and abs(view.movement.orbit_deg) < 1e-6:
        return None
    reach = 0.0
    for i in range(samples):
        location = camera_pose(desc, i / (samples - 1), floor_z)["location"]
        reach = max(reach, math.hypot(location[0], location[1]), location[2] - floor_z)
    return reach + ROOM_MARGIN + bend

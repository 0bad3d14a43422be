"""Framing: the camera distance (and orthographic scale) that gives the subject its share of
the frame (the `camera.framing` axis), from the subject's real bounds, the focal length and the
lens. Pure math (no bpy): the builder hands in the subject's extreme points.

The share is the span of the subject's projected bounds over the frame's side (per axis, the
larger of the two). Measured at the still's pose (the movement's `still_at` moment: a dolly,
zoom, pan or truck is accounted for), so focal length changes perspective and compression, not
whether the subject fits. A framing that does not crop also keeps the bounds inside the frame
(`FIT`): where the move leaves the subject off-centre (a pan, a tilt-shift lens), the camera
backs away until they fit, at a smaller share if it must. Panoramic lenses measure in their own image
coordinates (fisheye radius, equirectangular longitude/latitude); when a share cannot be
reached outside the subject (a 360-degree panorama), the camera stops at the closest distance.
"""

import math

from psynth_render.scene.build.motion import camera_pose, still_pose
from psynth_render.scene.build.vectors import vec_cross, vec_dot, vec_sub, vec_unit

MIN_GAS_REACH = 6.0
"""Half-size of a scene-filling gas volume at the least (object radii)."""
NEAR_MARGIN = 1.15
"""The camera stays this many times the subject's furthest point from its centre away."""
FAR_LIMIT = 400.0
"""The farthest a solved camera goes (object radii; the backdrop is larger)."""
_ITERATIONS = 40
FIT = 0.97
"""An uncropped framing keeps the subject's furthest point this far from the frame's centre at
most (1 = on the edge)."""


def gas_reach(camera_distance):
    """Half-size of a gas that fills the scene: past the camera, so it is inside the fog."""
    return max(MIN_GAS_REACH, 1.5 * camera_distance + 1.0)


WRAPPED_PANORAMAS = ("EQUIRECTANGULAR", "CENTRAL_CYLINDRICAL", "EQUIANGULAR_CUBEMAP_FACE")
"""Panorama types whose frame spans longitude and latitude (the rest draw a disc)."""


def camera_basis(pose):
    """(forward, right, up) of a posed camera, as Blender aims it (track -Z, up Y) and rolls it."""
    forward = vec_unit(vec_sub(pose["target"], pose["location"]))
    right = vec_cross(forward, (0.0, 0.0, 1.0))
    if vec_dot(right, right) < 1e-12:  # looking straight up or down
        right = vec_cross(forward, (0.0, 1.0, 0.0))
    right = vec_unit(right)
    up = vec_cross(right, forward)
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
    d = vec_sub(point, pose["location"])
    z, x, y = vec_dot(d, forward), vec_dot(d, right), vec_dot(d, up)
    lens = view.lens
    if lens.lens_type == "ORTHO":
        return (x / pose["ortho_scale"] - lens.shift_x, y / pose["ortho_scale"] - lens.shift_y)
    if lens.lens_type == "PERSP":
        if z <= 1e-6:
            return None
        k = pose["focal_length"] / view.sensor_width
        return (x / z * k - lens.shift_x, y / z * k - lens.shift_y)
    kind = lens.panorama_type
    if kind in WRAPPED_PANORAMAS:
        return (math.atan2(x, z) / (2 * math.pi), math.atan2(y, math.hypot(x, z)) / math.pi)
    theta, phi = math.atan2(math.hypot(x, y), z), math.atan2(y, x)
    if kind == "FISHEYE_EQUISOLID":
        r = 2 * lens.fisheye_lens_mm * math.sin(theta / 2) / view.sensor_width
    elif kind == "FISHEYE_EQUIDISTANT":
        r = theta / math.radians(lens.fisheye_fov_deg)
    else:  # mirror ball: the whole sphere of directions in a disc
        r = 0.5 * math.sin(theta / 2)
    return (r * math.cos(phi), r * math.sin(phi))


def _wrapped(view):
    """Whether the lens maps longitude and latitude across the frame (360 by 180 degrees)."""
    return view.lens.lens_type == "PANO" and view.lens.panorama_type in WRAPPED_PANORAMAS


def frame_half_sizes(view, width, height):
    """Half the frame's width and height in `project`'s units."""
    if _wrapped(view):
        return 0.5, 0.5
    side = max(width, height)
    return 0.5 * width / side, 0.5 * height / side


def extent(points, pose, view, width, height):
    """(share, reach): the span of the subject's projected bounds over the frame's side (the
    larger of width and height) and its furthest point from the frame's centre (1 = on the
    edge); both inf when part of it is behind the camera."""
    basis = camera_basis(pose)
    hw, hh = frame_half_sizes(view, width, height)
    xs, ys = [], []
    for p in points:
        xy = project(p, pose, view, basis)
        if xy is None:
            return math.inf, math.inf
        xs.append(xy[0] / hw)
        ys.append(xy[1] / hh)
    share = max(max(xs) - min(xs), max(ys) - min(ys)) / 2
    reach = max(max(map(abs, xs)), max(map(abs, ys)))
    return share, reach


def still_extent(desc, points, floor_z, width, height):
    """(share, reach) at the still's pose with the view's current distance and ortho scale."""
    view = desc.camera.main
    return extent(points, camera_pose(desc, view.movement.still_at, floor_z), view, width, height)


def clip_times(view):
    """The clip times (0..1) whose poses the framing keeps the subject inside: every rendered
    frame of a moving camera's clip, else none (a still is judged at its own pose)."""
    move = view.movement
    if move.frames < 2 or not move.moves:
        return ()
    return tuple(i / (move.frames - 1) for i in range(move.frames))


def clip_reach(desc, points, floor_z, width, height, times):
    """The largest reach (furthest subject point from the frame's centre, 1 = the edge) over the
    poses at `times`; inf when the subject is behind the camera at one of them."""
    view = desc.camera.main
    return max((extent(points, camera_pose(desc, t, floor_z), view, width, height)[1] for t in times),
               default=0.0)


def group_extent(desc, points, group, floor_z, width, height):
    """(share of `points`, reach of `group`) at the still's pose: the subject's share of the
    frame, and how far out the whole group reaches, in the main view and, for a multi-object
    scene, in every view of a rig too (a rig's views share the main view's distance and scale)."""
    share, reach = still_extent(desc, points, floor_z, width, height)
    if group is not points:
        reach = max(still_extent(desc, group, floor_z, width, height)[1], rig_reach(desc, group, floor_z, width, height))
    return share, reach


def rig_reach(desc, points, floor_z, width, height):
    """The largest reach of `points` at the still poses of a rig's other views (0 for one view),
    at the main view's distance and orthographic scale: a group laid out across the main view's
    frame stands in depth from a view turned 90 degrees, and was cropped there (5 objects under
    `views 6 rig sphere`: 20 of 30 samples reached past a view's edge, up to 1.31)."""
    main, reach = desc.camera.main, 0.0
    for index, other in enumerate(desc.camera.views[1:], start=1):
        other.distance, other.ortho_scale = main.distance, main.ortho_scale
        reach = max(reach, extent(points, still_pose(desc, floor_z, index), other, width, height)[1])
    return reach


COVERAGE_GOAL = 0.03
"""The least share of the frame a subject's silhouette is framed to cover: 1.5 times QC's
default `min_coverage` (0.02), for the error of estimating it from the bounds and the fill."""
MAX_FILL_BOOST = 2.5
"""The most a sparse subject's share is raised (the fit still keeps it whole)."""


def fill_boost(fill, share):
    """How much a framing's `share` is raised so that the subject's silhouette, filling `fill`
    of the square on its bounds' larger side (None: unmeasured, no change), covers
    COVERAGE_GOAL of the frame: it covers about fill x share^2. Only sparse or thin subjects at
    wide framings need it (a chair at `wide`, fill ~0.1 from the side, covered 1.4% of the
    frame, stylized_motion 73; a crystal's prism 1.9%, 81); at `establishing` (share 0.17)
    any subject sparser than a cube does. At most MAX_FILL_BOOST."""
    if fill is None or fill <= 0.0 or share <= 0.0:
        return 1.0
    return min(MAX_FILL_BOOST, max(1.0, math.sqrt(COVERAGE_GOAL / fill) / share))


def solve_framing(desc, points, floor_z, size=None, group=None, fill=None):
    """Set the main view's `distance` (and, orthographic, `ortho_scale`) so that the subject's
    share of the frame at the still's pose is the view's `framing_share` (or less, to fit);
    returns the (share, reach) reached.

    `points`: the subject's extreme points in world space (builder: its evaluated mesh's);
    `size`: the frame's (width, height) in pixels (default: `desc.render`'s); `group`: the
    extreme points of every object of a multi-object scene (default `points`): the subject's
    share sets the distance, and the camera backs away until the whole group fits, so the
    group fills the frame instead of taking the subject's share (its smaller objects were
    drawn a few pixels wide); `fill`: the share of the square on the subject's bounds its
    silhouette covers (placement.silhouette_fill): a sparse subject's share is raised by
    `fill_boost` unless the framing crops.
    """
    view = desc.camera.main
    width, height = size or (desc.render.width, desc.render.height)
    group = points if group is None else group
    radius = max(math.sqrt(vec_dot(p, p)) for p in group)
    if fill is not None and _wrapped(view):  # a radian of longitude spans half what one of latitude does
        fill *= 0.5
    target = view.framing_share * (1.0 if view.framing_crop else fill_boost(fill, view.framing_share))
    orthographic = view.lens.lens_type == "ORTHO"
    saved = view.lens.lens_type, view.focal_length
    if not orthographic:  # an orthographic view's scale frames it whatever the dolly
        shorten_dolly(desc, points, floor_z, radius, (width, height), target, group)
    if orthographic:  # distance as a 50 mm lens would stand; the scale does the framing
        view.lens.lens_type, view.focal_length = "PERSP", 50.0
    try:
        near = nearest_base(desc, group, floor_z, radius)
        view.distance = _solve_distance(desc, points, floor_z, near, target, view.framing_crop,
                                        (width, height), group)
    finally:
        view.lens.lens_type, view.focal_length = saved
    if orthographic:  # share and reach scale as 1 / ortho_scale, at every pose of the clip
        view.ortho_scale = 1.0
        share, reach = group_extent(desc, points, group, floor_z, width, height)
        scale = share / target
        if not view.framing_crop:
            whole = clip_reach(desc, group, floor_z, width, height, clip_times(view))
            scale = max(scale, reach / FIT, whole / FIT if math.isfinite(whole) else 0.0)
        view.ortho_scale = scale
    reached = group_extent(desc, points, group, floor_z, width, height)
    for other in desc.camera.views[1:]:  # a multi-view rig's views share the main view's distance
        other.distance, other.ortho_scale = view.distance, view.ortho_scale
    for effect in desc.effects:
        if getattr(effect, "element", None) == "gas":
            effect.reach = gas_reach(view.distance)
    return reached


MIN_DOLLY_KEEP = 0.25
"""A dolly the framing cannot absorb is shortened to this share of its amount at the least, so
the clip still moves the way its caption says."""


def shorten_dolly(desc, points, floor_z, radius, size, share, group=None):
    """Shorten a dolly away from the subject (it ends at the still) when even the closest base
    distance leaves the still under its framing `share`: a panorama sees the whole sphere, so its
    share is reached only close up, and a dolly out (or a dolly zoom, whose zoom a panorama
    ignores) then ended with the subject a few percent of the frame (stylized_motion 84, 129).
    The dolly keeps the longest length whose still reaches the share, at least MIN_DOLLY_KEEP
    of it; every view of a rig moves alike. `group`: the points the camera keeps clear of (every
    object of a multi-object scene; default `points`). Returns the dolly kept."""
    view = desc.camera.main
    move = view.movement
    amount = move.dolly
    if amount <= 0 or (move.still_at or 0.0) <= 0:
        return amount
    width, height = size
    view.distance = nearest_base(desc, points if group is None else group, floor_z, radius)

    def reaches(dolly):
        move.dolly = dolly
        return still_extent(desc, points, floor_z, width, height)[0] >= share

    if reaches(amount):
        return amount
    kept, hi = MIN_DOLLY_KEEP * amount, amount
    if reaches(kept):
        for _ in range(_ITERATIONS // 2):
            mid = 0.5 * (kept + hi)
            kept, hi = (mid, hi) if reaches(mid) else (kept, mid)
    for v in desc.camera.views:
        v.movement.dolly = kept
    return kept


def sphere_base(view, radius):
    """The closest base distance that keeps the camera NEAR_MARGIN subject radii from the
    subject's centre at the clip's closest pose (a dolly in ends at 1 + dolly of the base; a
    panorama framed at the margin then drove the camera into the subject, whose far side
    wrapped round the frame)."""
    closest = min(1.0, 1.0 + view.movement.dolly)
    return NEAR_MARGIN * radius / max(closest, 0.05)


def _clearance(desc, points, floor_z, times, gap):
    """The least, over the poses at `times`, of how far the camera stands past the subject's
    hull toward it (its distance from the target less the hull's support there), less `gap`."""
    view = desc.camera.main
    worst = math.inf
    for t in times:
        location = camera_pose(desc, t, floor_z)["location"]
        toward = vec_sub(location, view.target)
        length = math.sqrt(vec_dot(toward, toward))
        if length < 1e-9:
            return -gap
        u = (toward[0] / length, toward[1] / length, toward[2] / length)
        support = max(vec_dot(vec_sub(p, view.target), u) for p in points)
        worst = min(worst, length - support - gap)
    return worst


def nearest_base(desc, points, floor_z, radius):
    """The closest base distance at which the camera, at the still's pose and every pose of a
    rendered clip, stands at least (NEAR_MARGIN - 1) subject radii past the subject's hull
    (its support toward the camera): a thin subject seen face-on (a pipe, a crystal) may be
    approached closer than its bounding sphere, which a panorama needs to give it its share
    (a pipe at a medium panoramic framing covered 1.3% of the frame from the sphere's margin,
    stylized_motion 164). At most the sphere's bound (`sphere_base`)."""
    view = desc.camera.main
    far = sphere_base(view, radius)
    times = (view.movement.still_at, *clip_times(view))
    gap = (NEAR_MARGIN - 1.0) * radius
    saved = view.distance

    def clear(distance):
        view.distance = distance
        return _clearance(desc, points, floor_z, times, gap) >= 0.0

    try:
        if not clear(far):  # a move that shifts the camera (truck, crane): the sphere's bound
            return far
        lo, hi = 0.05 * far, far
        if clear(lo):
            return lo
        for _ in range(_ITERATIONS // 2):
            mid = math.sqrt(lo * hi)
            lo, hi = (lo, mid) if clear(mid) else (mid, hi)
        return hi
    finally:
        view.distance = saved


def _solve_distance(desc, points, floor_z, lo, target, crop, size, group=None):
    """The closest base distance whose still share is at most `target` and, unless `crop`,
    whose reach is at most FIT at the still's pose and at every frame of a rendered clip
    (bisection in log distance; all fall as the camera backs away). A reach that never fits
    over the clip (a pan that looks away) is let go for the clip, then for the still."""
    view = desc.camera.main
    width, height = size
    hi = FAR_LIMIT
    times = clip_times(view)
    group = points if group is None else group

    def ok(distance, fit=not crop):
        view.distance = distance
        share, reach = group_extent(desc, points, group, floor_z, width, height)
        if share > target or (fit and reach > FIT):
            return False
        return fit != "clip" or clip_reach(desc, group, floor_z, width, height, times) <= FIT

    fit = False
    if not crop:
        fit = "clip" if times and ok(hi, "clip") else ok(hi, True)
    if ok(lo, fit):
        return lo
    if not ok(hi, fit):
        return hi
    for _ in range(_ITERATIONS):
        mid = math.sqrt(lo * hi)
        if ok(mid, fit):
            hi = mid
        else:
            lo = mid
    return hi


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


MAX_FILL_DEPTH = 0.5
"""Optical depth a scene-filling gas (fog, haze, a ground layer) may have between the camera
and the subject: transmittance exp(-0.5) ~ 0.6, the subject stays readable (at 0.37 a grey
cube in white fog already loses most of its contrast)."""
MAX_SHAPED_DEPTH = 5.0
"""Optical depth across a shaped gas (plume, blob) at its densest (its noise leaves gaps)."""
MAX_FLAME_DEPTH = 400.0
"""Optical depth across flames: luminous soot makes a big flame's body opaque (it hides the
backdrop behind it, so its own glow, not the backdrop, gives its colour); flames stand beside
the subject, not in front of it."""


def readable_gas(desc):
    """Bound each gas's `density_value` so the subject stays readable through it: a filling gas
    by the camera's distance (a long lens far back looks through more fog), a shaped one by
    its width. A soft bound, cap x (1 - exp(-density / cap)): thin gases keep their density and
    denser ones stay denser, so `gas.density` still orders them. Returns (before, after) pairs."""
    out = []
    for g in desc.effects:
        if getattr(g, "element", None) != "gas":
            continue
        if g.shape == "fill":
            cap = MAX_FILL_DEPTH / max(desc.camera.main.distance, 1e-6)
        elif g.shape == "layer":  # a ground layer: the subject rises out of it, bound its own depth
            cap = MAX_SHAPED_DEPTH / (2 * max(g.height, 1e-6))
        elif g.look == "flame":
            cap = MAX_FLAME_DEPTH / (2 * g.extent * 1.6)
        else:
            cap = MAX_SHAPED_DEPTH / (2 * g.extent * (1.6 if g.shape == "plume" else 1.0))
        before = g.density_value
        g.density_value = cap * (1.0 - math.exp(-before / cap))  # ~ unchanged when thin, < cap
        out.append((before, g.density_value))
    return out


MIN_LOOK_AMOUNT = {"wisps": 0.6}
"""The least share of a look's shape a gas fills, for looks whose thin end leaves the frame: the
gas.density axis moves a look's threshold (gas_fields._sharpen), and under about 0.4 steam's thin
wisps vanish (steam at density 0.13 rendered no pixel at opacity 0.1). Other looks keep a lower
floor, so density still changes their strength (a plume's billows, dust's motes)."""
DEFAULT_MIN_LOOK_AMOUNT = 0.3


def look_amount(density, look=None):
    """The gas.density axis (0..1) as the amount a look's field is cut at: the look's floor..1,
    in the same order, so a thin gas is thinner but still on screen."""
    floor = MIN_LOOK_AMOUNT.get(look, DEFAULT_MIN_LOOK_AMOUNT)
    return floor + (1.0 - floor) * min(max(density, 0.0), 1.0)


def facing_azimuth(desc, floor_z=None):
    """The still camera's azimuth seen from the target (radians, counter-clockwise from +X):
    where liquids on the subject are put so the camera sees them."""
    pose = camera_pose(desc, desc.camera.main.movement.still_at, floor_z)
    return math.atan2(pose["location"][1] - pose["target"][1], pose["location"][0] - pose["target"][0])

"""Whether one object hides another from a camera direction: bounding spheres seen as discs.

Every object of a multi-object scene fits in a sphere of radius `scale` about its centre
(describe/placement.py), so seen from a direction each is inside a disc; when two discs overlap,
the farther object loses at most the overlap. `hidden_share` is that loss as a share of the
farther disc: placement keeps it under MAX_HIDDEN for every direction the camera looks from.

Directions are (azimuth, elevation) in degrees with motion.py's convention (azimuth 0: the
camera on -Y looking toward +Y; 90: on +X). The discs are an orthographic view (the camera far
away) or, given a `Lens`, what a perspective camera sees from the distance the builder's
framing will roughly solve (the group's span on screen at the framing's share of the frame,
aimed at the group's centre): near objects are drawn larger and further apart. Pure math, no bpy.
"""

import math
from typing import NamedTuple

MAX_HIDDEN = 0.25
"""Largest share of an object's disc that a nearer object's disc may cover (from every view
placement keeps). A bounding sphere's disc is larger than the object (a cube's silhouette fills
40-75% of it), so the object loses less; measured over rendered 5-object scenes, each keeps
45% or more of its own pixels, most over 70%. At 0.1 the groups spread so wide at eye level
that their smaller objects fell under 1% of the frame (bench_fidelity's multi_object spec:
objects visible 60% at 0.1, 83% at 0.25)."""
MARGIN = 1.1
"""Disc radii are the bounding spheres' radii times this: the framed distance is an estimate,
and an object resting on the floor stands a little off its bounding sphere's centre."""
SENSOR_MM = 36.0
NEAREST = 1.6
"""The estimated camera stays at least this many group radii from the group's centre."""


class Lens(NamedTuple):
    """What a perspective camera's distance is estimated from: its focal length (mm) and the
    share of the frame its framing gives the group (camera.framing)."""

    focal_mm: float
    share: float


class Disc(NamedTuple):
    """An object seen from a direction: centre (u, v) in the view plane, radius, and depth
    (larger: nearer the camera)."""

    u: float
    v: float
    radius: float
    depth: float


def view_axes(azimuth_deg: float, elevation_deg: float):
    """(right, up, toward the camera) unit vectors of a camera at the direction given."""
    a, e = math.radians(azimuth_deg), math.radians(elevation_deg)
    toward = (math.sin(a) * math.cos(e), -math.cos(a) * math.cos(e), math.sin(e))
    right = (math.cos(a), math.sin(a), 0.0)
    up = (-math.sin(a) * math.sin(e), math.cos(a) * math.sin(e), math.cos(e))
    return right, up, toward


def disc(centre, radius: float, axes, margin: float = MARGIN) -> Disc:
    """The disc a sphere (`centre`, `radius`) covers seen along `axes` (view_axes)."""
    right, up, toward = axes
    dot = lambda a, b: a[0] * b[0] + a[1] * b[1] + a[2] * b[2]  # noqa: E731
    return Disc(dot(centre, right), dot(centre, up), radius * margin, dot(centre, toward))


def perspective_disc(centre, radius: float, axes, camera, margin: float = MARGIN) -> Disc:
    """The disc a sphere covers seen from a perspective camera at `camera` looking along
    -toward (`axes`), in image units (tangent of the angle off the view axis); depth: minus
    the distance (larger: nearer)."""
    right, up, toward = axes
    rel = (centre[0] - camera[0], centre[1] - camera[1], centre[2] - camera[2])
    dot = lambda a, b: a[0] * b[0] + a[1] * b[1] + a[2] * b[2]  # noqa: E731
    ahead = max(-dot(rel, toward), 1e-6)
    far = math.sqrt(dot(rel, rel))
    size = radius / math.sqrt(max(far * far - radius * radius, 1e-12))
    return Disc(dot(rel, right) / ahead, dot(rel, up) / ahead, size * margin, -far)


def _discs(spheres, view, lens):
    """Each sphere's disc from `view`: orthographic without a lens, else from the camera at
    the estimated framed distance, aimed at the group's centre."""
    axes = view_axes(view[0], view[1])
    if lens is None:
        return [disc(c, r, axes) for c, r in spheres]
    xs = [c[0] - r for c, r in spheres] + [c[0] + r for c, r in spheres]
    ys = [c[1] - r for c, r in spheres] + [c[1] + r for c, r in spheres]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    reach = max(math.hypot(c[0] - cx, c[1] - cy) + r for c, r in spheres)
    span = screen_span(spheres, view)
    distance = max(span * lens.focal_mm / (SENSOR_MM * lens.share), NEAREST * reach)
    toward = axes[2]
    camera = (cx + distance * toward[0], cy + distance * toward[1], distance * toward[2])
    return [perspective_disc(c, r, axes, camera) for c, r in spheres]


def overlap_area(a: Disc, b: Disc) -> float:
    """Area of the intersection of two discs (the lens formula)."""
    d = math.hypot(a.u - b.u, a.v - b.v)
    r, s = a.radius, b.radius
    if d >= r + s:
        return 0.0
    if d <= abs(r - s):
        return math.pi * min(r, s) ** 2
    alpha = math.acos(max(-1.0, min(1.0, (d * d + r * r - s * s) / (2 * d * r))))
    beta = math.acos(max(-1.0, min(1.0, (d * d + s * s - r * r) / (2 * d * s))))
    return r * r * alpha + s * s * beta - 0.5 * math.sqrt(max(0.0, (-d + r + s) * (d + r - s) * (d - r + s) * (d + r + s)))


def hidden_share(a: Disc, b: Disc) -> float:
    """The share of the farther disc's area that the nearer one covers."""
    far = a if a.depth < b.depth else b
    return overlap_area(a, b) / (math.pi * far.radius ** 2)


def clear_of(group, others, views, lens: Lens | None = None, limit: float = MAX_HIDDEN) -> bool:
    """Whether the last sphere of `group` ((centre, radius) pairs: every object the camera
    frames) and each sphere of `group` indexed by `others` hide at most `limit` of one another
    from every view of `views` ((azimuth, elevation) pairs). With a `lens`, both from far away
    and from its estimated distance: the camera backs away as later objects widen the group,
    and what is clear at both ends of that range is clear in between but for a sliver."""
    for view in views:
        for judge in {None, lens}:
            discs = _discs(group, view, judge)
            if any(hidden_share(discs[-1], discs[i]) > limit for i in others):
                return False
    return True


def worst_hidden(spheres, views, lens: Lens | None = None) -> float:
    """The largest share any sphere of `spheres` ((centre, radius) pairs) loses behind another,
    over `views` (what placement keeps under MAX_HIDDEN, when it can)."""
    worst = 0.0
    for view in views:
        discs = _discs(spheres, view, lens)
        for i, a in enumerate(discs):
            for b in discs[i + 1:]:
                worst = max(worst, hidden_share(a, b))
    return worst


def screen_span(spheres, view) -> float:
    """The larger side of the box holding every sphere's disc seen from `view` (azimuth,
    elevation): what a framing that fits the group scales to its share of the frame."""
    axes = view_axes(*view)
    discs = [disc(c, r, axes) for c, r in spheres]
    width = max(d.u + d.radius for d in discs) - min(d.u - d.radius for d in discs)
    height = max(d.v + d.radius for d in discs) - min(d.v - d.radius for d in discs)
    return max(width, height)


class SpanBox:
    """`screen_span` of fixed spheres plus one more, in constant time per added sphere (the
    placement weighs hundreds of candidate spots against the same group)."""

    def __init__(self, spheres, view):
        self.axes = view_axes(*view)
        discs = [disc(c, r, self.axes) for c, r in spheres]
        self.box = (min(d.u - d.radius for d in discs), max(d.u + d.radius for d in discs),
                    min(d.v - d.radius for d in discs), max(d.v + d.radius for d in discs))

    def with_sphere(self, sphere) -> float:
        d = disc(sphere[0], sphere[1], self.axes)
        u0, u1, v0, v1 = self.box
        return max(max(u1, d.u + d.radius) - min(u0, d.u - d.radius), max(v1, d.v + d.radius) - min(v0, d.v - d.radius))


class FarDiscs:
    """The discs of fixed groups of spheres seen from far away along each of `views`, so a
    candidate sphere is checked against them without recomputing them (clear_of's far-away
    half, for hundreds of candidate spots)."""

    def __init__(self, groups, views, limit: float = MAX_HIDDEN):
        self.axes = [view_axes(*view) for view in views]
        self.discs = [[[disc(c, r, axes) for c, r in group] for axes in self.axes] for group in groups]
        self.limit = limit

    def clear(self, sphere, others, group: int) -> bool:
        """Whether `sphere` ((centre, radius)) and group `group`'s spheres indexed by `others`
        hide at most `limit` of one another from every view, from far away."""
        centre, radius = sphere
        for axes, discs in zip(self.axes, self.discs[group]):
            mine = disc(centre, radius, axes)
            if any(hidden_share(mine, discs[i]) > self.limit for i in others):
                return False
        return True

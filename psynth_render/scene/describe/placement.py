"""Where the objects of a multi-object scene stand: deterministic bounds packing on the ground.

Every mesh is normalised so its farthest vertex is at radius 1 (build/shapes.py), so an object
of scale s fits in a vertical cylinder of radius s about its centre whatever its rotation about
Z. Object 0, the subject, keeps the origin and scale 1; each further object gets a scale and a
spot on the ground plane whose cylinder keeps `GAP` away from every earlier one, searched
outward from the subject on a seeded generator, so the packing is a pure function of
(seed, number of objects, camera directions) and no two objects can intersect. The builder then
lowers each object until its evaluated lowest point rests on the floor.

In view (`views`, sightlines.py): given the directions the camera looks from, a spot must also
keep every object's bounding disc on screen from hiding more than sightlines.MAX_HIDDEN of
another's, with the floor under a sphere subject and under a flat one (FLOORS); of the clear
spots within reach, the one keeping the group's span on screen smallest is taken, so the
framing (which fits the group) draws each object large. Where the views surround the scene and
no spot is clear from all of them, the main view alone decides (SIGHT_REACH).

Why not rigid-body settling: Blender's simulation is stepped frame by frame (seconds per scene
for 8 objects), its result depends on the solver's substeps and Blender version, and piled
objects would need a collision check per frame; a packing is exact, instant and reproducible
bit for bit.

Stacking (`arrange`, the `scene.arrangement` axis): with a seeded chance `stack_share`, an
object stands on an earlier one instead of the ground: centred over it (offset at most
STACK_OFFSET of its scale), at most STACK_SHRINK of its scale, one object on each, towers of at
most MAX_TOWER. It then lies inside its support's cylinder, so towers keep the packing's
clearance from each other; the builder lowers it onto what is below (build/stacking.py).
"""

import math
from typing import NamedTuple

import numpy as np

from psynth_render.scene.describe.sightlines import FarDiscs, SpanBox, clear_of

GAP = 0.08
"""Least horizontal clearance between two objects' bounding cylinders (scene units)."""
SCALE_RANGE = (0.55, 0.8)
"""Scales of the objects beside the subject (the subject has radius 1)."""
_TRIES_PER_RING = 24
_RING_STEP = 0.12


def place(count: int, seed: int, views=(), lens=None) -> list[tuple[tuple[float, float], float]]:
    """`count` ((x, y), scale) pairs: object 0 at the origin with scale 1, the others packed
    around it without their bounding cylinders touching (and, with `views`, apart on screen:
    see `arrange`)."""
    return [((s.x, s.y), s.scale) for s in arrange(count, seed, 0.0, views, lens)]


STACK_SHRINK = 0.8
"""A stacked object's scale is at most this share of its support's."""
STACK_OFFSET = 0.15
"""Largest horizontal offset of a stacked object from its support's centre, in the support's
scale (with STACK_SHRINK it stays within the support's cylinder: 0.15 + 0.8 < 1)."""
MAX_TOWER = 3
"""Objects in one tower, the one on the ground included."""
SIGHT_REACH = (2.5, 4.0)
"""How far out (subject radii, past the first ring) a ground object is searched for a spot
clear on screen from every view, then from the main view only; past both, the first spot clear
on the ground (a scene whose views surround it cannot keep every object apart from each)."""


class Spot(NamedTuple):
    """Where object k stands: centre (x, y), scale, and `support`: the index of the object it is
    stacked on (None: the ground)."""

    x: float
    y: float
    scale: float
    support: int | None = None


def arrange(count: int, seed: int, stack_share: float = 0.0, views=(), lens=None) -> list[Spot]:
    """`count` spots: object 0 at the origin with scale 1; each further one on the ground clear
    of the others' cylinders or, with chance `stack_share`, stacked on an earlier one that
    carries nothing and tops a tower lower than MAX_TOWER.

    `views`: the (azimuth, elevation) directions the camera looks from, the main still first.
    `lens` (sightlines.Lens): judge them as a perspective camera at the framed distance would
    see them (None: from far away). A ground object is put where, seen from each, no two objects' bounding discs hide more than
    sightlines.MAX_HIDDEN of one another (searched outward, SIGHT_REACH); a stacked one only on a
    support where it keeps that clearance from the other towers (within a tower, objects may
    hide part of each other), else on the ground. A pure function of its arguments; the first
    objects do not move when more are added."""
    rng = np.random.default_rng([int(seed) % 2**63, 0x0B1EC7])
    stack_rng = np.random.default_rng([int(seed) % 2**63, 0x57AC4ED])
    views = tuple(views)
    spots = [Spot(0.0, 0.0, 1.0)]
    height, carrying = [1], set()
    for k in range(1, count):
        scale = float(rng.uniform(*SCALE_RANGE))
        spot = None
        if stack_share > 0.0:
            stack, pick, reach = stack_rng.uniform() < stack_share, stack_rng.uniform(), stack_rng.uniform()
            angle = stack_rng.uniform(0, 2 * math.pi)
            free = [i for i in range(k) if i not in carrying and height[i] < MAX_TOWER]
            if stack and free:
                start = int(pick * len(free))
                for below in free[start:] + free[:start]:  # the drawn support first
                    base = spots[below]
                    offset = STACK_OFFSET * base.scale * reach
                    candidate = Spot(round(base.x + offset * math.cos(angle), 6),
                                     round(base.y + offset * math.sin(angle), 6),
                                     min(scale, STACK_SHRINK * base.scale), below)
                    if not views or _clear_on_screen(spots, candidate, views, lens):
                        spot = candidate
                        break
        if spot is None:
            x, y = _free_spot(spots, scale, rng, views, lens)
            spot = Spot(x, y, scale)
        spots.append(spot)
        if spot.support is not None:
            carrying.add(spot.support)
        height.append(1 if spot.support is None else height[spot.support] + 1)
    return spots


FLOORS = (-1.0, 0.0)
"""Where the floor may be: under the subject's lowest point, which its shape decides once built
(-1 under a sphere, -0.58 under a cube, about 0 under a gear or a plane lying flat); placement
keeps objects apart on screen with the floor at each end (objects on a higher floor stand
higher beside the subject)."""


def sphere_of(spots: list[Spot], k: int, floor: float = FLOORS[0]) -> tuple[tuple[float, float, float], float]:
    """Object k's bounding sphere (centre, radius): the subject's at the origin; others resting on
    the floor at height `floor` or on their support's top."""
    spot = spots[k]
    if k == 0:
        return (spot.x, spot.y, 0.0), spot.scale
    if spot.support is None:
        return (spot.x, spot.y, floor + spot.scale), spot.scale
    (_, _, below_z), below_r = sphere_of(spots, spot.support, floor)
    return (spot.x, spot.y, below_z + below_r + spot.scale), spot.scale


def tower_of(spots: list[Spot], k: int) -> int:
    """The index of the ground object at the foot of object k's tower."""
    while spots[k].support is not None:
        k = spots[k].support
    return k


def _clear_on_screen(spots: list[Spot], candidate: Spot, views, lens=None, far=None) -> bool:
    """Whether `candidate` (the next spot) keeps sightlines clearance from every object outside
    its own tower. `far`: a FarDiscs of `spots` and `views`, which rules out most candidates
    in a few steps before the full check."""
    trial = spots + [candidate]
    k = len(spots)
    tower = tower_of(trial, k)
    others = [i for i in range(k) if tower_of(trial, i) != tower]
    if far is not None and not all(far.clear(sphere_of(trial, k, floor), others, i)
                                   for i, floor in enumerate(FLOORS)):
        return False
    return all(clear_of([sphere_of(trial, i, floor) for i in range(k + 1)], others, views, lens) for floor in FLOORS)


def _free_spot(spots: list[Spot], radius: float, rng, views=(), lens=None) -> tuple[float, float]:
    """A spot clear of every placed cylinder, on rings growing outward. Without `views`, the
    first found. With them, one clear on screen too (from every view up to SIGHT_REACH[0]
    past the first ring, from the first view up to SIGHT_REACH[1]): of the clear candidates
    the one that keeps the group's span on screen (the first view's) smallest, so the framing,
    which fits the group, draws every object as large as it can (candidates are checked in
    order of span, so the first clear one is taken)."""
    first = 1.0 + radius + GAP
    spans = SpanBox([sphere_of(spots, i) for i in range(len(spots))], views[0]) if views else None
    for sight, reach in ((views, SIGHT_REACH[0]), (views[:1], SIGHT_REACH[1])):
        if not sight:
            break
        candidates = []
        distance = first
        while distance - first <= reach:
            for x, y in _ring(distance, rng):
                if _apart(spots, x, y, radius):
                    candidates.append((spans.with_sphere(sphere_of(spots + [Spot(x, y, radius)], len(spots))), x, y))
            distance += _RING_STEP
        far = FarDiscs([[sphere_of(spots, i, floor) for i in range(len(spots))] for floor in FLOORS], sight)
        for _, x, y in sorted(candidates):  # the smallest span first: the first clear one wins
            if _clear_on_screen(spots, Spot(x, y, radius), sight, lens, far):
                return (round(x, 6), round(y, 6))
    distance = first
    while True:
        for x, y in _ring(distance, rng):
            if _apart(spots, x, y, radius):
                return (round(x, 6), round(y, 6))
        distance += _RING_STEP


def _ring(distance: float, rng):
    """_TRIES_PER_RING seeded candidate spots at `distance` from the subject's centre."""
    return [(distance * math.cos(a), distance * math.sin(a)) for a in rng.uniform(0.0, 2 * math.pi, _TRIES_PER_RING)]


def _apart(spots: list[Spot], x: float, y: float, radius: float) -> bool:
    """Whether a cylinder of `radius` at (x, y) keeps GAP from every placed one."""
    return all(math.hypot(x - s.x, y - s.y) >= s.scale + radius + GAP for s in spots)


def object_bounds(location, scale: float) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """An axis-aligned box that holds the object (its bounding sphere's box)."""
    x, y, z = location
    return (x - scale, y - scale, z - scale), (x + scale, y + scale, z + scale)


def union_bounds(objects) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """The box holding every object of a scene (`Scene.objects`): what framing must show."""
    boxes = [object_bounds(o.location, o.scale) for o in objects]
    low = tuple(min(b[0][i] for b in boxes) for i in range(3))
    high = tuple(max(b[1][i] for b in boxes) for i in range(3))
    return low, high  # type: ignore[return-value]


def framing_radius(objects, centre=(0.0, 0.0)) -> float:
    """Radius about the vertical axis through `centre` (default the origin) that holds every
    object (1 for the subject alone about the origin)."""
    return max(math.hypot(o.location[0] - centre[0], o.location[1] - centre[1]) + o.scale for o in objects)


def group_centre(objects) -> tuple[float, float]:
    """The centre (x, y) of the box holding every object's footprint (the origin for the
    subject alone): where the camera aims at a group."""
    low, high = union_bounds(objects)
    return (round((low[0] + high[0]) / 2, 6), round((low[1] + high[1]) / 2, 6))

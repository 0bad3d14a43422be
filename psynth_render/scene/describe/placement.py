"""Where the objects of a multi-object scene stand: deterministic bounds packing on the ground.

Every mesh is normalised so its farthest vertex is at radius 1 (build/shapes.py), so an object
of scale s fits in a vertical cylinder of radius s about its centre whatever its rotation about
Z. Object 0, the subject, keeps the origin and scale 1; each further object gets a scale and a
spot on the ground plane whose cylinder keeps `GAP` away from every earlier one, searched
outward from the subject on a seeded generator, so the packing is a pure function of
(seed, number of objects) and no two objects can intersect. The builder then lowers each
object until its evaluated lowest point rests on the floor.

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

GAP = 0.08
"""Least horizontal clearance between two objects' bounding cylinders (scene units)."""
SCALE_RANGE = (0.4, 0.75)
"""Scales of the objects beside the subject (the subject has radius 1)."""
_TRIES_PER_RING = 24
_RING_STEP = 0.12


def place(count: int, seed: int) -> list[tuple[tuple[float, float], float]]:
    """`count` ((x, y), scale) pairs: object 0 at the origin with scale 1, the others packed
    around it without their bounding cylinders touching."""
    rng = np.random.default_rng([int(seed) % 2**63, 0x0B1EC7])
    placed: list[tuple[tuple[float, float], float]] = [((0.0, 0.0), 1.0)]
    for _ in range(1, count):
        scale = float(rng.uniform(*SCALE_RANGE))
        placed.append((_free_spot(placed, scale, rng), scale))
    return placed[:count]


STACK_SHRINK = 0.8
"""A stacked object's scale is at most this share of its support's."""
STACK_OFFSET = 0.15
"""Largest horizontal offset of a stacked object from its support's centre, in the support's
scale (with STACK_SHRINK it stays within the support's cylinder: 0.15 + 0.8 < 1)."""
MAX_TOWER = 3
"""Objects in one tower, the one on the ground included."""


class Spot(NamedTuple):
    """Where object k stands: centre (x, y), scale, and `support`: the index of the object it is
    stacked on (None: the ground)."""

    x: float
    y: float
    scale: float
    support: int | None = None


def arrange(count: int, seed: int, stack_share: float = 0.0) -> list[Spot]:
    """`count` spots: the ground packing of `place`, but with chance `stack_share` each object
    after the subject is stacked on an earlier one that carries nothing and tops a tower lower
    than MAX_TOWER. `stack_share` 0 gives exactly `place`'s spots."""
    ground = place(count, seed)
    spots = [Spot(x, y, scale) for (x, y), scale in ground[:1]]
    if stack_share <= 0.0:
        return [Spot(x, y, scale) for (x, y), scale in ground]
    rng = np.random.default_rng([int(seed) % 2**63, 0x57AC4ED])
    height, carrying = [1], set()
    for k in range(1, count):
        free = [i for i in range(k) if i not in carrying and height[i] < MAX_TOWER]
        stack, pick, reach = rng.uniform() < stack_share, rng.uniform(), rng.uniform()
        angle = rng.uniform(0, 2 * math.pi)
        if stack and free:
            below = free[int(pick * len(free))]
            base = spots[below]
            offset = STACK_OFFSET * base.scale * reach
            spots.append(Spot(round(base.x + offset * math.cos(angle), 6), round(base.y + offset * math.sin(angle), 6),
                              min(ground[k][1], STACK_SHRINK * base.scale), below))
            carrying.add(below)
            height.append(height[below] + 1)
        else:
            (x, y), scale = ground[k]
            spots.append(Spot(x, y, scale))
            height.append(1)
    return spots


def _free_spot(placed, radius: float, rng) -> tuple[float, float]:
    """The first candidate clear of every placed cylinder, on rings growing outward."""
    distance = 1.0 + radius + GAP
    while True:
        for angle in rng.uniform(0.0, 2 * math.pi, _TRIES_PER_RING):
            x, y = distance * math.cos(angle), distance * math.sin(angle)
            if all(math.hypot(x - px, y - py) >= r + radius + GAP for (px, py), r in placed):
                return (round(x, 6), round(y, 6))
        distance += _RING_STEP


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


def framing_radius(objects) -> float:
    """Radius about the origin's vertical axis that holds every object (1 for the subject alone)."""
    return max(math.hypot(*o.location[:2]) + o.scale for o in objects)

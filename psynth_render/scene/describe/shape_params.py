"""The generated meshes' parameters for one sample, resolved before building (pure Python).

Furniture, trees, terrain, bolts, pipes and scatters take their concept's parameters, then:
  - `geometry.proportion` (0.5..2, default 1) stretches the main dimension: the height of
    furniture and trees, the relief of terrain, the length of bolts and pipe legs, the size of
    scattered pieces;
  - `geometry.detail` (0..1, default 0.5 = the concept's own) scales the structure: shelf
    boards, tree levels, terrain resolution and octaves, pipe bends, thread turns, scatter
    density;
  - a seeded furniture concept's proportions vary by up to its `jitter` per sample.
Before that, each generator's own axes (GENERATOR_AXES: gear teeth, rock roughness, ...) set
their parameter where the spec states them (`apply_generator_axes`); unstated, the concept's
own value stands (the samples table records it: the axes derive from the concept).
The resolved values go into the scene's `Geometry.params` (so every sample records them) and
the builder uses them as given; only structure (branch angles, terrain noise, pipe turns)
still comes from the seed in the builder.
"""

import random
from typing import Any

GENERATED = ("furniture", "plant", "terrain", "bolt", "pipe", "scatter")

GENERATOR_AXES: dict[str, tuple[str, str]] = {
    "geometry.neck_width": ("lathe", "neck_width"),
    "geometry.rock_roughness": ("rock", "strength"),
    "geometry.crystal_count": ("crystal", "prisms"),
    "geometry.crystal_facets": ("crystal", "facets"),
    "geometry.leg_count": ("furniture", "legs"),
    "geometry.back_height": ("furniture", "back_ratio"),
    "geometry.branching": ("plant", "branches"),
    "geometry.gear_teeth": ("gear", "teeth"),
    "geometry.terrain_amplitude": ("terrain", "relief"),
    "geometry.scatter_density": ("scatter", "density"),
    "geometry.pipe_runs": ("pipe", "runs"),
}
"""A generator's own axis -> (generator, the parameter it sets). Each axis derives its unstated
value from that parameter (`default_from` in taxonomy/axes.yaml)."""


def apply_generator_axes(
    generator: str, params: dict[str, Any], values: dict[str, Any], stated: set[str],
) -> dict[str, Any]:
    """A copy of `params` with the stated axes of `generator` written in (typed as the axis)."""
    p = dict(params)
    for axis, (owner, param) in GENERATOR_AXES.items():
        if owner == generator and axis in stated and values.get(axis) is not None:
            p[param] = type(p[param])(values[axis]) if param in p else values[axis]
    return p


def _scaled(value: float, detail: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, int(round(value * (0.5 + detail)))))


def resolve_params(generator: str, params: dict[str, Any], seed: int, detail: float, proportion: float) -> dict[str, Any]:
    """A copy of `params` with the sample's detail, proportion and seeded variation applied."""
    if generator not in GENERATED:
        return params
    p = dict(params)
    if generator == "furniture":
        rng = random.Random(p.get("seed", 0) * 1000003 + seed)
        for key in ("width", "depth", "height", "thickness"):
            p[key] = p[key] * (1.0 + rng.uniform(-p["jitter"], p["jitter"]))
        p["height"] *= proportion
        p["boards"] = _scaled(p["boards"], detail, 2, 12)
        p["jitter"] = 0.0  # applied here, recorded
    elif generator == "plant":
        p["trunk_height"] *= proportion
        p["levels"] = _scaled(p["levels"], detail, 1, 4)
    elif generator == "terrain":
        p["relief"] *= proportion
        p["resolution"] = _scaled(p["resolution"], detail, 4, 256)
        p["octaves"] = _scaled(p["octaves"], detail, 1, 8)
    elif generator == "bolt":
        p["length"] *= proportion
        p["pitch"] /= 0.5 + detail
    elif generator == "scatter":
        p["size"] *= proportion
        p["density"] = min(200.0, p["density"] * (0.5 + detail))
    else:  # pipe
        p["leg_length"] *= proportion
        p["runs"] = _scaled(p["runs"], detail, 1, 8)
    return p

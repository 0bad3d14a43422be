"""The generated meshes' parameters for one sample, resolved before building (pure Python).

Furniture, trees, terrain, bolts, pipes and scatters take their concept's parameters, then:
  - `geometry.proportion` (0.5..2, default 1) stretches the main dimension: the height of
    furniture and trees, the relief of terrain, the length of bolts and pipe legs, the size of
    scattered pieces;
  - `geometry.detail` (0..1, default 0.5 = the concept's own) scales the structure: shelf
    boards, tree levels, terrain resolution and octaves, pipe bends, thread turns, scatter
    density;
  - a seeded furniture concept's proportions vary by up to its `jitter` per sample.
The resolved values go into the scene's `Geometry.params` (so every sample records them) and
the builder uses them as given; only structure (branch angles, terrain noise, pipe turns)
still comes from the seed in the builder.
"""

import random
from typing import Any

GENERATED = ("furniture", "plant", "terrain", "bolt", "pipe", "scatter")


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
        p["segments"] = _scaled(p["segments"], detail, 1, 8)
    return p

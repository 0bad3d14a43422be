"""Where a multi-view sample's cameras go (`render { views N  rig ... }`): pure Python, no bpy.

Every view is the sampled main view (same lens, distance, target, floor clearance: the
sample's framing rules) turned to another azimuth and elevation around the target. Angles use
the camera conventions of build/motion.py: azimuth 0 puts the camera on -Y (the front),
90 on +X (the subject's right), elevation above the horizontal. Deterministic per seed.

    orbit      N azimuths evenly spaced from the sampled one, at the sampled elevation
    turntable  N azimuths evenly spaced from the front, at TURNTABLE_ELEVATION_DEG
    sphere     a Fibonacci lattice of N directions (upper hemisphere when there is a floor,
               else the full sphere), turned about Z by a seeded angle
    fixed6     front, back, left, right, top, bottom (the first N of them)
    random     N directions drawn uniformly (by area) over the hemisphere or sphere, seeded
"""

import math
import random

TURNTABLE_ELEVATION_DEG = 20.0
POLE_ELEVATION_DEG = 89.0
"""Top and bottom views stop just short of the pole, so the camera's up vector stays defined."""
FIXED6 = (("front", 0.0, 0.0), ("back", 180.0, 0.0), ("left", 270.0, 0.0), ("right", 90.0, 0.0),
          ("top", 0.0, POLE_ELEVATION_DEG), ("bottom", 0.0, -POLE_ELEVATION_DEG))
LOWEST_HEMISPHERE_ELEVATION_DEG = 5.0
"""Sphere and random views over a floor stay this far above the horizon."""


def rig_angles(rig: str, views: int, seed: int, azimuth_deg: float, elevation_deg: float,
               upper_only: bool) -> list[tuple[float, float]]:
    """(azimuth_deg, elevation_deg) of each of `views` cameras; the first of orbit is the
    sampled view itself. `upper_only`: keep to the upper hemisphere (the scene has a floor)."""
    if views < 1:
        raise ValueError(f"views must be at least 1, got {views}")
    if rig == "orbit":
        return [((azimuth_deg + 360.0 * k / views) % 360.0, elevation_deg) for k in range(views)]
    if rig == "turntable":
        return [(360.0 * k / views, TURNTABLE_ELEVATION_DEG) for k in range(views)]
    if rig == "fixed6":
        if views > len(FIXED6):
            raise ValueError(f"rig fixed6 has {len(FIXED6)} views, asked for {views}")
        return [(az, el) for _, az, el in FIXED6[:views]]
    lowest = math.sin(math.radians(LOWEST_HEMISPHERE_ELEVATION_DEG)) if upper_only else -1.0
    rng = random.Random(f"{seed}:camera-rig:{rig}")
    if rig == "sphere":
        turn = rng.uniform(0.0, 360.0)
        golden = 180.0 * (3.0 - math.sqrt(5.0))  # the golden angle in degrees
        out = []
        for k in range(views):
            z = 1.0 - (k + 0.5) / views * (1.0 - lowest)  # even steps in z: even steps in area
            out.append(((turn + golden * k) % 360.0, math.degrees(math.asin(z))))
        return out
    if rig == "random":
        return [(rng.uniform(0.0, 360.0), min(POLE_ELEVATION_DEG, math.degrees(math.asin(rng.uniform(lowest, 1.0)))))
                for _ in range(views)]
    raise ValueError(f"unknown camera rig {rig!r}")


def view_names(rig: str, views: int) -> list[str]:
    """Each view's name: `main` for a single view, else `v00`, `v01`... (fixed6: `v00-front`...)."""
    if views == 1:
        return ["main"]
    if rig == "fixed6":
        return [f"v{k:02d}-{FIXED6[k][0]}" for k in range(views)]
    return [f"v{k:02d}" for k in range(views)]

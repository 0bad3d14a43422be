"""The subject's mesh data for a geometry concept: dispatch by generator, then normalise.

`shape_mesh(generator, params, seed)` returns the shape layout of primitives.py, centred on the
origin (bounding box) with its farthest vertex at radius 1. Blender-made meshes (the monkey,
metaballs) are read back by the builder and normalised here with generator "data".
"""

from psynth_render.scene.build.assemblies import bolt, furniture, pipe, plant, terrain
from psynth_render.scene.build.primitives import (
    cube, disc, frustum, icosphere, plane, platonic, torus, uv_sphere,
)
from psynth_render.scene.build.procedural import (
    crystal, gear, lathe, mobius, rock, spring, star_prism, supershape, torus_knot, twisted_torus,
)


def _primitive(p):
    op = p["op"]
    if op == "cube":
        return cube()
    if op == "plane":
        return plane()
    if op == "circle":
        return disc(p["segments"], p["radius"])
    if op == "uv_sphere":
        return uv_sphere(p["segments"], p["rings"], p["radius"])
    if op == "ico_sphere":
        ico = icosphere(p["subdivisions"], p["radius"])
        ico["smooth"] = [bool(p.get("smooth", False))] * len(ico["faces"])
        return ico
    if op == "cylinder":
        return frustum(p["segments"], p["radius"], p["radius"], p["depth"])
    if op == "cone":
        return frustum(p["segments"], p["radius"], p["radius_top"], p["depth"])
    if op == "torus":
        return torus(p["major_radius"], p["minor_radius"], max(p["segments"], 12), max(p["rings"], 8))
    raise KeyError(f"primitive {op!r} is not made from data")


def _data(p):
    verts = [tuple(v) for v in p["verts"]]
    return {"verts": verts, "faces": p["faces"], "smooth": p["smooth"], "sharp": p["sharp"]}


GENERATORS = {
    "primitive": _primitive,
    "torus_knot": torus_knot,
    "twisted_torus": twisted_torus,
    "gear": gear,
    "spring": spring,
    "mobius": mobius,
    "supershape": supershape,
    "lathe": lathe,
    "star_prism": star_prism,
    "platonic": lambda p: platonic(p["solid"]),
    "bolt": bolt,
    "data": _data,
}
"""Generator name -> function(params). Seeded generators are in SEEDED."""

SEEDED = {"rock": rock, "crystal": crystal, "furniture": furniture, "plant": plant, "terrain": terrain, "pipe": pipe}

SEEDED_GENERATORS = (*SEEDED, "metaballs", "scatter")
"""Generators whose mesh depends on the sample's seed (SEEDED's, and meshes.metaballs_shape's
and scatter.scatter_shape's); the others' meshes are reused across samples."""


def normalise(shape):
    """Centre the bounding box on the origin and scale the farthest vertex to radius 1."""
    verts = shape["verts"]
    lo = [min(v[k] for v in verts) for k in range(3)]
    hi = [max(v[k] for v in verts) for k in range(3)]
    c = [(lo[k] + hi[k]) / 2 for k in range(3)]
    centred = [(v[0] - c[0], v[1] - c[1], v[2] - c[2]) for v in verts]
    radius = max((x * x + y * y + z * z) ** 0.5 for x, y, z in centred) or 1.0
    shape["verts"] = [(x / radius, y / radius, z / radius) for x, y, z in centred]
    return shape


def shape_mesh(generator, params, seed):
    """Normalised mesh data of a generator; KeyError for one this module does not make."""
    if generator in SEEDED:
        return normalise(SEEDED[generator](params, seed))
    return normalise(GENERATORS[generator](params))

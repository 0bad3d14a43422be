"""Mesh data for the subject's shapes, as plain lists: no bpy, so it is testable and inlinable.

Every generator returns a `Shape` dict: `verts` (list of (x, y, z)), `faces` (lists of vertex
indices), `smooth` (one bool per face: shade smooth) and `sharp` (vertex-index pairs of edges
to keep sharp). `shape_mesh(generator, params, seed)` dispatches by generator name and
normalises the result to unit radius on the origin (bounding box centred, farthest vertex at 1).
The monkey is Blender's own mesh and is made in the builder.
"""

import math
import random


def _shape(verts, faces, smooth, sharp=()):
    return {"verts": verts, "faces": faces, "smooth": smooth, "sharp": list(sharp)}


def _ring(n, radius, z, phase=0.0):
    return [
        (radius * math.cos(2 * math.pi * i / n + phase), radius * math.sin(2 * math.pi * i / n + phase), z)
        for i in range(n)
    ]


def cube(params):
    s = float(params.get("size", 2.0)) / 2
    verts = [(x * s, y * s, z * s) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    faces = [[0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]]
    return _shape(verts, faces, [False] * 6)


def plane(params):
    s = float(params.get("size", 2.0)) / 2
    verts = [(-s, -s, 0.0), (s, -s, 0.0), (s, s, 0.0), (-s, s, 0.0)]
    return _shape(verts, [[0, 1, 2, 3]], [False])


def uv_sphere(params):
    segments = int(params.get("segments", 32))
    rings = int(params.get("rings", 16))
    verts = [(0.0, 0.0, 1.0)]
    for r in range(1, rings):
        theta = math.pi * r / rings
        verts += _ring(segments, math.sin(theta), math.cos(theta))
    verts.append((0.0, 0.0, -1.0))
    bottom = len(verts) - 1
    faces = [[0, 1 + (i + 1) % segments, 1 + i][::-1] for i in range(segments)]
    for r in range(rings - 2):
        a, b = 1 + r * segments, 1 + (r + 1) * segments
        faces += [[a + i, b + i, b + (i + 1) % segments, a + (i + 1) % segments] for i in range(segments)]
    last = 1 + (rings - 2) * segments
    faces += [[last + i, bottom, last + (i + 1) % segments] for i in range(segments)]
    return _shape(verts, faces, [True] * len(faces))


def _frustum(vertices, r_bottom, r_top, depth):
    """Cylinder or cone along Z, centred; smooth sides, flat caps with sharp rims."""
    h = depth / 2
    verts, faces, smooth, sharp = [], [], [], []
    verts += _ring(vertices, r_bottom, -h)
    if r_top > 0:
        verts += _ring(vertices, r_top, h)
        faces += [[i, (i + 1) % vertices, vertices + (i + 1) % vertices, vertices + i] for i in range(vertices)]
        smooth += [True] * vertices
        faces.append(list(range(2 * vertices - 1, vertices - 1, -1)[::-1]))
        smooth.append(False)
        sharp += [(vertices + i, vertices + (i + 1) % vertices) for i in range(vertices)]
    else:
        verts.append((0.0, 0.0, h))
        faces += [[i, (i + 1) % vertices, vertices] for i in range(vertices)]
        smooth += [True] * vertices
    faces.append(list(range(vertices - 1, -1, -1)))
    smooth.append(False)
    sharp += [(i, (i + 1) % vertices) for i in range(vertices)]
    return _shape(verts, faces, smooth, sharp)


def cylinder(params):
    r = float(params.get("radius", 1.0))
    return _frustum(int(params.get("vertices", 32)), r, r, float(params.get("depth", 2.0)))


def cone(params):
    return _frustum(
        int(params.get("vertices", 32)),
        float(params.get("radius", 1.0)),
        float(params.get("radius_top", 0.0)),
        float(params.get("depth", 2.0)),
    )


def _tube(points, frames, section):
    """Sweep a closed cross-section (list of (u, v)) along a closed path with given frames."""
    n, m = len(points), len(section)
    verts = []
    for p, (nrm, bin_) in zip(points, frames):
        verts += [tuple(p[j] + u * nrm[j] + v * bin_[j] for j in range(3)) for u, v in section]
    faces = []
    for i in range(n):
        a, b = i * m, ((i + 1) % n) * m
        faces += [[a + k, b + k, b + (k + 1) % m, a + (k + 1) % m] for k in range(m)]
    return verts, faces


def torus(params):
    major = float(params.get("major_radius", 1.0))
    minor = float(params.get("minor_radius", 0.25))
    seg, sec = int(params.get("major_segments", 48)), int(params.get("minor_segments", 16))
    twist = float(params.get("twists", 0.0))
    aspect = float(params.get("aspect", 1.0))
    points, frames, sections = [], [], []
    for i in range(seg):
        a = 2 * math.pi * i / seg
        points.append((major * math.cos(a), major * math.sin(a), 0.0))
        frames.append(((math.cos(a), math.sin(a), 0.0), (0.0, 0.0, 1.0)))
        turn = twist * a  # a twisted torus rotates its (non-round) section along the ring
        sections.append(
            [
                (
                    minor * (math.cos(b) * math.cos(turn) - aspect * math.sin(b) * math.sin(turn)),
                    minor * (math.cos(b) * math.sin(turn) + aspect * math.sin(b) * math.cos(turn)),
                )
                for b in (2 * math.pi * k / sec for k in range(sec))
            ]
        )
    verts = []
    for p, (nrm, bin_), section in zip(points, frames, sections):
        verts += [tuple(p[j] + u * nrm[j] + v * bin_[j] for j in range(3)) for u, v in section]
    faces = []
    wrap = int(round(twist * sec)) % sec  # the last section meets the first one turned
    for i in range(seg):
        a, b = i * sec, ((i + 1) % seg) * sec
        off = wrap if i == seg - 1 else 0
        faces += [[a + k, b + (k + off) % sec, b + (k + 1 + off) % sec, a + (k + 1) % sec] for k in range(sec)]
    return _shape(verts, faces, [True] * len(faces))


def twisted_torus(params):
    merged = {"twists": 1.5, "aspect": 0.35, "minor_radius": 0.45, "minor_segments": 24, "major_segments": 96}
    merged.update(params)
    return torus(merged)


def icosphere(params):
    t = (1 + 5 ** 0.5) / 2
    verts = [(-1, t, 0), (1, t, 0), (-1, -t, 0), (1, -t, 0), (0, -1, t), (0, 1, t), (0, -1, -t), (0, 1, -t),
             (t, 0, -1), (t, 0, 1), (-t, 0, -1), (-t, 0, 1)]
    verts = [_unit(v) for v in verts]
    faces = [[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4], [11, 10, 2],
             [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5],
             [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1]]
    for _ in range(int(params.get("subdivisions", 2))):
        cache, nxt = {}, []

        def mid(i, j):
            key = (min(i, j), max(i, j))
            if key not in cache:
                verts.append(_unit(tuple((verts[i][k] + verts[j][k]) / 2 for k in range(3))))
                cache[key] = len(verts) - 1
            return cache[key]

        for a, b, c in faces:
            ab, bc, ca = mid(a, b), mid(b, c), mid(c, a)
            nxt += [[a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]]
        faces = nxt
    return _shape(verts, faces, [bool(params.get("smooth", False))] * len(faces))


def _unit(v):
    n = math.sqrt(sum(c * c for c in v))
    return tuple(c / n for c in v)


def rock(params, seed):
    """An icosphere pushed in and out by seeded bumps, then cut by a few seeded planes."""
    rng = random.Random(seed)
    base = icosphere({"subdivisions": int(params.get("subdivisions", 4))})
    bumps = [
        (_unit((rng.gauss(0, 1), rng.gauss(0, 1), rng.gauss(0, 1))), rng.uniform(-1, 1), rng.uniform(0.3, 0.9))
        for _ in range(int(params.get("bumps", 24)))
    ]
    amount = float(params.get("displacement", 0.25))
    cuts = [
        (_unit((rng.gauss(0, 1), rng.gauss(0, 1), rng.gauss(0, 1))), rng.uniform(0.7, 0.9))
        for _ in range(int(params.get("facets", 6)))
    ]
    squash = rng.uniform(0.6, 0.9)
    verts = []
    for v in base["verts"]:
        r = 1.0
        for d, a, w in bumps:
            dot = v[0] * d[0] + v[1] * d[1] + v[2] * d[2]
            r += amount * a * math.exp(-(1 - dot) / (w * w * 0.5))
        p = [v[0] * r, v[1] * r, v[2] * r * squash]
        for n, o in cuts:
            dot = p[0] * n[0] + p[1] * n[1] + p[2] * n[2]
            if dot > o:
                p = [p[k] - (dot - o) * n[k] for k in range(3)]
        verts.append(tuple(p))
    return _shape(verts, base["faces"], [False] * len(base["faces"]))


def knot(params):
    """A (p, q) torus knot swept with a round tube (frames from the outward direction)."""
    p, q = int(params.get("p", 2)), int(params.get("q", 3))
    n, sec = int(params.get("segments", 192)), int(params.get("tube_segments", 12))
    tube = float(params.get("tube_radius", 0.3))
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        r = 2 + math.cos(q * t)
        pts.append((r * math.cos(p * t), r * math.sin(p * t), -math.sin(q * t)))
    frames = []
    for i in range(n):
        a, b = pts[(i - 1) % n], pts[(i + 1) % n]
        tan = _unit(tuple(b[k] - a[k] for k in range(3)))
        out = _unit(tuple(pts[i][k] - (0, 0, 0)[k] for k in range(3)))
        nrm = _unit(_sub(out, _scale(tan, _dot(out, tan))))
        frames.append((nrm, _cross(nrm, tan)))
    section = [(tube * math.cos(2 * math.pi * k / sec), tube * math.sin(2 * math.pi * k / sec)) for k in range(sec)]
    verts, faces = _tube(pts, frames, section)
    return _shape(verts, faces, [True] * len(faces))


def gear(params):
    """A spur gear: toothed outer profile, round bore, extruded along Z."""
    teeth = int(params.get("teeth", 12))
    outer, root = float(params.get("outer_radius", 1.0)), float(params.get("root_radius", 0.8))
    bore, depth = float(params.get("bore_radius", 0.3)), float(params.get("thickness", 0.4))
    profile = []
    for i in range(teeth):
        a = 2 * math.pi * i / teeth
        step = 2 * math.pi / teeth
        for frac, r in ((0.0, root), (0.15, outer), (0.5, outer), (0.65, root)):
            profile.append((r, a + frac * step))
    n = len(profile)
    h = depth / 2
    verts = []
    for z in (-h, h):
        verts += [(r * math.cos(a), r * math.sin(a), z) for r, a in profile]
        verts += [(bore * math.cos(a), bore * math.sin(a), z) for _, a in profile]
    ob, ib, ot, it = 0, n, 2 * n, 3 * n
    faces = []
    for i in range(n):
        j = (i + 1) % n
        faces.append([ob + i, ob + j, ot + j, ot + i])  # outer wall
        faces.append([ib + j, ib + i, it + i, it + j])  # bore wall
        faces.append([ot + i, ot + j, it + j, it + i])  # top
        faces.append([ob + j, ob + i, ib + i, ib + j])  # bottom
    sharp = [(s + i, s + (i + 1) % n) for s in (ob, ib, ot, it) for i in range(n)]
    return _shape(verts, faces, [False] * len(faces), sharp)


def _dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _sub(a, b):
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _scale(a, s):
    return (a[0] * s, a[1] * s, a[2] * s)


def _cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


SHAPE_GENERATORS = {
    "cube": cube,
    "plane": plane,
    "sphere": uv_sphere,
    "cylinder": cylinder,
    "cone": cone,
    "torus": torus,
    "twisted_torus": twisted_torus,
    "icosphere": icosphere,
    "knot": knot,
    "gear": gear,
}
"""Generator name -> function(params) (rock also takes the seed; monkey is made in bpy)."""


def normalise(shape):
    """Centre the bounding box on the origin and scale the farthest vertex to radius 1."""
    verts = shape["verts"]
    lo = [min(v[k] for v in verts) for k in range(3)]
    hi = [max(v[k] for v in verts) for k in range(3)]
    c = [(lo[k] + hi[k]) / 2 for k in range(3)]
    radius = max(math.sqrt(sum((v[k] - c[k]) ** 2 for k in range(3))) for v in verts) or 1.0
    shape["verts"] = [tuple((v[k] - c[k]) / radius for k in range(3)) for v in verts]
    return shape


def shape_mesh(generator, params, seed):
    """Mesh data of a named generator, normalised to unit radius. Raises KeyError if unknown."""
    if generator == "rock":
        return normalise(rock(params, seed))
    return normalise(SHAPE_GENERATORS[generator](params))

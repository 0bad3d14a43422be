"""Mesh data of assembled procedural objects: furniture, plants, terrain patches, bolts, pipes.

Same shape layout as primitives.py; parameter names are those of the geometry models in
psynth_spec.render_params. Seeded generators vary their proportions with the sample's seed
mixed with the concept's own (`jitter`: the largest relative change), so two samples of
"chair" are two chairs, and one sample is always the same chair.
"""

import math
import random

from psynth_render.scene.build.primitives import cube, frustum, icosphere, shape
from psynth_render.scene.build.procedural import tube


def _rng(p, seed):
    return random.Random(p.get("seed", 0) * 1000003 + seed)


def _vary(rng, value, jitter):
    return value * (1.0 + rng.uniform(-jitter, jitter))


def combine(parts):
    """One shape of several (their vertex indices shifted)."""
    verts, faces, smooth, sharp = [], [], [], []
    for part in parts:
        base = len(verts)
        verts += part["verts"]
        faces += [[base + i for i in face] for face in part["faces"]]
        smooth += part["smooth"]
        sharp += [(a + base, b + base) for a, b in part["sharp"]]
    return shape(verts, faces, smooth, sharp)


def _moved(part, scale=(1.0, 1.0, 1.0), offset=(0.0, 0.0, 0.0)):
    part["verts"] = [tuple(v[k] * scale[k] + offset[k] for k in range(3)) for v in part["verts"]]
    return part


def box(size, centre):
    """An axis-aligned box of `size` (x, y, z) centred at `centre`."""
    return _moved(cube(1.0), size, centre)


def _legs(width, depth, height, thick, inset=0.0, count=4):
    """`count` legs under a width x depth top: 4 at the corners, else evenly round the
    ellipse inscribed in the corners' rectangle (the first straight ahead, -Y)."""
    half_x, half_y = width / 2 - thick / 2 - inset, depth / 2 - thick / 2 - inset
    if count == 4:
        spots = [(sx * half_x, sy * half_y) for sx in (-1, 1) for sy in (-1, 1)]
    else:
        angles = [-math.pi / 2 + 2 * math.pi * k / count for k in range(count)]
        spots = [(half_x * math.cos(a), half_y * math.sin(a)) for a in angles]
    return [box((thick, thick, height), (x, y, height / 2)) for x, y in spots]


def furniture(p, seed):
    """A chair (legs, seat, back), a table (legs, top) or a shelf (sides, back, boards)."""
    rng = _rng(p, seed)
    j = p["jitter"]
    w, d, h = (_vary(rng, v, j) for v in (p["width"], p["depth"], p["height"]))
    t = _vary(rng, p["thickness"], j)
    if p["kind"] == "table":
        parts = _legs(w, d, h - t, t * 1.5, inset=t, count=p["legs"]) + [box((w, d, t), (0.0, 0.0, h - t / 2))]
    elif p["kind"] == "chair":
        seat = h * p["seat_ratio"]
        back = (h - seat) * p["back_ratio"]
        parts = _legs(w, d, seat - t, t, count=p["legs"]) + [
            box((w, d, t), (0.0, 0.0, seat - t / 2)), box((w, t, back), (0.0, d / 2 - t / 2, seat + back / 2))]
        for sx in (-1, 1):  # back posts
            parts.append(box((t, t, back), (sx * (w / 2 - t / 2), d / 2 - t / 2, seat + back / 2)))
    else:  # shelf
        boards = max(2, int(round(p["boards"] + rng.uniform(-0.5, 0.5))))
        parts = [box((t, d, h), (sx * (w / 2 - t / 2), 0.0, h / 2)) for sx in (-1, 1)]
        parts.append(box((w, t / 2, h), (0.0, d / 2 - t / 4, h / 2)))
        parts += [box((w - 2 * t, d - t / 2, t), (0.0, -t / 4, t / 2 + i * (h - t) / (boards - 1))) for i in range(boards)]
    out = combine(parts)
    out["smooth"] = [False] * len(out["faces"])
    return out


def plant(p, seed):
    """A tree: a trunk that branches `levels` times into `branches` limbs each (tubes that
    taper by `taper`), tipped with leaf clusters (ico spheres) of `leaf_size`."""
    rng = _rng(p, seed)
    parts = []

    def grow(base, direction, length, radius, level):
        steps = 4
        bend = [rng.uniform(-0.15, 0.15) for _ in range(2)]
        points, cur = [base], base
        for i in range(steps):
            d = (direction[0] + bend[0] * i / steps, direction[1] + bend[1] * i / steps, direction[2])
            n = math.sqrt(sum(c * c for c in d))
            cur = tuple(cur[k] + d[k] / n * length / steps for k in range(3))
            points.append(cur)
        parts.append(tube(points, p["sides"], radius, closed=False))
        if level >= p["levels"]:
            leaf = icosphere(2, _vary(rng, p["leaf_size"], 0.3))
            parts.append(_moved(leaf, offset=cur))
            return
        for k in range(p["branches"]):
            azimuth = 2 * math.pi * (k + rng.random() * 0.5) / p["branches"]
            tilt = math.radians(_vary(rng, p["spread_deg"], 0.25))
            new = (math.sin(tilt) * math.cos(azimuth), math.sin(tilt) * math.sin(azimuth), math.cos(tilt))
            grow(cur, new, length * p["taper"], radius * p["taper"], level + 1)

    grow((0.0, 0.0, 0.0), (0.0, 0.0, 1.0), p["trunk_height"], p["trunk_radius"], 0)
    return combine(parts)


def terrain(p, seed):
    """A square patch of `resolution` x `resolution` quads lifted by seeded fractal noise
    (`relief` high, features of `feature_size`), on a base `thickness` deep (a closed slab)."""
    from mathutils import Vector, noise

    rng = _rng(p, seed)
    offset = Vector([rng.uniform(-500.0, 500.0) for _ in range(3)])
    n = p["resolution"]
    size = 2.0
    verts = []
    for i in range(n + 1):
        for j in range(n + 1):
            x, y = -size / 2 + size * i / n, -size / 2 + size * j / n
            z = p["relief"] * noise.fractal(Vector((x, y, 0.0)) / p["feature_size"] + offset, 1.0, 2.0, p["octaves"])
            verts.append((x, y, z))
    faces = [[i * (n + 1) + j, (i + 1) * (n + 1) + j, (i + 1) * (n + 1) + j + 1, i * (n + 1) + j + 1]
             for i in range(n) for j in range(n)]
    bottom = min(v[2] for v in verts) - p["thickness"]
    rim = [i * (n + 1) for i in range(n + 1)] + [n * (n + 1) + j for j in range(1, n + 1)]
    rim += [i * (n + 1) + n for i in range(n - 1, -1, -1)] + [j for j in range(n - 1, 0, -1)]
    base = len(verts)
    verts += [(verts[k][0], verts[k][1], bottom) for k in rim]
    m = len(rim)
    faces += [[rim[k], base + k, base + (k + 1) % m, rim[(k + 1) % m]] for k in range(m)]  # skirt
    faces.append(list(range(base + m - 1, base - 1, -1)))  # floor
    return shape(verts, faces, [True] * (n * n) + [False] * (m + 1))


def bolt(p):
    """A hex bolt: a six-sided head and a shaft wound by a helical thread ridge."""
    head = frustum(6, p["head_radius"], p["head_radius"], p["head_height"])
    head = _moved(head, offset=(0.0, 0.0, p["length"] + p["head_height"] / 2))
    shaft = _moved(frustum(24, p["radius"], p["radius"], p["length"]), offset=(0.0, 0.0, p["length"] / 2))
    turns = p["length"] / p["pitch"]
    steps = max(16, int(turns * 24))
    helix = [(p["radius"] * math.cos(2 * math.pi * turns * i / steps), p["radius"] * math.sin(2 * math.pi * turns * i / steps),
              p["pitch"] / 2 + (p["length"] - p["pitch"]) * i / steps) for i in range(steps + 1)]
    thread = tube(helix, 6, p["pitch"] * 0.3, closed=False)
    out = combine([head, shaft, thread])
    out["smooth"] = [False] * 6 + out["smooth"][6:]
    return out


def pipe(p, seed):
    """A pipe run: `runs` straight legs joined by bends (seeded turns of 90 degrees),
    with a flange (a wider short cylinder) at each end."""
    rng = _rng(p, seed)
    direction, point, points = (1.0, 0.0, 0.0), (0.0, 0.0, 0.0), [(0.0, 0.0, 0.0)]
    for _ in range(p["runs"]):
        leg = _vary(rng, p["leg_length"], 0.3)
        steps = 6
        for i in range(1, steps + 1):
            points.append(tuple(point[k] + direction[k] * leg * i / steps for k in range(3)))
        point = points[-1]
        options = [d for d in ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1))
                   if sum(a * b for a, b in zip(d, direction)) == 0]
        direction = tuple(float(c) for c in rng.choice(options))
    parts = [tube(points, p["sides"], p["radius"], closed=False)]
    for end, prev in ((points[0], points[1]), (points[-1], points[-2])):
        axis = tuple(end[k] - prev[k] for k in range(3))
        flange = frustum(p["sides"], p["radius"] * 1.6, p["radius"] * 1.6, p["radius"] * 0.6)
        parts.append(_aligned(flange, axis, end))
    return combine(parts)


def _aligned(part, axis, origin):
    """Rotate a Z-aligned part onto `axis` (one of the six axis directions) and move it."""
    ax = [round(c / (max(abs(c) for c in axis) or 1.0)) for c in axis]
    if ax[2]:
        rot = lambda v: (v[0], v[1], v[2] * ax[2])  # noqa: E731
    elif ax[0]:
        rot = lambda v: (v[2] * ax[0], v[1], v[0])  # noqa: E731
    else:
        rot = lambda v: (v[0], v[2] * ax[1], v[1])  # noqa: E731
    part["verts"] = [tuple(r + o for r, o in zip(rot(v), origin)) for v in part["verts"]]
    return part

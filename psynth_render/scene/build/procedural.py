"""Mesh data for the procedural complex shapes (rock, knot, twisted torus, gear, spring...).

Same shape layout as primitives.py. Parameter names are those of the geometry models in
psynth_spec.render_params. Seeded shapes take the sample's seed mixed with the concept's own.
"""

import math
import random

from psynth_render.scene.build.primitives import (
    cross, dot, icosphere, lat_long, ring, shape, swept_ring, unit,
)


def rock(p, seed):
    """An ico sphere pushed along its normals by seeded fractal noise, then squashed."""
    from mathutils import Vector, noise

    rng = random.Random(p.get("seed", 0) * 1000003 + seed)
    offset = Vector([rng.uniform(-500.0, 500.0) for _ in range(3)])
    base = icosphere(p["subdivisions"])
    octaves = max(1, int(round(p["noise_detail"])))
    sx, sy, sz = p["scale"]
    verts = []
    for v in base["verts"]:
        n = noise.fractal(Vector(v) * p["noise_scale"] + offset, 1.0, 2.0, octaves)
        r = max(0.2, 1.0 + p["strength"] * n)
        verts.append((v[0] * r * sx, v[1] * r * sy, v[2] * r * sz))
    return shape(verts, base["faces"], [False] * len(base["faces"]))


def tube(points, section_segments, radius, closed):
    """A round tube along a polyline; frames follow the curvature by parallel transport."""
    n = len(points)
    tangents = []
    for i in range(n):
        a = points[(i - 1) % n] if closed or i > 0 else points[i]
        b = points[(i + 1) % n] if closed or i < n - 1 else points[i]
        tangents.append(unit(tuple(b[k] - a[k] for k in range(3))))
    helper = (0.0, 0.0, 1.0) if abs(tangents[0][2]) < 0.9 else (1.0, 0.0, 0.0)
    normal = unit(cross(tangents[0], helper))
    frames = []
    for i in range(n):
        t = tangents[i]
        normal = unit(tuple(normal[k] - dot(normal, t) * t[k] for k in range(3)))
        frames.append((normal, cross(t, normal)))
    m = section_segments
    verts = []
    for p, (nrm, bin_) in zip(points, frames):
        for k in range(m):
            a = 2 * math.pi * k / m
            verts.append(tuple(p[j] + radius * (math.cos(a) * nrm[j] + math.sin(a) * bin_[j]) for j in range(3)))
    wrap = 0
    if closed:  # the transported frame comes back twisted: join to the nearest section vertex
        end = frames[-1][0]
        first_n, first_b = frames[0]
        wrap = int(round(math.atan2(dot(end, first_b), dot(end, first_n)) / (2 * math.pi / m))) % m
    faces = []
    for i in range(n if closed else n - 1):
        a, b = i * m, ((i + 1) % n) * m
        off = wrap if closed and i == n - 1 else 0
        faces += [[a + k, a + (k + 1) % m, b + (k + 1 + off) % m, b + (k + off) % m] for k in range(m)]
    smooth = [True] * len(faces)
    if not closed:  # end caps
        faces += [list(range(m - 1, -1, -1)), list(range((n - 1) * m, n * m))]
        smooth += [False, False]
    return shape(verts, faces, smooth)


def torus_knot(p):
    minor = p["minor_ratio"] * p["major_radius"]
    pts = []
    for i in range(p["resolution"]):
        t = 2 * math.pi * i / p["resolution"]
        r = p["major_radius"] + minor * math.cos(p["q"] * t)
        pts.append((r * math.cos(p["p"] * t), r * math.sin(p["p"] * t), minor * math.sin(p["q"] * t)))
    return tube(pts, p["tube_segments"], p["tube_radius"], closed=True)


def twisted_torus(p):
    sides = p["sides"] or 24
    minor = p["minor_radius"]
    section = [(minor * math.cos(2 * math.pi * k / sides), minor * math.sin(2 * math.pi * k / sides)) for k in range(sides)]
    return swept_ring(p["segments"], p["major_radius"], section, 2 * math.pi * p["twists"],
                      sharp_section=p["sides"] > 0)


def mobius(p):
    w, t = p["width"] / 2, max(p["thickness"], 1e-3) / 2
    section = [(w, -t), (w, t), (-w, t), (-w, -t)]
    return swept_ring(256, 1.0, section, math.pi * p["half_twists"], sharp_section=True)


def gear(p):
    """A spur gear: toothed outline, round bore, extruded along Z by `width`."""
    teeth, outer = p["teeth"], p["radius"]
    root, bore, h = outer - p["tooth_depth"], p["bore_radius"], p["width"] / 2
    outline = []
    for i in range(teeth):
        a, step = 2 * math.pi * i / teeth, 2 * math.pi / teeth
        outline += [(r, a + f * step) for f, r in ((0.0, root), (0.15, outer), (0.5, outer), (0.65, root))]
    n = len(outline)
    inner = bore if bore > 0 else 0.0
    verts = []
    for z in (-h, h):
        verts += [(r * math.cos(a), r * math.sin(a), z) for r, a in outline]
        verts += [(inner * math.cos(a), inner * math.sin(a), z) for _, a in outline]
    ob, ib, ot, it = 0, n, 2 * n, 3 * n
    faces = []
    for i in range(n):
        j = (i + 1) % n
        faces += [[ob + i, ob + j, ot + j, ot + i], [ot + i, ot + j, it + j, it + i], [ob + j, ob + i, ib + i, ib + j]]
        if inner > 0:
            faces.append([ib + j, ib + i, it + i, it + j])
    sharp = [(s + i, s + (i + 1) % n) for s in (ob, ib, ot, it) for i in range(n)]
    return shape(verts, faces, [False] * len(faces), sharp)


def spring(p):
    n = max(16, int(p["turns"] * 48))
    pts = []
    for i in range(n + 1):
        t = i / n
        a = 2 * math.pi * p["turns"] * t
        pts.append((p["radius"] * math.cos(a), p["radius"] * math.sin(a), p["height"] * (t - 0.5)))
    return tube(pts, 12, p["tube_radius"], closed=False)


def _superformula(angle, m, n1, n2, n3):
    a = abs(math.cos(m * angle / 4)) ** n2 + abs(math.sin(m * angle / 4)) ** n3
    return a ** (-1.0 / n1) if a > 1e-12 else 0.0


def supershape(p):
    res = p["resolution"]

    def point(theta, phi):
        r1 = _superformula(theta, p["m1"], p["n1_1"], p["n2_1"], p["n3_1"])
        r2 = _superformula(phi, p["m2"], p["n1_2"], p["n2_2"], p["n3_2"])
        return (r1 * math.cos(theta) * r2 * math.cos(phi), r1 * math.sin(theta) * r2 * math.cos(phi), r2 * math.sin(phi))

    return lat_long(res, max(8, res // 2), point)


def lathe(p):
    """Revolve the (radius, height) profile about Z; `wall` > 0 makes it a hollow vessel;
    `neck_width` scales the radii above the widest point."""
    seg, prof, wall = p["segments"], [tuple(x) for x in p["profile"]], p["wall"]
    widest = max(range(len(prof)), key=lambda i: prof[i][0])
    prof = [(r * p.get("neck_width", 1.0), z) if i > widest else (r, z) for i, (r, z) in enumerate(prof)]
    if wall > 0:  # outer profile up, then the inner one back down
        inner = [(max(r - wall, 0.0), z) for r, z in reversed(prof)]
        inner[-1] = (inner[-1][0], inner[-1][1] + wall)
        prof = prof + inner
    verts, faces, smooth = [], [], []
    for r, z in prof:
        verts += ring(seg, max(r, 1e-4), z)
    for i in range(len(prof) - 1):
        a, b = i * seg, (i + 1) * seg
        faces += [[a + k, a + (k + 1) % seg, b + (k + 1) % seg, b + k] for k in range(seg)]
        smooth += [True] * seg
    faces.append(list(range(seg - 1, -1, -1)))  # bottom cap
    last = (len(prof) - 1) * seg
    faces.append(list(range(last, last + seg)))  # top cap, or the vessel's inner floor
    smooth += [False, False]
    return shape(verts, faces, smooth)


def crystal(p, seed):
    """`prisms` pointed prisms of `facets` sides from a common base, tilted within `spread_deg`."""
    rng = random.Random(p.get("seed", 0) * 1000003 + seed)
    verts, faces, sharp = [], [], []
    sides = p["facets"]
    for c in range(p["prisms"]):
        tilt = math.radians(rng.uniform(0, p["spread_deg"])) if c else 0.0
        heading = rng.uniform(0, 2 * math.pi)
        length = p["length"] * (rng.uniform(0.55, 1.0) if c else 1.0)
        radius = p["radius"] * (rng.uniform(0.5, 1.0) if c else 1.0)
        body = length - p["tip"]
        local = ring(sides, radius, 0.0) + ring(sides, radius, body) + [(0.0, 0.0, length)]
        ct, st, ch, sh = math.cos(tilt), math.sin(tilt), math.cos(heading), math.sin(heading)
        base = len(verts)
        for x, y, z in local:  # tilt about the heading's horizontal axis
            xr, zr = x * ct + z * st, -x * st + z * ct
            verts.append((xr * ch - y * sh, xr * sh + y * ch, zr))
        apex = base + 2 * sides
        for k in range(sides):
            j = (k + 1) % sides
            faces += [[base + k, base + j, base + sides + j, base + sides + k], [base + sides + k, base + sides + j, apex]]
            sharp += [(base + k, base + sides + k), (base + sides + k, base + sides + j), (base + sides + k, apex)]
        faces.append(list(range(base + sides - 1, base - 1, -1)))
    return shape(verts, faces, [False] * len(faces), sharp)


def star_prism(p):
    n, depth = 2 * p["points"], p["depth"] / 2
    outline = [(1.0 if i % 2 == 0 else p["inner_ratio"], math.pi / 2 + math.pi * i / p["points"]) for i in range(n)]
    verts = [(r * math.cos(a), r * math.sin(a), z) for z in (-depth, depth) for r, a in outline]
    verts += [(0.0, 0.0, -depth), (0.0, 0.0, depth)]
    bottom, top = 2 * n, 2 * n + 1
    faces = []
    for i in range(n):
        j = (i + 1) % n
        faces += [[i, j, n + j, n + i], [n + i, n + j, top], [j, i, bottom]]
    sharp = [(s + i, s + (i + 1) % n) for s in (0, n) for i in range(n)] + [(i, n + i) for i in range(n)]
    return shape(verts, faces, [False] * len(faces), sharp)

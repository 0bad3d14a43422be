"""Mesh data for the primitive shapes, as plain lists (no bpy): testable and inlinable.

A shape is a dict: `verts` (list of (x, y, z)), `faces` (lists of vertex indices, counter-
clockwise seen from outside), `smooth` (one bool per face) and `sharp` (vertex-index pairs of
edges to keep sharp under smooth shading). Sizes are arbitrary; shapes.py normalises them.
"""

import math


def shape(verts, faces, smooth, sharp=()):
    return {"verts": verts, "faces": faces, "smooth": list(smooth), "sharp": list(sharp)}


def ring(n, radius, z, phase=0.0):
    """`n` points on a horizontal circle, counter-clockwise from +X (plus `phase`)."""
    return [
        (radius * math.cos(2 * math.pi * i / n + phase), radius * math.sin(2 * math.pi * i / n + phase), z)
        for i in range(n)
    ]


def unit(v):
    n = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) or 1.0
    return (v[0] / n, v[1] / n, v[2] / n)


def dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def cube(size=2.0):
    s = size / 2
    verts = [(x * s, y * s, z * s) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    faces = [[0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]]
    return shape(verts, faces, [False] * 6)


def plane(size=2.0):
    s = size / 2
    return shape([(-s, -s, 0.0), (s, -s, 0.0), (s, s, 0.0), (-s, s, 0.0)], [[0, 1, 2, 3]], [False])


def disc(segments=32, radius=1.0):
    return shape(ring(segments, radius, 0.0), [list(range(segments))], [False])


def uv_sphere(segments=32, rings=16, radius=1.0):
    return lat_long(segments, rings, lambda theta, phi: (
        radius * math.cos(phi) * math.cos(theta), radius * math.cos(phi) * math.sin(theta), radius * math.sin(phi)))


def lat_long(segments, rings, point):
    """A closed sphere-like grid: `point(theta, phi)` for theta around, phi from -90 to 90 degrees."""
    verts = [point(0.0, -math.pi / 2)]
    for r in range(1, rings):
        phi = -math.pi / 2 + math.pi * r / rings
        verts += [point(-math.pi + 2 * math.pi * i / segments, phi) for i in range(segments)]
    verts.append(point(0.0, math.pi / 2))
    top = len(verts) - 1
    faces = [[0, 1 + (i + 1) % segments, 1 + i] for i in range(segments)]
    for r in range(rings - 2):
        a, b = 1 + r * segments, 1 + (r + 1) * segments
        faces += [[a + i, a + (i + 1) % segments, b + (i + 1) % segments, b + i] for i in range(segments)]
    last = 1 + (rings - 2) * segments
    faces += [[last + i, last + (i + 1) % segments, top] for i in range(segments)]
    return shape(verts, faces, [True] * len(faces))


def frustum(vertices, r_bottom, r_top, depth):
    """Cylinder (r_top = r_bottom) or cone (r_top = 0) along Z; smooth sides, flat caps."""
    h = depth / 2
    verts = ring(vertices, r_bottom, -h)
    faces, smooth, sharp = [], [], [(i, (i + 1) % vertices) for i in range(vertices)]
    if r_top > 0:
        verts += ring(vertices, r_top, h)
        faces += [[i, (i + 1) % vertices, vertices + (i + 1) % vertices, vertices + i] for i in range(vertices)]
        faces.append(list(range(vertices, 2 * vertices)))
        smooth += [True] * vertices + [False]
        sharp += [(vertices + i, vertices + (i + 1) % vertices) for i in range(vertices)]
    else:
        verts.append((0.0, 0.0, h))
        faces += [[i, (i + 1) % vertices, vertices] for i in range(vertices)]
        smooth += [True] * vertices
    faces.append(list(range(vertices - 1, -1, -1)))
    smooth.append(False)
    return shape(verts, faces, smooth, sharp)


def swept_ring(segments, major, section, turns=0.0, smooth=True, sharp_section=False):
    """Sweep a closed 2D `section` [(u, v)...] (u outward, v up) around a circle of radius
    `major`, rotating it by `turns` radians over the loop (a twisted torus, a Möbius band).

    The last ring meets the first turned by `turns`; that joins cleanly when the section is
    symmetric under the turn (a multiple of 2*pi/len(section) for regular polygons).
    """
    m = len(section)
    verts = []
    for i in range(segments):
        a = 2 * math.pi * i / segments
        turn = turns * i / segments
        c, s = math.cos(turn), math.sin(turn)
        for u, v in section:
            ru, rv = u * c - v * s, u * s + v * c
            verts.append(((major + ru) * math.cos(a), (major + ru) * math.sin(a), rv))
    wrap = int(round(turns / (2 * math.pi / m))) % m
    faces, sharp = [], []
    for i in range(segments):
        a, b = i * m, ((i + 1) % segments) * m
        off = wrap if i == segments - 1 else 0
        faces += [[a + k, b + (k + off) % m, b + (k + 1 + off) % m, a + (k + 1) % m] for k in range(m)]
        if sharp_section:
            sharp += [(a + k, b + (k + off) % m) for k in range(m)]
    return shape(verts, faces, [smooth] * len(faces), sharp)


def torus(major=1.0, minor=0.25, segments=48, section_segments=16):
    section = [(minor * math.cos(2 * math.pi * k / section_segments), minor * math.sin(2 * math.pi * k / section_segments))
               for k in range(section_segments)]
    return swept_ring(segments, major, section)


def icosphere(subdivisions=2, radius=1.0):
    t = (1 + 5**0.5) / 2
    verts = [unit(v) for v in ((-1, t, 0), (1, t, 0), (-1, -t, 0), (1, -t, 0), (0, -1, t), (0, 1, t),
                               (0, -1, -t), (0, 1, -t), (t, 0, -1), (t, 0, 1), (-t, 0, -1), (-t, 0, 1))]
    faces = [[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4], [11, 10, 2],
             [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5],
             [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1]]
    for _ in range(subdivisions):
        cache, finer = {}, []

        def middle(i, j):
            key = (min(i, j), max(i, j))
            if key not in cache:
                verts.append(unit(tuple((verts[i][k] + verts[j][k]) / 2 for k in range(3))))
                cache[key] = len(verts) - 1
            return cache[key]

        for a, b, c in faces:
            ab, bc, ca = middle(a, b), middle(b, c), middle(c, a)
            finer += [[a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]]
        faces = finer
    verts = [(v[0] * radius, v[1] * radius, v[2] * radius) for v in verts]
    return shape(verts, faces, [True] * len(faces))


def convex(verts, normals):
    """Faces of a convex polyhedron: for each face normal, the vertices farthest along it,
    ordered counter-clockwise around it. Used for the Platonic solids."""
    faces = []
    for n in normals:
        n = unit(n)
        best = max(dot(v, n) for v in verts)
        idx = [i for i, v in enumerate(verts) if dot(v, n) > best - 1e-6]
        centre = [sum(verts[i][k] for i in idx) / len(idx) for k in range(3)]
        ref = unit(tuple(verts[idx[0]][k] - centre[k] for k in range(3)))
        side = cross(n, ref)

        def angle(i):
            d = tuple(verts[i][k] - centre[k] for k in range(3))
            return math.atan2(dot(d, side), dot(d, ref))

        faces.append(sorted(idx, key=angle))
    return shape(list(verts), faces, [False] * len(faces))


def platonic(solid):
    t = (1 + 5**0.5) / 2
    cube_v = [(x, y, z) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    octa_v = [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]
    tetra_v = [(1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)]
    icosa_v = [(0, s1 * t, s2) for s1 in (-1, 1) for s2 in (-1, 1)]
    icosa_v = [p for v in icosa_v for p in (v, (v[1], v[2], v[0]), (v[2], v[0], v[1]))]
    dodeca_v = cube_v + [p for s1 in (-1, 1) for s2 in (-1, 1)
                         for p in ((0, s1 / t, s2 * t), (s1 / t, s2 * t, 0), (s2 * t, 0, s1 / t))]
    verts, normals = {
        "tetrahedron": (tetra_v, [(-x, -y, -z) for x, y, z in tetra_v]),
        "cube": (cube_v, octa_v),
        "octahedron": (octa_v, cube_v),
        "dodecahedron": (dodeca_v, icosa_v),
        "icosahedron": (icosa_v, dodeca_v),
    }[solid]
    return convex([tuple(float(c) for c in v) for v in verts], normals)

"""Mesh data for the liquid forms (pool, splash, drip, pour, ripple, droplets, coating), shaped
by viscosity through a cheap procedural model instead of a fluid simulation.

Same shape layout as primitives.py, in scene units (subject of radius 1 at the origin, floor at
`floor_z`). Parameter names are those of LiquidFormParams. The model: `thickness_of(viscosity)`
maps Pa·s to t in 0..1 on a log scale (water 0, honey ~1); thin liquids (small t) spread wide,
stay flat, splash high into many droplets, ripple strongly and fall as separate round drops;
thick ones (t near 1) pile into domes, splash low, ripple barely, hang in long sagging strands
and coil where they land. `surface(direction, origin=None)` (drip, droplets, coating) returns the subject's
surface point and normal along a direction toward its centre (or, from `origin`, along
-direction); the builder ray-casts it. The builder also gives the surface forms the camera's
direction (`eye`) and the subject's bounds (`bound_radius`, `top`, `flat`) in its own frame.
"""

import math
import random

from psynth_render.scene.build.vectors import vec_cross, vec_unit
from psynth_render.scene.build.primitives import lat_long, shape

WATER_PA_S = 0.001
DECADES = 4.0
"""Decades of viscosity from water (t = 0) to fully thick (t = 1; honey is 10 Pa·s)."""


def thickness_of(viscosity):
    """0 (water-thin) .. 1 (honey-thick and beyond), log-scaled."""
    return min(1.0, max(0.0, math.log10(max(viscosity, 1e-6) / WATER_PA_S) / DECADES))


def merge(parts):
    verts, faces, smooth = [], [], []
    for part in parts:
        base = len(verts)
        verts += part["verts"]
        faces += [[base + i for i in f] for f in part["faces"]]
        smooth += part["smooth"]
    return shape(verts, faces, smooth)


def revolve(profile, segments, centre=(0.0, 0.0, 0.0)):
    """A closed solid of revolution about a vertical axis through `centre`: `profile` is
    [(radius, z)] from the bottom pole (radius 0) to the top pole (radius 0)."""
    cx, cy, cz = centre
    verts = [(cx, cy, cz + profile[0][1])]
    rings = profile[1:-1]
    for r, z in rings:
        for k in range(segments):
            a = 2 * math.pi * k / segments
            verts.append((cx + r * math.cos(a), cy + r * math.sin(a), cz + z))
    verts.append((cx, cy, cz + profile[-1][1]))
    top = len(verts) - 1
    faces = [[0, 1 + (k + 1) % segments, 1 + k] for k in range(segments)]
    for i in range(len(rings) - 1):
        a, b = 1 + i * segments, 1 + (i + 1) * segments
        faces += [[a + k, a + (k + 1) % segments, b + (k + 1) % segments, b + k] for k in range(segments)]
    last = 1 + (len(rings) - 1) * segments
    faces += [[last + k, last + (k + 1) % segments, top] for k in range(segments)]
    return shape(verts, faces, [True] * len(faces))


def ball(centre, radius, stretch=1.0, segments=10):
    return lat_long(segments, max(4, segments // 2), lambda th, ph: (
        centre[0] + radius * math.cos(ph) * math.cos(th),
        centre[1] + radius * math.cos(ph) * math.sin(th),
        centre[2] + radius * stretch * math.sin(ph)))


def sheet(radius_at, height_at, floor_z, rings=14, segments=48):
    """A puddle-like surface: z = floor + height_at(r_frac, angle) over the outline
    radius_at(angle), its rim tucked just under the floor (open at the bottom: the floor closes
    it, so refraction and absorption see the floor through the liquid)."""
    verts = [(0.0, 0.0, floor_z + height_at(0.0, 0.0))]
    for i in range(1, rings + 1):
        f = i / rings
        for k in range(segments):
            a = 2 * math.pi * k / segments
            r = radius_at(a) * f
            z = floor_z + height_at(f, a) if i < rings else floor_z - 0.01
            verts.append((r * math.cos(a), r * math.sin(a), z))
    faces = [[0, 1 + k, 1 + (k + 1) % segments] for k in range(segments)]
    for i in range(rings - 1):
        a, b = 1 + i * segments, 1 + (i + 1) * segments
        faces += [[a + k, b + k, b + (k + 1) % segments, a + (k + 1) % segments] for k in range(segments)]
    return shape(verts, faces, [True] * len(faces))


def _outline(rng, radius, wobble):
    """A seeded blobby outline: radius times a few low-frequency sines."""
    waves = [(rng.randint(2, 6), rng.uniform(0, 2 * math.pi), rng.uniform(0.3, 1.0)) for _ in range(3)]
    norm = sum(w[2] for w in waves)
    return lambda a: radius * (1 + wobble * sum(amp * math.sin(n * a + ph) for n, ph, amp in waves) / norm)


def pool(p, t, floor_z, rng):
    """Thin: wide and flat with a sharp edge; thick: a small high dome."""
    radius = _outline(rng, p["extent"] * (1.25 - 0.6 * t), 0.18 * (1 - 0.5 * t))
    h = max(p["height"], 0.01) * (1 + 5 * t)
    power = 8 - 6 * t  # flat top with a steep edge .. a rounded dome
    return sheet(radius, lambda f, a: h * max(1 - f**power, 0.0) ** 0.5 + 0.002, floor_z)


def ripple(p, t, floor_z, rng):
    """Concentric waves whose amplitude falls with viscosity (honey barely ripples)."""
    extent = p["extent"] * (1.1 - 0.3 * t)
    amp = max(p["amplitude"], 0.005) * (1 - 0.9 * t) * 1.5
    rings = max(p["rings"], 1) * (1 - 0.5 * t)
    phase = rng.uniform(0, 2 * math.pi)

    def height(f, a):
        edge = min(1.0, (1 - f) * 8)  # meets the floor at the rim
        return (p["height"] + 0.01 + amp * math.sin(2 * math.pi * rings * f + phase) * math.exp(-1.5 * f)) * edge

    return sheet(lambda a: extent, height, floor_z, rings=40, segments=64)


SPLASH_SHARE = 0.45
"""A splash's crown rises at most this share of the subject's height."""


def splash(p, t, floor_z, rng):
    """A crown around the subject: a flared wall with spikes, flying drops, a thin base."""
    base_r, height = 1.05, max(p["height"], 0.05) * (1 - 0.75 * t)
    if p.get("subject_height"):  # around the subject, not over it: a low one stays in sight
        height = min(height, SPLASH_SHARE * p["subject_height"])
    flare, wall = 0.45 * height * (1 - t), 0.03 + 0.1 * t
    spikes = max(6, int(p["droplets"] * (1 - t) / 3) + 6)
    segments = spikes * 4
    jag = [rng.uniform(0.7, 1.3) for _ in range(spikes)]
    verts, faces = [], []
    levels = 6
    for level in range(levels + 1):
        f = level / levels
        for k in range(segments):
            a = 2 * math.pi * k / segments
            spike = 1 + (0.35 * (1 - t) * jag[k // 4] * (1 - abs((k % 4) - 1.5) / 1.5) if level == levels else 0)
            z = floor_z + height * f * (spike if level == levels else 1)
            r = base_r + flare * f * f
            for side, dr in ((0, 0.0), (1, wall * (1 - 0.6 * f))):
                verts.append(((r + dr) * math.cos(a), (r + dr) * math.sin(a), z))
    n = segments * 2
    for level in range(levels):
        a0, b0 = level * n, (level + 1) * n
        for k in range(segments):
            j = (k + 1) % segments
            faces.append([a0 + 2 * k, a0 + 2 * j, b0 + 2 * j, b0 + 2 * k])  # inner
            faces.append([a0 + 2 * k + 1, b0 + 2 * k + 1, b0 + 2 * j + 1, a0 + 2 * j + 1])  # outer
    top = levels * n
    for k in range(segments):
        j = (k + 1) % segments
        faces.append([top + 2 * k, top + 2 * j, top + 2 * j + 1, top + 2 * k + 1])
    parts = [shape(verts, faces, [True] * len(faces))]
    parts.append(sheet(lambda a: p["extent"] * (1.3 - 0.5 * t), lambda f, a: 0.015 + 0.05 * t, floor_z))
    drops = int(round(p["droplets"] * (1 - t) ** 2))
    for _ in range(drops):
        a = rng.uniform(0, 2 * math.pi)
        r = base_r + flare + rng.uniform(0.0, 0.6)
        z = floor_z + height * rng.uniform(0.9, 1.8)
        size = rng.uniform(0.025, 0.06)
        parts.append(ball((r * math.cos(a), r * math.sin(a), z), size, 1.2, segments=8))
    return merge(parts)


FACING_SPREAD = math.radians(140.0)
"""How wide around the camera's azimuth drips are spread (the subject's visible side)."""


def drip(p, t, floor_z, rng, surface):
    """Drops on the subject's lower flank: thin liquids hang as round beads with a separated
    falling drop; thick ones sag into long strands ending in a bulb."""
    count = max(1, p["droplets"])
    length = max(p["height"], 0.1) * (0.4 + 1.4 * t)
    parts = []
    facing = p.get("facing")
    for i in range(count):
        if facing is None:  # all round
            a = 2 * math.pi * (i + rng.uniform(-0.2, 0.2)) / count - math.pi / 2
        else:  # on the side the camera sees, within FACING_SPREAD of its azimuth
            a = facing + FACING_SPREAD * ((i + 0.5 + rng.uniform(-0.2, 0.2)) / count - 0.5)
        e = rng.uniform(-0.35, -0.05)
        hit = surface((math.cos(a) * math.cos(e), math.sin(a) * math.cos(e), math.sin(e)))
        if hit is None:
            continue
        (px, py, top), normal = hit
        bulb = 0.07 + 0.03 * t
        neck = 0.015 + 0.035 * t
        cx, cy = px + normal[0] * neck, py + normal[1] * neck
        span = min(length * rng.uniform(0.7, 1.0), top - floor_z - 2 * bulb)
        if t > 0.5 and span > bulb:  # a strand: bulb at the bottom, neck up to the subject
            profile = [(0.0, -span - bulb)]
            profile += [(bulb * math.sin(math.pi * s / 6), -span - bulb * math.cos(math.pi * s / 6)) for s in range(1, 5)]
            profile += [(neck + (bulb - neck) * (1 - s / 5) ** 2, -span * (1 - s / 5)) for s in range(1, 6)]
            profile.append((0.0, 0.02))
            parts.append(revolve(profile, 12, (cx, cy, top)))
        else:  # a hanging bead and, below it, a falling drop
            bx, by = px + normal[0] * bulb * 0.7, py + normal[1] * bulb * 0.7
            parts.append(ball((bx, by, top - bulb * 0.6), bulb, 1.3))
            fall = top - 0.3 - span
            if fall - bulb > floor_z:
                parts.append(ball((bx + normal[0] * 0.05, by + normal[1] * 0.05, fall), bulb * 0.8, 1.4))
    return merge(parts) if parts else shape([], [], [])


def pour_stream_radius(stream_radius, t):
    """A pour's stream radius for the form's `stream_radius` at thickness `t`: a thick liquid
    falls as a wider rope (pour_spot starts from it and widens it further to stay readable)."""
    return max(stream_radius, 0.02) * (1 + 1.5 * t)


COIL_REACH = 3.6
"""A thick rope's coils reach this many stream radii round its landing, where the spot has room."""
PILE_SHARE = 0.6
"""A rope's pile of coils rises at most this share of its fall (the spout stays above it)."""


def pour(p, t, floor_z, rng):
    """A vertical stream beside the subject. Thin: it narrows as it falls and spreads into a
    wide thin pool; thick: a wide rope that coils and piles where it lands. Where it stands,
    how thick and how wide its pool (its coils) are p["spot"]'s (the builder places it in the
    shot, pour_spot), else beside the subject's right."""
    spot = p.get("spot")
    if spot:
        (cx, cy), top, r0 = spot["landing"], spot["top"], spot["stream_radius"]
    else:
        cx, cy = 1.2, -0.35
        top = 1.0 + max(p["height"], 0.5) * 0.6
        r0 = pour_stream_radius(p["stream_radius"], t)
    fall = top - floor_z
    profile = [(0.0, floor_z)]
    for i in range(13):
        f = i / 12  # 0 at the floor .. 1 at the top
        r = r0 * (0.55 + 0.45 * f) if t < 0.5 else r0
        profile.append((r, floor_z + fall * f))
    profile.append((0.0, top))
    parts = [revolve(profile, 16, (cx, cy, 0.0))]
    if t < 0.5:
        spread = spot["pool_reach"] / 0.7 if spot else p["extent"] * (1.2 - 0.6 * t)
        parts.append(sheet(lambda a: spread, lambda f, a: 0.02 * (1 - f**6) + 0.002, floor_z, segments=40))
        parts[-1]["verts"] = [(x * 0.7 + cx, y * 0.7 + cy, z) for x, y, z in parts[-1]["verts"]]
    else:  # coils stacking into a pile, within the spot's pool and below the spout
        reach = spot["pool_reach"] if spot else COIL_REACH * r0
        shrink = min(1.0, max(reach - 0.95 * r0, 0.0) / (2.6 * r0))
        for c in range(2 + int(3 * t)):
            z = floor_z + r0 * (1 + 1.7 * c)
            if c and z + 0.95 * r0 > floor_z + PILE_SHARE * fall:
                break
            parts.append(_torus((cx, cy, z), shrink * r0 * (2.6 - 0.35 * c), r0 * 0.95))
    return merge(parts)


def _torus(centre, major, minor, segments=24, sides=10):
    verts, faces = [], []
    for i in range(segments):
        a = 2 * math.pi * i / segments
        for k in range(sides):
            b = 2 * math.pi * k / sides
            r = major + minor * math.cos(b)
            verts.append((centre[0] + r * math.cos(a), centre[1] + r * math.sin(a), centre[2] + minor * math.sin(b)))
    for i in range(segments):
        for k in range(sides):
            a, b = i * sides, ((i + 1) % segments) * sides
            faces.append([a + k, b + k, b + (k + 1) % sides, a + (k + 1) % sides])
    return shape(verts, faces, [True] * len(faces))


def _basis(axis):
    """Two unit vectors perpendicular to the unit vector `axis` (and to each other)."""
    helper = (0.0, 0.0, 1.0) if abs(axis[2]) < 0.9 else (1.0, 0.0, 0.0)
    u = vec_unit(vec_cross(axis, helper))
    return u, vec_cross(axis, u)


EYE_JITTER = 0.45
"""How far from the camera's direction the rays that place droplets lean (a share of it): the
beads spread over the sides the camera sees, not only the face toward it."""


def seen_points(p, rng, surface, count, tries=8):
    """Up to `count` (point, normal) pairs on the subject's surface where the camera sees it:
    parallel rays along the camera's direction (jittered), through random points of the disc
    the subject's bounds span across that direction. Unlike rays toward the centre, they land
    all over a thin subject (a plane, a disc, a torus, a cone's tip) instead of at one point."""
    eye = vec_unit(p.get("eye") or (0.0, -0.8, 0.6))
    reach = p.get("bound_radius") or 1.2
    out = []
    for _ in range(count * tries):
        if len(out) >= count:
            break
        d = vec_unit(tuple(eye[k] + rng.uniform(-EYE_JITTER, EYE_JITTER) for k in range(3)))
        u, v = _basis(d)
        r, a = reach * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        origin = tuple(d[k] * (reach + 3.0) + r * (math.cos(a) * u[k] + math.sin(a) * v[k]) for k in range(3))
        hit = surface(d, origin)
        if hit is not None:
            out.append(hit)
    return out


def droplets(p, t, floor_z, rng, surface):
    """Beads on the subject's surface where the camera sees it (`seen_points`); thick liquids
    make fewer, bigger, flatter ones. Bead size follows the subject's size (its bounds)."""
    count = max(1, int(p["droplets"] * (1 - 0.6 * t)))
    scale = (p.get("bound_radius") or 1.0) ** 0.5  # a smaller subject, smaller beads (but visible)
    parts = []
    for point, normal in seen_points(p, rng, surface, count):
        size = rng.uniform(0.6, 1.0) * max(p["height"], 0.01) * (1 + t) * scale
        parts.append(ball(tuple(point[k] + normal[k] * size * 0.3 for k in range(3)), size, 1.0, segments=8))
    return merge(parts) if parts else shape([], [], [])


FLAT_COAT = 0.6
"""On a flat subject a coat spreads over this share of its radius from the centre (the rim
stays bare, so the subject is seen under it)."""


def coating(p, t, floor_z, rng, surface):
    """A shell over the subject's top that runs down its sides in lobes; thick liquids sag
    lower and thicker. Rays toward the centre find a round subject's surface; where they miss
    (a torus's hole) or the subject is flat (a plane, a disc: every such ray meets it at its
    centre), rays straight down from above put the coat on its top face."""
    segments, rings = 48, 16
    lobes = max(2, p["droplets"])
    phase = rng.uniform(0, 2 * math.pi)
    thick = max(p["thickness"], 0.01) * (1 + 1.5 * t)
    sag = max(p["height"], 0.05) * (0.5 + t)
    flat = p.get("flat", False)
    reach = p.get("bound_radius") or 1.0
    top = p.get("top")

    def cut(a):  # lowest elevation (radians) the coat reaches at azimuth a
        lobe = max(0.0, math.sin(lobes * a + phase)) ** 3
        return math.radians(35) - sag * (0.6 + 1.2 * lobe)

    def from_above(e, a):  # the top face under the point at horizontal radius cos(e)
        r = reach * math.cos(e) * (FLAT_COAT if flat else 1.0)
        origin = (r * math.cos(a), r * math.sin(a), (top if top is not None else reach) + 1.0)
        return surface((0.0, 0.0, 1.0), origin)

    verts, index = [], {}
    for i in range(rings + 1):
        f = i / rings
        for k in range(segments):
            a = 2 * math.pi * k / segments
            e = math.pi / 2 - (math.pi / 2 - cut(a)) * f
            d = (math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e))
            hit = from_above(e, a) if flat else surface(d)
            if hit is None and not flat:
                hit = from_above(e, a)
            if hit is None:
                continue  # nothing under this point (a hole): the coat has a gap there
            point, normal = hit
            off = thick * (1 - 0.7 * f**3)
            index[i, k] = len(verts)
            verts.append(tuple(point[j] + normal[j] * off for j in range(3)))
    faces = []
    for i in range(rings):
        for k in range(segments):
            quad = [(i, k), (i + 1, k), (i + 1, (k + 1) % segments), (i, (k + 1) % segments)]
            if all(q in index for q in quad):
                faces.append([index[q] for q in quad])
    return shape(verts, faces, [True] * len(faces))


def _unit_sphere(direction, origin=None):
    """A unit sphere's surface (point, normal) hit by a ray along -direction (None: a miss)."""
    d = vec_unit(direction)
    if origin is None:
        return d, d
    o = origin
    b = sum(o[k] * d[k] for k in range(3))  # the ray o - s d meets |x| = 1 where s = b +- sqrt(.)
    disc = b * b - (sum(c * c for c in o) - 1.0)
    if disc < 0:
        return None
    s = b - math.sqrt(disc)
    point = tuple(o[k] - s * d[k] for k in range(3))
    return point, point


FORMS = {"pool": pool, "ripple": ripple, "splash": splash, "pour": pour}
SURFACE_FORMS = {"drip": drip, "droplets": droplets, "coating": coating}


def liquid_mesh(form, viscosity, floor_z, seed, surface=None):
    """The liquid's mesh data for a LiquidFormParams dict at `viscosity` (Pa·s)."""
    rng = random.Random(seed * 7919 + 17)
    t = thickness_of(viscosity)
    name = form["form"]
    if name in SURFACE_FORMS:
        if surface is None:
            surface = _unit_sphere
        return SURFACE_FORMS[name](form, t, floor_z, rng, surface)
    return FORMS[name](form, t, floor_z, rng)

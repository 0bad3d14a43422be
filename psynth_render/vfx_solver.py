"""A small seeded particle solver for simulated video effects (`render { simulate true }`).

Pure numpy, no bpy: the worker runs it once per clip, writes each frame's particles to its
scratch folder (`bake`), and the builder turns them into a smoke volume (Points to Volume) or a
liquid surface (Points to Volume + Volume to Mesh) frame by frame (build/simulation.py).

Kinds (`effect_kind`): `plume` (smoke, steam, fire, coloured smoke, magic: particles born at the
foot, lifted by buoyancy and curled by a divergence-free noise field; fire dies young and
shrinks into tongues, smoke grows and lives on), `burst` (an explosion: a fireball thrown out
radially that slows and rises), `pour` (a stream falling from above, landing beside the subject
and spreading into a pool that fills), `splash` (a crown of droplets thrown up and out from the
subject's foot, falling back), `drip` (drops leaving the subject's lower flank and falling).
Liquids collide with the floor and with the subject (a sphere), and spread on the floor down
their own density gradient, less the more viscous they are.

Units: scene units (the subject has radius ~1), seconds; every draw comes from one
`numpy.random.default_rng(seed)`, so a seed gives the same frames on every machine.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

GRAVITY = 9.81
SUBSTEPS = 4
"""Solver steps per video frame."""
PLUME_DRAG = 1.5
FLAME_LIFE = (0.25, 0.55)
"""Seconds a flame's particle burns before it is gone (a tongue's length over its rise)."""
RISE_SPEED = (0.6, 2.0)
"""Slowest and fastest a plume's gas rises (units/s): its height over the clip, within these."""
BURST_DRAG = 2.5
SPREAD_SPEED = 1.2
"""Fastest a landed liquid runs over the floor (units/s), for water; viscous ones run slower."""
SPREAD_CELLS = 48
"""Floor grid (cells per side) over which a landed liquid spreads down its density gradient."""
CROWN_POINTS = 14
"""Spikes round a splash's crown (its rim rises higher at each)."""
CROWN_SPIKES = 0.3
"""How much higher a crown's spikes rise than its rim between them (a share of it)."""
CROWN_FLARE = 0.15
"""A crown's outward speed per unit of its upward speed: a wall flaring outward, not a disc."""
DRIP_SOURCES = 6
"""Spots on the subject's flank whose liquid runs down in rivulets and drips off."""
CLING = 1.15
"""A drip clings to the subject (viscous drag) within this many of its radii from its centre."""
POUR_SPEED = 2.0
"""Downward speed (units/s) a pour leaves its spout with."""


@dataclass(frozen=True)
class Setup:
    """Where and how an effect is simulated (scene units): `origin` the emitter's centre (a
    plume's foot, a burst's heart, a pour's spout, a splash's impact, a drip's source ring
    centre), `size` its radius, `height` how high a plume rises (or a pour falls from), the
    subject as a collision sphere (`subject_centre`, `subject_radius`), the floor height and
    the liquid's `viscosity` (Pa·s) or the gas's flags."""

    kind: str
    origin: tuple[float, float, float]
    size: float
    height: float
    floor_z: float
    subject_centre: tuple[float, float, float] = (0.0, 0.0, 0.0)
    subject_radius: float = 1.0
    viscosity: float = 0.001
    burning: bool = False
    turbulence: float = 0.3
    facing: float = -math.pi / 2
    """Azimuth (radians) of the camera's side of the subject: where drips leave it."""
    reach: float = math.inf
    """How far a pour's pool may spread from under its spout (the shot's room for it)."""


@dataclass
class Frame:
    """One frame's live particles: positions (N x 3) and radii (N), float32."""

    positions: np.ndarray
    radii: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))


def effect_kind(effect) -> str | None:
    """The solver kind an effect (describe.model LiquidEffect / GasEffect) is simulated with,
    or None for effects that stay as built (fog, haze, mist, dust, pools, ripples, coatings)."""
    if effect.element == "gas":
        if effect.look == "fireball":
            return "burst"
        return "plume" if effect.shape in ("plume", "blob") else None
    form = effect.form.form
    return form if form in ("pour", "splash", "drip") else None


def thickness(viscosity: float) -> float:
    """0 (water) .. 1 (honey and thicker) on a log scale (as fluids.thickness_of)."""
    return min(1.0, max(0.0, math.log10(max(viscosity, 1e-6) / 0.001) / 4.0))


# ---------------------------------------------------------------- the velocity field
class CurlField:
    """A divergence-free velocity field: the curl of a sum of seeded sinusoidal vector
    potentials, drifting in time (smoke curls, never sources or sinks)."""

    def __init__(self, rng: np.random.Generator, scale: float, modes: int = 6):
        self.k = rng.normal(0.0, 1.0, (modes, 3)) * (2.0 / scale)
        self.a = rng.normal(0.0, 1.0, (modes, 3))
        self.phase = rng.uniform(0, 2 * math.pi, modes)
        self.rate = rng.uniform(0.5, 1.5, modes)
        self.amp = np.cross(self.k, self.a) / math.sqrt(modes)  # curl(a sin(k.x)) = cos(k.x) k x a

    def __call__(self, p: np.ndarray, t: float) -> np.ndarray:
        c = np.cos(p @ self.k.T + self.phase + self.rate * t)  # N x modes
        return c @ self.amp


# ---------------------------------------------------------------- the solver
def simulate(setup: Setup, particles: int, frames: int, fps: float, seed: int) -> list[Frame]:
    """The effect's particles at every frame of a clip of `frames` frames at `fps`."""
    rng = np.random.default_rng(seed)
    n = int(particles)
    clip = frames / fps  # the first frame shows a frame's worth of motion already
    preroll = _preroll(setup)
    state = _emit(setup, n, clip, preroll, rng)
    field_ = CurlField(rng, scale=max(setup.size, 0.2) * 2.0)
    out = []
    dt = 1.0 / (fps * SUBSTEPS)
    t = -preroll
    for _ in range(math.ceil(preroll / dt - 1e-9)):  # before the clip: nothing recorded
        t += dt
        _step(setup, state, field_, t, dt, clip)
    for _ in range(frames):  # the first frame already shows a frame's worth of motion
        for _ in range(SUBSTEPS):
            t += dt
            _step(setup, state, field_, t, dt, clip)
        out.append(_frame(setup, state, t))
    return out


def _preroll(setup: Setup) -> float:
    """Seconds simulated before the clip: a pour has been running long enough for its stream to
    reach the floor (the clip shows a whole stream and its pool filling); others start with it."""
    if setup.kind != "pour":
        return 0.0
    fall = max(setup.height, 0.0)
    return (math.sqrt(POUR_SPEED**2 + 2 * GRAVITY * fall) - POUR_SPEED) / GRAVITY


def _emit(setup: Setup, n: int, clip: float, preroll: float, rng) -> dict:
    """Birth times, start positions and velocities of all `n` particles."""
    ox, oy, oz = setup.origin
    kind, size = setup.kind, setup.size
    angle = rng.uniform(0, 2 * math.pi, n)
    radial = np.sqrt(rng.uniform(0, 1, n))
    ring = np.stack([np.cos(angle), np.sin(angle), np.zeros(n)], axis=1)
    vel = np.zeros((n, 3))
    if kind == "plume":  # a disc at the foot, born all through the clip
        birth = np.sort(rng.uniform(0, 0.95 * clip, n))
        pos = np.array([ox, oy, oz]) + ring * (radial * size * 0.6)[:, None]
        vel[:, 2] = rng.uniform(0.7, 1.0, n) * _rise(setup, clip)  # born at its rising speed
    elif kind == "burst":  # out of the heart in the first fifth of the clip
        birth = np.sort(rng.uniform(0, 0.2 * clip, n))
        direction = rng.normal(0, 1, (n, 3))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        direction[:, 2] += 0.15  # a little upward: the ground below throws it up
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        pos = np.array([ox, oy, oz]) + direction * size * 0.15
        vel = direction * (rng.uniform(0.3, 0.6, n) * BURST_DRAG * size)[:, None]  # coasts ~0.45 size
    elif kind == "pour":  # a spout above, pouring evenly from before the clip to its end
        birth = np.linspace(-preroll, clip, n)
        pos = np.array([ox, oy, oz]) + ring * (radial * size * 0.6)[:, None]
        vel[:, 2] = -POUR_SPEED  # poured, not dropped
    elif kind == "splash":  # a crown thrown up from a ring at the subject's foot, at one impact
        birth = np.sort(rng.uniform(0, 0.1 * clip, n))
        pos = np.array([ox, oy, oz]) + ring * size * rng.uniform(0.97, 1.05, n)[:, None]
        reach = 1.0 - 0.7 * thickness(setup.viscosity)
        points = 1.0 + CROWN_SPIKES * np.cos(CROWN_POINTS * angle + rng.uniform(0, 2 * math.pi))
        up = rng.uniform(0.2, 1.0, n) ** 0.5 * points * math.sqrt(2 * GRAVITY * max(setup.height, 0.1)) * reach
        vel = ring * (CROWN_FLARE * up * rng.uniform(0.8, 1.2, n))[:, None]  # the higher, the further out
        vel[:, 2] = up
    elif kind == "drip":  # rivulets from a few spots on the subject's flank on the camera's side
        birth = np.linspace(0, 0.8 * clip, n)
        source = np.arange(n) % DRIP_SOURCES
        a = setup.facing + rng.uniform(-1.0, 1.0, DRIP_SOURCES)[source] + rng.normal(0, 0.01, n)
        e = rng.uniform(-0.3, 0.3, DRIP_SOURCES)[source] + rng.normal(0, 0.01, n)
        direction = np.stack([np.cos(a) * np.cos(e), np.sin(a) * np.cos(e), np.sin(e)], axis=1)
        pos = np.array(setup.subject_centre) + direction * setup.subject_radius * 1.02
    else:
        raise ValueError(f"unknown simulation kind {kind!r}")
    return {"pos": pos.astype(np.float64), "vel": vel, "birth": birth, "age": np.zeros(n),
            "life": _life(setup, n, clip, rng), "r0": _radius0(setup, n, rng)}


def _life(setup: Setup, n: int, clip: float, rng) -> np.ndarray:
    if setup.kind == "plume" and setup.burning:  # flames: short-lived tongues
        return rng.uniform(*FLAME_LIFE, n)
    return np.full(n, np.inf)


def _radius0(setup: Setup, n: int, rng) -> np.ndarray:
    if setup.kind in ("plume", "burst"):
        return rng.uniform(0.12, 0.2, n) * max(setup.size, 0.3)
    base = 0.035 + 0.03 * thickness(setup.viscosity)
    if setup.kind == "pour":  # the spheres overlap across the stream: one unbroken rope
        base = max(base, 0.5 * setup.size)
    return rng.uniform(0.8, 1.2, n) * base


def _rise(setup: Setup, clip: float) -> float:
    """A plume's rising speed (units/s): its height over the clip within RISE_SPEED (its top in
    view over a short clip, not shot past it); flames leap twice as fast."""
    rise = min(max(setup.height / max(clip, 1e-3), RISE_SPEED[0]), RISE_SPEED[1])
    return rise * (2.0 if setup.burning else 1.0)


def _step(setup: Setup, s: dict, field_: CurlField, t: float, dt: float, clip: float) -> None:
    live = s["birth"] <= t
    if not live.any():
        return
    pos, vel = s["pos"][live], s["vel"][live]
    s["age"][live] += dt
    if setup.kind in ("plume", "burst"):
        swirl = (0.6 + setup.turbulence) * max(setup.size, 0.3)
        drag = PLUME_DRAG if setup.kind == "plume" else BURST_DRAG
        # a plume rises at about a unit a second: its top in view over a short clip, not shot past
        lift = drag * _rise(setup, clip) if setup.kind == "plume" else 0.15 * setup.size
        accel = field_(pos, t) * swirl * 4.0 - vel * drag
        accel[:, 2] += lift
        vel = vel + accel * dt
        pos = pos + vel * dt
        low = pos[:, 2] < setup.floor_z
        pos[low, 2] = setup.floor_z
        vel[low, 2] = np.abs(vel[low, 2])
        if setup.kind == "plume":  # gas above the plume's top has thinned away
            s["life"][np.flatnonzero(live)[pos[:, 2] > setup.origin[2] + 1.15 * setup.height]] = 0.0
    else:  # one born inside this step moves for the part of it it lived: no clumps per step
        h = np.clip(t - s["birth"][live], 0.0, dt)[:, None]
        vel = vel.copy()
        vel[:, 2:] -= GRAVITY * h
        pos = pos + vel * h
        if setup.kind == "drip":  # a thick liquid clings to the subject: it creeps, then lets go
            clinging = np.linalg.norm(pos - np.array(setup.subject_centre), axis=1) < CLING * setup.subject_radius
            vel[clinging] *= max(0.0, 1.0 - 20.0 * thickness(setup.viscosity) * dt)
        pos, vel = _collide_subject(setup, pos, vel)
        pos, vel = _collide_floor(setup, pos, vel, s["r0"][live], dt)
    s["pos"][live], s["vel"][live] = pos, vel


def _collide_subject(setup: Setup, pos, vel):
    c = np.array(setup.subject_centre)
    d = pos - c
    dist = np.linalg.norm(d, axis=1)
    hit = dist < setup.subject_radius
    if hit.any():
        normal = d[hit] / np.maximum(dist[hit], 1e-9)[:, None]
        pos[hit] = c + normal * setup.subject_radius
        into = np.minimum((vel[hit] * normal).sum(axis=1), 0.0)
        slide = 0.9 - 0.6 * thickness(setup.viscosity)  # honey creeps down, water runs
        vel[hit] = (vel[hit] - normal * into[:, None]) * slide
    return pos, vel


def _collide_floor(setup: Setup, pos, vel, radius, dt):
    """Landed particles stop falling, lose speed to viscosity and spread down the gradient of
    the landed liquid's density on a floor grid (a pool that fills outward)."""
    floor = setup.floor_z + 0.5 * radius
    low = pos[:, 2] <= floor
    if not low.any():
        return pos, vel
    thick = thickness(setup.viscosity)
    bounce = 0.25 * (1 - thick) if setup.kind == "splash" else 0.0
    pos[low, 2] = floor[low]
    vel[low, 2] = np.abs(vel[low, 2]) * bounce
    vel[low, :2] *= max(0.0, 1.0 - (4.0 + 30.0 * thick) * dt)
    if setup.kind == "splash":  # thrown drops land and stay (they spatter, not spread as a pool)
        vel[low, :2] *= 0.3
        return pos, vel
    landed = pos[low, :2]
    span = max(3.0 * setup.size + 2.0, 3.0)
    centre = np.array(setup.origin[:2])
    cells = SPREAD_CELLS
    ij = np.clip(((landed - centre) / (2 * span) + 0.5) * cells, 0, cells - 1).astype(int)
    grid = np.zeros((cells, cells))
    np.add.at(grid, (ij[:, 0], ij[:, 1]), 1.0)
    gx, gy = np.gradient(grid)
    push = (1.0 - 0.85 * thick) * 0.01 * span
    flat = vel[low, :2] - push * np.stack([gx[ij[:, 0], ij[:, 1]], gy[ij[:, 0], ij[:, 1]]], axis=1)
    cap = SPREAD_SPEED * (1.0 - 0.85 * thick)  # a thick liquid piles up instead of running
    speed = np.linalg.norm(flat, axis=1, keepdims=True)
    vel[low, :2] = flat * np.minimum(1.0, cap / np.maximum(speed, 1e-9))
    if math.isfinite(setup.reach):  # the pool stops at its reach (the shot's room for it)
        offset = pos[low, :2] - centre
        far = np.linalg.norm(offset, axis=1)
        out = far > setup.reach
        if out.any():
            rows = np.flatnonzero(low)[out]
            normal = offset[out] / far[out, None]
            pos[rows, :2] = centre + normal * setup.reach
            outward = np.maximum((vel[rows, :2] * normal).sum(axis=1), 0.0)
            vel[rows, :2] -= normal * outward[:, None]
    return pos, vel


def _frame(setup: Setup, s: dict, t: float) -> Frame:
    live = (s["birth"] <= t) & (s["age"] < s["life"])
    age, r0 = s["age"][live], s["r0"][live]
    if setup.kind == "plume" and setup.burning:
        radius = r0 * np.clip(1.0 - age / s["life"][live], 0.15, 1.0) * 1.6
    elif setup.kind in ("plume", "burst"):
        radius = r0 * (1.0 + 1.5 * age)  # smoke spreads as it ages
    else:
        radius = r0
    return Frame(s["pos"][live].astype(np.float32), radius.astype(np.float32))


# ---------------------------------------------------------------- the bake
def bake(frames: list[Frame], folder: Path, stem: str) -> list[Path]:
    """Write each frame's particles to `folder/{stem}.f{i:04d}.npz`; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, frame in enumerate(frames):
        path = folder / f"{stem}.f{index:04d}.npz"
        np.savez(path, positions=frame.positions, radii=frame.radii)
        paths.append(path)
    return paths


def load(path: Path) -> Frame:
    with np.load(path) as data:
        return Frame(data["positions"], data["radii"])

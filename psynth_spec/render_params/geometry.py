"""Render parameters of the subject's shape: Blender primitives and procedural generators."""

from typing import Annotated, Literal, Union

from pydantic import Field

from psynth_spec.render_params.base import NonNeg, Positive, _Params


# ================================================================ geometry
class _Geometry(_Params):
    """Every generator makes a subject that fits a sphere of radius 1 (`fit_radius`), sitting
    on the ground (z = 0) unless `float_above` > 0. `smooth`: smooth shading."""

    smooth: bool = True
    float_above: NonNeg = 0.0


class Primitive(_Geometry):
    """A Blender mesh primitive (`bpy.ops.mesh.primitive_<op>_add`) with its parameters."""

    generator: Literal["primitive"]
    op: Literal["cube", "uv_sphere", "cylinder", "cone", "torus", "ico_sphere", "monkey", "plane", "circle"]
    segments: Annotated[int, Field(ge=3, le=256)] = 32
    rings: Annotated[int, Field(ge=3, le=128)] = 16
    subdivisions: Annotated[int, Field(ge=1, le=6)] = 2
    radius: Positive = 1.0
    depth: Positive = 2.0
    radius_top: NonNeg = 0.0
    major_radius: Positive = 1.0
    minor_radius: Positive = 0.25
    bevel: NonNeg = 0.0


class Rock(_Geometry):
    """An ico sphere (`subdivisions`) displaced along normals by noise of `noise_scale`,
    `noise_detail`, `strength` (object radii), squashed by `scale` (x, y, z)."""

    generator: Literal["rock"]
    subdivisions: Annotated[int, Field(ge=1, le=6)] = 4
    noise_scale: Positive = 1.5
    noise_detail: Annotated[float, Field(ge=0.0, le=15.0)] = 6.0
    strength: NonNeg = 0.35
    scale: tuple[Positive, Positive, Positive] = (1.0, 0.8, 0.65)
    seed: Annotated[int, Field(ge=0)] = 0


class TorusKnot(_Geometry):
    """A (p, q) torus knot tube: curve r = major + minor_ratio*cos(q t); swept tube radius
    `tube_radius`; `resolution` points along the curve, `tube_segments` around it."""

    generator: Literal["torus_knot"]
    p: Annotated[int, Field(ge=1, le=20)]
    q: Annotated[int, Field(ge=1, le=20)]
    major_radius: Positive = 1.0
    minor_ratio: Positive = 0.4
    tube_radius: Positive = 0.15
    resolution: Annotated[int, Field(ge=16, le=4096)] = 512
    tube_segments: Annotated[int, Field(ge=3, le=64)] = 16


class TwistedTorus(_Geometry):
    """A torus whose cross-section (a polygon of `sides`, 0 = circle) rotates `twists` times
    around the ring."""

    generator: Literal["twisted_torus"]
    twists: Annotated[float, Field(ge=0.0, le=20.0)] = 1.5
    sides: Annotated[int, Field(ge=0, le=12)] = 3
    major_radius: Positive = 1.0
    minor_radius: Positive = 0.35
    segments: Annotated[int, Field(ge=16, le=1024)] = 256


class Gear(_Geometry):
    """A spur gear: `teeth` teeth of height `tooth_depth` on radius `radius`, extruded by
    `width`, with a bore of `bore_radius`."""

    generator: Literal["gear"]
    teeth: Annotated[int, Field(ge=4, le=200)]
    radius: Positive = 1.0
    tooth_depth: Positive = 0.15
    width: Positive = 0.3
    bore_radius: NonNeg = 0.2


class Spring(_Geometry):
    """A helix of `turns` turns, radius `radius`, total `height`, swept by a tube of
    `tube_radius`."""

    generator: Literal["spring"]
    turns: Annotated[float, Field(gt=0.0, le=50.0)] = 6.0
    radius: Positive = 0.6
    height: Positive = 1.8
    tube_radius: Positive = 0.08


class Mobius(_Geometry):
    """A Möbius-like band of `half_twists` half twists (1 = Möbius strip), `width`, `thickness`."""

    generator: Literal["mobius"]
    half_twists: Annotated[int, Field(ge=0, le=9)] = 1
    width: Positive = 0.5
    thickness: NonNeg = 0.04


class Supershape(_Geometry):
    """A 3D superformula surface: the product of two superformulas (m, n1, n2, n3 each)."""

    generator: Literal["supershape"]
    m1: float
    n1_1: float
    n2_1: float
    n3_1: float
    m2: float
    n1_2: float
    n2_2: float
    n3_2: float
    resolution: Annotated[int, Field(ge=16, le=512)] = 128


class Lathe(_Geometry):
    """A surface of revolution (vase, goblet, bottle) of a profile through the points
    `profile` [(radius, height)...], bottom to top, revolved with `segments`."""

    generator: Literal["lathe"]
    profile: tuple[tuple[NonNeg, float], ...] = Field(min_length=3)
    segments: Annotated[int, Field(ge=8, le=256)] = 64
    wall: NonNeg = 0.03
    neck_width: Annotated[float, Field(ge=0.2, le=3.0)] = 1.0
    """Scale of the profile's radii above its widest point (a narrow or flared neck)."""


class Crystal(_Geometry):
    """A cluster of `prisms` prisms of `facets` sides with pointed tips, spread over `spread_deg`."""

    generator: Literal["crystal"]
    prisms: Annotated[int, Field(ge=1, le=30)] = 1
    facets: Annotated[int, Field(ge=3, le=12)] = 6
    length: Positive = 1.8
    radius: Positive = 0.3
    tip: Positive = 0.4
    spread_deg: Annotated[float, Field(ge=0.0, le=90.0)] = 0.0
    seed: Annotated[int, Field(ge=0)] = 0


class StarPrism(_Geometry):
    """A star polygon of `points` points (inner radius ratio `inner_ratio`) extruded by `depth`,
    bevelled by `bevel`."""

    generator: Literal["star_prism"]
    points: Annotated[int, Field(ge=3, le=24)] = 5
    inner_ratio: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.45
    depth: Positive = 0.4
    bevel: NonNeg = 0.03


class Platonic(_Geometry):
    """A Platonic solid (flat shaded by default)."""

    generator: Literal["platonic"]
    solid: Literal["tetrahedron", "cube", "octahedron", "dodecahedron", "icosahedron"]


class Metaballs(_Geometry):
    """`count` metaballs of radius ~`radius` within `spread`, threshold `threshold`, converted
    to a mesh at `resolution`: an organic blob."""

    generator: Literal["metaballs"]
    count: Annotated[int, Field(ge=1, le=64)] = 6
    radius: Positive = 0.6
    spread: Positive = 0.7
    threshold: Positive = 0.6
    resolution: Positive = 0.08
    seed: Annotated[int, Field(ge=0)] = 0


class _Seeded(_Geometry):
    seed: Annotated[int, Field(ge=0)] = 0
    jitter: Annotated[float, Field(ge=0.0, le=0.5)] = 0.15
    """Largest relative change of the proportions from one sample's seed to another's."""


class Furniture(_Seeded):
    """A chair (legs, seat at `seat_ratio` of the height, back), a table (legs, top) or a
    shelf (`boards` boards between two sides and a back), of `width` x `depth` x `height`
    built from boards `thickness` thick."""

    generator: Literal["furniture"]
    kind: Literal["chair", "table", "shelf"]
    width: Positive = 1.0
    depth: Positive = 1.0
    height: Positive = 1.0
    thickness: Positive = 0.06
    seat_ratio: Annotated[float, Field(gt=0.1, lt=0.9)] = 0.5
    boards: Annotated[int, Field(ge=2, le=12)] = 4
    legs: Annotated[int, Field(ge=3, le=8)] = 4
    """Legs of a chair or table: 4 at the corners, else spaced round the seat's or top's ellipse."""
    back_ratio: Annotated[float, Field(ge=0.2, le=3.0)] = 1.0
    """A chair back's height relative to the concept's (height above the seat)."""
    smooth: bool = False


class Plant(_Seeded):
    """A tree: a trunk (`trunk_height`, `trunk_radius`) branching `levels` times into `branches`
    limbs spread `spread_deg` from their parent, each `taper` times shorter and thinner, with
    leaf clusters of `leaf_size` at the tips; tubes of `sides` sides."""

    generator: Literal["plant"]
    levels: Annotated[int, Field(ge=1, le=4)] = 3
    branches: Annotated[int, Field(ge=2, le=5)] = 3
    trunk_height: Positive = 1.0
    trunk_radius: Positive = 0.08
    taper: Annotated[float, Field(gt=0.2, lt=1.0)] = 0.65
    spread_deg: Annotated[float, Field(gt=0.0, lt=90.0)] = 35.0
    leaf_size: Positive = 0.18
    sides: Annotated[int, Field(ge=3, le=16)] = 6


class Terrain(_Seeded):
    """A square patch of `resolution`^2 quads raised by fractal noise (`relief`, `feature_size`,
    `octaves`) on a slab `thickness` deep."""

    generator: Literal["terrain"]
    resolution: Annotated[int, Field(ge=4, le=256)] = 48
    relief: Positive = 0.35
    feature_size: Positive = 0.6
    octaves: Annotated[int, Field(ge=1, le=8)] = 4
    thickness: Positive = 0.15


class Bolt(_Geometry):
    """A hex bolt: head (`head_radius`, `head_height`), shaft (`radius`, `length`) and a thread
    of `pitch`."""

    generator: Literal["bolt"]
    radius: Positive = 0.2
    length: Positive = 1.6
    pitch: Positive = 0.12
    head_radius: Positive = 0.38
    head_height: Positive = 0.25


class Pipe(_Seeded):
    """A pipe of `runs` straight runs (~`leg_length`) joined at right angles, `radius` thick,
    flanged at both ends."""

    generator: Literal["pipe"]
    runs: Annotated[int, Field(ge=1, le=8)] = 3
    leg_length: Positive = 1.0
    radius: Positive = 0.12
    sides: Annotated[int, Field(ge=6, le=32)] = 16


class Scatter(_Geometry):
    """Geometry-Nodes scattering: `piece`s (pebbles or blocks) about `size` big, `density` per
    unit area, strewn with random rotation and scale over a 2 x 2 slab `slab` thick."""

    generator: Literal["scatter"]
    piece: Literal["pebbles", "blocks"] = "pebbles"
    density: Annotated[float, Field(gt=0.0, le=200.0)] = 12.0
    size: Positive = 0.08
    slab: Positive = 0.1
    seed: Annotated[int, Field(ge=0)] = 0


class Topology(_Params):
    """How the finished mesh's faces are made (`geometry.topology`): "mixed" as generated
    (quads, triangles and n-gon caps), "quads" (one shape-keeping simple subdivision: every
    face a quad), "triangles" (every face split), "ngon_free" (faces of 5+ sides split)."""

    mode: Literal["mixed", "quads", "triangles", "ngon_free"]


class Arrangement(_Params):
    """How the objects of a multi-object scene stand: each object after the subject is stacked
    on an earlier one with chance `stack_share` (0: all on the ground)."""

    stack_share: Annotated[float, Field(ge=0.0, le=1.0)]


class SubdivisionType(_Params):
    """The subdivision scheme `geometry.subdivision` levels use (Blender's identifiers)."""

    scheme: Literal["CATMULL_CLARK", "SIMPLE"]


Geometry = Annotated[
    Union[
        Primitive, Rock, TorusKnot, TwistedTorus, Gear, Spring, Mobius, Supershape, Lathe,
        Crystal, StarPrism, Platonic, Metaballs, Furniture, Plant, Terrain, Bolt, Pipe, Scatter,
    ],
    Field(discriminator="generator"),
]

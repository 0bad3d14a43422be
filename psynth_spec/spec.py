"""The validated, typed spec: what `check` produces and every later stage consumes.

Everything here is resolved: axis names are registry paths, concept names are paths relative to
the axis's domain (as stored in columns), inner-node weights are split over leaves, caption
templates are parsed into segments. A `Spec` is self-contained: sampling and captioning need
nothing else (labels and synonyms of the concepts captions use travel inside it).
"""

import math
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from psynth_spec.diagnostics import Diagnostic
from psynth_spec.laws import (  # noqa: F401  (the laws' models, re-exported for the stages)
    LAWS,
    Bernoulli,
    Beta,
    Law,
    LogNormal,
    LogUniform,
    Normal,
    RandInt,
    Triangular,
    Uniform,
)

from psynth_spec.vocabulary import (  # noqa: F401  (re-exported: s.Engine, s.Output, ...)
    Background,
    CameraRigKind,
    Device,
    Engine,
    Filter,
    ImageFormat,
    Output,
    RenderPass,
)

Scalar = Union[bool, int, float, str]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------- distributions
class Choice(_Model):
    """A weighted choice over values (numbers, bools, or concept paths relative to the domain).

    `weights` are normalized to sum to 1 and are > 0; `one_of(NODE)`, `one_of [...]` and
    `one_of {...}` all lower to this, with inner-node weights already split over leaves.
    """

    kind: Literal["choice"] = "choice"
    values: tuple[Scalar, ...]
    weights: tuple[float, ...]


class AssetChoice(_Model):
    """`one_of(assets.NAME [where ...])`: a weighted choice of a catalog's assets.

    One entry per (asset, tag it is drawn under): with tag weights (`tag in { chair: 2, ... }`)
    an asset carrying two listed tags has an entry under each, so every tag gets exactly its
    weight. `tags[i]` is entry i's tag (the first listed tag it carries, for a plain list), or
    None when the statement filters no tags. `values` may therefore repeat an asset id.
    """

    kind: Literal["assets"] = "assets"
    catalog: str
    values: tuple[str, ...]
    weights: tuple[float, ...]
    tags: tuple[str | None, ...]


class Fixed(_Model):
    """`AXIS = VALUE`."""

    kind: Literal["fixed"] = "fixed"
    value: Scalar


Distribution = Annotated[Union[(*LAWS.values(), Choice, AssetChoice, Fixed)], Field(discriminator="kind")]
"""A statement's distribution: a registered law (`psynth_spec.laws`), a choice, an asset choice, or a fixed value."""


# ---------------------------------------------------------------- conditions
class Compare(_Model):
    """`AXIS op VALUE`. A null axis value makes the comparison false."""

    kind: Literal["compare"] = "compare"
    axis: str
    op: Literal["==", "!=", "<", "<=", ">", ">="]
    value: Scalar


class Member(_Model):
    """`AXIS in NODE` / `AXIS in [c1, c2]`: values are the leaves (relative paths) it admits."""

    kind: Literal["in"] = "in"
    axis: str
    values: tuple[str, ...]


class Truthy(_Model):
    """A boolean axis used alone; null is false."""

    kind: Literal["truthy"] = "truthy"
    axis: str


class Not(_Model):
    kind: Literal["not"] = "not"
    item: "Condition"


class And(_Model):
    kind: Literal["and"] = "and"
    items: tuple["Condition", ...]


class Or(_Model):
    kind: Literal["or"] = "or"
    items: tuple["Condition", ...]


Condition = Annotated[Union[Compare, Member, Truthy, Not, And, Or], Field(discriminator="kind")]
Not.model_rebuild()
And.model_rebuild()
Or.model_rebuild()


def condition_axes(cond: "Condition") -> set[str]:
    """Axis paths a condition reads."""
    if isinstance(cond, (Compare, Member, Truthy)):
        return {cond.axis}
    if isinstance(cond, Not):
        return condition_axes(cond.item)
    out: set[str] = set()
    for item in cond.items:
        out |= condition_axes(item)
    return out


# ---------------------------------------------------------------- statements
AxisType = Literal["float", "int", "bool", "category", "asset"]


class AxisStatement(_Model):
    """One `AXIS ~ DIST` or `AXIS = VALUE` statement, in statement (= sampling) order."""

    axis: str  # registry path, e.g. "camera.focal_length"
    column: str  # e.g. "camera_focal_length"
    type: AxisType
    dist: Distribution
    clamp: tuple[float, float] | None = None
    when: Condition | None = None
    line: int  # 1-based line in the source, for messages


class Require(_Model):
    cond: Condition
    when: Condition | None = None
    line: int


class RegistryColumn(_Model):
    """A registry axis as it appears in the samples table (stated or defaulted).

    For an unstated axis the column holds `default`, or, with `derive_from` set, the value of
    `derive_map[value of derive_from axis]` (null when the source is null or unmapped). A null
    in the table (a `when` that did not hold, or an unmapped concept) renders as `null_value`.
    """

    axis: str
    column: str
    type: AxisType
    stated: bool
    default: Scalar | None = None
    derive_from: str | None = None  # source axis path, e.g. "material"
    derive_map: dict[str, Scalar | None] | None = None
    fallback: Scalar | None = None  # the registry's constant default

    def null_value(self, values: dict[str, object]) -> Scalar | None:
        """What a null of this column renders as, given the sample's other (filled) values:
        the derived or default value, else the registry's constant default."""
        if self.derive_from is not None:
            value = (self.derive_map or {}).get(str(values.get(self.derive_from)))
        else:
            value = self.default
        return self.fallback if value is None else value


class ConceptText(_Model):
    """What captions need from a concept."""

    label: str
    synonyms: tuple[str, ...] = ()
    article: str  # "a" or "an", for the `a` filter
    projection: str | None = Field(default=None, exclude_if=lambda v: v is None)
    """A lens concept's projection (its render `lens_type`: PERSP, ORTHO, PANO): the dense
    caption states a focal length only where it shapes the picture. Absent elsewhere."""


class Literal_(_Model):
    kind: Literal["text"] = "text"
    text: str


class Placeholder(_Model):
    kind: Literal["placeholder"] = "placeholder"
    axis: str
    column: str
    format: str | None = None  # python format spec for numbers: ".2f", "d", ...
    filter: Filter | None = None


Segment = Annotated[Union[Literal_, Placeholder], Field(discriminator="kind")]


class CaptionTemplate(_Model):
    name: str  # "caption" or the user's name
    column: str  # "caption" or "caption_<name>"
    weight: float
    segments: tuple[Segment, ...]
    line: int

    @property
    def axes(self) -> set[str]:
        return {s.axis for s in self.segments if isinstance(s, Placeholder)}


class ObjectsSpec(_Model):
    """A multi-object scene: `scene.objects` objects; object 0 (the subject) keeps the top-level
    axes, each further object draws its per-object axes from `statements` (the `each object`
    block) where stated, else from the top-level statement of that axis, else the default."""

    axes: tuple[str, ...]  # the per-object axes, registry order: one list column each
    statements: tuple[AxisStatement, ...] = ()

    @staticmethod
    def column(axis_column: str) -> str:
        """The samples-table list column of a per-object axis: `objects_<axis column>`."""
        return f"objects_{axis_column}"


# ---------------------------------------------------------------- asset catalogs
class AssetRecord(_Model):
    """What sampling, captions and the renderer need of one drawable catalog row."""

    asset_id: str
    uri: str
    format: str
    sha256: str
    tags: tuple[str, ...] = ()
    licence: str | None = None
    up: str | None = None
    label: str  # for captions: the innermost folder's tag, else the file's stem
    bounds_min: tuple[float, float, float] | None = None  # 3D files
    bounds_max: tuple[float, float, float] | None = None
    resolution: tuple[int, int] | None = None  # environment images: (width, height)


class AssetCatalog(_Model):
    """An `assets NAME "PATH"` (or `hdris NAME "PATH"`) setting, resolved: where it was read and
    its content hash."""

    name: str
    kind: Literal["assets", "hdris"] = "assets"
    location: str  # as written in the spec
    uri: str  # resolved: an absolute local path or an s3:// URL
    digest: str
    assets: dict[str, AssetRecord] = Field(default_factory=dict)
    """The assets the spec's statements can draw, by asset id (not the whole catalog)."""


# ---------------------------------------------------------------- render, video


class RenderSettings(_Model):
    engine: Engine = "cycles"
    device: Device = "auto"
    width: int = 512
    height: int = 512
    samples: int = 64
    passes: tuple[RenderPass, ...] = ()
    format: ImageFormat = "png"
    views: int = 1
    rig: CameraRigKind = "orbit"
    background: Background = "opaque"
    simulate: bool = False
    """Video frames show the effects simulated (psynth_render.vfx_solver): smoke rises, a pour fills."""
    particles: int = 3000
    """Particles per simulated effect (bounds the simulation's cost)."""
    voxel_size: float = 0.04
    """Voxel size (object radii) of a simulated smoke volume or liquid surface (bounds its resolution)."""


class VideoSettings(_Model):
    frames: int
    fps: float


# ---------------------------------------------------------------- variants
VariantMode = Literal["redraw", "each", "choose"]
MAX_VARIANTS = 16


class VariantAxis(_Model):
    """An axis a `variants` block changes, and how.

    `redraw`: from its own statement's distribution (clamp included); `each`: variant k takes
    `values[k-1]` (explicit values, no `count`); `choose`: uniform among `values` (with `count`).
    """

    axis: str
    column: str
    type: AxisType
    mode: VariantMode
    values: tuple[Scalar, ...] = ()


class Variants(_Model):
    """`variants { ... }`: `count` counterfactual versions of every sample, numbered 1..count.

    `columns` are the registry columns a variant may change (in registry order): the named
    axes, the stated axes whose `when` reads a changed axis, and the unstated columns derived
    from a changed axis. Everything else, the render seed included, is the base sample's.
    """

    count: int
    axes: tuple[VariantAxis, ...]
    columns: tuple[str, ...]
    line: int

    @property
    def axis_names(self) -> tuple[str, ...]:
        return tuple(a.axis for a in self.axes)

    @property
    def random(self) -> bool:
        """Drawn (redraw/choose) variants honour `require`; explicit ones are taken as given."""
        return any(a.mode != "each" for a in self.axes)


def variant_column(k: int, column: str) -> str:
    """The samples-table column of variant k's value of `column`: `var{k}_{column}`."""
    return f"var{k}_{column}"


# ---------------------------------------------------------------- the spec
class Spec(_Model):
    """A validated dataset spec."""

    dataset: str
    version: str = "0.0.0"
    version_id: str
    taxonomy_version: str
    taxonomy_hash: str  # `Taxonomy.content_hash` of the taxonomy this spec was compiled against
    source: str  # the path it was read from, for messages
    samples: int
    shard_size: int = 1000
    shards_per_partition: int
    seed: int = 0
    outputs: tuple[Output, ...] = ("image", "caption", "metadata")
    statements: tuple[AxisStatement, ...] = ()
    requires: tuple[Require, ...] = ()
    columns: tuple[RegistryColumn, ...]  # every registry axis, in registry order
    captions: tuple[CaptionTemplate, ...] = ()
    objects: ObjectsSpec | None = None
    """Set for a multi-object spec (`scene.objects` stated or an `each object` block)."""
    concept_text: dict[str, dict[str, ConceptText]] = Field(default_factory=dict)
    """axis path -> relative concept path -> caption text, for every categorical axis."""
    render: RenderSettings = RenderSettings()
    video: VideoSettings | None = None
    catalogs: tuple[AssetCatalog, ...] = ()
    qc: dict[str, float] = Field(default_factory=dict)
    """QC thresholds the spec's `qc { ... }` block overrides (name -> value; the others keep
    their defaults). Use `psynth_data.qc.QcThresholds.for_spec(spec)` to get the thresholds."""
    variants: Variants | None = None
    warnings: tuple[Diagnostic, ...] = Field(default=(), exclude=True)
    """What `check` found worth a word but not an error (e.g. a caption that doubles a word);
    not serialized: the worker and the index see the same spec JSON as before."""

    @property
    def shards(self) -> int:
        return -(-self.samples // self.shard_size)  # integer ceiling: exact for huge counts

    @property
    def partitions(self) -> int:
        return -(-self.shards // self.shards_per_partition)

    def catalog(self, name: str) -> AssetCatalog:
        return next(c for c in self.catalogs if c.name == name)

    @property
    def caption_columns(self) -> list[str]:
        """Caption column names in first-appearance order, then `caption_dense` (the built-in
        dense caption) unless a template of the spec already fills it."""
        return list(dict.fromkeys([*(t.column for t in self.captions), "caption_dense"]))

    @property
    def variant_count(self) -> int:
        """Counterfactual versions per sample (0 without a `variants` block)."""
        return self.variants.count if self.variants is not None else 0

    def variant_columns(self) -> list[str]:
        """Every `var{k}_...` column of the samples table: changed columns, then captions."""
        if self.variants is None:
            return []
        per = [*self.variants.columns, *self.caption_columns]
        return [variant_column(k, c) for k in range(1, self.variants.count + 1) for c in per]

    def shard_range(self, shard: int) -> range:
        """Global sample ids of a shard (the last shard may be short)."""
        if not 0 <= shard < self.shards:
            raise IndexError(f"shard {shard} out of range 0..{self.shards - 1}")
        start = shard * self.shard_size
        return range(start, min(start + self.shard_size, self.samples))

    def partition_shards(self, partition: int) -> range:
        """Shards of a partition (the last partition may be short)."""
        if not 0 <= partition < self.partitions:
            raise IndexError(f"partition {partition} out of range 0..{self.partitions - 1}")
        start = partition * self.shards_per_partition
        return range(start, min(start + self.shards_per_partition, self.shards))

    def partition_key(self, partition: int) -> str:
        return f"{partition:06d}"

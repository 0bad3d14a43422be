"""The syntax tree of a .psynth file: frozen dataclasses, each with its source span.

`build` produces these from lark's tree without judging them; `check` gives them meaning.
Equality ignores spans (`field(compare=False)`), so a formatted file re-parses to an equal tree.
"""

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Span:
    """1-based line/column of the first character; `end_*` point just past the last one."""

    line: int
    col: int
    end_line: int
    end_col: int

    @property
    def length(self) -> int:
        """Characters to underline on the first line."""
        return max(1, self.end_col - self.col) if self.end_line == self.line else 1


NO_SPAN = Span(0, 0, 0, 0)


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


# ---------------------------------------------------------------- values
@dataclass(frozen=True)
class Name:
    text: str
    span: Span = _span()


@dataclass(frozen=True)
class Path:
    """A dotted path: `camera.focal_length`, `metal.gold`, `cycles`."""

    parts: tuple[str, ...]
    span: Span = _span()

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Number:
    value: float | int
    is_int: bool
    text: str = field(default="", compare=False)
    span: Span = _span()


@dataclass(frozen=True)
class String:
    value: str
    raw: str = field(default="", compare=False)  # the token as written, with quotes
    span: Span = _span()


@dataclass(frozen=True)
class Bool:
    value: bool
    span: Span = _span()


@dataclass(frozen=True)
class Resolution:
    width: int
    height: int
    span: Span = _span()


@dataclass(frozen=True)
class ListValue:
    items: tuple["Value", ...]
    span: Span = _span()


Value = Union[Number, String, Bool, Path, ListValue, Resolution]


# ---------------------------------------------------------------- distributions
@dataclass(frozen=True)
class OneOfNode:
    node: Path
    span: Span = _span()


@dataclass(frozen=True)
class OneOfList:
    items: ListValue
    span: Span = _span()


@dataclass(frozen=True)
class WeightEntry:
    key: Union[Path, Number, Bool]
    weight: Number
    span: Span = _span()


@dataclass(frozen=True)
class OneOfWeighted:
    entries: tuple[WeightEntry, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Call:
    """`uniform(1, 2)`, `beta(2, 5)`, `bernoulli(0.3)`: the checker knows the names."""

    name: Name
    args: tuple[Number, ...]
    span: Span = _span()


@dataclass(frozen=True)
class AssetTerm:
    """`tag in [chair, table]` (values) or `tag in { chair: 2, table: 1 }` (entries)."""

    field: Name
    values: ListValue | None = None
    entries: tuple[WeightEntry, ...] | None = None
    span: Span = _span()


@dataclass(frozen=True)
class OneOfAssets:
    """`one_of(assets.NAME where TERM and TERM ...)`: assets of a catalog that pass every term."""

    catalog: Path
    terms: tuple[AssetTerm, ...]
    span: Span = _span()


Distribution = Union[OneOfNode, OneOfAssets, OneOfList, OneOfWeighted, Call]


# ---------------------------------------------------------------- conditions
@dataclass(frozen=True)
class Comparison:
    axis: Path
    op: str
    operand: Union[Number, Bool, Path]
    op_span: Span = _span()
    span: Span = _span()


@dataclass(frozen=True)
class Membership:
    axis: Path
    target: Union[Path, ListValue]
    span: Span = _span()


@dataclass(frozen=True)
class Truthy:
    axis: Path
    span: Span = _span()


@dataclass(frozen=True)
class NotCond:
    item: "Condition"
    span: Span = _span()


@dataclass(frozen=True)
class AndCond:
    items: tuple["Condition", ...]
    span: Span = _span()


@dataclass(frozen=True)
class OrCond:
    items: tuple["Condition", ...]
    span: Span = _span()


Condition = Union[Comparison, Membership, Truthy, NotCond, AndCond, OrCond]


# ---------------------------------------------------------------- statements
@dataclass(frozen=True)
class Clamp:
    low: Number
    high: Number
    span: Span = _span()


@dataclass(frozen=True)
class Setting:
    name: Name
    value: Value
    span: Span = _span()


@dataclass(frozen=True)
class AssetsDecl:
    """`assets NAME "PATH-OR-S3-URL"`: an asset catalog the spec may draw from; `hdris NAME
    "PATH"` (kind "hdris") names a catalog's environment images instead of its 3D files."""

    name: Name
    location: String
    span: Span = _span()
    kind: str = "assets"


@dataclass(frozen=True)
class Block:
    """`render { ... }`, `video { ... }` or `qc { ... }`."""

    name: Name
    settings: tuple[Setting, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Sample:
    axis: Path
    dist: Distribution
    clamp: Clamp | None = None
    when: Condition | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Fix:
    axis: Path
    value: Value
    when: Condition | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Require:
    cond: Condition
    when: Condition | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Caption:
    name: Name | None
    weight: Number | None
    template: String
    span: Span = _span()


@dataclass(frozen=True)
class EachObject:
    """`each object { AXIS ~ DIST; ... }`: how the extra objects of a multi-object scene draw
    their per-object axes (`word` is the name written after `each`; only `object` is valid)."""

    word: Name
    statements: tuple[Union[Sample, Fix], ...]
    span: Span = _span()


@dataclass(frozen=True)
class VariantAxis:
    """One axis of a `variants` block: re-drawn (`material`) or from values (`material in metal`)."""

    axis: Path
    values: Union[Path, ListValue, None] = None
    span: Span = _span()


@dataclass(frozen=True)
class VariantCount:
    """The `count K` clause; `keyword` is checked to be `count`."""

    keyword: Name
    count: Number
    span: Span = _span()


@dataclass(frozen=True)
class Variants:
    """`variants { AXIS [in VALUES], ... [count K] }`: K counterfactual versions per sample."""

    axes: tuple[VariantAxis, ...]
    count: VariantCount | None = None
    span: Span = _span()


Statement = Union[Setting, AssetsDecl, Block, Sample, Fix, Require, Caption, Variants, EachObject]


@dataclass(frozen=True)
class Comment:
    """A `# ...` comment; kept beside the tree so `fmt` can put it back."""

    text: str
    span: Span = _span()


@dataclass(frozen=True)
class Dataset:
    name: Name
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
    span: Span = _span()

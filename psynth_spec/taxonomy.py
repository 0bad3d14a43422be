"""The taxonomy: a tree of concepts and the registry of axes, loaded from `taxonomy/*.yaml`.

The YAML is data; this module validates it with pydantic and answers the questions the checker,
the sampler and the renderer ask: which leaves lie under a node, what a relative concept name
means for an axis, what a concept's render parameters are.

Layout of the data folder:
    taxonomy/taxonomy.yaml        version, and the order of the concept files
    taxonomy/axes.yaml            the axis registry
    taxonomy/concepts/*.yaml      concept trees; each top-level key is a root node

A concept node in YAML is a mapping with the reserved keys `label`, `synonyms`, `description`,
`render` and `children` (a mapping of child name -> node). A node without children is a leaf.
A leaf's `render` is stored normalized: validated by its domain's model in
`psynth_spec.render_params` and dumped with every default filled in, so `concept.render[k]`
is defined for every field of the model.
"""

import hashlib
import os
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DEFAULT_TAXONOMY_DIR = Path(__file__).resolve().parent.parent / "taxonomy"

AxisType = Literal["float", "int", "bool", "category", "asset"]


class Concept(BaseModel):
    """One node of the concept tree. `id` is its full dotted path from the root."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    label: str
    synonyms: tuple[str, ...] = ()
    description: str
    render: dict[str, Any] = Field(default_factory=dict)
    children: tuple["Concept", ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children


class ConceptDefault(BaseModel):
    """`default_from: "concept:<axis>:<param>"`: render parameter `param` of the sample's concept
    on categorical axis `axis` (e.g. `material.roughness` from the `material` concept)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["concept"] = "concept"
    axis: str
    param: str

    def __str__(self) -> str:
        return f"concept:{self.axis}:{self.param}"


class RenderDefault(BaseModel):
    """`default_from: "render:<field>"`: a field of the spec's render block (`render.samples` is
    the block's samples; `render.engine` is the engine concept whose block name is the block's
    engine)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["render"] = "render"
    field: Literal["samples", "engine"]

    def __str__(self) -> str:
        return f"render:{self.field}"


DefaultFrom = Annotated[Union[ConceptDefault, RenderDefault], Field(discriminator="kind")]


class Axis(BaseModel):
    """One axis of the registry: a parameter a spec can vary.

    `default` is the value of an unstated axis. `default_from` derives it instead; the YAML
    writes it as a string (`"concept:material:roughness"`, `"render:samples"`), parsed here once
    into a typed `ConceptDefault` / `RenderDefault`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    type: AxisType
    description: str
    unit: str | None = None
    range: tuple[float, float] | None = None
    domain: str | None = None
    default: float | int | bool | str | None = None
    default_from: DefaultFrom | None = None
    per_object: bool = False
    """Each object of a multi-object scene has its own value (`each object { ... }` may state it)."""
    catalog: Literal["assets", "hdris"] = "assets"
    """An asset axis's kind of catalog: 3D files (`assets NAME "PATH"`) or environment images
    (`hdris NAME "PATH"`)."""

    @field_validator("default_from", mode="before")
    @classmethod
    def _parse_default_from(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value  # already typed (the JSON cache, or a model)
        source, _, rest = value.partition(":")
        if source == "concept" and rest.count(":") == 1 and all(rest.split(":")):
            axis, param = rest.split(":")
            return {"kind": "concept", "axis": axis, "param": param}
        if source == "render" and rest:
            return {"kind": "render", "field": rest}
        raise ValueError(f"default_from {value!r} is not \"concept:<axis>:<param>\" or \"render:<field>\"")

    @property
    def column(self) -> str:
        return self.path.replace(".", "_")

    @model_validator(mode="after")
    def _shape(self) -> "Axis":
        if self.type == "category" and not self.domain:
            raise ValueError(f"categorical axis {self.path} needs a domain")
        if self.type in ("float", "int") and self.range is None:
            raise ValueError(f"numeric axis {self.path} needs a range")
        if self.default is None and self.default_from is None and self.type != "asset":
            raise ValueError(f"axis {self.path} needs a default or default_from")
        return self


class Taxonomy(BaseModel):
    """The whole taxonomy: concept roots, axes and a version that enters dataset version ids."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    roots: tuple[Concept, ...]
    axes: tuple[Axis, ...]

    @cached_property
    def concepts(self) -> dict[str, Concept]:
        """Every concept by full path."""
        out: dict[str, Concept] = {}
        stack = list(self.roots)
        while stack:
            node = stack.pop()
            out[node.id] = node
            stack.extend(node.children)
        return out

    @cached_property
    def axis_by_path(self) -> dict[str, Axis]:
        return {a.path: a for a in self.axes}

    def concept(self, path: str) -> Concept | None:
        return self.concepts.get(path)

    def leaves(self, path: str) -> list[str]:
        """Full paths of every leaf under `path` (itself if it is a leaf), in file order."""
        node = self.concepts[path]
        if node.is_leaf:
            return [node.id]
        out: list[str] = []
        for child in node.children:
            out.extend(self.leaves(child.id))
        return out

    def resolve(self, axis: Axis, name: str) -> str | None:
        """Full path of concept `name` for a categorical axis, relative to its domain or absolute.

        Returns None when the name is not inside the axis's domain.
        """
        assert axis.domain is not None
        for candidate in (f"{axis.domain}.{name}", name):
            if candidate in self.concepts and (
                candidate == axis.domain or candidate.startswith(axis.domain + ".")
            ):
                return candidate
        return None

    def relative(self, axis: Axis, full_path: str) -> str:
        """The concept path relative to the axis's domain, as stored in columns."""
        assert axis.domain is not None
        return full_path[len(axis.domain) + 1 :]

    def engine_concept(self, axis: Axis, engine: str) -> str:
        """The concept of `axis` (relative) whose `block_name` is render engine `engine`.

        Every engine has one (checked when the taxonomy loads), so a miss is a TaxonomyError.
        """
        assert axis.domain is not None
        for leaf in self.leaves(axis.domain):
            if self.concepts[leaf].render.get("block_name") == engine:
                return self.relative(axis, leaf)
        from psynth_spec.errors import TaxonomyError

        raise TaxonomyError(f"axis {axis.path}: no {axis.domain} concept stands for render engine {engine!r}")

    @cached_property
    def content_hash(self) -> str:
        """sha256 (first 16 hex digits) of the validated taxonomy: every concept with its normalized
        render parameters and every axis. Any edit that can change a render changes it; it
        enters every dataset's version id (the hand-bumped `version` is only a label)."""
        payload = self.model_dump_json(exclude={"version"})
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def domain_names(self, axis: Axis) -> list[str]:
        """Every concept name a spec may write for this axis (relative), for suggestions."""
        assert axis.domain is not None
        prefix = axis.domain + "."
        return [p[len(prefix) :] for p in self.concepts if p.startswith(prefix)]


def _build_concept(name: str, node: dict[str, Any], parent: str | None, where: str) -> Concept:
    if not isinstance(node, dict):
        raise ValueError(f"{where}: concept {name!r} must be a mapping")
    path = f"{parent}.{name}" if parent else name
    children = node.get("children") or {}
    unknown = set(node) - {"label", "synonyms", "description", "render", "children"}
    if unknown:
        raise ValueError(f"{where}: concept {path} has unknown keys {sorted(unknown)}")
    if not isinstance(children, dict):
        raise ValueError(f"{where}: concept {path}: children must be a mapping")
    built = tuple(_build_concept(child, sub, path, where) for child, sub in children.items())
    render = node.get("render") or {}
    if render and not built:
        from psynth_spec.render_params import normalize_render

        render = normalize_render(path, render)
    try:
        return Concept(
            id=path,
            name=name,
            label=node.get("label", name.replace("_", " ")),
            synonyms=tuple(node.get("synonyms") or ()),
            description=node.get("description", ""),
            render=render,
            children=built,
        )
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{where}: concept {path}: {exc}") from None


def _read_yaml(path: Path) -> Any:
    """Parse a YAML file with libyaml when available (5x faster than the pure-Python loader)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def _cache_file(directory: Path) -> Path | None:
    """Where the validated taxonomy of these exact files (and this validating code) is cached.

    The name is a hash of every taxonomy file and of the modules that validate them, so any
    edit misses the cache. None when the files cannot be read (the full load then reports why).
    """
    root = os.environ.get("PSYNTH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "psynth"
    )
    digest = hashlib.sha256()
    files = [directory / "taxonomy.yaml", directory / "axes.yaml"]
    files += sorted((directory / "concepts").glob("*.yaml"))
    here = Path(__file__).resolve().parent
    files += [here / "taxonomy.py", here / "vocabulary.py", *sorted((here / "render_params").glob("*.py"))]
    try:
        for f in files:
            digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    except OSError:
        return None
    return Path(root) / f"taxonomy-{digest.hexdigest()[:40]}.json"


def _read_cache(path: Path | None) -> Taxonomy | None:
    if path is None:
        return None
    try:
        return Taxonomy.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        return None  # absent, unreadable or from an incompatible model: load from YAML


def _write_cache(path: Path | None, taxonomy: Taxonomy) -> None:
    """Best effort, atomic (temp file + rename), so concurrent loaders never see half a file."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(taxonomy.model_dump_json(), encoding="utf-8")
        os.replace(tmp, path)
        stale = sorted(path.parent.glob("taxonomy-*.json"), key=lambda f: f.stat().st_mtime)
        for old in stale[:-_CACHE_KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


_CACHE_KEEP = 8
"""Cached taxonomies kept per cache folder (one per taxonomy edit; older ones are removed)."""


def load_taxonomy(directory: Path | None = None, *, use_cache: bool = True) -> Taxonomy:
    """Load and validate the taxonomy folder (default: the repository's `taxonomy/`).

    Any problem in the data (unreadable file, bad YAML, bad value) raises TaxonomyError
    naming the file and, where there is one, the concept or axis. A successfully validated
    taxonomy is cached as JSON keyed by the hash of its files (`PSYNTH_CACHE_DIR`, default
    `~/.cache/psynth`), which makes later loads several times faster.
    """
    directory = Path(directory or DEFAULT_TAXONOMY_DIR)
    cache = _cache_file(directory) if use_cache else None
    cached = _read_cache(cache)
    if cached is not None:
        return cached
    taxonomy = _load_yaml_taxonomy(directory)
    _write_cache(cache, taxonomy)
    return taxonomy


def _load_yaml_taxonomy(directory: Path) -> Taxonomy:
    from psynth_spec.errors import TaxonomyError
    from psynth_spec.render_params import validate_render_params

    where = directory / "taxonomy.yaml"
    try:
        meta = _read_yaml(where)
        roots: list[Concept] = []
        for file_name in meta["concept_files"]:
            where = directory / "concepts" / file_name
            data = _read_yaml(where) or {}
            if not isinstance(data, dict):
                raise ValueError("the file must hold a mapping of root concepts")
            for name, node in data.items():
                roots.append(_build_concept(name, node, None, str(where)))
        where = directory / "axes.yaml"
        axes_data = _read_yaml(where)
        axes = []
        for path, fields in axes_data["axes"].items():
            try:
                axes.append(Axis(path=path, **fields))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"axis {path}: {exc}") from None
        where = directory
        taxonomy = Taxonomy(version=str(meta["version"]), roots=tuple(roots), axes=tuple(axes))
        _validate_references(taxonomy)
    except TaxonomyError:
        raise
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise TaxonomyError(f"{where}: {detail}") from None
    validate_render_params(taxonomy)
    return taxonomy


def _validate_references(taxonomy: Taxonomy) -> None:
    """Domains exist, domains are disjoint, defaults are leaves of their domain, derived defaults
    read a categorical axis or an engine every render block can name."""
    seen_domains: dict[str, str] = {}
    for axis in taxonomy.axes:
        _validate_default_from(taxonomy, axis)
        if axis.type != "category":
            continue
        assert axis.domain is not None
        if axis.domain not in taxonomy.concepts:
            raise ValueError(f"axis {axis.path}: domain {axis.domain} is not a concept")
        for other, other_axis in seen_domains.items():
            if axis.domain.startswith(other + ".") or other.startswith(axis.domain + "."):
                raise ValueError(f"axes {other_axis} and {axis.path} share a subtree")
        seen_domains[axis.domain] = axis.path
        if axis.default is not None:
            full = taxonomy.resolve(axis, str(axis.default))
            if full is None or not taxonomy.concepts[full].is_leaf:
                raise ValueError(f"axis {axis.path}: default {axis.default} is not a leaf")


def _validate_default_from(taxonomy: Taxonomy, axis: Axis) -> None:
    origin = axis.default_from
    if isinstance(origin, ConceptDefault):
        source = taxonomy.axis_by_path.get(origin.axis)
        if source is None or source.type != "category":
            raise ValueError(f"axis {axis.path}: default_from reads {origin.axis}, not a categorical axis")
    elif isinstance(origin, RenderDefault) and origin.field == "engine":
        from typing import get_args

        from psynth_spec.vocabulary import Engine

        if axis.type != "category":
            raise ValueError(f"axis {axis.path}: default_from render:engine needs a categorical axis")
        for engine in get_args(Engine):
            taxonomy.engine_concept(axis, engine)  # TaxonomyError naming the engine without a concept


def require_taxonomy(spec: Any, taxonomy: Taxonomy) -> None:
    """Refuse to render `spec` (a compiled `Spec`) with a taxonomy other than its own.

    The version id pins the taxonomy's content hash, so a render with an edited taxonomy would
    put different pixels under the same id: a TaxonomyMismatchError that says what to do.
    """
    if spec.taxonomy_hash == taxonomy.content_hash:
        return
    from psynth_spec.errors import TaxonomyMismatchError

    raise TaxonomyMismatchError(
        f"{spec.source}: dataset {spec.dataset} ({spec.version_id}) was compiled against taxonomy "
        f"{spec.taxonomy_version} with content hash {spec.taxonomy_hash}, but this taxonomy "
        f"({taxonomy.version}) has content hash {taxonomy.content_hash}; recompile the spec from "
        f"its .psynth source with this taxonomy, or render with the taxonomy it was compiled with"
    )


_CACHE: dict[Path, Taxonomy] = {}


def default_taxonomy() -> Taxonomy:
    """The repository taxonomy, loaded once per process."""
    key = DEFAULT_TAXONOMY_DIR
    if key not in _CACHE:
        _CACHE[key] = load_taxonomy(key)
    return _CACHE[key]

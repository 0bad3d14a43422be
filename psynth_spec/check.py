"""AST + taxonomy -> a validated `Spec`, or every diagnostic of the file.

The rules are those of shared/docs/language.md: settings and blocks (the `qc` block in
`check_qc`), axis statements (in `check_axes`), captions, video/outputs agreement and the
partition limit. The pilot acceptance
check of `require` needs the sampler and runs in `compile` after this stage.
"""

import hashlib
import json
import math
from dataclasses import fields, is_dataclass
from typing import get_args

from psynth_spec import nodes as n
from psynth_spec import spec as s
from psynth_spec.check_axes import (
    AxisContext,
    Reporter,
    check_condition,
    check_distribution,
    check_range,
    check_value,
    lookup_axis,
)
from psynth_spec.check_assets import CatalogReader, LoadedCatalog, check_asset_distribution, load_catalogs, lowered_catalogs
from psynth_spec.check_captions import check_captions
from psynth_spec.check_objects import check_each_blocks
from psynth_spec.check_qc import check_qc_block
from psynth_spec.check_variants import check_variants
from psynth_spec.diagnostics import Diagnostic, did_you_mean
from psynth_spec.english import article
from psynth_spec.taxonomy import ConceptDefault, RenderDefault, Taxonomy

SETTINGS = ("version", "samples", "shard_size", "shards_per_partition", "seed", "outputs")
OUTPUTS = get_args(s.Output)
RENDER_KEYS = ("engine", "device", "resolution", "samples", "passes", "format", "views", "rig", "background",
               "simulate", "particles", "voxel_size")
SIMULATION_KEYS = ("particles", "voxel_size")
MAX_PARTICLES = 100_000
VOXEL_SIZES = (0.005, 0.5)
VIDEO_KEYS = ("frames", "fps")
BLOCKS = ("render", "video", "qc")
ENGINES = get_args(s.Engine)
DEVICES = get_args(s.Device)
PASSES = get_args(s.RenderPass)
FORMATS = get_args(s.ImageFormat)
RIGS = get_args(s.CameraRigKind)
BACKGROUNDS = get_args(s.Background)
MAX_VIEWS = 64
FIXED6_VIEWS = 6
PARTITION_STEPS = (1, 10, 100, 1_000, 10_000)
MAX_PARTITIONS_AUTO = 10_000
MAX_PARTITIONS = 20_000


def version_id(dataset: n.Dataset, taxonomy_hash: str, catalog_digests: dict[str, str] | None = None) -> str:
    """Hash of the normalized tree (no spans, no comments, numbers by value) + the taxonomy's
    content hash, so an edit of the taxonomy (a colour, a default) is a new version, + the
    content hash of every asset catalog the spec declares (when it declares any)."""
    parts: list = [_normal(dataset), taxonomy_hash]
    if catalog_digests:
        parts.append(catalog_digests)
    payload = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def _normal(node):
    if is_dataclass(node):
        out = {"_": type(node).__name__}
        for f in fields(node):
            if f.compare:
                out[f.name] = _normal(getattr(node, f.name))
        return out
    if isinstance(node, tuple):
        return [_normal(x) for x in node]
    if isinstance(node, float) and node.is_integer():
        return int(node)
    return node


class _Settings:
    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.spans: dict[str, n.Span] = {}


def _integer(report: Reporter, setting: n.Setting, lo: int, hi: int | None) -> int | None:
    value = setting.value
    if not isinstance(value, n.Number) or not value.is_int:
        report.error(value.span, "type-mismatch", f"{setting.name.text} takes an integer")
        return None
    if value.value < lo or (hi is not None and value.value > hi):
        bound = f"{lo:,}..{hi:,}" if hi is not None else f">= {lo:,}"
        report.error(value.span, "out-of-range", f"{setting.name.text} must be {bound}, got {value.text}")
        return None
    return int(value.value)


def _names(report: Reporter, setting: n.Setting, allowed: tuple[str, ...]) -> tuple[str, ...] | None:
    value = setting.value
    if not isinstance(value, n.ListValue):
        report.error(value.span, "type-mismatch", f"{setting.name.text} takes a list, e.g. [{', '.join(allowed[:2])}]")
        return None
    out: list[str] = []
    for item in value.items:
        if not isinstance(item, n.Path) or item.text not in allowed:
            text = item.text if isinstance(item, n.Path) else "this value"
            report.error(
                item.span, "invalid-value", f"'{text}' is not one of {', '.join(allowed)}",
                did_you_mean(text, list(allowed)) if isinstance(item, n.Path) else None,
            )
            continue
        if item.text in out:
            report.error(item.span, "duplicate-value", f"'{item.text}' is listed twice")
            continue
        out.append(item.text)
    return tuple(out)


def _choice(report: Reporter, setting: n.Setting, allowed: tuple[str, ...]) -> str | None:
    value = setting.value
    if not isinstance(value, n.Path) or value.text not in allowed:
        text = value.text if isinstance(value, n.Path) else None
        report.error(
            value.span, "invalid-value",
            f"{setting.name.text} must be one of {', '.join(allowed)}",
            did_you_mean(text, list(allowed)) if text else None,
        )
        return None
    return value.text


def _check_top_setting(report: Reporter, setting: n.Setting, out: _Settings, taxonomy: Taxonomy) -> None:
    name = setting.name.text
    if name not in SETTINGS:
        hint = did_you_mean(name, list(SETTINGS))
        if name in taxonomy.axis_by_path:
            hint = f"to set the axis write `{name} = ...` or `{name} ~ ...`"
        report.error(setting.name.span, "unknown-setting", f"unknown setting '{name}'", hint)
        if hint and "'samples'" in hint:
            out.spans["samples"] = setting.name.span  # the misspelling is the error, not a missing setting
        return
    if name in out.spans:
        report.error(setting.name.span, "duplicate-setting", f"'{name}' is set twice (first on line {out.spans[name].line})")
        return
    out.spans[name] = setting.span
    value: object | None
    if name == "version":
        if not isinstance(setting.value, n.String):
            report.error(setting.value.span, "type-mismatch", 'version takes a string, e.g. version "1.0.0"')
            return
        value = setting.value.value
    elif name == "samples":
        value = _integer(report, setting, 1, None)
    elif name == "shard_size":
        value = _integer(report, setting, 1, 1_000_000)
    elif name == "shards_per_partition":
        value = _integer(report, setting, 1, None)
    elif name == "seed":
        value = _integer(report, setting, 0, 2**63 - 1)
    else:
        value = _names(report, setting, OUTPUTS)
    if value is not None:
        out.values[name] = value


def _check_block(report: Reporter, block: n.Block, seen: dict[str, n.Span]) -> dict[str, object]:
    name = block.name.text
    if name not in BLOCKS:
        report.error(
            block.name.span, "unknown-block", f"unknown block '{name}'",
            did_you_mean(name, list(BLOCKS)) or "blocks are `render { ... }`, `video { ... }` and `qc { ... }`",
        )
        return {}
    if name in seen:
        report.error(block.name.span, "duplicate-setting", f"'{name}' block appears twice (first on line {seen[name].line})")
        return {}
    seen[name] = block.span
    if name == "qc":
        return dict(check_qc_block(report, block))
    keys = RENDER_KEYS if name == "render" else VIDEO_KEYS
    values: dict[str, object] = {}
    known = report.known_settings(block, keys)
    for setting in known:
        key = setting.name.text
        value: object | None = None
        if key == "engine":
            value = _choice(report, setting, ENGINES)
        elif key == "device":
            value = _choice(report, setting, DEVICES)
        elif key == "format":
            value = _choice(report, setting, FORMATS)
        elif key == "passes":
            value = _names(report, setting, PASSES)
        elif key == "views":
            value = _integer(report, setting, 1, MAX_VIEWS)
        elif key == "rig":
            value = _choice(report, setting, RIGS)
        elif key == "background":
            value = _choice(report, setting, BACKGROUNDS)
        elif key == "samples":
            value = _integer(report, setting, 1, 65536)
        elif key == "simulate":
            value = _boolean(report, setting)
        elif key == "particles":
            value = _integer(report, setting, 100, MAX_PARTICLES)
        elif key == "voxel_size":
            value = _bounded_number(report, setting, *VOXEL_SIZES)
        elif key == "frames":
            value = _integer(report, setting, 1, 1000)
        elif key == "fps":
            v = setting.value
            if not isinstance(v, n.Number) or not 0 < v.value <= 240:
                report.error(v.span, "out-of-range", "fps must be a number in (0, 240]")
            else:
                value = float(v.value)
        elif key == "resolution":
            v = setting.value
            if not isinstance(v, n.Resolution):
                report.error(v.span, "type-mismatch", "resolution is written W x H, e.g. 512 x 512")
            elif not (16 <= v.width <= 8192 and 16 <= v.height <= 8192):
                report.error(v.span, "out-of-range", f"resolution sides must be 16..8192, got {v.width} x {v.height}")
            else:
                value = (v.width, v.height)
        if value is not None:
            values[key] = value
    if name == "video" and "frames" not in {setting.name.text for setting in known}:
        report.error(block.name.span, "missing-setting", "video block needs `frames N`")
    if name == "render":
        _check_views(report, {setting.name.text: setting for setting in known}, values)
        _check_simulation(report, {setting.name.text: setting for setting in known}, values)
    return values


def _check_simulation(report: Reporter, settings: dict[str, n.Setting], values: dict[str, object]) -> None:
    """`particles` and `voxel_size` bound a simulation: without `simulate true` they do nothing."""
    if values.get("simulate") or ("simulate" in settings and "simulate" not in values):
        return  # simulating, or its own error said why not
    for key in SIMULATION_KEYS:
        if key in settings:
            report.error(settings[key].name.span, "missing-setting", f"{key} bounds a simulation, but the render block does not simulate",
                         "add `simulate true` to the render block, or remove " + key)


def _boolean(report: Reporter, setting: n.Setting) -> bool | None:
    if not isinstance(setting.value, n.Bool):
        report.error(setting.value.span, "type-mismatch", f"{setting.name.text} takes true or false")
        return None
    return setting.value.value


def _bounded_number(report: Reporter, setting: n.Setting, lo: float, hi: float) -> float | None:
    v = setting.value
    if not isinstance(v, n.Number) or not lo <= v.value <= hi:
        report.error(v.span, "out-of-range", f"{setting.name.text} must be a number in {lo}..{hi}")
        return None
    return float(v.value)


def _check_views(report: Reporter, settings: dict[str, n.Setting], values: dict[str, object]) -> None:
    """A rig places several views: it needs `views N` above 1, and fixed6 has six at most."""
    views, rig = values.get("views", 1), values.get("rig")
    if rig is not None and views == 1 and "views" not in settings:
        report.error(settings["rig"].span, "missing-setting", "a camera rig needs `views N` (N > 1)",
                     f"add `views 4` (or `views 6` for {FIXED6_VIEWS} fixed views) to the render block")
    elif rig is not None and views == 1:
        report.error(settings["views"].value.span, "out-of-range", "a camera rig needs views above 1, got 1",
                     "remove the rig for a single-view sample")
    if rig == "fixed6" and isinstance(views, int) and views > FIXED6_VIEWS:
        report.error(settings["views"].value.span, "out-of-range",
                     f"rig fixed6 has {FIXED6_VIEWS} views (front, back, left, right, top, bottom), got views {views}",
                     f"use views {FIXED6_VIEWS} or fewer, or rig sphere")


def _partitioning(report: Reporter, dataset: n.Dataset, settings: _Settings) -> int | None:
    samples = settings.values.get("samples")
    shard_size = settings.values.get("shard_size", 1000)
    if not isinstance(samples, int) or not isinstance(shard_size, int):
        return None
    shards = -(-samples // shard_size)  # integers: a float would round huge counts
    explicit = settings.values.get("shards_per_partition")
    if isinstance(explicit, int):
        if -(-shards // explicit) > MAX_PARTITIONS:
            smallest = -(-shards // MAX_PARTITIONS)
            report.error(
                settings.spans["shards_per_partition"], "too-many-partitions",
                f"{shards:,} shards in partitions of {explicit:,} make {-(-shards // explicit):,} partitions; at most {MAX_PARTITIONS:,} are allowed",
                f"use shards_per_partition {smallest} (the smallest that fits)",
            )
            return None
        return explicit
    for step in PARTITION_STEPS:
        if -(-shards // step) <= MAX_PARTITIONS_AUTO:
            return step
    report.error(
        settings.spans.get("samples", dataset.name.span), "too-many-partitions",
        f"{shards:,} shards need more than {MAX_PARTITIONS_AUTO:,} partitions even at 10,000 shards each",
        "raise shard_size or set shards_per_partition",
    )
    return None


def check(
    dataset: n.Dataset, taxonomy: Taxonomy, path: str, catalog_reader: CatalogReader | None = None
) -> tuple[s.Spec | None, list[Diagnostic]]:
    """Validate a parsed file. Returns (spec, []) or (None, every error); the warnings of a
    valid file travel on `spec.warnings`. `catalog_reader` reads an asset catalog (default:
    `asset_catalogs.read_catalog_table`)."""
    report = Reporter(path)
    catalogs = load_catalogs(report, [st for st in dataset.statements if isinstance(st, n.AssetsDecl)], path, catalog_reader)
    settings = _Settings()
    blocks: dict[str, dict[str, object]] = {}
    block_spans: dict[str, n.Span] = {}
    all_stated: dict[str, n.Span] = {}
    for stmt in dataset.statements:
        if isinstance(stmt, (n.Sample, n.Fix)) and stmt.axis.text not in all_stated:
            all_stated[stmt.axis.text] = stmt.axis.span
    ctx = AxisContext(taxonomy, report, all_stated)

    statements: list[s.AxisStatement] = []
    requires: list[s.Require] = []
    captions: list[n.Caption] = []
    each_blocks: list[n.EachObject] = []
    variant_blocks: list[n.Variants] = []
    visible: dict[str, n.Span] = {}
    for stmt in dataset.statements:
        if isinstance(stmt, n.Setting):
            _check_top_setting(report, stmt, settings, taxonomy)
        elif isinstance(stmt, n.Block):
            values = _check_block(report, stmt, block_spans)
            if values or stmt.name.text in BLOCKS:
                blocks.setdefault(stmt.name.text, values)
        elif isinstance(stmt, (n.Sample, n.Fix)):
            lowered = _check_axis_statement(ctx, stmt, visible, catalogs)
            if lowered is not None:
                statements.append(lowered)
            if stmt.axis.text in taxonomy.axis_by_path and stmt.axis.text not in visible:
                visible[stmt.axis.text] = stmt.axis.span
        elif isinstance(stmt, n.Require):
            cond = check_condition(ctx, stmt.cond, visible=all_stated, where="require")
            when = check_condition(ctx, stmt.when, visible=all_stated, where="require ... when") if stmt.when else None
            if cond is not None and (stmt.when is None or when is not None):
                requires.append(s.Require(cond=cond, when=when, line=stmt.span.line))
        elif isinstance(stmt, n.Caption):
            captions.append(stmt)
        elif isinstance(stmt, n.EachObject):
            each_blocks.append(stmt)
        elif isinstance(stmt, n.Variants):
            variant_blocks.append(stmt)

    if "samples" not in settings.values and "samples" not in settings.spans:
        report.error(dataset.name.span, "missing-setting", f"dataset {dataset.name.text} needs `samples N` (how many samples to make)")
    outputs = settings.values.get("outputs", ("image", "caption", "metadata"))
    _check_video_agreement(report, settings, block_spans, outputs)
    shards_per_partition = _partitioning(report, dataset, settings)
    render = _render_settings(blocks.get("render", {}))
    objects = check_each_blocks(
        ctx, each_blocks, set(all_stated),
        lambda stmt, taken: _check_axis_statement(ctx, stmt, visible, catalogs, taken),
    )
    if render.simulate and "video" not in outputs:
        report.error(block_spans["render"], "video-mismatch", "simulate moves the effects over a clip's frames; this spec renders no video",
                     "add video to outputs (and a `video { frames N }` block), or remove `simulate true`")
    if "flow" in render.passes and "video" not in outputs:
        report.error(block_spans["render"], "video-mismatch", "the flow pass is the optical flow between video frames",
                     "add video to outputs (and a video block), or remove flow from passes")
    columns = registry_columns(taxonomy, {st.axis for st in statements}, render)
    caption_templates = check_captions(ctx, captions, statements, columns)
    variants = check_variants(ctx, variant_blocks, statements, columns, outputs)

    if report.errors:
        return None, sorted(report.errors, key=lambda d: (d.line, d.col))  # warnings wait for a valid spec
    video = blocks.get("video")
    spec = s.Spec(
        dataset=dataset.name.text,
        version=settings.values.get("version", "0.0.0"),
        version_id=version_id(dataset, taxonomy.content_hash, {k: c.digest for k, c in catalogs.items()}),
        taxonomy_version=taxonomy.version,
        taxonomy_hash=taxonomy.content_hash,
        source=path,
        samples=settings.values["samples"],
        shard_size=settings.values.get("shard_size", 1000),
        shards_per_partition=shards_per_partition,
        seed=settings.values.get("seed", 0),
        outputs=outputs,
        statements=tuple(statements),
        requires=tuple(requires),
        columns=tuple(columns),
        captions=tuple(caption_templates),
        objects=objects,
        concept_text=_with_asset_text(
            _concept_text(taxonomy), [*statements, *(objects.statements if objects else ())], catalogs),
        catalogs=lowered_catalogs(catalogs),
        render=render,
        video=s.VideoSettings(frames=video["frames"], fps=video.get("fps", 24.0)) if video else None,
        qc=blocks.get("qc", {}),
        variants=variants,
        warnings=tuple(sorted(report.diagnostics, key=lambda d: (d.line, d.col))),
    )
    return spec, []


def _check_axis_statement(
    ctx: AxisContext, stmt: n.Sample | n.Fix, visible: dict[str, n.Span], catalogs: dict[str, LoadedCatalog],
    taken: dict[str, n.Span] | None = None,
) -> s.AxisStatement | None:
    """Lower one statement; `visible` are the axes its condition may read, `taken` those already
    stated in the same scope (the top level's are `visible`)."""
    taken = visible if taken is None else taken
    axis = lookup_axis(ctx, stmt.axis)
    if axis is None:
        return None
    if stmt.axis.text in taken:
        ctx.report.error(
            stmt.axis.span, "duplicate-axis",
            f"axis {axis.path} is stated twice (first on line {taken[stmt.axis.text].line})",
            "state each axis once; use `when` conditions inside one distribution instead",
        )
        return None
    when = None
    if stmt.when is not None:
        when = check_condition(ctx, stmt.when, visible=visible, where=f"the condition of {axis.path}", owner=axis.path)
        if when is None:
            return None
    if axis.type == "asset" or isinstance(getattr(stmt, "dist", None), n.OneOfAssets):
        return _check_asset_statement(ctx, axis, stmt, when, catalogs)
    clamp = None
    if isinstance(stmt, n.Fix):
        value = check_value(ctx, axis, stmt.value)
        if value is None:
            return None
        dist: s.Distribution = s.Fixed(value=value)
    else:
        lowered = check_distribution(ctx, axis, stmt)
        if lowered is None:
            return None
        dist = lowered
        before = len(ctx.report.diagnostics)
        clamp = check_range(ctx, axis, stmt, dist)
        if len(ctx.report.diagnostics) > before:
            return None
    return s.AxisStatement(
        axis=axis.path, column=axis.column, type=axis.type, dist=dist, clamp=clamp, when=when, line=stmt.span.line
    )


def _check_asset_statement(ctx: AxisContext, axis, stmt, when, catalogs) -> s.AxisStatement | None:
    """`geometry.asset ~ one_of(assets.NAME [where ...]) [when ...]`; assets only there."""
    if axis.type != "asset":
        ctx.report.error(stmt.dist.span, "type-mismatch", f"{axis.path} does not take assets; only asset axes draw from catalogs",
                         "sample assets with `geometry.asset ~ one_of(assets.NAME ...)` and environment images "
                         "with `lighting.hdri ~ one_of(hdris.NAME ...)`")
        return None
    if isinstance(stmt, n.Fix) or stmt.clamp is not None:
        span = stmt.value.span if isinstance(stmt, n.Fix) else stmt.clamp.span
        ctx.report.error(span, "type-mismatch",
                         f"{axis.path} draws from a catalog: write `{axis.path} ~ one_of({axis.catalog}.NAME ...)`")
        return None
    dist = check_asset_distribution(ctx, axis.path, stmt.dist, catalogs, axis.catalog)
    if dist is None:
        return None
    return s.AxisStatement(axis=axis.path, column=axis.column, type=axis.type, dist=dist, when=when, line=stmt.span.line)


def _with_asset_text(text: dict, statements: list[s.AxisStatement], catalogs: dict[str, LoadedCatalog]) -> dict:
    """Caption text of the drawable assets, for each asset axis (captions treat them as concepts);
    `statements` holds the `each object` block's too."""
    out = dict(text)
    for st in statements:
        if isinstance(st.dist, s.AssetChoice):
            used = catalogs[st.dist.catalog].used
            out[st.axis] = {
                **out.get(st.axis, {}),
                **{asset_id: s.ConceptText(label=used[asset_id].label, article=article(used[asset_id].label))
                   for asset_id in dict.fromkeys(st.dist.values)},
            }
    return out


def _check_video_agreement(report: Reporter, settings: _Settings, block_spans: dict[str, n.Span], outputs) -> None:
    if "video" in outputs and "video" not in block_spans:
        report.error(
            settings.spans.get("outputs", n.NO_SPAN), "video-mismatch",
            "outputs list video but there is no `video { frames N fps F }` block",
            "add a video block, or remove video from outputs",
        )
    if "video" in block_spans and "video" not in outputs:
        report.error(
            block_spans["video"], "video-mismatch",
            "a video block is given but outputs do not list video",
            "add video to outputs, or remove the video block",
        )


def _render_settings(values: dict[str, object]) -> s.RenderSettings:
    kwargs: dict[str, object] = {k: v for k, v in values.items() if k != "resolution"}
    if "resolution" in values:
        kwargs["width"], kwargs["height"] = values["resolution"]  # type: ignore[misc]
    return s.RenderSettings(**kwargs)


def registry_columns(taxonomy: Taxonomy, stated: set[str], render: s.RenderSettings) -> list[s.RegistryColumn]:
    """Every registry axis as a column, with the value its nulls and its unstated rows take.

    The one place registry defaults are derived (the sampler fills unstated columns and the
    renderer fills `when` nulls from these columns; neither reads `default_from`): a constant
    default; the render block's samples or engine concept; or a render parameter of the
    sample's concept, as a map (when the concept axis is stated) or a constant (when it is not).
    """
    constant: dict[str, object] = {}
    out: list[s.RegistryColumn] = []
    for axis in taxonomy.axes:
        default = axis.default
        derive_from = derive_map = None
        origin = axis.default_from
        if isinstance(origin, RenderDefault):
            default = render.samples if origin.field == "samples" else taxonomy.engine_concept(axis, render.engine)
        elif isinstance(origin, ConceptDefault):
            source = taxonomy.axis_by_path[origin.axis]
            mapping = {
                taxonomy.relative(source, leaf): _cast(taxonomy.concepts[leaf].render.get(origin.param), axis.type)
                for leaf in taxonomy.leaves(source.domain)  # type: ignore[arg-type]
            }
            if origin.axis in stated:
                derive_from, derive_map = origin.axis, mapping
            else:
                default = mapping.get(str(constant.get(origin.axis)))
        constant[axis.path] = default
        out.append(
            s.RegistryColumn(
                axis=axis.path, column=axis.column, type=axis.type, stated=axis.path in stated,
                default=default, derive_from=derive_from, derive_map=derive_map, fallback=axis.default,
            )
        )
    return out


def _cast(value, axis_type: str):
    if value is None:
        return None
    if axis_type == "int":
        return int(value)
    if axis_type == "float":
        return float(value)
    return value


_CONCEPT_TEXT: dict[int, tuple[Taxonomy, dict[str, dict[str, s.ConceptText]]]] = {}


def _concept_text(taxonomy: Taxonomy) -> dict[str, dict[str, s.ConceptText]]:
    """Caption text of every concept, per categorical axis; built once per taxonomy object."""
    cached = _CONCEPT_TEXT.get(id(taxonomy))
    if cached is not None and cached[0] is taxonomy:
        return cached[1]
    out: dict[str, dict[str, s.ConceptText]] = {}
    for axis in taxonomy.axes:
        if axis.type != "category":
            continue
        table = {}
        for leaf in taxonomy.leaves(axis.domain):  # type: ignore[arg-type]
            concept = taxonomy.concepts[leaf]
            table[taxonomy.relative(axis, leaf)] = s.ConceptText(
                label=concept.label, synonyms=concept.synonyms, article=article(concept.label),
                projection=(concept.render or {}).get("lens_type"),
            )
        out[axis.path] = table
    _CONCEPT_TEXT[id(taxonomy)] = (taxonomy, out)  # holding the taxonomy keeps its id unique
    return out

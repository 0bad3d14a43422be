"""Checks of the `variants { ... }` block; lowers it to `spec.Variants`.

    variants { material, lighting.kelvin count 3 }        3 variants, both axes re-drawn
    variants { lighting.kelvin in [3200, 6500] }          2 variants: 3200 K, then 6500 K
    variants { material in metal }                        one variant per metal
    variants { material in [metal.gold, metal.copper] count 4 }   4 draws among the two

Without `count`, every axis must list values and variant k takes the k-th value of each list
(so the lists have one length, at most MAX_VARIANTS). With `count K`, an axis without values is
re-drawn from its own statement (so it must be sampled, not fixed or defaulted) and an axis with
values draws uniformly among them.
"""

from psynth_spec import nodes as n
from psynth_spec import spec as s
from psynth_spec.check_axes import AxisContext, check_value, lookup_axis, resolve_concept
from psynth_spec.diagnostics import did_you_mean
from psynth_spec.spec import MAX_VARIANTS


def check_variants(
    ctx: AxisContext,
    blocks: list[n.Variants],
    statements: list[s.AxisStatement],
    columns: list[s.RegistryColumn],
    outputs: tuple[str, ...],
) -> s.Variants | None:
    """The lowered variants block (None when absent or wrong, errors reported)."""
    if not blocks:
        return None
    block = blocks[0]
    for extra in blocks[1:]:
        ctx.report.error(extra.span, "duplicate-setting",
                         f"'variants' block appears twice (first on line {block.span.line})",
                         "name every axis in one block: variants { a, b count K }")
    if "video" in outputs:
        ctx.report.error(block.span, "variants-with-video", "variants are rendered as stills; this spec renders video",
                         "remove the variants block or video from outputs")
        return None
    count = _count(ctx, block.count)
    has_count = block.count is not None
    by_axis = {st.axis: st for st in statements}
    axes: list[s.VariantAxis] = []
    seen: dict[str, n.Span] = {}
    lengths: list[tuple[int, n.VariantAxis]] = []
    ok = True
    for item in block.axes:
        axis = lookup_axis(ctx, item.axis)
        if axis is None:
            ok = False
            continue
        if axis.path in seen:
            ctx.report.error(item.axis.span, "duplicate-value", f"'{axis.path}' is named twice in variants")
            ok = False
            continue
        seen[axis.path] = item.axis.span
        if item.values is None:
            lowered = _redrawn(ctx, item, axis, by_axis.get(axis.path), has_count)
        else:
            values = _values(ctx, item, axis)
            lowered = None
            if values is not None:
                lengths.append((len(values), item))
                mode = "each" if block.count is None else "choose"
                lowered = s.VariantAxis(axis=axis.path, column=axis.column, type=axis.type, mode=mode, values=values)
        if lowered is None:
            ok = False
        else:
            axes.append(lowered)
    if not ok or (has_count and count is None):
        return None
    if count is None:
        count = _count_from_lists(ctx, block, lengths)
        if count is None:
            return None
    return s.Variants(count=count, axes=tuple(axes), columns=_changed_columns(axes, statements, columns),
                      line=block.span.line)


def _count(ctx: AxisContext, clause: n.VariantCount | None) -> int | None:
    if clause is None:
        return None
    if clause.keyword.text != "count":
        ctx.report.error(clause.keyword.span, "unknown-setting", f"unknown variants setting '{clause.keyword.text}'",
                         did_you_mean(clause.keyword.text, ["count"]) or "write `count K` after the axes")
        return None
    value = clause.count
    if not value.is_int or not 1 <= value.value <= MAX_VARIANTS:
        ctx.report.error(value.span, "out-of-range", f"variant count must be an integer 1..{MAX_VARIANTS}, got {value.text}")
        return None
    return int(value.value)


def _redrawn(ctx: AxisContext, item: n.VariantAxis, axis, statement: s.AxisStatement | None,
             has_count: bool) -> s.VariantAxis | None:
    if statement is None or isinstance(statement.dist, s.Fixed):
        how = "fixed" if statement is not None else "not stated (it takes its default)"
        ctx.report.error(
            item.axis.span, "variant-not-sampled",
            f"{axis.path} is {how} in this spec, so a variant cannot re-draw it",
            f"give the variant values: `{axis.path} in [...]`" + (f" or `{axis.path} in {axis.domain}`" if axis.domain else ""),
        )
        return None
    if not has_count:
        ctx.report.error(item.axis.span, "variant-needs-count",
                         f"variants re-draw {axis.path}, so the block needs `count K` (how many variants per sample)",
                         f"add `count K` (1..{MAX_VARIANTS}), or list the values: `{axis.path} in [...]`")
        return None
    return s.VariantAxis(axis=axis.path, column=axis.column, type=axis.type, mode="redraw")


def _values(ctx: AxisContext, item: n.VariantAxis, axis) -> tuple[s.Scalar, ...] | None:
    """Explicit values: a taxonomy node (categorical axes) or a list, each in the axis's domain."""
    target = item.values
    if isinstance(target, n.Path):
        if axis.type != "category":
            ctx.report.error(target.span, "type-mismatch",
                             f"{axis.path} is a {axis.type} axis: list its values, e.g. {axis.path} in [a, b]")
            return None
        leaves = resolve_concept(ctx, axis, target, leaf_only=False)
        return tuple(leaves) if leaves is not None else None
    assert isinstance(target, n.ListValue)
    if not target.items:
        ctx.report.error(target.span, "empty-choice", f"{axis.path} in [] lists no values")
        return None
    out: list[s.Scalar] = []
    for value in target.items:
        lowered = check_value(ctx, axis, value)
        if lowered is None:
            return None
        if lowered in out:
            ctx.report.error(value.span, "duplicate-value", f"'{lowered}' is listed twice for {axis.path}")
            return None
        out.append(lowered)
    return tuple(out)


def _count_from_lists(ctx: AxisContext, block: n.Variants, lengths: list[tuple[int, n.VariantAxis]]) -> int | None:
    """Without `count`: one variant per listed value, so every list needs the same length."""
    first_length, first = lengths[0]
    for length, item in lengths[1:]:
        if length != first_length:
            ctx.report.error(
                item.values.span, "variant-count-mismatch",
                f"{item.axis.text} gives {length} values but {first.axis.text} gives {first_length}; "
                "without `count`, variant k takes the k-th value of every list",
                "give the lists one length, or add `count K` to draw K variants among the values",
            )
            return None
    if first_length > MAX_VARIANTS:
        ctx.report.error(first.values.span, "out-of-range",
                         f"{first.axis.text} gives {first_length} values: at most {MAX_VARIANTS} variants per sample",
                         f"add `count K` (K <= {MAX_VARIANTS}) to draw K variants among them")
        return None
    return first_length


def _changed_columns(axes: list[s.VariantAxis], statements: list[s.AxisStatement],
                     columns: list[s.RegistryColumn]) -> tuple[str, ...]:
    """Registry columns a variant may change: named axes, the axes whose `when` reads a changed
    axis (they may turn null or back), and unstated columns derived from a changed axis."""
    changed = {a.axis for a in axes}
    grown = True
    while grown:
        before = len(changed)
        for st in statements:
            if st.when is not None and s.condition_axes(st.when) & changed:
                changed.add(st.axis)
        for column in columns:
            if column.derive_from in changed:
                changed.add(column.axis)
        grown = len(changed) > before
    return tuple(c.column for c in columns if c.axis in changed)

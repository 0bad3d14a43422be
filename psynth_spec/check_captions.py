"""Caption checks: placeholders name registry axes, filters and formats fit their types, and
every caption name has a template that is eligible for every sample.
"""

from psynth_spec import nodes as n
from psynth_spec import spec as s
from psynth_spec.caption_words import warn_doubled_words
from psynth_spec.check_axes import AxisContext
from psynth_spec.diagnostics import did_you_mean
from psynth_spec.numbers import MAX_PRECISION, MAX_WIDTH, parse_format_spec
from psynth_spec.templates import FILTERS, RawPlaceholder, split_template

# Used when a spec writes no caption at all: only axes that are never null by default.
DEFAULT_TEMPLATE = '"{geometry.shape|a} in {material} under {lighting.setup} lighting"'
_CATEGORY_ONLY_FILTERS = ("label", "synonym", "id", "a")
_SAMPLE_VALUE = {"float": 1.5, "int": 2, "bool": True}


def _nullable_axes(statements: list[s.AxisStatement], columns: list[s.RegistryColumn]) -> dict[str, str]:
    """Axes that can be null for some sample, with the reason."""
    reasons: dict[str, str] = {}
    for st in statements:
        if st.when is not None:
            reasons[st.axis] = f"{st.axis} has a `when` condition (line {st.line})"
    for col in columns:
        if col.stated:
            continue
        if col.derive_from is not None:
            if col.derive_from in reasons or any(v is None for v in (col.derive_map or {}).values()):
                reasons[col.axis] = f"{col.axis} comes from {col.derive_from}, which can leave it unset"
        elif col.default is None:
            reasons[col.axis] = f"{col.axis} has no default for this spec"
    return reasons


def _format_problem(axis_type: str, spec: str) -> tuple[str, str] | None:
    """Why a number format does not fit (message, hint), or None when it does."""
    hint = "for numbers use e.g. :.2f, :.0f" + (", :d" if axis_type == "int" else "")
    fields = parse_format_spec(spec)
    if fields is None:
        return "is not a number format", hint
    if fields["width"] and int(fields["width"]) > MAX_WIDTH:
        return f"has width {int(fields['width']):,}; widths are at most {MAX_WIDTH}", hint
    if fields["precision"] and int(fields["precision"]) > MAX_PRECISION:
        return f"has precision {int(fields['precision']):,}; precisions are at most {MAX_PRECISION}", hint
    if fields["type"] == "c":
        return "turns numbers into characters", hint
    try:
        format(_SAMPLE_VALUE[axis_type], spec)  # a format spec is data for format(), not code
    except (ValueError, TypeError, OverflowError):
        return "does not fit", hint
    return None


def _check_format(ctx: AxisContext, axis_type: str, axis: str, ph: RawPlaceholder, span_line: int) -> bool:
    span = n.Span(span_line, ph.format_col or ph.col, span_line, (ph.format_col or ph.col) + len(ph.format or ""))
    if axis_type in ("category", "bool"):
        ctx.report.error(
            span, "type-mismatch",
            f"format ':{ph.format}' applies to numbers, but {axis} is {'categorical' if axis_type == 'category' else 'a boolean'}",
            "use a filter instead, e.g. {" + axis + "|label}",
        )
        return False
    problem = _format_problem(axis_type, ph.format or "")
    if problem is not None:
        message, hint = problem
        shown = ph.format if len(ph.format or "") <= 40 else (ph.format or "")[:37] + "..."
        if message == "does not fit":
            message = f"format ':{shown}' does not fit {axis} ({axis_type})"
        else:
            message = f"format ':{shown}' {message}"
        ctx.report.error(span, "invalid-format", message, hint)
        return False
    return True


def _check_placeholder(ctx: AxisContext, ph: RawPlaceholder, line: int) -> s.Placeholder | None:
    axis = ctx.taxonomy.axis_by_path.get(ph.axis)
    if axis is None:
        ctx.report.error(
            n.Span(line, ph.col, line, ph.col + len(ph.axis)), "unknown-axis",
            f"caption placeholder names unknown axis '{ph.axis}'",
            lambda: did_you_mean(ph.axis, list(ctx.taxonomy.axis_by_path)),
        )
        return None
    ok = True
    if ph.format is not None:
        ok = _check_format(ctx, axis.type, axis.path, ph, line)
    if ph.filter is not None:
        fspan = n.Span(line, ph.filter_col or ph.col, line, (ph.filter_col or ph.col) + len(ph.filter))
        if ph.filter not in FILTERS:
            ctx.report.error(
                fspan, "unknown-filter", f"unknown filter '{ph.filter}'",
                did_you_mean(ph.filter, list(FILTERS)) or f"filters are: {', '.join(FILTERS)}",
            )
            ok = False
        elif ph.filter in _CATEGORY_ONLY_FILTERS and axis.type != "category":
            ctx.report.error(
                fspan, "type-mismatch",
                f"filter '{ph.filter}' needs a categorical axis, but {axis.path} is {axis.type}",
                "use a format for numbers, e.g. {" + axis.path + ":.2f}",
            )
            ok = False
    if not ok:
        return None
    return s.Placeholder(axis=axis.path, column=axis.column, format=ph.format, filter=ph.filter)  # type: ignore[arg-type]


def check_captions(
    ctx: AxisContext,
    captions: list[n.Caption],
    statements: list[s.AxisStatement],
    columns: list[s.RegistryColumn],
) -> list[s.CaptionTemplate]:
    """Lower caption statements (or the default template when there are none)."""
    default_caption = None
    if not captions:
        default_caption = n.Caption(None, None, n.String(DEFAULT_TEMPLATE[1:-1], DEFAULT_TEMPLATE, n.Span(1, 1, 1, 1)))
        captions = [default_caption]
    nullable = _nullable_axes(statements, columns)
    templates: list[s.CaptionTemplate] = []
    by_name: dict[str, list[tuple[n.Caption, s.CaptionTemplate]]] = {}
    for caption in captions:
        name = caption.name.text if caption.name else "caption"
        weight = 1.0
        if caption.weight is not None:
            if not caption.weight.value > 0:
                ctx.report.error(caption.weight.span, "invalid-weight", f"caption weight {caption.weight.text} must be > 0")
                continue
            weight = float(caption.weight.value)
        span = caption.template.span
        parts, errors = split_template(caption.template.raw, span.col)
        for err in errors:
            ctx.report.error(n.Span(span.line, err.col, span.line, err.col + err.length), "bad-template", err.message)
        segments: list[s.Segment] = []
        ok = not errors
        for part in parts:
            if isinstance(part, str):
                segments.append(s.Literal_(text=part))
                continue
            placeholder = _check_placeholder(ctx, part, span.line)
            if placeholder is None:
                ok = False
            else:
                segments.append(placeholder)
        if not ok:
            continue
        if caption is not default_caption:
            warn_doubled_words(ctx, parts, span.line, statements, columns)
        if not segments or all(isinstance(seg, s.Literal_) and not seg.text.strip() for seg in segments):
            ctx.report.error(span, "empty-caption", "caption template is empty")
            continue
        column = "caption" if name == "caption" else f"caption_{name}"
        template = s.CaptionTemplate(name=name, column=column, weight=weight, segments=tuple(segments), line=span.line)
        templates.append(template)
        by_name.setdefault(name, []).append((caption, template))
    for name, items in by_name.items():
        if any(not (t.axes & set(nullable)) for _, t in items):
            continue
        first, template = items[0]
        reason = nullable[sorted(template.axes & set(nullable))[0]]
        ctx.report.error(
            first.template.span, "caption-ineligible",
            f"no template of caption '{name}' is usable for every sample: {reason}",
            f"add a template for '{name}' that uses only axes without `when` conditions",
        )
    return templates

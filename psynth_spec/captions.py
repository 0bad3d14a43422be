"""Captions, compiled to column operations: no per-row Python, nothing in a template evaluated.

Per caption name, each sample picks one template by weight among those whose placeholders are
all non-null for it (one uniform of stream `caption:NAME`). Each distinct placeholder becomes one
string column (a table lookup by category code, or vectorized number formatting, see
`numbers`); each template is one `concat_str` of literals and those columns, evaluated only over
the rows that chose it. Filters: `label` (default), `synonym` (label or a synonym, one uniform
of stream `synonym:AXIS`), `id` (the relative concept path), `a` (article + label), and
`upper` / `lower` / `title` (of the label for concepts, of the text for numbers and booleans).
Booleans print `true` / `false`.
"""

import numpy as np
import polars as pl

from psynth_spec.counters import uniforms
from psynth_spec.distributions import Column
from psynth_spec.english import article
from psynth_spec.errors import SamplingError
from psynth_spec.numbers import format_numbers, plain_numbers
from psynth_spec.spec import CaptionTemplate, ConceptText, Placeholder, Spec

_CASE = {"upper": str.upper, "lower": str.lower, "title": str.title}


def _fallback_text(path: str) -> ConceptText:
    label = path.rsplit(".", 1)[-1].replace("_", " ")
    return ConceptText(label=label, article=article(label))


def concept_texts(spec: Spec, axis: str, categories: tuple[str, ...]) -> list[ConceptText]:
    known = spec.concept_text.get(axis, {})
    return [known.get(c) or _fallback_text(c) for c in categories]


def gather_text(table: list[str], codes: np.ndarray, valid: np.ndarray | None) -> pl.Series:
    """Text by table lookup of a code per row (null where invalid)."""
    index = pl.Series(codes, dtype=pl.UInt32)
    if valid is not None and not valid.all():
        index = pl.select(pl.when(pl.Series(valid)).then(index)).to_series()
    return pl.Series(table, dtype=pl.String).gather(index)


def _category_text(spec: Spec, ids: np.ndarray, p: Placeholder, column: Column) -> pl.Series:
    if p.filter == "id":
        return gather_text(list(column.categories), column.values, column.valid)
    texts = concept_texts(spec, p.axis, column.categories)
    if p.filter == "synonym":
        options = [(t.label, *t.synonyms) for t in texts]
        counts = np.asarray([len(o) for o in options], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
        u = uniforms(spec.seed, f"synonym:{p.axis}", ids)
        pick = np.minimum((u * counts[column.values]).astype(np.int64), counts[column.values] - 1)
        flat = [s for o in options for s in o]
        return gather_text(flat, offsets[column.values] + pick, column.valid)
    if p.filter == "a":
        table = [f"{t.article} {t.label}" for t in texts]
    elif p.filter in _CASE:
        table = [_CASE[p.filter](t.label) for t in texts]
    else:
        table = [t.label for t in texts]
    return gather_text(table, column.values, column.valid)


def _value_text(p: Placeholder, column: Column) -> pl.Series:
    if column.type == "bool":
        text = gather_text(["false", "true"], column.values.astype(np.uint32), column.valid)
    elif p.format and column.levels is not None:  # a one_of over numbers: format each level once
        levels = np.unique(column.levels)
        codes = np.minimum(np.searchsorted(levels, column.values), len(levels) - 1)
        table = format_numbers(levels, p.format).to_list()
        text = gather_text(table, codes, column.valid)
    elif p.format:
        text = format_numbers(column.values, p.format, column.valid)
    else:
        text = plain_numbers(column.values, column.valid)
    if p.filter == "upper":
        return text.str.to_uppercase()
    if p.filter == "lower":
        return text.str.to_lowercase()
    if p.filter == "title":
        return text.str.to_titlecase()
    return text


def placeholder_text(spec: Spec, ids: np.ndarray, p: Placeholder, column: Column) -> pl.Series:
    """The text of one placeholder for every row (null where the axis is null)."""
    if column.type == "category":
        return _category_text(spec, ids, p, column)
    return _value_text(p, column)


def _choose(spec: Spec, name: str, templates: list[CaptionTemplate], ids: np.ndarray, batch) -> np.ndarray:
    """Index of the chosen template per row, by weight among the eligible ones."""
    n = len(ids)
    weights = np.zeros((len(templates), n), dtype=np.float64)
    for j, template in enumerate(templates):
        eligible = np.ones(n, dtype=bool)
        for axis in template.axes:
            eligible &= batch(axis).valid_mask()
        weights[j] = np.where(eligible, template.weight, 0.0)
    running = np.cumsum(weights, axis=0)
    total = running[-1]
    if (total <= 0).any():
        first = int(ids[np.argmax(total <= 0)])
        raise SamplingError(
            f"{spec.dataset}: sample {first} has no eligible template for caption {name!r} "
            f"(line {templates[0].line})"
        )
    if len(templates) == 1:
        return np.zeros(n, dtype=np.int64)
    target = uniforms(spec.seed, f"caption:{name}", ids) * total
    choice = (running <= target).sum(axis=0)
    return np.minimum(choice, len(templates) - 1)


def _compose(templates: list[CaptionTemplate], choice: np.ndarray, texts: dict) -> pl.Series:
    """Concatenate each row's chosen template; every template only over the rows that chose it.

    Rows are grouped by template (a stable argsort), each group is one `concat_str` over a
    contiguous slice, and a gather puts the rows back in order.
    """
    keys = sorted({key for t in templates for key in _keys(t)}, key=str)
    names = {key: f"p{i}" for i, key in enumerate(keys)}
    columns = [texts[key].alias(names[key]) for key in keys]
    frame = pl.DataFrame(columns or [pl.Series("rows", np.zeros(len(choice), dtype=np.int8))])

    def build(rows: pl.DataFrame, template: CaptionTemplate) -> pl.Series:
        parts = [
            pl.col(names[_key(s)]) if isinstance(s, Placeholder) else pl.lit(s.text, dtype=pl.String)
            for s in template.segments
        ]
        expr = pl.concat_str(parts) if parts else pl.lit("", dtype=pl.String)
        return rows.with_columns(expr.alias("_caption"))["_caption"]  # with_columns broadcasts literals

    if len(templates) == 1 or len(choice) == 0:
        return build(frame, templates[0])
    groups = [np.flatnonzero(choice == j) for j in range(len(templates))]  # a stable sort by choice
    order = np.concatenate(groups)
    bounds = np.concatenate(([0], np.cumsum([len(g) for g in groups])))
    ordered = frame.select(pl.all().gather(pl.Series(order)))
    pieces = [
        build(ordered.slice(int(bounds[j]), int(bounds[j + 1] - bounds[j])), template)
        for j, template in enumerate(templates)
        if bounds[j + 1] > bounds[j]
    ]
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return pl.concat(pieces).gather(pl.Series(inverse))


def _key(segment: Placeholder) -> tuple:
    return (segment.axis, segment.format or "", segment.filter or "")


def _keys(template: CaptionTemplate) -> list[tuple]:
    return [_key(s) for s in template.segments if isinstance(s, Placeholder)]


def caption_series(spec: Spec, ids: np.ndarray, batch) -> list[pl.Series]:
    """One string Series per caption column (spec.caption_columns order); the built-in dense
    caption (`psynth_spec.dense_caption`) where the spec writes no `dense` template."""
    from psynth_spec.dense_caption import DENSE_COLUMN, dense_caption

    texts: dict[tuple, pl.Series] = {}
    out: list[pl.Series] = []
    for column_name in spec.caption_columns:
        templates = [t for t in spec.captions if t.column == column_name]
        if not templates and column_name == DENSE_COLUMN:
            out.append(dense_caption(spec, ids, batch))
            continue
        for template in templates:
            for segment in template.segments:
                if isinstance(segment, Placeholder) and _key(segment) not in texts:
                    texts[_key(segment)] = placeholder_text(spec, ids, segment, batch(segment.axis))
        choice = _choose(spec, templates[0].name, templates, ids, batch)
        caption = _compose(templates, choice, texts).alias(column_name)
        if caption.null_count():
            raise SamplingError(f"{spec.dataset}: caption {column_name!r} has rows with no eligible template")
        out.append(caption)
    return out

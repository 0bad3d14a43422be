"""Captions, compiled to column operations: no per-row Python, nothing in a template evaluated.

Per caption name, each sample picks one template by weight among those whose placeholders are
all non-null for it (one uniform of stream `caption:NAME`). Each distinct placeholder becomes one
string column (a table lookup by category code, or vectorized number formatting) and each
template one `concat_str` of literals and those columns; a `when/then` chain selects the chosen
template per row.
"""

import numpy as np
import polars as pl

from psynth_spec.counters import uniforms
from psynth_spec.distributions import Column
from psynth_spec.errors import SamplingError
from psynth_spec.numbers import format_numbers, plain_numbers
from psynth_spec.spec import CaptionTemplate, ConceptText, Placeholder, Spec

_CASE = {"upper": str.upper, "lower": str.lower, "title": str.title}


def _fallback_text(path: str) -> ConceptText:
    label = path.rsplit(".", 1)[-1].replace("_", " ")
    return ConceptText(label=label, article="an" if label[:1] in "aeiou" else "a")


def _concept_texts(spec: Spec, axis: str, categories: tuple[str, ...]) -> list[ConceptText]:
    known = spec.concept_text.get(axis, {})
    return [known.get(c) or _fallback_text(c) for c in categories]


def _gather(table: list[str], codes: np.ndarray, valid: np.ndarray | None) -> pl.Series:
    index = pl.Series(codes, dtype=pl.UInt32)
    if valid is not None and not valid.all():
        index = pl.select(pl.when(pl.Series(valid)).then(index)).to_series()
    return pl.Series(table, dtype=pl.String).gather(index)


def _category_text(spec: Spec, ids: np.ndarray, p: Placeholder, column: Column) -> pl.Series:
    if p.filter == "id":
        return _gather(list(column.categories), column.values, column.valid)
    texts = _concept_texts(spec, p.axis, column.categories)
    if p.filter == "synonym":
        options = [(t.label, *t.synonyms) for t in texts]
        counts = np.asarray([len(o) for o in options], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
        u = uniforms(spec.seed, f"synonym:{p.axis}", ids)
        pick = np.minimum((u * counts[column.values]).astype(np.int64), counts[column.values] - 1)
        flat = [s for o in options for s in o]
        return _gather(flat, offsets[column.values] + pick, column.valid)
    if p.filter == "a":
        table = [f"{t.article} {t.label}" for t in texts]
    elif p.filter in _CASE:
        table = [_CASE[p.filter](t.label) for t in texts]
    else:
        table = [t.label for t in texts]
    return _gather(table, column.values, column.valid)


def _value_text(p: Placeholder, column: Column) -> pl.Series:
    if column.type == "bool":
        text = _gather(["false", "true"], column.values.astype(np.uint32), column.valid)
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
    target = uniforms(spec.seed, f"caption:{name}", ids) * total
    choice = (running <= target).sum(axis=0)
    return np.minimum(choice, len(templates) - 1)


def caption_series(spec: Spec, ids: np.ndarray, batch) -> list[pl.Series]:
    """One string Series per caption column (spec.caption_columns order)."""
    texts: dict[tuple, str] = {}
    pieces: dict[str, pl.Series] = {}
    out: list[pl.Series] = []
    for column_name in spec.caption_columns:
        templates = [t for t in spec.captions if t.column == column_name]
        exprs = []
        for template in templates:
            parts = []
            for segment in template.segments:
                if not isinstance(segment, Placeholder):
                    parts.append(pl.lit(segment.text, dtype=pl.String))
                    continue
                key = (segment.axis, segment.format, segment.filter)
                if key not in texts:
                    texts[key] = f"p{len(texts)}"
                    pieces[texts[key]] = placeholder_text(spec, ids, segment, batch(segment.axis))
                parts.append(pl.col(texts[key]))
            exprs.append(pl.concat_str(parts) if parts else pl.lit("", dtype=pl.String))
        if len(templates) == 1:
            expr = exprs[0]
        else:
            choice = pl.Series(_choose(spec, templates[0].name, templates, ids, batch), dtype=pl.Int32)
            pieces[f"choice_{column_name}"] = choice
            chain = pl.when(pl.col(f"choice_{column_name}") == 0).then(exprs[0])
            for j, e in enumerate(exprs[1:], start=1):
                chain = chain.when(pl.col(f"choice_{column_name}") == j).then(e)
            expr = chain.otherwise(pl.lit(None, dtype=pl.String))
        out.append(expr.alias(column_name))
    if not out:
        return []
    if not pieces:
        pieces["_rows"] = pl.Series(np.zeros(len(ids), dtype=np.int8))
    frame = pl.DataFrame([s.alias(k) for k, s in pieces.items()])
    result = frame.select(out)
    missing = result.null_count()
    if missing.sum_horizontal().item():
        bad = [c for c in result.columns if result[c].null_count()]
        raise SamplingError(f"{spec.dataset}: caption {bad[0]!r} has rows with no eligible template")
    return result.get_columns()

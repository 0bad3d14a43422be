"""Caption wording: words a label repeats from the template around it.

"{post.grade} grade" with the label "warm grade" reads "warm grade grade"; "a {material|a}"
reads "a a metal". `check` warns (pointing at the placeholder) for every concept the spec can
draw for the axis; the built-in dense caption uses the same test to build its phrases. Words
compare by a light stem ("lighting" ~ "light", "grades" ~ "grade"), so "{lighting.setup}
lighting" with "ring light" is caught too.
"""

import re

from psynth_spec import nodes as n
from psynth_spec import spec as s
from psynth_spec.check_axes import AxisContext
from psynth_spec.templates import RawPlaceholder

# a number with its decimals is one word; hyphens split ('high-key key' doubles)
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")
ARTICLES = ("a", "an", "the")


def stem(word: str) -> str:
    """A word reduced for comparison: lower case, without a trailing -ing or plural -s."""
    w = word.lower()
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def doubled_at_joins(before: str, text: str, after: str) -> list[str]:
    """Words of `text` that repeat the word next to it in `before` or `after` (across spaces)."""
    out: list[str] = []
    inner = words(text)
    if not inner:
        return out
    if before[-1:].isspace():
        prev = words(before)
        if prev and stem(prev[-1]) == stem(inner[0]):
            out.append(inner[0])
    if after[:1].isspace():
        nxt = words(after)
        if nxt and stem(nxt[0]) == stem(inner[-1]):
            out.append(inner[-1])
    return out


def repeats_word(text: str) -> bool:
    """Whether two neighbouring words of `text` are the same (by stem)."""
    stems = [stem(w) for w in words(text)]
    return any(a == b for a, b in zip(stems, stems[1:]))


def _axis_values(axis: str, statements: list[s.AxisStatement], columns: list[s.RegistryColumn]) -> list[str] | None:
    """Concepts (relative paths) the spec can give `axis`; None when unknown (then: all)."""
    values: list[str] = []
    stated = [st for st in statements if st.axis == axis]
    for st in stated:
        if isinstance(st.dist, s.Choice):
            values.extend(str(v) for v in st.dist.values)
        elif isinstance(st.dist, s.Fixed):
            values.append(str(st.dist.value))
    if stated:
        return values or None
    column = next((c for c in columns if c.axis == axis), None)
    if column is None:
        return None
    if column.derive_map is not None:
        return [str(v) for v in column.derive_map.values() if v is not None] or None
    return [str(column.default)] if column.default is not None else None


def _texts(ctx: AxisContext, axis_path: str, value: str, filter_: str | None) -> list[str]:
    axis = ctx.taxonomy.axis_by_path[axis_path]
    full = ctx.taxonomy.resolve(axis, value)
    concept = ctx.taxonomy.concept(full) if full else None
    if filter_ == "id" or concept is None:
        return [value]
    if filter_ == "synonym":
        return [concept.label, *concept.synonyms]
    return [concept.label]


def warn_doubled_words(
    ctx: AxisContext,
    parts: list,
    line: int,
    statements: list[s.AxisStatement],
    columns: list[s.RegistryColumn],
) -> None:
    """Warn, at the placeholder, where a label would repeat the template's word beside it."""
    for index, part in enumerate(parts):
        if not isinstance(part, RawPlaceholder):
            continue
        axis = ctx.taxonomy.axis_by_path.get(part.axis)
        if axis is None or axis.type != "category":
            continue
        before = parts[index - 1] if index > 0 and isinstance(parts[index - 1], str) else ""
        after = parts[index + 1] if index + 1 < len(parts) and isinstance(parts[index + 1], str) else ""
        span = n.Span(line, part.col, line, part.col + len(part.axis))
        prev = words(before)
        if part.filter == "a" and before[-1:].isspace() and prev and prev[-1].lower() in ARTICLES:
            ctx.report.warn(
                span, "doubled-word",
                f"the filter |a adds an article after '{prev[-1]}': the caption reads '{prev[-1]} a ...'",
                f"drop '{prev[-1]}' before the placeholder, or drop the |a filter",
            )
            continue
        values = _axis_values(axis.path, statements, columns)
        if values is None:
            values = ctx.taxonomy.domain_names(axis)
        found: list[tuple[str, str, str]] = []  # (value, text, doubled word)
        for value in dict.fromkeys(values):
            for text in _texts(ctx, axis.path, value, part.filter):
                for word in doubled_at_joins("" if part.filter == "a" else before, text, after):
                    found.append((value, text, word))
        if not found:
            _warn_doubled_between(ctx, parts, index, span, statements, columns)
            continue
        value, text, word = found[0]
        more = len({v for v, _, _ in found}) - 1
        prev_word = prev[-1] if prev and stem(prev[-1]) == stem(word) and part.filter != "a" else None
        reads = f"{prev_word} {text}" if prev_word else f"{text} {words(after)[0]}"
        ctx.report.warn(
            span, "doubled-word",
            f"'{word}' is doubled when {axis.path} is {value}: the caption reads '{reads}'"
            + (f" (and {more} more concept{'s' * (more != 1)})" if more else ""),
            f"drop '{word}' from the template, or shorten the label in the taxonomy",
        )


def _labels(ctx: AxisContext, axis_path: str, filter_: str | None, statements, columns) -> dict[str, list[str]]:
    axis = ctx.taxonomy.axis_by_path[axis_path]
    values = _axis_values(axis_path, statements, columns) or ctx.taxonomy.domain_names(axis)
    return {value: _texts(ctx, axis_path, value, filter_) for value in dict.fromkeys(values)}


def _warn_doubled_between(ctx: AxisContext, parts: list, index: int, span, statements, columns) -> None:
    """Two placeholders apart by a space: "{material|a} {geometry.shape}" reads "lead crystal
    crystal" when the one label ends with the word the other begins with."""
    if index + 2 >= len(parts) or not isinstance(parts[index + 1], str) or parts[index + 1].strip():
        return
    left, right = parts[index], parts[index + 2]
    if not isinstance(right, RawPlaceholder) or not parts[index + 1]:
        return
    for part in (left, right):
        axis = ctx.taxonomy.axis_by_path.get(part.axis)
        if axis is None or axis.type != "category":
            return
    ends = {v: {stem(words(t)[-1]) for t in texts if words(t)} for v, texts in
            _labels(ctx, left.axis, left.filter, statements, columns).items()}
    starts = {v: {stem(words(t)[0]): t for t in texts if words(t)} for v, texts in
              _labels(ctx, right.axis, right.filter if right.filter != "a" else None, statements, columns).items()}
    for lv, last in ends.items():
        for rv, first in starts.items():
            shared = last & set(first)
            if shared:
                word = next(iter(shared))
                ctx.report.warn(
                    span, "doubled-word",
                    f"'{word}' is doubled when {left.axis} is {lv} and {right.axis} is {rv}: the two labels "
                    f"meet as '... {word} {first[word]}'",
                    "put a word between the placeholders (e.g. '{geometry.shape|a} made of {material}'), "
                    "or narrow the values the spec draws",
                )
                return

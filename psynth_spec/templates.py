"""Caption templates: text -> segments (literal text and placeholders), with columns for errors.

A template is data. `{AXIS}`, `{AXIS:FORMAT}`, `{AXIS|FILTER}` (and `{AXIS:FORMAT|FILTER}`) are
placeholders; `{{` and `}}` are literal braces. Nothing is ever evaluated: a placeholder is split
on `:` and `|`, and its parts are only ever compared against the registry and the filter list.
"""

from dataclasses import dataclass
from typing import get_args

from psynth_spec.vocabulary import Filter

FILTERS = get_args(Filter)


@dataclass(frozen=True)
class RawPlaceholder:
    axis: str
    format: str | None
    filter: str | None
    col: int  # column of the axis name in the source line
    length: int  # characters of the whole `{...}`
    filter_col: int | None = None
    format_col: int | None = None


@dataclass(frozen=True)
class TemplateError:
    message: str
    col: int
    length: int = 1


def _unescape_with_columns(raw: str, start_col: int) -> tuple[str, list[int]]:
    """String value of a STRING token and, per value character, its column in the line."""
    body, cols, index = [], [], 1  # skip the opening quote
    while index < len(raw) - 1:
        char = raw[index]
        if char == "\\" and index + 1 < len(raw) - 1:
            body.append(raw[index + 1])
            cols.append(start_col + index)
            index += 2
        else:
            body.append(char)
            cols.append(start_col + index)
            index += 1
    return "".join(body), cols


def split_template(raw: str, start_col: int) -> tuple[list[str | RawPlaceholder], list[TemplateError]]:
    """Split a template (the raw STRING token, quotes included) into text and placeholders."""
    text, cols = _unescape_with_columns(raw, start_col)
    cols.append(start_col + len(raw) - 1)  # the closing quote, for errors at the end
    parts: list[str | RawPlaceholder] = []
    errors: list[TemplateError] = []
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "{" and text.startswith("{{", index):
            literal.append("{")
            index += 2
        elif char == "}" and text.startswith("}}", index):
            literal.append("}")
            index += 2
        elif char == "}":
            errors.append(TemplateError("unmatched '}' in caption template; write '}}' for a literal brace", cols[index]))
            index += 1
        elif char == "{":
            end = text.find("}", index + 1)
            nested = text.find("{", index + 1)
            if end < 0 or (0 <= nested < end):
                errors.append(
                    TemplateError("unclosed '{' in caption template; write '{{' for a literal brace", cols[index])
                )
                index += 1
                continue
            body = text[index + 1 : end]
            if literal:
                parts.append("".join(literal))
                literal = []
            placeholder = _parse_placeholder(body, cols, index, end)
            if isinstance(placeholder, TemplateError):
                errors.append(placeholder)
            else:
                parts.append(placeholder)
            index = end + 1
        else:
            literal.append(char)
            index += 1
    if literal:
        parts.append("".join(literal))
    return parts, errors


def _parse_placeholder(body: str, cols: list[int], open_index: int, close_index: int):
    length = cols[close_index] - cols[open_index] + 1
    axis_part, _, filter_part = body.partition("|")
    axis, colon, format_part = axis_part.partition(":")
    axis_stripped = axis.strip()
    if not axis_stripped:
        return TemplateError("empty placeholder '{}'; write '{{}}' for literal braces", cols[open_index], length)
    axis_col = cols[open_index + 1 + (len(axis) - len(axis.lstrip()))]
    format_col = cols[open_index + 1 + len(axis) + 1] if colon and format_part else None
    filter_col = cols[open_index + 1 + len(axis_part) + 1] if filter_part else None
    if "|" in body and not filter_part.strip():
        return TemplateError("empty filter after '|'", cols[open_index + 1 + len(axis_part)], 1)
    if colon and not format_part:
        return TemplateError("empty format after ':'", cols[open_index + 1 + len(axis)], 1)
    return RawPlaceholder(
        axis=axis_stripped,
        format=format_part if colon else None,
        filter=filter_part.strip() if filter_part else None,
        col=axis_col,
        length=length,
        filter_col=filter_col,
        format_col=format_col,
    )

"""Unified diffs between two scripts, and a strict applier for them.

    unified_diff(before, after, before_name, after_name) -> str   difflib's unified format
    apply_unified_diff(text, diff) -> str                         the patched text, or PatchError

The instruct export pairs an edit instruction with the diff from a base sample's script to a
variant's; a training record is only worth having when that diff applies. `difflib` writes the
diff (with GNU's `\\ No newline at end of file` marker, which difflib leaves out); the applier
is strict: every hunk must match its context and removed lines exactly at the stated line, no
fuzz, no offset, so "it applies" means the same as `patch --fuzz=0` (tests check both agree).
"""

import difflib
import re

from psynth_spec.errors import PsynthError

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_NO_NEWLINE = "\\ No newline at end of file"


class PatchError(PsynthError):
    """A diff does not apply to the text it is applied to."""


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n" + _NO_NEWLINE + "\n"  # marked so the marker survives difflib
    return lines


def unified_diff(before: str, after: str, before_name: str = "a", after_name: str = "b", context: int = 3) -> str:
    """The unified diff turning `before` into `after` ('' when they are equal)."""
    return "".join(difflib.unified_diff(_lines(before), _lines(after), before_name, after_name, n=context))


def _parse(diff: str) -> list[tuple[int, list[str]]]:
    """Hunks as (first old line, 1-based; body lines with their ' '/'-'/'+' prefix)."""
    hunks: list[tuple[int, list[str]]] = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("--- ", "+++ ")) and not hunks:
            continue
        match = _HUNK.match(line)
        if match:
            hunks.append((int(match.group(1)), []))
        elif hunks and line[:1] in (" ", "-", "+", "\\"):
            hunks[-1][1].append(line)
        elif line.strip():
            raise PatchError(f"not a unified diff line: {line[:60]!r}")
    return hunks


def apply_unified_diff(text: str, diff: str) -> str:
    """Apply a unified diff strictly (see the module docstring)."""
    source = text.splitlines(keepends=True)
    out: list[str] = []
    position = 0  # lines of `source` consumed
    for start, body in _parse(diff):
        first = max(start - 1, 0) if any(line[:1] in (" ", "-") for line in body) else start
        if first < position or first > len(source):
            raise PatchError(f"hunk at line {start} overlaps or lies past the end ({len(source)} lines)")
        out.extend(source[position:first])
        position = first
        previous = None
        for line in body:
            tag, content = line[:1], line[1:]
            if tag == "\\":  # the line before has no newline in its file
                if previous is not None and previous[1].endswith("\n"):
                    previous[0][previous[2]] = previous[1][:-1]
                continue
            if tag in (" ", "-"):
                if position >= len(source) or _strip_eol(source[position]) != _strip_eol(content):
                    found = source[position] if position < len(source) else "end of file"
                    raise PatchError(f"hunk at line {start}: line {position + 1} is {found!r}, the diff expects {content!r}")
                position += 1
                if tag == " ":
                    out.append(source[position - 1])
                    previous = (out, source[position - 1], len(out) - 1)
                else:
                    previous = None
            else:
                out.append(content)
                previous = (out, content, len(out) - 1)
    out.extend(source[position:])
    return "".join(out)


def _strip_eol(line: str) -> str:
    return line[:-1] if line.endswith("\n") else line

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
    """The unified diff turning `before` into `after` ('' when they are equal).

    The lines both texts share at the start and the end (beyond the context) are left out of
    difflib's matching and the hunk numbers shifted back: scripts that share a long library
    diff in a millisecond instead of difflib's ~25 ms for 2,600 lines.
    """
    a, b = _lines(before), _lines(after)
    shorter = min(len(a), len(b))
    head = 0
    while head < shorter and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < shorter - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    start = max(0, head - context)
    a_mid, b_mid = a[start:len(a) - max(0, tail - context)], b[start:len(b) - max(0, tail - context)]
    lines = difflib.unified_diff(a_mid, b_mid, before_name, after_name, n=context)
    return "".join(_shift(line, start) for line in lines)


def _shift(line: str, offset: int) -> str:
    """A hunk header moved down by `offset` lines (other lines unchanged)."""
    match = _HUNK.match(line) if offset and line.startswith("@@") else None
    if match is None:
        return line
    old_start, old_len, new_start, new_len = match.groups()
    old = f"{int(old_start) + offset}" + (f",{old_len}" if old_len is not None else "")
    new = f"{int(new_start) + offset}" + (f",{new_len}" if new_len is not None else "")
    return f"@@ -{old} +{new} @@" + line[match.end():]


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

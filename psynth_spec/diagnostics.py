"""Diagnostics are plain data (code, message, position, hint); one function renders them.

    specs/kitchen.psynth:12:20: error: unknown concept 'metal.gld'
       12 |     material ~ one_of { metal.gld: 1, glass: 1 }
          |                         ^^^^^^^^^
    help: did you mean 'metal.gold'?
"""

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning. `line` and `col` are 1-based; `col` counts characters; `length` >= 1.

    A warning (`severity="warning"`) never stops a spec from compiling; `psynth check` prints it.
    """

    path: str
    line: int
    col: int
    code: str  # kebab-case, stable: tests assert on it
    message: str
    length: int = 1
    hint: str | None = None  # full help text, e.g. "did you mean 'metal.gold'?"
    severity: str = "error"  # "error" or "warning"


def did_you_mean(name: str, candidates: list[str] | set[str], n: int = 1) -> str | None:
    """A "did you mean 'X'?" hint when a candidate is close to `name`, else None."""
    matches = difflib.get_close_matches(name, sorted(candidates), n=n, cutoff=0.6)
    if not matches:
        # a dotted name: try its last part against the last parts of candidates
        tail = name.rsplit(".", 1)[-1]
        by_tail = {c.rsplit(".", 1)[-1]: c for c in sorted(candidates)}
        close = difflib.get_close_matches(tail, list(by_tail), n=1, cutoff=0.75)
        matches = [by_tail[c] for c in close]
    if not matches:
        return None
    return f"did you mean '{matches[0]}'?"


MAX_SHOWN = 50
"""Diagnostics printed per file; the rest are summarized as "... and N more errors"."""


def render_diagnostic(diag: Diagnostic, source_text: str | None, lines: list[str] | None = None) -> str:
    """`PATH:LINE:COL: error: MESSAGE` (or `warning:`), the source line, a caret line, then
    `help:` if any.

    `lines` is `source_text.splitlines()`, split once by a caller rendering many diagnostics.
    """
    out = [f"{diag.path}:{diag.line}:{diag.col}: {diag.severity}: {diag.message}"]
    if lines is None:
        lines = source_text.splitlines() if source_text is not None else []
    if 1 <= diag.line <= len(lines):
        text = lines[diag.line - 1].replace("\t", " ")
        if len(text) > 200:  # keep huge single-line files readable
            start = max(0, diag.col - 80)
            text = text[start : start + 160]
            col = diag.col - start
        else:
            col = diag.col
        gutter = f"{diag.line:>5} | "
        length = max(1, min(diag.length, len(text) - col + 1))
        out.append(gutter + text)
        out.append(" " * (len(gutter) - 2) + "| " + " " * (col - 1) + "^" * length)
    if diag.hint:
        out.append(f"help: {diag.hint}")
    return "\n".join(out)


def render_diagnostics(diags: list[Diagnostic], source_text: str | None, limit: int | None = MAX_SHOWN) -> str:
    """The first `limit` diagnostics (all when None), then "... and N more errors"."""
    lines = source_text.splitlines() if source_text is not None else []
    shown = diags if limit is None else diags[:limit]
    out = [render_diagnostic(d, source_text, lines) for d in shown]
    rest = len(diags) - len(shown)
    if rest:
        out.append(f"... and {rest:,} more error{'s' * (rest != 1)} (`psynth check --json` lists every one)")
    return "\n".join(out)

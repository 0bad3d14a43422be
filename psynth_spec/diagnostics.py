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


def render_diagnostic(diag: Diagnostic, source_text: str | None) -> str:
    """`PATH:LINE:COL: error: MESSAGE` (or `warning:`), the source line, a caret line, then
    `help:` if any."""
    out = [f"{diag.path}:{diag.line}:{diag.col}: {diag.severity}: {diag.message}"]
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


def render_diagnostics(diags: list[Diagnostic], source_text: str | None) -> str:
    return "\n".join(render_diagnostic(d, source_text) for d in diags)

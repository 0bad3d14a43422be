"""A spec that fails to compile becomes one visible asset, `{stem}/spec_error`, not a crash.

Its description and metadata show every diagnostic as `FILE:LINE:COL: error: ...` with the
source line; materializing it fails with the same text. The load also logs a warning.
"""

import logging
import re
from pathlib import Path

import dagster as dg

log = logging.getLogger("dagster_project")


def group_name(text: str) -> str:
    """A valid Dagster group name / asset key part from a file stem."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return cleaned if cleaned and not cleaned[0].isdigit() else f"spec_{cleaned}"


def diagnostics_of(exc: Exception) -> tuple[str, list[str]]:
    """(rendered text, one `file:line:col: message` line per diagnostic)."""
    diagnostics = getattr(exc, "diagnostics", None) or []
    lines = [f"{d.path}:{d.line}:{d.col}: error: {d.message}" for d in diagnostics]
    return str(exc), lines or [str(exc).splitlines()[0] if str(exc) else type(exc).__name__]


def spec_error_defs(path: Path, exc: Exception, key_part: str | None = None) -> dg.Definitions:
    stem = group_name(key_part or path.stem)
    text, lines = diagnostics_of(exc)
    log.warning("psynth spec %s has errors; its assets are replaced by %s/spec_error:\n%s", path, stem, text)
    fenced = "```\n" + text + "\n```"

    @dg.asset(
        key=[stem, "spec_error"],
        group_name=stem,
        description=f"The spec `{path}` does not compile, so its dataset assets are not built.\n\n{fenced}",
        metadata={
            "spec": dg.MetadataValue.path(str(path)),
            "errors": len(lines),
            "first_error": lines[0],
            "diagnostics": dg.MetadataValue.md(fenced),
        },
        kinds={"psynth"},
    )
    def spec_error() -> None:
        raise dg.Failure(description=f"{path} has errors:\n{text}", metadata={"first_error": lines[0]})

    return dg.Definitions(assets=[spec_error])

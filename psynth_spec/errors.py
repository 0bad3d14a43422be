"""The project's exception hierarchy.

    PsynthError                 anything psynth reports to a user (never a traceback)
    ├── SpecError               a spec failed to parse or check; carries every Diagnostic
    ├── SamplingError           a shard cannot be filled (constraints reject too much)
    ├── TaxonomyError           the taxonomy data is invalid
    └── TaxonomyMismatchError   a compiled spec meets another taxonomy than it was compiled with
"""

from psynth_spec.diagnostics import Diagnostic, render_diagnostics


class PsynthError(Exception):
    """Base of every error psynth reports to a user."""


class SpecError(PsynthError):
    """A spec failed to parse or check. `diagnostics` holds all of them, sorted by position."""

    def __init__(self, diagnostics: list[Diagnostic], source_text: str | None = None):
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.path, d.line, d.col))
        self.source_text = source_text
        super().__init__(render_diagnostics(self.diagnostics, source_text))


class SamplingError(PsynthError):
    """A shard cannot be filled, e.g. `require` rejects nearly every draw."""


class TaxonomyError(PsynthError):
    """The taxonomy data is invalid."""


class TaxonomyMismatchError(PsynthError):
    """A compiled spec is used with a taxonomy whose content differs from the one it was
    compiled against (its renders would not match its version id)."""

"""The front door: source text -> parse -> build -> check -> pilot -> `Spec`.

`load_spec(path)` and `compile_text(text)` raise `SpecError` with every diagnostic of the file;
nothing in a spec is ever evaluated as Python.
"""

from pathlib import Path

from psynth_spec import nodes as n
from psynth_spec.build import build, collect_comments
from psynth_spec.check import check
from psynth_spec.check_assets import CatalogReader
from psynth_spec.diagnostics import Diagnostic
from psynth_spec.errors import SpecError
from psynth_spec.parser import parse_tree, read_source
from psynth_spec.spec import Spec
from psynth_spec.taxonomy import Taxonomy, default_taxonomy


def parse(text: str, path: str = "<string>", *, with_comments: bool = False) -> n.Dataset:
    """Text -> syntax tree, or SpecError with the syntax error's position."""
    tree = parse_tree(text, path)
    return build(tree, collect_comments(text) if with_comments else ())


def compile_text(
    text: str, path: str = "<string>", taxonomy: Taxonomy | None = None, *, pilot: bool = True,
    catalog_reader: CatalogReader | None = None,
) -> Spec:
    """Compile spec text into a validated `Spec`; raise SpecError with all diagnostics.

    `catalog_reader` reads the asset catalogs the spec declares (default: local paths and
    s3:// URLs through polars, `asset_catalogs.read_catalog_table`).
    """
    taxonomy = taxonomy or default_taxonomy()
    dataset = parse(text, path)
    spec, diagnostics = check(dataset, taxonomy, path, catalog_reader)
    if diagnostics:
        raise SpecError(diagnostics, text)
    assert spec is not None
    if pilot and spec.requires:
        _pilot(spec, dataset, text, path)
    return spec


def load_spec(path: str | Path, taxonomy: Taxonomy | None = None) -> Spec:
    """Read and compile a `.psynth` file."""
    text = read_source(path)
    return compile_text(text, str(path), taxonomy)


def _pilot(spec: Spec, dataset: n.Dataset, text: str, path: str) -> None:
    """The pilot acceptance check of `require`: fewer than 1 in 1,000 accepted is an error; so
    are requires that leave drawn variants no values."""
    from psynth_spec.pilot import check_pilot, check_variant_pilot

    message = check_pilot(spec)
    if message is None:
        message = check_variant_pilot(spec)
        if message is None:
            return
        block = next(stmt for stmt in dataset.statements if isinstance(stmt, n.Variants))
        raise SpecError([Diagnostic(path, block.span.line, block.span.col, "variant-low-acceptance", message,
                                    len("variants"), "let the variants draw values that can meet the requires, "
                                    "or relax the requires")], text)
    first = next(stmt for stmt in dataset.statements if isinstance(stmt, n.Require))
    raise SpecError(
        [
            Diagnostic(
                path, first.span.line, first.span.col, "low-acceptance", message, len("require"),
                "relax the constraints, or sample the constrained axes from narrower distributions",
            )
        ],
        text,
    )

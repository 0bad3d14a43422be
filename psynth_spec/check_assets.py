"""Checks of `assets NAME "PATH"` / `hdris NAME "PATH"` settings and `one_of(assets.NAME where ...)`
/ `one_of(hdris.NAME where ...)` distributions.

Both kinds read the same catalogs (`psynth assets scan` lists 3D files and .exr/.hdr environment
images alike): an `assets` declaration offers its 3D files to asset axes (`geometry.asset`), an
`hdris` declaration its environment images to HDRI axes (`lighting.hdri`).

A catalog is read at check time (it decides which tags exist, and its content hash enters the
version id). Filter terms: `tag in [...]` keeps assets carrying any listed tag; `licence in
[...]` and `format in [...]` keep assets whose licence (as a name) or format is listed. One term
may carry weights instead of a list (`tag in { chair: 2, table: 1 }`): the weights then go to
its values, split evenly over the assets under each, so the dataset balances by that field.
"""

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from psynth_spec import nodes as n
from psynth_spec import spec as s
from psynth_spec.asset_catalogs import (
    CatalogError,
    as_name,
    asset_label,
    catalog_digest,
    kind_rows,
    read_catalog_table,
    resolve_location,
)
from psynth_spec.check_axes import AxisContext, Reporter
from psynth_spec.diagnostics import did_you_mean

CatalogReader = Callable[[str], pl.DataFrame]
FIELDS = ("tag", "licence", "format")
_ONE = {"assets": "asset", "hdris": "environment image"}


@dataclass
class LoadedCatalog:
    decl: n.AssetsDecl
    uri: str
    digest: str
    rows: list[dict]  # readable rows only
    used: dict[str, s.AssetRecord]  # filled as statements draw from it


def load_catalogs(
    report: Reporter, decls: list[n.AssetsDecl], spec_path: str, reader: CatalogReader | None
) -> dict[str, LoadedCatalog]:
    """Read every declared catalog; a missing or broken one is an error at its path string."""
    out: dict[str, LoadedCatalog] = {}
    for decl in decls:
        name = decl.name.text
        if name in out:
            report.error(decl.name.span, "duplicate-setting",
                         f"catalog '{name}' is declared twice (first on line {out[name].decl.span.line})")
            continue
        uri = resolve_location(decl.location.value, spec_path)
        try:
            frame = (reader or read_catalog_table)(uri)
        except CatalogError as exc:
            report.error(decl.location.span, "catalog-unreadable", str(exc),
                         "scan the library first: psynth assets scan DIR --out CATALOG.parquet")
            continue
        rows = kind_rows(frame, decl.kind).filter(pl.col("error").is_null()).sort("asset_id").to_dicts()
        out[name] = LoadedCatalog(decl, uri, catalog_digest(frame), rows, {})
    return out


def _field_values(row: dict, field: str) -> list[str]:
    if field == "tag":
        return list(row["tags"] or ())
    if field == "licence":
        name = as_name(row["licence"]) if row["licence"] else None
        return [name] if name else []
    return [row["format"]]


def _term_values(ctx: AxisContext, term: n.AssetTerm, known: set[str], catalog: str) -> list[tuple[str, float]] | None:
    """(value, weight) pairs of a term; unknown values reported with "did you mean"."""
    pairs = [(item, None) for item in term.values.items] if term.values is not None else [
        (e.key, e.weight) for e in term.entries or ()]
    if not pairs:
        ctx.report.error(term.span, "empty-choice", f"{term.field.text} in lists no values")
        return None
    out: list[tuple[str, float]] = []
    ok = True
    for key, weight in pairs:
        if not isinstance(key, n.Path) or len(key.parts) != 1:
            ctx.report.error(key.span, "type-mismatch", f"{term.field.text} values are names, e.g. [chair, table]")
            ok = False
            continue
        if weight is not None and not weight.value > 0:
            ctx.report.error(weight.span, "invalid-weight", f"weight {weight.text} must be a number > 0")
            ok = False
            continue
        if key.text not in known:
            ctx.report.error(
                key.span, "unknown-asset-value", f"no readable asset of catalog '{catalog}' has {term.field.text} '{key.text}'",
                did_you_mean(key.text, known) or f"its {term.field.text}s are: {', '.join(sorted(known)[:12]) or '(none)'}",
            )
            ok = False
            continue
        if key.text in (v for v, _ in out):
            ctx.report.error(key.span, "duplicate-value", f"'{key.text}' is listed twice")
            ok = False
            continue
        out.append((key.text, 1.0 if weight is None else float(weight.value)))
    return out if ok else None


def check_asset_distribution(
    ctx: AxisContext, axis_path: str, dist: n.Distribution, catalogs: dict[str, LoadedCatalog], kind: str = "assets"
) -> s.AssetChoice | None:
    """Lower `one_of(KIND.NAME [where ...])` for an asset axis drawing from `kind` catalogs
    ("assets" or "hdris")."""
    what = "environment images" if kind == "hdris" else "assets"
    catalog_path = dist.catalog if isinstance(dist, n.OneOfAssets) else getattr(dist, "node", None)
    if catalog_path is None or catalog_path.parts[0] != kind or len(catalog_path.parts) != 2:
        ctx.report.error(dist.span, "type-mismatch", f"{axis_path} draws {what} from a catalog",
                         f"write one_of({kind}.NAME) or one_of({kind}.NAME where tag in [...]), "
                         f'with `{kind} NAME "CATALOG.parquet"` among the settings')
        return None
    name = catalog_path.parts[1]
    declared = [d for d, c in catalogs.items() if c.decl.kind == kind]
    if name not in declared:
        ctx.report.error(catalog_path.span, "unknown-catalog", f"no {kind} catalog named '{name}'",
                         did_you_mean(name, declared) or f'declare it: {kind} {name} "PATH/TO/CATALOG.parquet"')
        return None
    catalog = catalogs[name]
    rows = catalog.rows
    terms = dist.terms if isinstance(dist, n.OneOfAssets) else ()
    weighted: tuple[str, list[tuple[str, float]]] | None = None
    listed_tags: list[str] = []
    seen_fields: set[str] = set()
    ok = True
    for term in terms:
        field = term.field.text
        if field not in FIELDS:
            ctx.report.error(term.field.span, "unknown-field", f"assets are filtered by {', '.join(FIELDS)}, not '{field}'",
                             did_you_mean(field, list(FIELDS)))
            ok = False
            continue
        if field in seen_fields:
            ctx.report.error(term.field.span, "duplicate-value", f"'{field}' is filtered twice; list every value in one term")
            ok = False
            continue
        seen_fields.add(field)
        known = {v for row in catalog.rows for v in _field_values(row, field)}
        pairs = _term_values(ctx, term, known, name)
        if pairs is None:
            ok = False
            continue
        if term.entries is not None:
            if weighted is not None:
                ctx.report.error(term.span, "invalid-weight", "only one term may carry weights (the field to balance by)")
                ok = False
                continue
            weighted = (field, pairs)
        else:
            allowed = {v for v, _ in pairs}
            rows = [r for r in rows if allowed & set(_field_values(r, field))]
            if field == "tag":
                listed_tags = [v for v, _ in pairs]
    if not ok:
        return None
    entries: list[tuple[dict, float, str | None]] = []
    if weighted is not None:
        field, pairs = weighted
        total = sum(w for _, w in pairs)
        for value, weight in pairs:
            under = [r for r in rows if value in _field_values(r, field)]
            if not under:
                ctx.report.error(dist.span, "no-assets", f"no asset with {field} '{value}' passes the other terms")
                return None
            entries += [(r, weight / total / len(under), value if field == "tag" else None) for r in under]
    else:
        if not rows:
            ctx.report.error(dist.span, "no-assets", f"no readable {_ONE[kind]} of catalog '{name}' passes this filter")
            return None
        entries = [(r, 1.0 / len(rows), next((t for t in listed_tags if t in (r["tags"] or ())), None)) for r in rows]
    for row, _, _ in entries:
        catalog.used[row["asset_id"]] = _record(row)
    return s.AssetChoice(
        catalog=name, values=tuple(r["asset_id"] for r, _, _ in entries),
        weights=tuple(w for _, w, _ in entries), tags=tuple(t for _, _, t in entries),
    )


def _record(row: dict) -> s.AssetRecord:
    tags = tuple(row["tags"] or ())
    return s.AssetRecord(
        asset_id=row["asset_id"], uri=row["uri"], format=row["format"], sha256=row["sha256"], tags=tags,
        licence=row["licence"], up=row["up"], label=asset_label(row["asset_id"], list(tags)),
        bounds_min=_maybe_tuple(row["bounds_min"]), bounds_max=_maybe_tuple(row["bounds_max"]),
        resolution=_maybe_tuple(row.get("resolution")),
    )


def _maybe_tuple(values) -> tuple | None:
    return None if values is None else tuple(values)


def lowered_catalogs(catalogs: dict[str, LoadedCatalog]) -> tuple[s.AssetCatalog, ...]:
    return tuple(
        s.AssetCatalog(name=name, kind=c.decl.kind, location=c.decl.location.value, uri=c.uri, digest=c.digest,
                       assets=c.used)
        for name, c in catalogs.items()
    )

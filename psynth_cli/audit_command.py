"""`psynth audit DATASET_DIR [--json] [--by AXIS,...] [--strict]`: observed vs expected, per axis.

DATASET_DIR is `{root}/{dataset}/{version_id}`, or `{root}/{dataset}` for its latest version.
The audit reads the version's `index.duckdb`; it (re)builds the index when there is none, when
it was made by an older psynth, with `--rebuild-index`, or with `--spec` (the expected distributions come from the spec; a rebuild
without `--spec` reuses the spec stored in the old index).

Exit status: 0 when the audit ran, flagged axes or not (a flag is a finding to read, not an
error); with `--strict`, 1 when any axis is flagged. 1 also for bad input (no such dataset, no
spec to compare with).
"""

import argparse
import json

_MAX_VALUES = 12  # values shown per axis in the terminal (the JSON has all of them)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="{root}/{dataset}/{version_id}, or {root}/{dataset} for the latest version")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--by", default=None, help="audit only these axes (comma-separated paths or columns)")
    parser.add_argument("--spec", default=None, help="the dataset's .psynth spec (rebuilds the index with it)")
    parser.add_argument("--rebuild-index", action="store_true", help="rebuild index.duckdb before auditing")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any axis is flagged")
    parser.add_argument("--min-pair-count", type=int, default=None,
                        help="a pair cell with fewer samples is under-covered (default 10)")


def _stored_spec(storage, layout):
    """(the spec the index was built with or None, whether the index is current).

    None too for a spec an older psynth wrote (e.g. without its taxonomy hash): it cannot be
    trusted to rebuild the index, so the caller asks for --spec."""
    from pydantic import ValidationError

    from psynth_data.index import index_is_current, open_index
    from psynth_spec.spec import Spec

    con = open_index(storage, layout)
    try:
        row = con.execute("SELECT spec_json FROM info").fetchone()
        current = index_is_current(con)
    finally:
        con.close()
    try:
        return (Spec.model_validate_json(row[0]) if row and row[0] else None), current
    except ValidationError:
        return None, current


def prepare_index(storage, layout, spec_path: str | None, rebuild: bool) -> None:
    """Build the index when needed (see the module docstring)."""
    from psynth_data.index import build_index
    from psynth_spec.errors import PsynthError

    exists = storage.exists(layout.index_key)
    stored, current = _stored_spec(storage, layout) if exists and spec_path is None else (None, False)
    if exists and not rebuild and spec_path is None and current:
        return
    if spec_path is not None:
        from psynth_spec.compile import load_spec

        spec = load_spec(spec_path)
        if (spec.dataset, spec.version_id) != (layout.dataset, layout.version_id):
            raise PsynthError(f"{spec_path} is {spec.dataset}/{spec.version_id}, the folder holds "
                              f"{layout.dataset}/{layout.version_id}")
    else:
        spec = stored
        if spec is None:
            raise PsynthError(f"{layout.prefix}: no index with a spec this psynth can read; pass --spec FILE to build one")
    build_index(storage, layout, None, spec=spec)


def _fmt_p(p: float) -> str:
    return "0" if p == 0 else (f"{p:.2g}" if p < 0.01 else f"{p:.3f}")


def print_report(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    verdict = "[red]FLAG[/red]" if report["verdict"] == "flag" else "[green]PASS[/green]"
    console.print(f"[bold]{report['dataset']}[/bold] {report['version_id']}: {report['samples']:,} samples, "
                  f"QC failed {report['qc_failed']:,} ({report['qc_failure_rate']:.2%}), observed "
                  f"{report['observed_samples']:,}; audit {verdict} ({report['seconds']:.1f} s)")
    t = report["thresholds"]
    summary = Table(title=f"axes (flag: p < {t['p_value']:g} and TVD > {t['tvd']:g} / KS > {t['ks']:g})")
    for col in ("axis", "kind", "from", "chi2 / KS", "p-value", "TVD", "verdict"):
        summary.add_column(col, no_wrap=True)  # short cells: the flagged values take what is left
    summary.add_column("flagged values", overflow="fold", ratio=1)
    for r in report["axes"]:
        stat = f"{r['chi2']:.1f} ({r['dof']})" if r["kind"] == "categorical" else f"KS {r['ks']:.4f}"
        tvd = f"{r['tvd']:.4f}" if r["kind"] == "categorical" else ""
        mark = "[red]flag[/red]" if r["verdict"] == "flag" else "[green]pass[/green]"
        shown = r["flagged_values"][:4] + ([f"+{len(r['flagged_values']) - 4} more"] if len(r["flagged_values"]) > 4 else [])
        summary.add_row(r["axis"], r["kind"], r["source"], stat, _fmt_p(r["p_value"]), tvd, mark, ", ".join(shown))
    console.print(summary)
    for r in report["axes"]:
        if r["kind"] != "categorical" or (r["verdict"] == "pass" and len(r["values"]) > _MAX_VALUES):
            continue
        table = Table(title=f"{r['axis']}: observed (QC-passed) vs expected")
        for col in ("value", "expected", "observed", "count", "QC failed"):
            table.add_column(col, justify="left" if col == "value" else "right")
        for v in r["values"][:_MAX_VALUES] if r["verdict"] == "pass" else r["values"]:
            name = f"[red]{v['value']}[/red]" if v["flagged"] else v["value"]
            table.add_row(name, f"{v['expected']:.2%}", f"{v['observed']:.2%}", f"{v['count']:,}",
                          f"{v['failure_rate']:.1%}")
        console.print(table)
    if report["pairs"]:
        pairs = Table(title=f"pair coverage (cells with < {t['min_pair_count']} samples)")
        for col in ("pair", "cells", "under min", "empty", "under min though expected", "example"):
            pairs.add_column(col, overflow="fold")
        for p in report["pairs"]:
            ex = p["examples"][0] if p["examples"] else None
            pairs.add_row(" x ".join(p["axes"]), str(p["cells"]), str(p["under_min"]), str(p["empty"]),
                          str(p["under_min_but_expected"]),
                          f"{' / '.join(ex['values'])}: {ex['count']} (exp. {ex['expected_if_independent']})" if ex else "")
        console.print(pairs)
    notable = [f for f in report["failure_by_value"] if f["failed"]][:10]
    if notable:
        fails = Table(title="QC failure rate by value (highest first)")
        for col in ("axis", "value", "samples", "failed", "rate"):
            fails.add_column(col)
        for f in notable:
            rate = f"{f['failure_rate']:.1%}" + (" [red]![/red]" if f["notable"] else "")
            fails.add_row(f["axis"], f["value"], f"{f['samples']:,}", f"{f['failed']:,}", rate)
        console.print(fails)
    if report["qc_reasons"]:
        console.print("QC reasons: " + ", ".join(f"{k} {v:,}" for k, v in report["qc_reasons"].items()))


def run(args: argparse.Namespace) -> int:
    from psynth_data.audit import AuditThresholds, json_ready, run_audit
    from psynth_data.dataset_path import locate_dataset
    from psynth_data.index import open_index

    storage, layout = locate_dataset(args.dataset)
    prepare_index(storage, layout, args.spec, args.rebuild_index)
    thresholds = AuditThresholds() if args.min_pair_count is None else AuditThresholds(min_pair_count=args.min_pair_count)
    by = [a.strip() for a in args.by.split(",") if a.strip()] if args.by else None
    con = open_index(storage, layout)
    try:
        report = run_audit(con, by=by, thresholds=thresholds)
    finally:
        con.close()
    if args.json:
        print(json.dumps(json_ready(report), indent=1))
    else:
        print_report(report)
    return 1 if args.strict and report["verdict"] == "flag" else 0

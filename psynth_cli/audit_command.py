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


def stored_spec(storage, layout):
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
    stored, current = stored_spec(storage, layout) if exists and spec_path is None else (None, False)
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


def _numbers(table, *names: str) -> None:
    """Columns of numbers: never wrapped, never cut (names and values fold instead)."""
    for name in names:
        table.add_column(name, justify="right", no_wrap=True)


def _value_rows(r: dict) -> tuple[list[dict], int]:
    """The values shown for a categorical axis: all when few or flagged, else the largest
    deviations from expected; and how many are left out."""
    values = r["values"]
    if r["verdict"] == "flag" or len(values) <= _MAX_VALUES:
        return values, 0
    shown = sorted(values, key=lambda v: -abs(v["observed"] - v["expected"]))[:_MAX_VALUES]
    return shown, len(values) - len(shown)


def print_report(report: dict, console=None) -> None:
    """The report as tables that fit 80 columns: names wrap, numbers are never cut."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    verdict = "[red]FLAG[/red]" if report["verdict"] == "flag" else "[green]PASS[/green]"
    console.print(f"[bold]{report['dataset']}[/bold] {report['version_id']}: {report['samples']:,} samples, "
                  f"QC failed {report['qc_failed']:,} ({report['qc_failure_rate']:.2%}), observed "
                  f"{report['observed_samples']:,}; audit {verdict} ({report['seconds']:.1f} s)")
    t = report["thresholds"]
    summary = Table(title=f"axes (flag: p < {t['p_value']:g} and TVD > {t['tvd']:g} / KS > {t['ks']:g})",
                    box=box.SIMPLE_HEAD, title_justify="left")
    summary.add_column("axis", overflow="fold")
    summary.add_column("kind", no_wrap=True)
    _numbers(summary, "chi2 (dof)", "p-value", "TVD / KS")
    summary.add_column("verdict", no_wrap=True)
    for r in report["axes"]:
        categorical = r["kind"] == "categorical"
        stat = f"{r['chi2']:.1f} ({r['dof']})" if categorical else ""
        distance = f"{r['tvd']:.4f}" if categorical else f"KS {r['ks']:.4f}"
        mark = "[red]flag[/red]" if r["verdict"] == "flag" else "[green]pass[/green]"
        kind = ("cat" if categorical else "num") + ("" if r["source"] == "spec" else "*")
        summary.add_row(r["axis"], kind, stat, _fmt_p(r["p_value"]), distance, mark)
    console.print(summary)
    if any(r["source"] != "spec" for r in report["axes"]):
        console.print("  * expected distribution from the pilot draw (no closed form from the spec)")
    for r in report["axes"]:
        if r["flagged_values"]:
            console.print(f"  [red]{r['axis']}[/red] flagged values: {', '.join(r['flagged_values'])}")
    for r in report["axes"]:
        if r["kind"] != "categorical":
            continue
        rows, left_out = _value_rows(r)
        title = f"{r['axis']}: observed (QC-passed) vs expected" + (
            f", the {len(rows)} largest deviations" if left_out else "")
        console.print(title, highlight=False)  # not a table title: that would wrap at the table's width
        table = Table(box=box.SIMPLE_HEAD)
        table.add_column("value", overflow="fold")
        _numbers(table, "expected", "observed", "count", "QC failed")
        for v in rows:
            name = f"[red]{v['value']}[/red]" if v["flagged"] else v["value"]
            table.add_row(name, f"{v['expected']:.2%}", f"{v['observed']:.2%}", f"{v['count']:,}",
                          f"{v['failure_rate']:.1%}")
        console.print(table)
        if left_out:
            console.print(f"  ... and {left_out} more values within their expected share (--json lists all)")
    if report["pairs"]:
        pairs = Table(title=f"pair coverage (cells with < {t['min_pair_count']} samples)", box=box.SIMPLE_HEAD,
                      title_justify="left")
        pairs.add_column("pair", overflow="fold")
        _numbers(pairs, "cells", "under min", "empty", "of them expected")
        for p in report["pairs"]:
            pairs.add_row(" x ".join(p["axes"]), f"{p['cells']:,}", f"{p['under_min']:,}", f"{p['empty']:,}",
                          f"{p['under_min_but_expected']:,}")
        console.print(pairs)
        for p in report["pairs"]:
            if p["examples"]:
                ex = p["examples"][0]
                console.print(f"  {' x '.join(p['axes'])}: e.g. {' / '.join(ex['values'])}: {ex['count']:,} samples "
                              f"({ex['expected_if_independent']:,} expected if independent)", highlight=False)
    notable = [f for f in report["failure_by_value"] if f["failed"]][:10]
    if notable:
        fails = Table(title="QC failure rate by value (highest first)", box=box.SIMPLE_HEAD, title_justify="left")
        fails.add_column("axis", overflow="fold")
        fails.add_column("value", overflow="fold")
        _numbers(fails, "samples", "failed", "rate")
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

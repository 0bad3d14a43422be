"""The audit report as markdown tables and PNG plots (for the Dagster UI and files on disk).

    report_markdown(report) -> str                     summary, per-axis tables, pairs, QC failures
    axis_plot(axis_report, width, height) -> bytes     PNG: bars (categorical) or histogram (numeric),
                                                       observed (QC-passed) vs expected
    store_audit(storage, layout, report) -> key        report.json and one PNG per axis, under _index/audit/
    stored_audit(storage, layout) -> report            the stored report.json
    summary_lines(report) -> list[str]                 one plain line per axis (a closing printout)

Plots are drawn with Pillow (already a dependency) rather than matplotlib: a bar chart is a few
rectangles, and matplotlib would add ~40 MB to every install for it.
"""

import io
import json

_MAX_ROWS = 15
_OBSERVED = (52, 101, 164)
_EXPECTED = (230, 140, 40)
_FLAG = (200, 40, 40)


def store_audit(storage, layout, report: dict) -> str:
    """Store the report (`report.json`, without its timing) and each axis's plot beside the index."""
    from psynth_data.audit import json_ready

    for axis in report["axes"]:
        storage.put_bytes(layout.audit_key(f"{axis['column']}.png"), axis_plot(axis))
    stored = {k: v for k, v in report.items() if k != "seconds"}  # same data, same bytes
    key = layout.audit_key("report.json")
    storage.put_bytes(key, json.dumps(json_ready(stored), indent=1).encode())
    return key


def stored_audit(storage, layout) -> dict:
    """The report `store_audit` wrote (`StorageError` when the audit has not run)."""
    return json.loads(storage.get(layout.audit_key("report.json")))


def summary_lines(report: dict, values: int = 6) -> list[str]:
    """The verdict and one line per axis: its verdict and distance from the spec (TVD for
    categorical axes, KS for numeric ones), with the most frequent observed values."""
    flagged = f" ({', '.join(report['flagged_axes'])})" if report["flagged_axes"] else ""
    lines = [f"balance audit: {report['verdict']}{flagged}, {report['observed_samples']:,} QC-passed samples "
             f"(QC failed {report['qc_failed']:,} of {report['samples']:,}, {report['qc_failure_rate']:.1%})"]
    for axis in report["axes"]:
        if axis["kind"] == "categorical":
            top = sorted(axis["values"], key=lambda v: -v["count"])[:values]
            counts = ", ".join(f"{v['value']} {v['count']}" for v in top)
            lines.append(f"  {axis['column']:<24} {axis['verdict']:<4}  total variation vs spec {axis['tvd']:.3f} "
                         f"(p {_p(axis['p_value'])})   {counts}")
        else:
            lines.append(f"  {axis['column']:<24} {axis['verdict']:<4}  KS vs spec {axis['ks']:.3f} (p {_p(axis['p_value'])})")
    return lines


def _p(p: float) -> str:
    return "0" if p == 0 else (f"{p:.2g}" if p < 0.01 else f"{p:.3f}")


def report_markdown(report: dict) -> str:
    t = report["thresholds"]
    lines = [
        f"**{report['samples']:,} samples**, QC failed {report['qc_failed']:,} ({report['qc_failure_rate']:.2%}); "
        f"observed = QC-passed ({report['observed_samples']:,}). Verdict: **{report['verdict']}**"
        + (f" ({', '.join(report['flagged_axes'])})" if report["flagged_axes"] else ""),
        "",
        f"Flag: p < {t['p_value']:g} and TVD > {t['tvd']:g} (categorical) or KS > {t['ks']:g} (numeric).",
        "",
        "| axis | kind | expected from | statistic | p-value | TVD | verdict | flagged values |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report["axes"]:
        stat = f"chi2 {r['chi2']:.1f} (dof {r['dof']})" if r["kind"] == "categorical" else f"KS {r['ks']:.4f}"
        tvd = f"{r['tvd']:.4f}" if r["kind"] == "categorical" else ""
        lines.append(f"| {r['axis']} | {r['kind']} | {r['source']} | {stat} | {_p(r['p_value'])} | {tvd} | "
                     f"{r['verdict']} | {', '.join(r['flagged_values'])} |")
    for r in report["axes"]:
        if r["kind"] != "categorical":
            continue
        lines += ["", f"**{r['axis']}**", "", "| value | expected | observed | count | QC failure rate |",
                  "|---|---|---|---|---|"]
        shown = r["values"] if r["verdict"] == "flag" else r["values"][:_MAX_ROWS]
        for v in shown:
            name = f"**{v['value']}**" if v["flagged"] else v["value"]
            lines.append(f"| {name} | {v['expected']:.2%} | {v['observed']:.2%} | {v['count']:,} | "
                         f"{v['failure_rate']:.1%} |")
        if len(shown) < len(r["values"]):
            lines.append(f"| ... {len(r['values']) - len(shown)} more | | | | |")
    if report["pairs"]:
        lines += ["", f"**Pair coverage** (cells with fewer than {t['min_pair_count']} samples)", "",
                  "| pair | cells | under min | empty | under min though expected |", "|---|---|---|---|---|"]
        for p in report["pairs"]:
            lines.append(f"| {' x '.join(p['axes'])} | {p['cells']} | {p['under_min']} | {p['empty']} | "
                         f"{p['under_min_but_expected']} |")
    fails = [f for f in report["failure_by_value"] if f["failed"]][:_MAX_ROWS]
    if fails:
        lines += ["", "**QC failure rate by value** (highest first)", "", "| axis | value | samples | failed | rate |",
                  "|---|---|---|---|---|"]
        for f in fails:
            lines.append(f"| {f['axis']} | {f['value']} | {f['samples']:,} | {f['failed']:,} | "
                         f"{f['failure_rate']:.1%}{' (!)' if f['notable'] else ''} |")
    return "\n".join(lines)


def axis_plot(axis: dict, width: int = 720, height: int = 300) -> bytes:
    """A PNG of one axis: observed bars with the expected share as a marker (or outline bins)."""
    from PIL import Image, ImageDraw

    if axis["kind"] == "categorical":
        items = [(v["value"], v["observed"], v["expected"], v["flagged"]) for v in axis["values"][:40]]
    else:
        items = [(f"{b['high']:.3g}", b["observed"], b["expected"], False) for b in axis["bins"]]
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    left, right, top, bottom = 40, width - 10, 24, height - 40
    draw.text((left, 4), f"{axis['axis']}  ({axis['verdict']}; blue observed, orange expected)", fill="black")
    top_value = max([max(o, e) for _, o, e, _ in items] + [1e-9])
    draw.line([(left, bottom), (right, bottom)], fill="black")
    draw.line([(left, top), (left, bottom)], fill="black")
    draw.text((2, top), f"{top_value:.0%}", fill="black")
    n = max(len(items), 1)
    slot = (right - left) / n
    for k, (label, obs, exp, flagged) in enumerate(items):
        x0 = left + k * slot + slot * 0.15
        x1 = left + (k + 1) * slot - slot * 0.15
        y_obs = bottom - (bottom - top) * obs / top_value
        y_exp = bottom - (bottom - top) * exp / top_value
        draw.rectangle([x0, y_obs, x1, bottom], fill=_FLAG if flagged else _OBSERVED)
        draw.line([(x0 - slot * 0.1, y_exp), (x1 + slot * 0.1, y_exp)], fill=_EXPECTED, width=3)
        if axis["kind"] == "categorical" and slot >= 14:
            draw.text((x0, bottom + 4 + 10 * (k % 3)), label.split(".")[-1][: max(3, int(slot / 6))], fill="black")
    if axis["kind"] == "numeric" and items:
        draw.text((left, bottom + 4), items[0][0], fill="black")
        draw.text((right - 40, bottom + 4), items[-1][0], fill="black")
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

"""`{dataset}/balance_audit`: the `psynth audit` report over the index, as Dagster metadata.

Metadata: the verdict and flagged axes, the markdown tables of the report, and PNG plots
(observed vs expected per axis, flagged axes first) inline in a markdown entry; the PNGs and the
JSON report are also stored beside the index under `_index/audit/`.
"""

import base64

import dagster as dg

from dagster_project.resources import PsynthStorage
from psynth_data.layout import Layout
from psynth_spec.spec import Spec

INLINE_PLOTS = 12  # PNGs embedded in the metadata (all of them are stored as files)


def build_balance_audit_asset(spec: Spec) -> dg.AssetsDefinition:
    name = spec.dataset

    @dg.asset(
        key=[name, "balance_audit"],
        deps=[dg.AssetKey([name, "index"])],
        group_name=name,
        kinds={"duckdb"},
        description=f"Balance of `{name}`: every axis observed (QC-passed) vs the spec (chi-square, TVD, KS), "
        "pair coverage and QC failure rate by value; the same report as `psynth audit`.",
    )
    def balance_audit(context: dg.AssetExecutionContext, psynth_storage: PsynthStorage) -> dg.MaterializeResult:
        from psynth_data.audit import run_audit
        from psynth_data.audit_report import report_markdown, store_audit
        from psynth_data.index import open_index

        storage, layout = psynth_storage.open(), Layout.for_spec(spec)
        con = open_index(storage, layout)
        try:
            report = run_audit(con)
        finally:
            con.close()
        report_key = store_audit(storage, layout, report)
        images = []
        for axis in sorted(report["axes"], key=lambda a: a["verdict"] != "flag")[:INLINE_PLOTS]:
            png = storage.get(layout.audit_key(f"{axis['column']}.png"))
            images.append(f"**{axis['axis']}** ({axis['verdict']})\n\n"
                          f"![{axis['axis']}](data:image/png;base64,{base64.b64encode(png).decode()})")
        context.log.info(f"audit of {report['samples']} samples: {report['verdict']}"
                         + (f" ({', '.join(report['flagged_axes'])})" if report["flagged_axes"] else ""))
        worst = max((a for a in report["axes"] if a["kind"] == "categorical"), key=lambda a: a["tvd"], default=None)
        return dg.MaterializeResult(metadata={
            "samples": dg.MetadataValue.int(report["samples"]),
            "observed_samples": dg.MetadataValue.int(report["observed_samples"]),
            "qc_failure_rate": dg.MetadataValue.float(round(report["qc_failure_rate"], 4)),
            "verdict": dg.MetadataValue.text(report["verdict"]),
            "flagged_axes": dg.MetadataValue.text(", ".join(report["flagged_axes"]) or "none"),
            "axes": dg.MetadataValue.int(len(report["axes"])),
            "max_total_variation": dg.MetadataValue.float(round(worst["tvd"], 4) if worst else 0.0),
            "worst_axis": dg.MetadataValue.text(worst["axis"] if worst else "none"),
            "balance": dg.MetadataValue.md(report_markdown(report)),
            "plots": dg.MetadataValue.md("\n\n".join(images) or "no axes"),
            "report_json": dg.MetadataValue.path(storage.url(report_key)),
            "seconds": dg.MetadataValue.float(report["seconds"]),
        })

    return balance_audit

"""QC asset checks, per partition, with their numbers in the UI (not blocking: a partition with
many failures still reaches the index, where the audit shows which values fail).

    qc_failure_rate     failure rate <= the spec's qc max_failure_rate (default 0.2)  severity ERROR
    no_blank_images     no sample with the `blank` reason                 severity WARN
    coverage_present    every rendered sample has a subject coverage      severity WARN
"""

import dagster as dg

from dagster_project.partitions import context_shards
from dagster_project.resources import PsynthStorage
from psynth_data.layout import Layout
from psynth_spec.spec import Spec


def _reasons_md(reasons: dict) -> str:
    if not reasons:
        return "none"
    return "| reason | samples |\n|---|---|\n" + "".join(f"| {r} | {n} |\n" for r, n in reasons.items())


def build_qc_checks(spec: Spec, parts: dg.PartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    from psynth_data.qc import QcThresholds

    qc_key = dg.AssetKey([spec.dataset, "qc"])
    max_failure_rate = QcThresholds.for_spec(spec).max_failure_rate

    def summary(context, psynth_storage):
        from psynth_data.qc import partition_qc, qc_summary

        storage, layout = psynth_storage.open(), Layout.for_spec(spec)
        frame = partition_qc(storage, layout, context_shards(spec, context))
        return None if frame is None else qc_summary(frame)

    def missing() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR,
                                   metadata={"problem": "no QC table listed by the partition's manifests"})

    def qc_check(name: str, description: str, judge):
        """A partitioned check of the QC summary: `judge(summary) -> AssetCheckResult`."""

        @dg.asset_check(asset=qc_key, name=name, partitions_def=parts, description=description)
        def check(context: dg.AssetCheckExecutionContext, psynth_storage: PsynthStorage) -> dg.AssetCheckResult:
            s = summary(context, psynth_storage)
            return missing() if s is None else judge(s)

        return check

    def failure_rate(s: dict) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            passed=s["failure_rate"] <= max_failure_rate,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"samples": s["rows"], "failed": s["failed"],
                      "failure_rate": dg.MetadataValue.float(round(s["failure_rate"], 4)),
                      "threshold": dg.MetadataValue.float(max_failure_rate),
                      "reasons": dg.MetadataValue.md(_reasons_md(s["reasons"]))},
        )

    def no_blank(s: dict) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            passed=s["blank"] == 0, severity=dg.AssetCheckSeverity.WARN,
            metadata={"rendered": s["rendered"], "blank": s["blank"],
                      "mean_luma": dg.MetadataValue.float(round(s["mean_luma"], 4))},
        )

    def coverage(s: dict) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            passed=s["coverage_present"] == s["rendered"], severity=dg.AssetCheckSeverity.WARN,
            metadata={"rendered": s["rendered"], "with_coverage": s["coverage_present"],
                      "mean_coverage": dg.MetadataValue.float(round(s["mean_coverage"], 4))},
        )

    return [
        qc_check("qc_failure_rate", f"At most {max_failure_rate:.0%} of the partition's samples fail QC "
                 "(failed renders included); the reasons are listed.", failure_rate),
        qc_check("no_blank_images", "No rendered image is blank (luma spread under the QC threshold).", no_blank),
        qc_check("coverage_present", "Every rendered sample has a subject coverage (from the subject mask the "
                 "worker renders for QC).", coverage),
    ]

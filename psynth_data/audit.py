"""Balance audit: is the dataset we got the dataset the spec asked for, axis by axis, and why not.

    run_audit(con, by=None, thresholds=AuditThresholds()) -> dict   (JSON-able report)

`con` is a connection to a dataset's `index.duckdb` (tables info, _shards, _expected; views
samples, qc). The counting (totals and QC reasons included) is one pass over every indexed
shard's samples and QC Parquet in `audit_scan.scan_counts` (pyarrow + numpy; why not SQL is
measured there); DuckDB holds the shard list and the expected table.

Observed = samples that did not fail QC (samples without a QC row count as observed).

Per categorical axis: counts, chi-square statistic and p-value (goodness of fit against the
spec's weights when `expected.source` = 'spec'; a 2 x k homogeneity test against the pilot's
counts when 'pilot', so the pilot's own noise is accounted for), total variation distance.
Verdict `flag` when p < `p_value` (1e-3) AND TVD > `tvd` (0.01), or when a value occurs that the
spec never produces. The flagged value(s): the single value whose removal makes the rest match
(TVD of the rest, renormalized, under half the threshold), else every value off by more than
25% of its expected share.
Per numeric axis: Kolmogorov-Smirnov statistic between the observed and expected CDFs at the
expected bin edges (a binned KS, a lower bound of the exact one; 50 quantile bins) with the
asymptotic two-sample p-value (n_eff = n m / (n + m), m the pilot's size); `flag` when
p < `p_value` AND KS > `ks` (0.01), or when the share of unset values differs by more than
`tvd` with p < `p_value`.
Pairs of categorical axes: cells (value combinations seen or expected), cells under
`min_pair_count` observed samples, empty cells, and cells that independence would fill to at
least `min_pair_count` but are under it (informational; `require` can make cells impossible).
QC failure rate by value: samples, failed, rate; `notable` when the rate is at least twice the
overall one with at least 5 failures.
"""

import itertools
import math
import time
from dataclasses import asdict, dataclass

import numpy as np

from psynth_data.audit_scan import NumericBins, ScanCounts, ShardSources, scan_counts
from psynth_data.expected import STACKED_PREFIX, UNSET



@dataclass(frozen=True)
class AuditThresholds:
    p_value: float = 1e-3
    tvd: float = 0.01
    ks: float = 0.01
    min_pair_count: int = 10
    culprit_relative: float = 0.25


def _axes(con, by: list[str] | None) -> list[dict]:
    rows = con.execute(
        "SELECT axis, column_name, any_value(kind), any_value(source), max(pilot_samples), min(rowid) AS first "
        "FROM _expected GROUP BY axis, column_name ORDER BY first"
    ).fetchall()
    axes = [{"axis": a, "column": c, "kind": k, "source": s, "pilot_samples": p} for a, c, k, s, p, _ in rows]
    if by:
        from psynth_spec.errors import PsynthError

        wanted = set(by)
        known = {a["axis"] for a in axes} | {a["column"] for a in axes}
        unknown = sorted(wanted - known)
        if unknown:
            raise PsynthError(f"--by: no audited axis {', '.join(unknown)} (axes: "
                              f"{', '.join(a['axis'] for a in axes)})")
        axes = [a for a in axes if a["axis"] in wanted or a["column"] in wanted]
    return axes


def _chi2_sf(stat: float, dof: int) -> float:
    from scipy.stats import chi2

    if dof <= 0:
        return 1.0
    if math.isinf(stat):
        return 0.0
    return float(chi2.sf(stat, dof))


def _categorical_test(obs: np.ndarray, probs: np.ndarray, pilot: int | None) -> tuple[float, int, float]:
    """(chi-square, dof, p-value): goodness of fit (exact probs) or homogeneity vs a pilot."""
    n = obs.sum()
    if n == 0:
        return 0.0, 0, 1.0
    if pilot is None:
        expected = probs * n
        if np.any((expected == 0) & (obs > 0)):
            return math.inf, int((expected > 0).sum()), 0.0
        keep = expected > 0
        stat = float((((obs - expected) ** 2)[keep] / expected[keep]).sum())
        return stat, int(keep.sum()) - 1, _chi2_sf(stat, int(keep.sum()) - 1)
    ref = probs * pilot
    keep = (obs + ref) > 0
    table = np.vstack([obs[keep], ref[keep]]).astype(np.float64)
    rows, cols = table.sum(axis=1, keepdims=True), table.sum(axis=0, keepdims=True)
    expected = rows * cols / table.sum()
    stat = float(((table - expected) ** 2 / expected).sum())
    dof = int(keep.sum()) - 1
    return stat, dof, _chi2_sf(stat, dof)


def _culprits(values: list[str], obs: np.ndarray, probs: np.ndarray, pilot: int | None,
              t: AuditThresholds) -> list[str]:
    """The value(s) that explain a flagged axis: greedily take out the value whose removal leaves
    the best-fitting rest (renormalized), until the rest passes the chi-square test."""
    keep = np.ones(len(values), bool)
    out: list[str] = []
    while keep.sum() > 2 and len(out) < max(1, len(values) // 2):
        best, best_stat = None, math.inf
        for i in np.nonzero(keep)[0]:
            rest = keep.copy()
            rest[i] = False
            e = probs[rest]
            if e.sum() <= 0 or obs[rest].sum() <= 0:
                continue
            stat, _dof, _p = _categorical_test(obs[rest], e / e.sum(), pilot)
            if stat < best_stat:
                best, best_stat = i, stat
        if best is None:
            break
        keep[best] = False
        out.append(values[best])
        e = probs[keep]
        if _categorical_test(obs[keep], e / e.sum(), pilot)[2] >= t.p_value:
            return out
    with np.errstate(divide="ignore", invalid="ignore"):
        n = obs.sum()
        rel = np.where(probs > 0, np.abs(obs / max(n, 1) / probs - 1), np.inf)
    return out + [values[i] for i in np.argsort(-rel) if rel[i] > t.culprit_relative and values[i] not in out]


def _categorical_axis(ax: dict, expected: dict[str, float], passed: dict[str, int], failed: dict[str, int],
                      t: AuditThresholds) -> dict:
    values = sorted(set(expected) | {v for v, n in passed.items() if n} | {v for v, n in failed.items() if n},
                    key=lambda v: (-expected.get(v, 0.0), v))
    obs = np.array([passed.get(v, 0) for v in values], dtype=np.float64)
    probs = np.array([expected.get(v, 0.0) for v in values], dtype=np.float64)
    pilot = ax["pilot_samples"] if ax["source"] == "pilot" else None
    stat, dof, p = _categorical_test(obs, probs, pilot)
    n = obs.sum()
    obs_p = obs / n if n else obs
    tvd = float(0.5 * np.abs(obs_p - probs).sum()) if n else 0.0
    unexpected = [v for v, o, e in zip(values, obs, probs) if o > 0 and e == 0]
    flag = bool(n) and ((p < t.p_value and tvd > t.tvd) or (bool(unexpected) and pilot is None))
    flagged = _culprits(values, obs, probs, pilot, t) if flag else []
    flagged = list(dict.fromkeys(unexpected + flagged)) if flag else []
    rows = []
    for v, o, e in zip(values, obs.tolist(), probs.tolist()):
        f = failed.get(v, 0)
        total = int(o) + f
        rows.append({"value": v, "expected": e, "observed": (o / n) if n else 0.0, "count": int(o),
                     "failed": f, "failure_rate": (f / total) if total else 0.0, "flagged": v in flagged})
    return {**ax, "verdict": "flag" if flag else "pass", "observed_samples": int(n), "chi2": stat, "dof": dof,
            "p_value": p, "tvd": tvd, "flagged_values": flagged, "values": rows}


def _ks_pvalue(d: float, n: int, m: int | None) -> float:
    from scipy.stats import kstwobign

    if n == 0 or d == 0:
        return 1.0
    n_eff = n * m / (n + m) if m else n
    return float(kstwobign.sf(d * math.sqrt(n_eff)))


def _numeric_bins(con, axes: list[dict]) -> dict[str, tuple[list, float]]:
    """column -> (expected bin rows (bin, low, high, probability), expected unset share)."""
    out = {}
    for ax in axes:
        rows = con.execute(
            "SELECT bin, bin_low, bin_high, probability FROM _expected WHERE column_name = ? AND bin IS NOT NULL "
            "ORDER BY bin", [ax["column"]]).fetchall()
        unset = con.execute("SELECT coalesce(sum(probability), 0) FROM _expected WHERE column_name = ? AND value = ?",
                            [ax["column"], UNSET]).fetchone()[0]
        out[ax["column"]] = (rows, float(unset))
    return out


def _numeric_axes(axes: list[dict], expected: dict[str, tuple[list, float]], counts: ScanCounts,
                  t: AuditThresholds) -> list[dict]:
    total = counts.samples - counts.failed
    out = []
    for ax in axes:
        rows, exp_unset = expected[ax["column"]]
        obs = counts.bins[ax["column"]].astype(np.float64)
        obs_unset = counts.unset[ax["column"]]
        exp = np.array([r[3] for r in rows], dtype=np.float64)
        n = int(obs.sum())
        m = int(round(exp.sum() * ax["pilot_samples"])) if ax["pilot_samples"] else None
        if n and exp.sum() > 0:
            diff = np.abs(np.cumsum(obs) / n - np.cumsum(exp) / exp.sum())
            ks, worst = float(diff.max()), int(diff.argmax())
        else:
            ks, worst = 0.0, 0
        p = _ks_pvalue(ks, n, m)
        values = counts.values.get(ax["column"], total)  # a variant axis counts K values per sample
        share_unset = obs_unset / values if values else 0.0
        unset_diff = abs(share_unset - exp_unset)
        unset_p = _proportion_p(obs_unset, values, exp_unset, ax["pilot_samples"])
        flag_ks = p < t.p_value and ks > t.ks
        flag_unset = unset_diff > t.tvd and unset_p < t.p_value
        flagged = []
        if flag_ks and rows:
            flagged.append(f"<= {rows[worst][2]:.4g}")
        if flag_unset:
            flagged.append(UNSET)
        out.append({**ax, "verdict": "flag" if (flag_ks or flag_unset) else "pass", "observed_samples": n,
                    "ks": ks, "p_value": p, "unset_expected": exp_unset, "unset_observed": share_unset,
                    "unset_p_value": unset_p, "flagged_values": flagged,
                    "bins": [{"low": r[1], "high": r[2], "expected": (r[3] / exp.sum()) if exp.sum() else 0.0,
                              "observed": (o / n) if n else 0.0, "count": int(o)} for r, o in zip(rows, obs.tolist())]})
    return out


def _proportion_p(k: int, n: int, p0: float, pilot: int | None) -> float:
    """Two-sided p of an observed share k/n against p0 (with the pilot's variance when given)."""
    if n == 0:
        return 1.0
    from scipy.stats import norm

    var = p0 * (1 - p0) * (1 / n + (1 / pilot if pilot else 0.0))
    diff = k / n - p0
    if var <= 0:
        return 1.0 if diff == 0 else 0.0
    return float(2 * norm.sf(abs(diff) / math.sqrt(var)))


def _pairs(counts, axes: list[dict], expected: dict[str, dict[str, float]], t: AuditThresholds) -> list[dict]:
    out = []
    columns = [a["column"] for a in axes]
    for (i, a), (j, b) in itertools.combinations(enumerate(columns), 2):
        seen = {k: n for k, n in counts.pairs[(a, b)].items() if n}
        total = sum(seen.values())
        va = sorted(set(expected[a]) | {x for x, _ in seen})
        vb = sorted(set(expected[b]) | {y for _, y in seen})
        cells = np.array([[seen.get((x, y), 0) for y in vb] for x in va], dtype=np.int64)
        pa = np.array([expected[a].get(x, 0.0) for x in va])
        pb = np.array([expected[b].get(y, 0.0) for y in vb])
        indep = np.outer(pa, pb) * total
        under = cells < t.min_pair_count
        sparse = [(float(indep[x, y]), va[x], vb[y], int(cells[x, y]))
                  for x, y in zip(*np.nonzero(under & (indep >= t.min_pair_count)))]
        sparse.sort(reverse=True)
        out.append({"axes": [axes[i]["axis"], axes[j]["axis"]], "cells": int(cells.size),
                    "under_min": int(under.sum()), "empty": int((cells == 0).sum()),
                    "under_min_but_expected": len(sparse),
                    "examples": [{"values": [x, y], "count": c, "expected_if_independent": round(e, 1)}
                                 for e, x, y, c in sparse[:3]]})
    return out


def _shard_sources(con) -> list[ShardSources]:
    """The samples and QC files of every indexed shard (folders as the index recorded them)."""
    from psynth_data.index import index_is_current, shard_file
    from psynth_spec.errors import PsynthError

    if not index_is_current(con):
        raise PsynthError("the index predates the audit's direct scan: rebuild it (psynth audit DATASET --rebuild-index)")
    samples, qc = con.execute("SELECT samples_folder, qc_folder FROM info").fetchone()
    rows = con.execute("SELECT shard, has_qc FROM _shards WHERE has_samples ORDER BY shard").fetchall()
    return [ShardSources(shard, shard_file(samples, shard), shard_file(qc, shard) if has_qc else None)
            for shard, has_qc in rows]


def _opener(con):
    """What pyarrow reads for a location: local paths as they are; URLs (s3://) as the bytes
    DuckDB's httpfs fetches with the index's credentials, one cursor per thread."""
    import threading

    import pyarrow as pa

    local = threading.local()
    lock = threading.Lock()

    def open_source(location: str):
        if "://" not in location:
            return location
        cursor = getattr(local, "cursor", None)
        if cursor is None:
            with lock:
                cursor = local.cursor = con.cursor()
        return pa.BufferReader(cursor.execute("SELECT content FROM read_blob(?)", [location]).fetchone()[0])

    return open_source


def _threads(con) -> int:
    return int(con.execute("SELECT current_setting('threads')").fetchone()[0])


def run_audit(con, by: list[str] | None = None, thresholds: AuditThresholds = AuditThresholds(),
              threads: int | None = None) -> dict:
    """The full audit of the dataset behind an index connection (see the module docstring);
    `threads` for the scan defaults to DuckDB's setting (the machine's cores)."""
    from psynth_spec.errors import PsynthError

    started = time.perf_counter()
    has_expected = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = '_expected'").fetchone()[0]
    if not has_expected:
        raise PsynthError("the index has no expected distributions: rebuild it with the spec "
                          "(psynth audit DATASET --spec FILE)")
    info = con.execute("SELECT dataset, version_id FROM info").fetchone() if con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'info'").fetchone()[0] else ("", "")
    t = thresholds
    axes = _axes(con, by)
    cats = [a for a in axes if a["kind"] == "categorical"]
    nums = [a for a in axes if a["kind"] == "numeric"]
    expected = {}
    for a in cats:
        expected[a["column"]] = dict(con.execute(
            "SELECT value, probability FROM _expected WHERE column_name = ? AND value IS NOT NULL", [a["column"]]).fetchall())
    num_expected = _numeric_bins(con, nums)
    counts = scan_counts(
        _shard_sources(con), {c: list(v) for c, v in expected.items()},
        [NumericBins(c, tuple([rows[0][1]] + [r[2] for r in rows]) if rows else (0.0, 1.0))
         for c, (rows, _unset) in num_expected.items()],
        open_source=_opener(con), threads=threads or _threads(con))
    cat_reports = []
    for a in cats:
        by_value = counts.by_value[a["column"]]
        cat_reports.append(_categorical_axis(a, expected[a["column"]], {v: c[0] for v, c in by_value.items()},
                                             {v: c[1] for v, c in by_value.items()}, t))
    pairs = _pairs(counts, [a for a in cats if not a["column"].startswith(STACKED_PREFIX)], expected, t)
    num_reports = _numeric_axes(nums, num_expected, counts, t)
    samples, qc_rows, qc_failed = counts.samples, counts.qc_rows, counts.qc_failed
    reasons = dict(sorted(counts.reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    overall = qc_failed / samples if samples else 0.0
    failure_by_value = []
    for r in cat_reports:
        for v in r["values"]:
            total = v["count"] + v["failed"]
            if total:
                failure_by_value.append({"axis": r["axis"], "value": v["value"], "samples": total,
                                         "failed": v["failed"], "failure_rate": v["failure_rate"],
                                         "notable": v["failed"] >= 5 and v["failure_rate"] >= 2 * overall > 0})
    failure_by_value.sort(key=lambda x: (-x["failure_rate"], -x["failed"]))
    by_axis = {r["axis"]: r for r in cat_reports + num_reports}
    ordered = [by_axis[a["axis"]] for a in axes]
    flagged = [r["axis"] for r in ordered if r["verdict"] == "flag"]
    return {
        "dataset": info[0], "version_id": info[1], "samples": samples, "qc_rows": int(qc_rows),
        "qc_failed": int(qc_failed), "qc_failure_rate": overall, "qc_reasons": reasons,
        "observed_samples": samples - int(qc_failed), "thresholds": asdict(t),
        "verdict": "flag" if flagged else "pass", "flagged_axes": flagged,
        "axes": ordered, "pairs": pairs, "failure_by_value": failure_by_value,
        "seconds": round(time.perf_counter() - started, 3),
    }


def json_ready(value):
    """The report as plain JSON data: an infinite chi-square (a value the spec never produces) is null."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value

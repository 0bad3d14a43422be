"""The audit's counting pass against a plain polars reference, on shards built to be awkward:
several row groups (a dictionary per chunk), values the spec never produces, nulls, a column
missing from one shard, a shard without QC, QC rows for ids that are not samples; and the
lookup-table binning against `np.searchsorted`."""

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psynth_data import audit_scan
from psynth_data.audit_scan import NumericBins, ShardSources, scan_counts
from psynth_data.binning import Binner
from psynth_data.expected import UNSET
from psynth_data.storage import StorageError

CATEGORICAL = {
    "material": ["metal.gold", "glass.clear", "plastic.glossy"],
    "camera_dof": ["true", "false"],
    "camera_focal_length": ["35.0", "50.0", "85.0"],
    "subdivision": ["0", "1", "2"],
}
NUMERIC = [NumericBins("kelvin", (2000.0, 4000.0, 5600.0, 6500.0, 9000.0)),
           NumericBins("fstop", (1.4, 2.8, 5.6, 16.0))]


def _shard(shard: int, n: int, rng: np.random.Generator) -> pl.DataFrame:
    ids = np.arange(shard * n, (shard + 1) * n)
    material = rng.choice(["metal.gold", "glass.clear", "plastic.glossy", "wood.oak", None], n,
                          p=[0.4, 0.3, 0.2, 0.05, 0.05])
    focal = rng.choice([35.0, 50.0, 85.0, 105.0], n, p=[0.4, 0.3, 0.2, 0.1])
    kelvin = rng.uniform(1500, 9500, n)
    fstop = np.exp(rng.uniform(np.log(1.4), np.log(16), n))
    frame = pl.DataFrame({
        "sample_id": ids, "shard": np.full(n, shard, np.int32), "material": material,
        "camera_dof": rng.random(n) < 0.3, "camera_focal_length": focal,
        "subdivision": rng.integers(0, 4, n), "kelvin": kelvin, "fstop": fstop,
    })
    frame = frame.with_columns(
        pl.when(pl.Series(rng.random(n) < 0.1)).then(None).otherwise(pl.col("kelvin")).alias("kelvin"),
        pl.when(pl.Series(rng.random(n) < 0.05)).then(None).otherwise(pl.col("camera_dof")).alias("camera_dof"),
        pl.lit(edge_values(n, rng)).alias("fstop") if shard == 0 else pl.col("fstop"),
    )
    if shard == 1:
        frame = frame.drop("camera_focal_length", "kelvin")
    return frame


def edge_values(n: int, rng: np.random.Generator) -> pl.Series:
    """Values on and next to the bin edges (right-closed bins must hold them exactly)."""
    edges = np.array([1.4, 2.8, 5.6, 16.0])
    near = np.concatenate([edges, np.nextafter(edges, np.inf), np.nextafter(edges, -np.inf), [0.5, 40.0]])
    return pl.Series(rng.choice(near, n))


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    root = tmp_path_factory.mktemp("scan")
    rng = np.random.default_rng(7)
    out, frames, qcs = [], [], []
    for shard in range(3):
        frame = _shard(shard, 3_000, rng)
        samples = root / f"samples-{shard}.parquet"
        frame.write_parquet(samples, compression="zstd", row_group_size=700)  # 5 row groups, 5 dictionaries
        qc_path = None
        if shard != 2:  # shard 2 has no QC table: all of it is observed
            qc = pl.DataFrame({"sample_id": np.concatenate([frame["sample_id"].to_numpy(), [10**9]]),
                               "qc_pass": np.concatenate([rng.random(frame.height) > 0.15, [False]])})
            qc = qc.with_columns(pl.when(pl.col("sample_id") == frame["sample_id"][0]).then(None)
                                 .otherwise(pl.col("qc_pass")).alias("qc_pass"))  # null verdict: not failed
            qc_path = root / f"qc-{shard}.parquet"
            qc.write_parquet(qc_path)
            qcs.append(qc)
        out.append(ShardSources(shard, str(samples), str(qc_path) if qc_path else None))
        frames.append(frame)
    return out, pl.concat(frames, how="diagonal_relaxed"), pl.concat(qcs)


def _text(column: str, value) -> str:
    if value is None:
        return UNSET
    if column == "camera_dof":
        return "true" if value else "false"
    if column == "camera_focal_length":
        return repr(float(value))
    return str(value)


def _reference(frame: pl.DataFrame, qc: pl.DataFrame):
    failed_ids = qc.filter(pl.col("qc_pass") == False)["sample_id"]  # noqa: E712 (null is not failed)
    frame = frame.with_columns(failed=pl.col("sample_id").is_in(failed_ids.implode()))
    rows = frame.to_dicts()
    by_value: dict[str, dict[str, list[int]]] = {c: {} for c in CATEGORICAL}
    for row in rows:
        for c in CATEGORICAL:
            by_value[c].setdefault(_text(c, row.get(c)), [0, 0])[int(row["failed"])] += 1
    observed = [r for r in rows if not r["failed"]]

    def label(c, r):
        text = _text(c, r.get(c))
        return text if text in CATEGORICAL[c] or text == UNSET else audit_scan.OTHER

    columns = list(CATEGORICAL)
    pairs = {}
    for i, a in enumerate(columns):
        for b in columns[i + 1:]:
            cells: dict[tuple[str, str], int] = {}
            for r in observed:
                key = (label(a, r), label(b, r))
                cells[key] = cells.get(key, 0) + 1
            pairs[(a, b)] = cells
    bins, unset = {}, {}
    for nb in NUMERIC:
        values = np.array([r.get(nb.column) for r in observed if r.get(nb.column) is not None], dtype=float)
        bins[nb.column] = np.bincount(np.searchsorted(nb.edges[1:-1], values, side="left"), minlength=nb.bins)
        unset[nb.column] = sum(1 for r in observed if r.get(nb.column) is None)
    return by_value, pairs, bins, unset, int(frame["failed"].sum())


@pytest.mark.parametrize("threads,group_limit", [(1, 256), (3, 256), (2, 6)])
def test_scan_matches_a_plain_reference(shards, monkeypatch, threads, group_limit):
    sources, frame, qc = shards
    monkeypatch.setattr(audit_scan, "GROUP_LIMIT", group_limit)  # 6: every axis its own group
    counts = scan_counts(sources, CATEGORICAL, NUMERIC, threads=threads)
    by_value, pairs, bins, unset, failed = _reference(frame, qc)
    assert counts.samples == 9_000 and counts.failed == failed > 0
    assert counts.qc_rows == qc.height == 6_002  # two QC tables, each with an id that is no sample
    assert counts.qc_failed == qc.filter(pl.col("qc_pass") == False).height == failed + 2  # noqa: E712
    assert counts.by_value == by_value
    assert counts.by_value["material"]["wood.oak"][0] > 0          # unexpected, named
    assert counts.by_value["camera_focal_length"]["105.0"][0] > 0  # unexpected number, named
    assert counts.by_value["camera_focal_length"][UNSET][0] >= 2_000  # the shard without the column
    assert counts.pairs == {k: v for k, v in pairs.items()}
    assert (audit_scan.OTHER, "true") in counts.pairs[("material", "camera_dof")]
    for nb in NUMERIC:
        assert counts.bins[nb.column].tolist() == bins[nb.column].tolist()
        assert counts.unset[nb.column] == unset[nb.column]


def test_edges_are_right_closed(shards):
    sources, _, _ = shards
    counts = scan_counts(sources[2:], {}, [NumericBins("fstop", (1.4, 2.8, 5.6, 16.0))], threads=1)
    assert counts.bins["fstop"].sum() == 3_000 and counts.pairs == {}


@settings(max_examples=200, deadline=None)
@given(edges=st.lists(st.floats(-1e6, 1e6), max_size=60).map(sorted),
       values=st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=200),
       cells=st.sampled_from([2, 16, 4096]))
def test_binner_is_searchsorted(edges, values, cells):
    edges = np.array(edges, dtype=np.float64)
    values = np.array(values + edges.tolist() + np.nextafter(edges, np.inf).tolist(), dtype=np.float64)
    binner = Binner(edges, cells)
    assert np.array_equal(binner.index(values), np.searchsorted(edges, values, side="left"))
    assert np.array_equal(binner.counts(values), np.bincount(np.searchsorted(edges, values, side="left"),
                                                             minlength=edges.size + 1))



def test_a_broken_shard_file_is_a_clear_error(shards, tmp_path):
    sources, _, _ = shards
    broken = tmp_path / "samples-broken.parquet"
    broken.write_bytes(open(sources[0].samples, "rb").read()[:5_000])  # cut short, as by a full disk
    with pytest.raises(StorageError, match=r"shard 7: cannot read .*samples-broken.parquet"):
        scan_counts([sources[1], ShardSources(7, str(broken), None)], CATEGORICAL, NUMERIC, threads=2)

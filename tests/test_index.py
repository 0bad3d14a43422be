"""index.duckdb: plain-DuckDB views over every complete shard, none from incomplete ones."""

import io
import json
import tarfile

import duckdb
import polars as pl
import pytest

from psynth_data.expected import expected_frame
from psynth_data.index import build_index, complete_shards
from psynth_data.manifest import Counts, write_manifest
from tests.audit_fixtures import demo_spec, make_dataset


@pytest.fixture(scope="module")
def spec():
    return demo_spec(samples=2_000, shard_size=250)


@pytest.fixture(scope="module")
def expected(spec):
    return expected_frame(spec, pilot_samples=20_000)


def _rows(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _add_tar(storage, layout, shard, ids):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for sid in ids:
            for suffix, data in (("png", b"\x89PNG fake" * 3), ("txt", b"a cube")):
                info = tarfile.TarInfo(f"{sid:09d}.{suffix}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    storage.put_bytes(layout.render_key(shard), buf.getvalue())


@pytest.mark.parametrize("max_listed", [20_000, 2])  # explicit file lists, then the glob + _shards filter
def test_views_cover_complete_shards_only(tmp_path, spec, expected, max_listed):
    storage, layout = make_dataset(tmp_path, spec, no_manifest=(3, 6))
    # shard 5: its manifest lists an object whose size no longer matches (a rewritten file)
    m5 = json.loads(storage.get(layout.manifest_key(5)))
    m5["objects"][0]["size"] += 1
    storage.put_bytes(layout.manifest_key(5), json.dumps(m5).encode())
    # shard 1 also has a tar, listed in its manifest
    _add_tar(storage, layout, 1, spec.shard_range(1))
    write_manifest(storage, layout, 1, [layout.samples_key(1), layout.qc_key(1), layout.render_key(1)],
                   Counts(samples=250, rendered=250, failed=0))
    summary = build_index(storage, layout, spec=spec, expected=expected, max_listed_files=max_listed)
    complete = [0, 1, 2, 4, 7]
    assert summary.shards == complete
    path = storage.path(layout.index_key)
    assert summary.samples == summary.qc_rows == 5 * 250
    got = _rows(path, "SELECT shard, count(*), count(DISTINCT sample_id), min(sample_id), max(sample_id) "
                      "FROM samples GROUP BY shard ORDER BY shard")
    assert got == [(s, 250, 250, s * 250, s * 250 + 249) for s in complete]
    assert _rows(path, "SELECT DISTINCT shard FROM qc ORDER BY 1") == [(s,) for s in complete]
    ref = pl.read_parquet(storage.path(layout.samples_key(4)))
    mats = _rows(path, "SELECT material FROM samples WHERE shard = 4 ORDER BY sample_id")
    assert [m for (m,) in mats] == ref["material"].to_list()
    assert _rows(path, "SELECT count(*), count(DISTINCT sample_id), sum(bytes) FROM renders") == [(500, 250, 250 * (27 + 6))]
    assert _rows(path, "SELECT member FROM renders ORDER BY member LIMIT 2") == [("000000250.png",), ("000000250.txt",)]
    assert _rows(path, "SELECT sum(samples) FROM manifests") == [(5 * 250,)]
    assert summary.index_bytes < 5_000_000


def test_expected_view(tmp_path, spec, expected):
    storage, layout = make_dataset(tmp_path, spec)
    build_index(storage, layout, spec=spec, expected=expected)
    path = storage.path(layout.index_key)
    sums = dict(_rows(path, "SELECT axis, sum(probability) FROM expected GROUP BY axis"))
    assert set(sums) == {s.axis for s in spec.statements}
    assert all(abs(v - 1) < 1e-9 for v in sums.values())
    assert _rows(path, "SELECT value, probability, source FROM expected WHERE axis = 'camera.angle' ORDER BY value") == [
        ("eye_level", pytest.approx(2 / 3), "spec"), ("high_angle", pytest.approx(1 / 3), "spec")]
    # conditioned by a require: measured on the pilot, fewer 85 mm shots than 1/3
    fl = dict(_rows(path, "SELECT value, probability FROM expected WHERE axis = 'camera.focal_length'"))
    assert set(fl) == {"35.0", "50.0", "85.0"} and fl["85.0"] < 0.3
    # numeric: right-closed bins whose edges chain, plus the unset share of a `when` axis
    bins = _rows(path, "SELECT bin, bin_low, bin_high FROM expected WHERE axis = 'material.ior' AND bin IS NOT NULL "
                       "ORDER BY bin")
    assert len(bins) == 50 and all(a[2] == b[1] for a, b in zip(bins, bins[1:]))
    assert 1.40 <= bins[0][1] < 1.42 and 1.88 < bins[-1][2] <= 1.90
    unset = _rows(path, "SELECT probability FROM expected WHERE axis = 'material.ior' AND value = '(unset)'")[0][0]
    assert unset == pytest.approx(0.75, abs=0.01)
    sub = _rows(path, "SELECT bin_low, bin_high FROM expected WHERE axis = 'geometry.subdivision' ORDER BY bin")
    assert sub == [(-0.5, 0.5), (0.5, 1.5), (1.5, 2.5)]


def test_sha256_verification_mode(tmp_path, spec):
    storage, layout = make_dataset(tmp_path, spec)
    path = storage.path(layout.samples_key(2))
    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF  # same size, other bytes
    path.write_bytes(bytes(data))
    assert 2 in [s for s, _ in complete_shards(storage, layout, verify="size")]
    assert 2 not in [s for s, _ in complete_shards(storage, layout, verify="sha256")]


def test_empty_dataset_views_exist(tmp_path, spec):
    storage, layout = make_dataset(tmp_path, spec, no_manifest=tuple(range(spec.shards)))
    summary = build_index(storage, layout)
    assert summary.shards == [] and summary.samples == 0
    path = storage.path(layout.index_key)
    assert _rows(path, "SELECT count(*) FROM samples") == [(0,)]
    assert _rows(path, "SELECT count(*) FROM qc") == [(0,)]
    assert _rows(path, "SELECT count(*) FROM renders") == [(0,)]

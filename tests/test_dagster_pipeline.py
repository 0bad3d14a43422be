"""Materializing two partitions of a tiny spec through Dagster with the real bpy worker (Pipes),
then the index and the audit; a second materialization rewrites no samples bytes and renders
nothing."""

import json
import tarfile

import dagster as dg
import duckdb
import pytest

from dagster_project.definitions import build_definitions
from tests.dagster_fixtures import TINY_SPEC, environment, sha256_tree

pytestmark = [
    pytest.mark.render,
    pytest.mark.filterwarnings("ignore::dagster.BetaWarning", "ignore::dagster.PreviewWarning"),
]

NAME = "tinyd"
PARTITIONED = [dg.AssetKey([NAME, a]) for a in ("samples", "renders", "qc")]
AGGREGATES = [dg.AssetKey([NAME, a]) for a in ("index", "balance_audit")]


def _materialize_all(defs, instance):
    repo = defs.get_repository_def()
    job = repo.get_implicit_job_def_for_assets(PARTITIONED)
    results = [job.execute_in_process(partition_key=key, instance=instance, asset_selection=PARTITIONED)
               for key in ("000000", "000001")]
    aggregate_job = repo.get_implicit_job_def_for_assets(AGGREGATES)
    results.append(aggregate_job.execute_in_process(instance=instance, asset_selection=AGGREGATES))
    return results


def _materialization(result, asset: str, partition: str | None = None) -> dict:
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if mat.asset_key == dg.AssetKey([NAME, asset]) and mat.partition == partition:
            return {k: v.value for k, v in mat.metadata.items()}
    raise AssertionError(f"no materialization of {asset} {partition}")


@pytest.fixture(scope="module")
def run_twice(tmp_path_factory):
    base = tmp_path_factory.mktemp("dagster_pipeline")
    specs, root = base / "specs", base / "data"
    specs.mkdir()
    (specs / "tiny.psynth").write_text(TINY_SPEC)
    with environment(PSYNTH_SPECS=str(specs), PSYNTH_DATA_ROOT=str(root)), dg.instance_for_test() as instance:
        defs = build_definitions()
        first = _materialize_all(defs, instance)
        prefix = next((root / NAME).iterdir())
        before = sha256_tree(prefix)
        mtimes = {p.name: p.stat().st_mtime_ns for p in (prefix / "manifests").iterdir()}
        second = _materialize_all(defs, instance)
        after = sha256_tree(prefix)
        mtimes_after = {p.name: p.stat().st_mtime_ns for p in (prefix / "manifests").iterdir()}
    return {"first": first, "second": second, "prefix": prefix, "before": before, "after": after,
            "mtimes": mtimes, "mtimes_after": mtimes_after}


def test_runs_succeed_and_checks_pass(run_twice):
    for result in run_twice["first"] + run_twice["second"]:
        assert result.success
    evaluations = [e for r in run_twice["first"] for e in r.get_asset_check_evaluations()]
    names = {(e.check_name, e.partition) for e in evaluations}
    for key in ("000000", "000001"):
        assert ("tars_match_manifests", key) in names and ("qc_tables_complete", key) in names
    assert ("rows_match_manifests", None) in names
    assert all(e.passed for e in evaluations)


def test_data_contract_files(run_twice):
    prefix = run_twice["prefix"]
    for shard in (0, 1):
        for rel in (f"samples/shard={shard:06d}.parquet", f"renders/{NAME}-{shard:06d}.tar",
                    f"qc/shard={shard:06d}.parquet", f"manifests/shard={shard:06d}.json"):
            assert (prefix / rel).is_file(), rel
        with tarfile.open(prefix / f"renders/{NAME}-{shard:06d}.tar") as tar:
            names = tar.getnames()
        ids = [2 * shard, 2 * shard + 1]
        assert names == [f"{sid:09d}.{ext}" for sid in ids for ext in ("png", "txt", "json")]
        manifest = json.loads((prefix / f"manifests/shard={shard:06d}.json").read_text())
        keys = {o["key"].split("/", 2)[2] for o in manifest["objects"]}
        assert keys == {f"samples/shard={shard:06d}.parquet", f"renders/{NAME}-{shard:06d}.tar",
                        f"qc/shard={shard:06d}.parquet"}
    assert (prefix / "index.duckdb").is_file()


def test_render_metadata_per_partition(run_twice):
    first = run_twice["first"]
    for i, key in enumerate(("000000", "000001")):
        meta = _materialization(first[i], "renders", key)
        assert meta["samples"] == 2 and meta["rendered"] == 2 and meta["failed"] == 0
        assert meta["shards_rendered"] == 1
        assert meta["device"].lower() == "cpu"
        assert meta["render_seconds_total"] > 0
        assert 0 < meta["render_seconds_p50"] <= meta["render_seconds_p95"] <= meta["render_seconds_total"]
        tar = run_twice["prefix"] / f"renders/{NAME}-{i:06d}.tar"
        assert meta["bytes_written"] > tar.stat().st_size
        assert "](data:image/png;base64," in meta["contact_sheet"]
        assert meta["contact_sheet_path"].endswith(f"partition={key}.png")
    again = _materialization(run_twice["second"][0], "renders", "000000")
    assert again["shards_rendered"] == 0 and again["bytes_written"] == 0 and again["samples"] == 2


def test_index_counts_rows(run_twice):
    con = duckdb.connect(str(run_twice["prefix"] / "index.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*), count(DISTINCT sample_id) FROM samples").fetchone() == (4, 4)
        assert con.execute("SELECT count(*) FROM renders").fetchone()[0] == 12
        assert con.execute("SELECT count(*) FROM renders WHERE member LIKE '%.png'").fetchone()[0] == 4
        assert con.execute("SELECT count(*) FROM qc").fetchone()[0] == 4
        assert con.execute("SELECT count(*), sum(samples) FROM manifests").fetchone() == (2, 4)
    finally:
        con.close()
    meta = _materialization(run_twice["second"][2], "index")
    assert meta["samples"] == 4 and meta["render_members"] == 12 and meta["shards_indexed"] == 2
    audit = _materialization(run_twice["second"][2], "balance_audit")
    assert audit["samples"] == 4 and audit["axes"] == 3  # shape, material, camera.distance
    assert "| metal.gold |" in audit["balance"]


def test_second_materialization_changes_nothing(run_twice):
    before = {k: v for k, v in run_twice["before"].items() if not k.startswith("index.duckdb")}
    after = {k: v for k, v in run_twice["after"].items() if not k.startswith("index.duckdb")}
    samples = [k for k in before if k.startswith("samples/")]
    assert len(samples) == 2
    assert after == before  # samples, tars, qc, manifests: identical bytes
    assert run_twice["mtimes_after"] == run_twice["mtimes"]  # no manifest rewritten: nothing re-rendered
    meta = _materialization(run_twice["second"][0], "samples", "000000")
    assert meta["shards_unchanged"] == 1 and meta["shards_written"] == 0

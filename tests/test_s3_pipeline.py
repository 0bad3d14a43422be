"""Two partitions of a tiny spec materialized through the Dagster assets into a real S3 server
(`PSYNTH_DATA_ROOT=s3://...`, the real bpy worker through Pipes), then the index and the audit:
the data-contract keys under the prefix, tags and metadata on every object, DuckDB reading the
Parquet straight from S3, `psynth audit s3://...`, and no credential anywhere."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.definitions import build_definitions
from tests.dagster_fixtures import REPO, TINY_SPEC, environment
from tests.s3_server import ACCESS_KEY, SECRET_KEY, SeaweedS3

pytestmark = [
    pytest.mark.render,
    pytest.mark.filterwarnings("ignore::dagster.BetaWarning", "ignore::dagster.PreviewWarning"),
]

NAME = "tinyd"
BUCKET = "psynth-data"
PREFIX = "team/datasets"
PARTITIONED = [dg.AssetKey([NAME, a]) for a in ("samples", "renders", "qc")]
AGGREGATES = [dg.AssetKey([NAME, a]) for a in ("index", "balance_audit")]


def _files_under(folder: Path):
    for path in folder.rglob("*"):
        if path.is_file():
            yield path


def materialize(base: Path):
    """Run everything against a fresh server; returns what the checks below read."""
    specs = base / "specs"
    specs.mkdir()
    (specs / "tiny.psynth").write_text(TINY_SPEC)
    with SeaweedS3(base / "s3") as server:
        server.create_bucket(BUCKET)
        env = {**server.env(), "PSYNTH_SPECS": str(specs), "PSYNTH_DATA_ROOT": f"s3://{BUCKET}/{PREFIX}",
               "PSYNTH_WORK_DIR": str(base / "work")}
        with environment(**env), dg.instance_for_test() as instance:
            defs = build_definitions()
            repo = defs.get_repository_def()
            job = repo.get_implicit_job_def_for_assets(PARTITIONED)
            runs = [job.execute_in_process(partition_key=key, instance=instance, asset_selection=PARTITIONED)
                    for key in ("000000", "000001")]
            aggregate = repo.get_implicit_job_def_for_assets(AGGREGATES)
            runs.append(aggregate.execute_in_process(instance=instance, asset_selection=AGGREGATES))
            audit = subprocess.run([sys.executable, "-m", "psynth_cli.main", "audit", "--json", "--spec",
                                    str(specs / "tiny.psynth"), f"s3://{BUCKET}/{PREFIX}/{NAME}"],
                                   capture_output=True, text=True, cwd=REPO, env={**os.environ}, timeout=300)
            client = server.client()
            objects = {}
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
                for obj in page.get("Contents", ()):
                    key = obj["Key"]
                    head = client.head_object(Bucket=BUCKET, Key=key)
                    tags = {t["Key"]: t["Value"] for t in client.get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"]}
                    body = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
                    objects[key] = {"metadata": head["Metadata"], "tags": tags, "body": body}
            index_counts = _index_counts(_version(objects))
            uploads = client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
            instance_files = {str(p): p.read_bytes() for p in _files_under(Path(instance.root_directory))}
            events = [str(e) for r in runs for e in instance.all_logs(r.run_id)]
            return {"runs": runs, "objects": objects, "uploads": uploads, "audit": audit, "events": events,
                   "instance_files": instance_files, "version": _version(objects), "base": base,
                   "index_counts": index_counts}


def _index_counts(version: str) -> dict:
    """Counts through `open_index` on the S3 store: DuckDB reads the Parquet from S3."""
    from psynth_data.index import open_index
    from psynth_data.layout import Layout
    from psynth_data.storage import open_storage

    con = open_index(open_storage(f"s3://{BUCKET}/{PREFIX}"), Layout(NAME, version))
    try:
        return {"samples": con.execute("SELECT count(*), count(DISTINCT sample_id) FROM samples").fetchone(),
                "renders": con.execute("SELECT count(*) FROM renders").fetchone()[0],
                "qc": con.execute("SELECT count(*) FROM qc").fetchone()[0]}
    finally:
        con.close()


def _version(objects) -> str:
    return next(k.split("/")[3] for k in objects if k.startswith(f"{PREFIX}/{NAME}/"))


def _check_runs_succeed(materialized):
    assert all(r.success for r in materialized["runs"])
    checks = [e for r in materialized["runs"] for e in r.get_asset_check_evaluations()]
    guards = [e for e in checks if e.check_name in ("tars_match_manifests", "qc_tables_complete")]
    assert {(e.check_name, e.partition) for e in guards} == {
        (name, key) for name in ("tars_match_manifests", "qc_tables_complete") for key in ("000000", "000001")}
    assert all(e.passed for e in guards)  # every shard on S3 matches its manifest
    assert materialized["uploads"] == []  # no unfinished multipart upload left


def _check_keys_follow_the_data_contract_under_the_prefix(materialized):
    version = materialized["version"]
    base = f"{PREFIX}/{NAME}/{version}"
    keys = {k for k in materialized["objects"] if k.startswith(base + "/") and "/_" not in k[len(base):]}
    expected = {f"{base}/index.duckdb"}
    for shard in (0, 1):
        expected |= {f"{base}/samples/shard={shard:06d}.parquet", f"{base}/renders/{NAME}-{shard:06d}.tar",
                     f"{base}/qc/shard={shard:06d}.parquet", f"{base}/manifests/shard={shard:06d}.json"}
    assert expected <= keys
    assert all(k.startswith(f"{PREFIX}/{NAME}/{version}/") for k in materialized["objects"])
    for shard in (0, 1):
        body = materialized["objects"][f"{base}/renders/{NAME}-{shard:06d}.tar"]["body"]
        with tarfile.open(fileobj=io.BytesIO(body)) as tar:
            names = tar.getnames()
        assert names == [f"{sid:09d}.{ext}" for sid in (2 * shard, 2 * shard + 1) for ext in ("png", "txt", "json")]
        manifest = json.loads(materialized["objects"][f"{base}/manifests/shard={shard:06d}.json"]["body"])
        for entry in manifest["objects"]:
            stored = materialized["objects"][f"{PREFIX}/{entry['key']}"]["body"]
            assert hashlib.sha256(stored).hexdigest() == entry["sha256"] and len(stored) == entry["size"]


def _check_every_object_is_tagged_with_sha256_metadata(materialized):
    version = materialized["version"]
    kinds = {"samples": "samples", "renders": "renders", "qc": "qc", "manifests": "manifests"}
    for key, obj in materialized["objects"].items():
        if not key.startswith(f"{PREFIX}/{NAME}/"):
            continue
        rel = key.split("/", 4)[4]
        folder = rel.split("/")[0]
        assert obj["metadata"]["sha256"] == hashlib.sha256(obj["body"]).hexdigest(), key
        assert obj["tags"]["dataset"] == NAME and obj["tags"]["version_id"] == version, key
        if folder in kinds:
            shard = rel.split("=")[-1].split(".")[0] if "=" in rel else rel.rsplit("-", 1)[1].split(".")[0]
            assert obj["tags"]["kind"] == kinds[folder] and obj["tags"]["shard"] == shard, key
            assert obj["metadata"]["samples"] == "2", key
        if rel == "index.duckdb":
            assert obj["tags"]["kind"] == "index"


def _check_index_reads_parquet_from_s3(materialized):
    import duckdb

    index_meta = next(e.event_specific_data.materialization.metadata
                      for e in materialized["runs"][2].get_asset_materialization_events()
                      if e.event_specific_data.materialization.asset_key == dg.AssetKey([NAME, "index"]))
    assert index_meta["samples"].value == 4 and index_meta["shards_indexed"].value == 2
    db = materialized["base"] / "index.duckdb"
    db.write_bytes(materialized["objects"][f"{PREFIX}/{NAME}/{materialized['version']}/index.duckdb"]["body"])
    con = duckdb.connect(str(db), read_only=True)
    try:  # the views name s3:// files: plain DuckDB without the S3 secret cannot read them
        sql = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'samples'").fetchone()[0]
    finally:
        con.close()
    assert f"s3://{BUCKET}/{PREFIX}/{NAME}/" in sql
    assert materialized["index_counts"] == {"samples": (4, 4), "renders": 12, "qc": 4}


def _check_psynth_audit_reads_s3(materialized):
    audit = materialized["audit"]
    assert audit.returncode == 0, audit.stderr
    report = json.loads(audit.stdout)  # the latest version found by listing s3://.../tinyd
    assert (report["dataset"], report["version_id"], report["samples"]) == (NAME, materialized["version"], 4)
    assert {a["axis"] for a in report["axes"]} >= {"geometry.shape", "material"}


def _check_no_credentials_in_logs_metadata_or_ui(materialized):
    for key, obj in materialized["objects"].items():
        text = json.dumps({"key": key, "metadata": obj["metadata"], "tags": obj["tags"]})
        assert SECRET_KEY not in text and ACCESS_KEY not in text
        if not key.endswith((".tar", ".parquet", ".png")):
            assert SECRET_KEY.encode() not in obj["body"] and ACCESS_KEY.encode() not in obj["body"], key
    for event in materialized["events"]:
        assert SECRET_KEY not in event and ACCESS_KEY not in event
    for path, data in materialized["instance_files"].items():  # run storage, event logs, compute logs
        assert SECRET_KEY.encode() not in data and ACCESS_KEY.encode() not in data, path
    assert SECRET_KEY not in materialized["audit"].stdout + materialized["audit"].stderr


def test_two_partitions_through_dagster_on_s3(tmp_path):
    """One test (the materialization is the expensive part; xdist would repeat a module fixture)."""
    materialized = materialize(tmp_path)
    _check_runs_succeed(materialized)
    _check_keys_follow_the_data_contract_under_the_prefix(materialized)
    _check_every_object_is_tagged_with_sha256_metadata(materialized)
    _check_index_reads_parquet_from_s3(materialized)
    _check_psynth_audit_reads_s3(materialized)
    _check_no_credentials_in_logs_metadata_or_ui(materialized)

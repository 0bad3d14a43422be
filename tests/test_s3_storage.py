"""The S3 store against a real S3 server (SeaweedFS on loopback): objects, keys, tags, metadata,
multipart uploads with verified checksums, manifests, DuckDB over S3, and the one-line errors."""

import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import tarfile

import duckdb
import polars as pl
import pytest

from psynth_data.duckdb_s3 import attach_storage, httpfs_path
from psynth_data.layout import Layout
from psynth_data.manifest import Counts, is_complete, write_manifest
from psynth_data.s3 import (S3AccessError, S3BucketError, S3MissingObject, S3Settings, S3Storage, S3TransferError,
                            S3UnreachableError)
from psynth_data.storage import StorageError, open_storage
from tests.dagster_fixtures import REPO
from tests.s3_server import SECRET_KEY, SeaweedS3, free_ports

BUCKET = "psynth-store"
LAYOUT = Layout("chairs", "v0001")
MIB = 1 << 20


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with SeaweedS3(tmp_path_factory.mktemp("s3")) as srv:
        srv.create_bucket(BUCKET)
        yield srv


@pytest.fixture
def s3_env(server, monkeypatch):
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "PSYNTH_S3_PART_MB", "PSYNTH_S3_MULTIPART_MB"):
        monkeypatch.delenv(name, raising=False)
    return server


def _tar(n: int, first: int = 0) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for sid in range(first, first + n):
            for ext, data in (("png", os.urandom(1000)), ("txt", b"a caption"), ("json", b"{}")):
                info = tarfile.TarInfo(f"{sid:09d}.{ext}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _parquet(n: int) -> bytes:
    buffer = io.BytesIO()
    pl.DataFrame({"sample_id": list(range(n)), "shard": [0] * n}).write_parquet(buffer)
    return buffer.getvalue()


def _tags(server, key: str) -> dict[str, str]:
    got = server.client().get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"]
    return {t["Key"]: t["Value"] for t in got}


def test_objects_keys_tags_and_metadata(s3_env):
    store = open_storage(f"s3://{BUCKET}/team/datasets")
    assert isinstance(store, S3Storage) and store.root == f"s3://{BUCKET}/team/datasets"
    tar, table = _tar(5, first=10), _parquet(5)
    store.put_bytes(LAYOUT.samples_key(2), table)
    store.put_bytes(LAYOUT.render_key(2), tar)
    manifest = write_manifest(store, LAYOUT, 2, [LAYOUT.samples_key(2), LAYOUT.render_key(2)],
                              counts=Counts(samples=5, rendered=5, failed=0))
    listed = store.list("chairs")
    assert listed == sorted([LAYOUT.samples_key(2), LAYOUT.render_key(2), LAYOUT.manifest_key(2)])
    client = s3_env.client()
    keys = sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix="team/")["Contents"])
    assert keys == [f"team/datasets/chairs/v0001/{rel}" for rel in
                    ("manifests/shard=000002.json", "renders/chairs-000002.tar", "samples/shard=000002.parquet")]
    full = "team/datasets/chairs/v0001/renders/chairs-000002.tar"
    assert _tags(s3_env, full) == {"dataset": "chairs", "version_id": "v0001", "shard": "000002", "kind": "renders"}
    head = client.head_object(Bucket=BUCKET, Key=full)
    assert head["Metadata"] == {"sha256": hashlib.sha256(tar).hexdigest(), "samples": "5"}
    assert head["ContentType"] == "application/x-tar"
    samples_head = client.head_object(Bucket=BUCKET, Key="team/datasets/chairs/v0001/samples/shard=000002.parquet")
    assert samples_head["Metadata"]["samples"] == "5"
    manifest_key = "team/datasets/chairs/v0001/manifests/shard=000002.json"
    assert _tags(s3_env, manifest_key)["kind"] == "manifests"
    assert client.head_object(Bucket=BUCKET, Key=manifest_key)["Metadata"]["samples"] == "5"
    assert store.get(LAYOUT.render_key(2)) == tar
    assert store.sha256(LAYOUT.render_key(2)) == hashlib.sha256(tar).hexdigest()
    assert {o.key: o.sha256 for o in manifest.objects}[LAYOUT.render_key(2)] == hashlib.sha256(tar).hexdigest()
    assert is_complete(store, LAYOUT, 2)
    store.put_bytes(LAYOUT.render_key(2), _tar(4, first=10))  # another tar under the same key
    assert not is_complete(store, LAYOUT, 2)


def test_missing_objects_say_which(s3_env, tmp_path):
    store = open_storage(f"s3://{BUCKET}/team/missing")
    assert not store.exists("nope/a.parquet")
    for read in (lambda: store.get("nope/a.parquet"), lambda: store.size("nope/a.parquet"),
                 lambda: store.get_file("nope/a.parquet", tmp_path / "a.parquet")):
        with pytest.raises(S3MissingObject, match=f"no object nope/a.parquet in s3://{BUCKET}/team/missing"):
            read()
    assert list(tmp_path.iterdir()) == []  # no partial download left behind


def test_multipart_upload_verifies_parts_and_leaves_nothing_behind(s3_env, tmp_path, monkeypatch):
    monkeypatch.setenv("PSYNTH_S3_MULTIPART_MB", "1")
    monkeypatch.setenv("PSYNTH_S3_PART_MB", "5")
    store = open_storage(f"s3://{BUCKET}/mp")
    big = tmp_path / "big.tar"
    big.write_bytes(os.urandom(12 * MIB + 12345))  # 3 parts: 5 + 5 + 2 MiB
    want = hashlib.sha256(big.read_bytes()).hexdigest()
    key = LAYOUT.render_key(7)
    store.put_file(key, big, move=True)
    assert not big.exists()  # moved: the local file is gone only after a verified upload
    client = s3_env.client()
    head = client.head_object(Bucket=BUCKET, Key=f"mp/{key}", ChecksumMode="ENABLED")
    assert head["ContentLength"] == 12 * MIB + 12345
    assert head["ChecksumSHA256"].endswith("-3")  # composite of 3 SHA256-checked parts
    assert head["Metadata"]["sha256"] == want and store.sha256(key) == want
    out = tmp_path / "back.tar"
    store.get_file(key, out)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == want
    assert client.list_multipart_uploads(Bucket=BUCKET, Prefix="mp/").get("Uploads", []) == []


def test_server_rejects_a_wrong_checksum(s3_env, monkeypatch):
    monkeypatch.setenv("PSYNTH_S3_UPLOAD_ATTEMPTS", "1")
    store = open_storage(f"s3://{BUCKET}/bad")
    wrong = hashlib.sha256(b"other bytes").hexdigest()
    from psynth_data.s3 import _BytesSource

    with pytest.raises(S3TransferError, match="BadDigest"):
        store._put(LAYOUT.render_key(0), 5, wrong, {"sha256": wrong}, _BytesSource(b"bytes"))
    assert not store.exists(LAYOUT.render_key(0))


def test_duckdb_reads_parquet_from_s3(s3_env, tmp_path):
    store = open_storage(f"s3://{BUCKET}/duck")
    store.put_bytes(LAYOUT.samples_key(0), _parquet(30))
    db = tmp_path / "x.duckdb"
    con = duckdb.connect(str(db))
    try:
        attach_storage(con, store)
        con.execute(f"CREATE VIEW samples AS SELECT * FROM read_parquet('{store.url(LAYOUT.samples_key(0))}')")
        assert con.execute("SELECT count(*), sum(sample_id) FROM samples").fetchone() == (30, sum(range(30)))
        assert con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchone()[0] is False
        con.execute("CHECKPOINT")
    finally:
        con.close()
    assert SECRET_KEY.encode() not in db.read_bytes()  # the secret is temporary, never stored
    assert httpfs_path().endswith(f"v{duckdb.__version__}/httpfs.duckdb_extension")


def _clear(message: str, *must: str) -> None:
    assert "\n" not in message and "Traceback" not in message, message
    assert SECRET_KEY not in message
    for word in must:
        assert word in message, (word, message)


def test_user_errors_are_one_clear_line(s3_env, monkeypatch):
    endpoint = s3_env.endpoint
    with pytest.raises(S3BucketError) as missing:
        open_storage("s3://no-such-bucket/x").exists("a/b/c")
    _clear(str(missing.value), "no-such-bucket", endpoint, "does not exist")

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with pytest.raises(S3AccessError) as wrong_secret:
        open_storage(f"s3://{BUCKET}/x").put_bytes("a/b/c", b"x")
    _clear(str(wrong_secret.value), BUCKET, endpoint, "AWS_SECRET_ACCESS_KEY")

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "NOSUCHKEY")
    with pytest.raises(S3AccessError) as wrong_key:
        open_storage(f"s3://{BUCKET}/x").list()
    _clear(str(wrong_key.value), BUCKET, endpoint, "AWS_ACCESS_KEY_ID")

    (dead,) = free_ports(1)
    store = S3Storage(f"s3://{BUCKET}/x", S3Settings(endpoint_url=f"http://127.0.0.1:{dead}", max_attempts=2))
    with pytest.raises(S3UnreachableError) as unreachable:
        store.get("a/b/c")
    _clear(str(unreachable.value), BUCKET, f"127.0.0.1:{dead}", "AWS_ENDPOINT_URL")


@pytest.mark.parametrize("case", ["bucket", "secret", "endpoint"])
def test_cli_prints_one_line_without_traceback(s3_env, tmp_path, case):
    spec = tmp_path / "tiny.psynth"
    from tests.dagster_fixtures import TINY_SPEC

    spec.write_text(TINY_SPEC)
    env = {**os.environ, **s3_env.env(), "PSYNTH_S3_MAX_ATTEMPTS": "2"}
    root = f"s3://{BUCKET}/cli"
    if case == "bucket":
        root = "s3://absent-bucket/cli"
    elif case == "secret":
        env["AWS_SECRET_ACCESS_KEY"] = "wrong-" + SECRET_KEY[::-1]
    else:
        env["AWS_ENDPOINT_URL_S3"] = f"http://127.0.0.1:{free_ports(1)[0]}"
    done = subprocess.run([sys.executable, "-m", "psynth_cli.main", "render", str(spec), "--shard", "0",
                           "--root", root, "--quiet"], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    _clear(lines[0], "absent-bucket" if case == "bucket" else BUCKET)
    assert env["AWS_SECRET_ACCESS_KEY"] not in done.stderr + done.stdout


def test_logs_hold_no_credentials(s3_env, caplog, monkeypatch):
    monkeypatch.setenv("PSYNTH_S3_UPLOAD_ATTEMPTS", "2")
    caplog.set_level(logging.DEBUG)  # botocore's own debug logging included
    store = open_storage(f"s3://{BUCKET}/logs")
    store.put_bytes(LAYOUT.manifest_key(0), json.dumps({"counts": {"samples": 1}}).encode())
    store.get(LAYOUT.manifest_key(0))
    assert caplog.records and SECRET_KEY not in caplog.text
    assert SECRET_KEY not in repr(store)


def test_dagster_resource_opens_s3_through_dagster_aws(s3_env, monkeypatch):
    from dagster_project.resources import PsynthStorage

    monkeypatch.setenv("PSYNTH_S3_MAX_ATTEMPTS", "4")
    store = PsynthStorage(root=f"s3://{BUCKET}/dagster").open()
    assert isinstance(store, S3Storage) and store.root == f"s3://{BUCKET}/dagster"
    retries = store.client.meta.config.retries  # from S3Resource(max_attempts=4): standard mode
    assert retries["mode"] == "standard" and retries["total_max_attempts"] >= 4
    store.put_bytes(LAYOUT.samples_key(3), _parquet(3))
    assert open_storage(f"s3://{BUCKET}/dagster").get(LAYOUT.samples_key(3)) == _parquet(3)
    tags = _tags(s3_env, f"dagster/{LAYOUT.samples_key(3)}")
    assert tags == {"dataset": "chairs", "version_id": "v0001", "shard": "000003", "kind": "samples"}

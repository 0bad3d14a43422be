"""Local storage, the data-contract layout and shard manifests."""

import hashlib
import json
import os

import pytest

from psynth_data.layout import Layout
from psynth_data.manifest import Counts, FailedSample, is_complete, read_manifest, write_manifest
from psynth_data.storage import LocalStorage, StorageError, open_storage

LAYOUT = Layout(dataset="kitchen", version_id="v1-abc")


def test_layout_keys_follow_the_data_contract():
    assert LAYOUT.samples_key(3) == "kitchen/v1-abc/samples/shard=000003.parquet"
    assert LAYOUT.render_key(3) == "kitchen/v1-abc/renders/kitchen-000003.tar"
    assert LAYOUT.qc_key(12) == "kitchen/v1-abc/qc/shard=000012.parquet"
    assert LAYOUT.manifest_key(0) == "kitchen/v1-abc/manifests/shard=000000.json"
    assert LAYOUT.index_key == "kitchen/v1-abc/index.duckdb"
    assert LAYOUT.log_key(3) == "kitchen/v1-abc/logs/shard=000003.log"


def test_put_get_list_sha_size(tmp_path):
    store = LocalStorage(tmp_path)
    store.put_bytes("a/b/c.bin", b"hello")
    src = tmp_path / "src.txt"
    src.write_bytes(b"world!")
    store.put_file("a/d.txt", src)
    assert store.get("a/b/c.bin") == b"hello"
    assert store.exists("a/d.txt") and not store.exists("a/nope")
    assert store.size("a/d.txt") == 6
    assert store.sha256("a/b/c.bin") == hashlib.sha256(b"hello").hexdigest()
    assert store.list("a") == ["a/b/c.bin", "a/d.txt"]
    assert src.exists()  # put_file copies unless told to move
    store.put_file("a/e.txt", src, move=True)
    assert not src.exists() and store.get("a/e.txt") == b"world!"
    out = tmp_path / "copy"
    store.get_file("a/e.txt", out)
    assert out.read_bytes() == b"world!"
    store.delete("a/e.txt")
    store.delete("a/e.txt")  # absent: no error
    assert not store.exists("a/e.txt")


def test_overwrite_is_atomic_and_leaves_no_temp_files(tmp_path):
    store = LocalStorage(tmp_path)
    store.put_bytes("k/x", b"1" * 1000)
    store.put_bytes("k/x", b"2")
    assert store.get("k/x") == b"2"
    assert sorted(p.name for p in (tmp_path / "k").iterdir()) == ["x"]


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", "./a"])
def test_bad_keys_are_refused(tmp_path, key):
    with pytest.raises(StorageError):
        LocalStorage(tmp_path).put_bytes(key, b"")


def test_missing_objects_raise_storage_errors(tmp_path):
    store = LocalStorage(tmp_path)
    for call in (lambda: store.get("x"), lambda: store.size("x"), lambda: store.sha256("x")):
        with pytest.raises(StorageError):
            call()


def test_open_storage_defaults_to_env_then_data(tmp_path, monkeypatch):
    monkeypatch.setenv("PSYNTH_DATA_ROOT", str(tmp_path))
    assert open_storage().root == str(tmp_path.resolve())
    monkeypatch.delenv("PSYNTH_DATA_ROOT")
    monkeypatch.chdir(tmp_path)
    assert open_storage().root == str((tmp_path / "data").resolve())
    s3 = open_storage("s3://bucket/prefix/")  # the S3 store (no request until it is used)
    assert type(s3).__name__ == "S3Storage" and s3.root == "s3://bucket/prefix"
    with pytest.raises(StorageError, match="bucket name"):
        open_storage("s3://Bad_Bucket/prefix")


def _shard(store):
    store.put_bytes(LAYOUT.samples_key(0), b"parquet bytes")
    store.put_bytes(LAYOUT.render_key(0), b"tar bytes")
    return [LAYOUT.samples_key(0), LAYOUT.render_key(0)]


def test_manifest_lists_objects_and_completes_the_shard(tmp_path):
    store = LocalStorage(tmp_path)
    keys = _shard(store)
    assert not is_complete(store, LAYOUT, 0)
    manifest = write_manifest(
        store, LAYOUT, 0, keys,
        counts=Counts(samples=3, rendered=2, failed=1),
        failed=[FailedSample(sample_id=2, attempts=2, error="boom")],
        timings={"render_seconds_total": 1.5},
    )
    assert is_complete(store, LAYOUT, 0)
    data = json.loads(store.get(LAYOUT.manifest_key(0)))
    assert {o["key"]: o["size"] for o in data["objects"]} == {keys[0]: 13, keys[1]: 9}
    sha = {o["key"]: o["sha256"] for o in data["objects"]}
    assert sha[keys[0]] == hashlib.sha256(b"parquet bytes").hexdigest()
    assert data["counts"] == {"samples": 3, "rendered": 2, "failed": 1}
    assert data["failed"][0]["error"] == "boom"
    assert "python" in data["software"]
    assert read_manifest(store, LAYOUT, 0) == manifest


def test_a_changed_or_missing_object_makes_the_shard_incomplete(tmp_path):
    store = LocalStorage(tmp_path)
    keys = _shard(store)
    write_manifest(store, LAYOUT, 0, keys, counts=Counts(samples=1, rendered=1, failed=0))
    store.put_bytes(LAYOUT.render_key(0), b"tar bytez")  # same size, other bytes
    assert not is_complete(store, LAYOUT, 0)
    store.put_bytes(LAYOUT.render_key(0), b"tar bytes")
    assert is_complete(store, LAYOUT, 0)
    store.delete(LAYOUT.samples_key(0))
    assert not is_complete(store, LAYOUT, 0)
    store.put_bytes(LAYOUT.manifest_key(0), b"{not json")
    assert not is_complete(store, LAYOUT, 0) and read_manifest(store, LAYOUT, 0) is None


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_written_objects_honour_the_umask(tmp_path, umask):
    """put_bytes and put_file (mkstemp underneath) give the mode a plain open() gives: not 0600."""
    from psynth_data.storage import new_file_mode

    old = os.umask(umask)
    new_file_mode.cache_clear()
    try:
        store = LocalStorage(tmp_path / "root")
        store.put_bytes("qc/shard=0.parquet", b"x")
        source = tmp_path / "local.bin"
        source.write_bytes(b"y")
        store.put_file("manifests/shard=0.json", source)
        plain = tmp_path / "plain"
        plain.write_bytes(b"z")
        want = plain.stat().st_mode & 0o777
        assert want == 0o666 & ~umask
        for key in ("qc/shard=0.parquet", "manifests/shard=0.json"):
            assert store.path(key).stat().st_mode & 0o777 == want, key
    finally:
        os.umask(old)
        new_file_mode.cache_clear()

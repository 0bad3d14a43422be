"""Tags and metadata an S3 object gets from its key and bytes (no server needed)."""

import io
import json
import tarfile

import polars as pl

from psynth_data.layout import Layout
from psynth_data.object_labels import object_metadata, object_tags, sample_count
from psynth_data.s3_config import S3Settings, parse_root

LAYOUT = Layout("chairs", "3f2a9c1e")


def test_tags_name_dataset_version_shard_and_kind():
    assert object_tags(LAYOUT.render_key(12)) == {"dataset": "chairs", "version_id": "3f2a9c1e",
                                                  "shard": "000012", "kind": "renders"}
    assert object_tags(LAYOUT.samples_key(3))["kind"] == "samples"
    assert object_tags(LAYOUT.qc_key(3)) == {"dataset": "chairs", "version_id": "3f2a9c1e", "shard": "000003",
                                             "kind": "qc"}
    assert object_tags(LAYOUT.manifest_key(0))["kind"] == "manifests"
    assert object_tags(LAYOUT.index_key) == {"dataset": "chairs", "version_id": "3f2a9c1e", "kind": "index"}
    assert object_tags("loose.bin") == {}


def test_sample_counts_from_bytes():
    table = io.BytesIO()
    pl.DataFrame({"sample_id": [5, 6, 7]}).write_parquet(table)
    assert sample_count(LAYOUT.samples_key(1), table.getvalue()) == 3
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w") as t:
        for name in ("000000005.png", "000000005.txt", "000000006.png"):
            info = tarfile.TarInfo(name)
            t.addfile(info, io.BytesIO(b""))
    assert sample_count(LAYOUT.render_key(1), tar.getvalue()) == 2
    manifest = json.dumps({"counts": {"samples": 1000, "rendered": 998, "failed": 2}}).encode()
    assert object_metadata(LAYOUT.manifest_key(1), "ab" * 32, manifest) == {"sha256": "ab" * 32, "samples": "1000"}
    assert object_metadata(LAYOUT.render_key(1), "cd" * 32, b"not a tar") == {"sha256": "cd" * 32}


def test_settings_and_roots_from_the_environment():
    env = {"AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_S3": "http://s3:9000", "AWS_REGION": "eu-west-3",
           "PSYNTH_S3_PART_MB": "1", "PSYNTH_S3_MAX_ATTEMPTS": "3"}
    s = S3Settings.from_env(env)
    assert (s.endpoint_url, s.region, s.max_attempts) == ("http://s3:9000", "eu-west-3", 3)
    assert s.part_size == 5 << 20  # S3's minimum part size
    assert S3Settings.from_env({"AWS_DEFAULT_REGION": "us-west-2"}).endpoint_name == "AWS S3 (us-west-2)"
    assert parse_root("s3://bucket-1/a/b/") == ("bucket-1", "a/b")
    assert parse_root("s3://bucket-1") == ("bucket-1", "")

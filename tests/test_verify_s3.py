"""`psynth verify` on S3 (issue 19, item 4): the same per-shard findings as on a local disk,
through the storage layer, against a real S3 server (SeaweedFS on loopback)."""

import json

from psynth_cli.main import main
from psynth_data.manifest import Counts, write_manifest
from psynth_data.storage import open_storage
from psynth_data.verify import verify_dataset
from tests.test_s3_storage import BUCKET, LAYOUT, _parquet, _tar, s3_env, server  # noqa: F401 (fixtures)



def test_verify_reports_changed_and_missing_objects_by_shard_on_s3(s3_env, capsys):  # noqa: F811
    root = f"s3://{BUCKET}/verify"
    store = open_storage(root)
    for shard in range(3):
        keys = [LAYOUT.samples_key(shard), LAYOUT.render_key(shard)]
        store.put_bytes(keys[0], _parquet(4))
        store.put_bytes(keys[1], _tar(4, first=4 * shard))
        write_manifest(store, LAYOUT, shard, keys, counts=Counts(samples=4, rendered=4, failed=0))
    client = s3_env.client()
    tar_key = store.full_key(LAYOUT.render_key(0))
    data = bytearray(client.get_object(Bucket=BUCKET, Key=tar_key)["Body"].read())
    data[100] ^= 0xFF
    client.put_object(Bucket=BUCKET, Key=tar_key, Body=bytes(data))  # changed behind psynth's back
    client.delete_object(Bucket=BUCKET, Key=store.full_key(LAYOUT.samples_key(1)))

    checks = {c.shard: c for c in verify_dataset(store, LAYOUT, threads=4)}
    assert [(p.key, p.kind) for p in checks[0].problems] == [(LAYOUT.render_key(0), "sha256")]
    assert [(p.key, p.kind) for p in checks[1].problems] == [(LAYOUT.samples_key(1), "missing")]
    assert checks[2].ok

    assert main(["verify", f"{root}/{LAYOUT.prefix}", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["shards"] == 3 and report["objects"] == 6 and set(report["bad_shards"]) == {"0", "1"}

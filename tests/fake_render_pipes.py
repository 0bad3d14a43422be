"""A no-bpy stand-in for dagster_project/pipes_render.py (benchmarks, wiring tests).

Speaks Pipes exactly like the real program and writes valid shards (a 32x32 PNG, caption and
json per sample, tar, manifest last) in milliseconds, so a run's time is Dagster's overhead.
`PSYNTH_FAKE_RENDER_CORRUPT=1` appends a byte to each tar after its manifest (a bad shard).
"""

import os

import io
import json
import sys
import tarfile

from dagster_pipes import open_dagster_pipes

from psynth_data.layout import Layout
from psynth_data.manifest import Counts, is_complete, write_manifest
from psynth_data.partition_report import summarize_partition
from psynth_data.storage import Storage, open_storage
from psynth_spec.spec import Spec


def png_bytes(value: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 32), (value % 256, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def fake_render_shard(storage: Storage, layout: Layout, spec: Spec, shard: int) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for sid in spec.shard_range(shard):
            members = {"png": png_bytes(sid * 37), "txt": f"sample {sid}".encode(),
                       "json": json.dumps({"sample_id": sid, "render": {"seconds": 0.001}}).encode()}
            for ext, data in members.items():
                info = tarfile.TarInfo(f"{sid:09d}.{ext}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    storage.put_bytes(layout.render_key(shard), buffer.getvalue())
    n = len(spec.shard_range(shard))
    keys = [k for k in layout.data_keys(shard) if storage.exists(k)]
    write_manifest(storage, layout, shard, keys, counts=Counts(samples=n, rendered=n, failed=0),
                   extra={"members": 3 * n, "device": "fake"})
    if os.environ.get("PSYNTH_FAKE_RENDER_CORRUPT"):
        storage.put_bytes(layout.render_key(shard), buffer.getvalue() + b"\0")


def main() -> int:
    with open_dagster_pipes() as pipes:
        spec = Spec.model_validate(pipes.get_extra("spec"))
        storage, layout = open_storage(pipes.get_extra("root")), Layout.for_spec(spec)
        shards = [int(s) for s in pipes.get_extra("shards")]
        done = []
        for shard in shards:
            if not is_complete(storage, layout, shard):
                fake_render_shard(storage, layout, spec, shard)
                done.append(shard)
        report = summarize_partition(storage, layout, shards, done)
        pipes.report_asset_materialization(metadata={
            "samples": {"raw_value": report["samples"], "type": "int"},
            "shards_rendered": {"raw_value": len(done), "type": "int"},
            "device": {"raw_value": report["device"], "type": "text"},
        })
    return 0


if __name__ == "__main__":
    sys.exit(main())

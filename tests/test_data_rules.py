"""One place per data-contract rule: storage URLs and streams, keys from `Layout`, one samples
writer, one percentile, and a closing summary that is the balance audit's."""

import re
from pathlib import Path

import polars as pl
import pytest

from dagster_project.assets import write_samples
from dagster_project.main_job import print_audit
from psynth_data.audit import run_audit
from psynth_data.audit_report import store_audit
from psynth_data.expected import expected_frame
from psynth_data.index import build_index, open_index
from psynth_data.layout import Layout
from psynth_data.storage import LocalStorage, StorageError
from psynth_data.timings import percentile, render_seconds_summary
from psynth_render.shard_inputs import shard_samples
from psynth_spec.compile import compile_text
from psynth_spec.plan import make_plan
from psynth_spec.sampler import sample_shard, samples_parquet_bytes, write_samples_parquet
from tests.audit_fixtures import make_dataset

ROOT = Path(__file__).resolve().parent.parent


class RemoteLike(LocalStorage):
    """A store with no local paths (as S3 is), backed by a folder."""

    def local_path(self, key):
        return None


# ------------------------------------------------------------------ Storage.url / open
def test_url_is_the_local_path_or_root_slash_key(tmp_path):
    local, remote = LocalStorage(tmp_path), RemoteLike(tmp_path)
    assert local.url("d/v/samples/x.parquet") == str(tmp_path.resolve() / "d/v/samples/x.parquet")
    assert remote.url("d/v/samples/x.parquet") == f"{tmp_path.resolve()}/d/v/samples/x.parquet"
    with pytest.raises(StorageError):
        remote.url("../escape")


@pytest.mark.parametrize("store", [LocalStorage, RemoteLike])
def test_open_streams_the_object_or_names_the_missing_key(tmp_path, store):
    storage = store(tmp_path)
    storage.put_bytes("a/b.bin", b"bytes")
    with storage.open("a/b.bin") as f:
        assert f.read() == b"bytes"
    with pytest.raises(StorageError, match="a/missing.bin"):
        storage.open("a/missing.bin")


def test_no_call_site_writes_local_path_or_get_again():
    """`local_path(key) or get(key)` and `{root}/{key}` URLs live in `Storage` only."""
    fallback = re.compile(r"local_path\([^\n]*\) or |is not None else (io\.BytesIO\()?storage\.get\(")
    offenders = []
    for package in ("psynth_spec", "psynth_data", "psynth_render", "psynth_cli", "dagster_project"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            if path.name != "storage.py" and fallback.search(text):
                offenders.append(f"{path.name}: local_path or get")
            if "layout.prefix}/" in text or "storage.root.rstrip" in text:
                offenders.append(f"{path.name}: a hand-built key or URL")
    assert offenders == []


# ------------------------------------------------------------------ Layout
def test_layout_builds_every_key_under_the_version_prefix():
    layout = Layout("d", "v1")
    keys = [layout.samples_key(3), layout.render_key(3), layout.qc_key(3), layout.manifest_key(3),
            layout.log_key(3), layout.work_key(3), layout.index_key, layout.members_key(3),
            layout.audit_key("report.json"), layout.contact_sheet_key("0-9")]
    assert all(k.startswith("d/v1/") for k in keys) and len(set(keys)) == len(keys)
    assert layout.manifest_key(3).startswith(layout.manifests_prefix)
    assert layout.members_key(3) == "d/v1/_index/renders/shard=000003.parquet"
    assert layout.contact_sheet_key("0-9") == "d/v1/contact_sheets/partition=0-9.png"


# ------------------------------------------------------------------ one samples writer
SPEC = "dataset w { samples 50 shard_size 20 seed 4 material ~ one_of [metal.gold, glass.clear] }"


def test_every_samples_writer_stores_the_same_bytes(tmp_path):
    spec = compile_text(SPEC)
    layout = Layout.for_spec(spec)
    dagster_store, worker_store = LocalStorage(tmp_path / "a"), LocalStorage(tmp_path / "b")
    assert write_samples(dagster_store, layout, spec, 1) == "written"
    assert write_samples(dagster_store, layout, spec, 1) == "unchanged"
    shard_samples(worker_store, layout, spec, 1)  # the worker samples a shard that has no table
    cli = write_samples_parquet(sample_shard(spec, 1), tmp_path / "cli.parquet")
    stored = dagster_store.get(layout.samples_key(1))
    assert stored == worker_store.get(layout.samples_key(1)) == cli.read_bytes()
    assert stored == samples_parquet_bytes(sample_shard(spec, 1))


def test_the_plan_sizes_samples_with_the_same_writer():
    spec = compile_text(SPEC)
    plan = make_plan(spec)
    item = next(i for i in plan.storage if i.kind == "samples")
    from psynth_spec.sampler import sample_range

    pilot = sample_range(spec, 0, plan.pilot_samples)
    assert item.bytes_per_sample == pytest.approx(len(samples_parquet_bytes(pilot)) / pilot.height)


# ------------------------------------------------------------------ one percentile
def test_render_percentiles_are_nearest_rank_whatever_the_order():
    seconds = [float(s) for s in range(20, 0, -1)]  # 20..1, unsorted
    # the worker's old rule gave p50 10.5 (an interpolated median) and p95 20 (index int(0.95 n))
    assert render_seconds_summary(seconds) == {
        "render_seconds_total": 210.0, "render_seconds_p50": 10.0, "render_seconds_p95": 19.0,
    }
    assert percentile([], 95) == 0.0 and percentile([3.0], 50) == 3.0


# ------------------------------------------------------------------ closing summary = audit
def test_the_closing_summary_prints_the_balance_audit(tmp_path, capsys):
    """`require` reshapes `material`: against the statement's weights (the old summary) gold is
    far off 0.5; against the audit's expected table it is in balance. The summary must agree."""
    spec = compile_text(
        "dataset s { samples 6000 shard_size 2000 seed 5\n"
        "  material ~ one_of [metal.gold, glass.clear]\n"
        "  camera.fstop ~ uniform(1.4, 16)\n"
        "  require camera.fstop > 8 when material == metal.gold\n}\n"
    )
    storage, layout = make_dataset(tmp_path, spec)
    build_index(storage, layout, spec=spec, expected=expected_frame(spec, pilot_samples=50_000))
    con = open_index(storage, layout)
    try:
        report = run_audit(con)
    finally:
        con.close()
    store_audit(storage, layout, report)
    gold = pl.read_parquet(storage.open(layout.samples_key(0)))["material"].eq("metal.gold").mean()
    assert abs(gold - 0.5) > 0.1  # the statement's weights are not what the dataset holds
    print_audit(spec, str(tmp_path))
    out = capsys.readouterr().out
    material = next(a for a in report["axes"] if a["axis"] == "material")
    line = next(l for l in out.splitlines() if l.strip().startswith("material "))
    assert f"{material['tvd']:.3f}" in line and material["verdict"] in line
    assert material["tvd"] < 0.05 and f"balance audit: {report['verdict']}" in out
    assert re.search(r"camera_fstop\s+\w+\s+KS vs spec", out)

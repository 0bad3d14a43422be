"""`psynth export` without rendering: records of every kind, provenance, seeded wording, one
file per shard, the same output from local and S3 storage and with any number of workers."""

import json
import re

import pytest

from psynth_cli.main import main
from psynth_data.code_diff import apply_unified_diff
from psynth_data.export import ExportOptions, export_dataset
from psynth_data.export_source import shard_samples
from psynth_data.instruct_wording import Wording
from psynth_data.storage import LocalStorage
from psynth_spec.taxonomy import default_taxonomy
from tests.export_fixtures import export_spec, fabricate_dataset


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    spec = export_spec(samples=12, shard_size=4)
    layout = fabricate_dataset(LocalStorage(root), spec)
    return root, spec, layout


def _records(folder, summary):
    return [json.loads(line) for name in summary["files"] for line in (folder / name).read_text().splitlines()]


def test_instruct_records_of_every_kind(dataset, tmp_path):
    root, spec, layout = dataset
    summary = export_dataset(LocalStorage(root), layout, tmp_path, ExportOptions("instruct", workers=1))
    assert summary["samples"] == 12 and summary["shards"] == 3 and len(summary["files"]) == 3
    assert summary["records"] == {"code": 24, "edit": 24, "qa": 48}  # code: caption and caption_dense
    records = _records(tmp_path, summary)
    assert len({r["id"] for r in records}) == len(records)
    storage = LocalStorage(root)
    samples = {s.sample_id: s for shard in range(3) for s in shard_samples(storage, layout, shard)}
    for record in records:
        assert (record["dataset"], record["version_id"]) == (spec.dataset, spec.version_id)
        sample = samples[record["sample_id"]]
        assert record["images"][0] == {"tar": layout.render_key(sample.shard), "member": sample.member_name("png")}
        if record["kind"] == "code":
            assert record["response"] == sample.members["py"].decode()
            column = record["caption_column"]
            assert record["instruction"] == json.loads(sample.members["json"])["captions"][column]
            assert column in ("caption", "caption_dense")
        elif record["kind"] == "edit":
            k = record["variant"]
            after = apply_unified_diff(sample.members["py"].decode(), record["response"])
            assert after == sample.members[f"var{k}.py"].decode()
            kelvin = {1: "3200 K", 2: "6500 K"}[k]
            assert kelvin in record["instruction"] and re.search("copper|coppery|red metal|matte|plastic",
                                                                 record["instruction"])
        else:
            assert record["instruction"].endswith(("?", ".")) and record["response"]


def test_wording_is_seeded_and_varied(dataset, tmp_path):
    root, _spec, layout = dataset
    first = _records(tmp_path / "a", export_dataset(LocalStorage(root), layout, tmp_path / "a",
                                                    ExportOptions("instruct", workers=1)))
    again = _records(tmp_path / "b", export_dataset(LocalStorage(root), layout, tmp_path / "b",
                                                    ExportOptions("instruct", workers=2)))
    other = _records(tmp_path / "c", export_dataset(LocalStorage(root), layout, tmp_path / "c",
                                                    ExportOptions("instruct", seed=9, workers=1)))
    assert first == again  # workers change nothing
    assert [r["instruction"] for r in first] != [r["instruction"] for r in other]
    questions = {r["instruction"] for r in first if r["kind"] == "qa"}
    edits = {r["instruction"] for r in first if r["kind"] == "edit"}
    assert len(questions) > 15 and len(edits) > 12  # not one phrasing repeated


def test_wording_from_taxonomy_labels_and_units():
    wording = Wording(default_taxonomy(), seed=1)
    assert wording.edit_clause(0, 1, "lighting.kelvin", 5600.0, 3200.0, "cup") == "warm the key light to 3200 K"
    assert wording.edit_clause(0, 1, "lighting.kelvin", 3200.0, 6500.0, "cup") == "cool the key light to 6500 K"
    copper = {wording.edit_clause(sid, 1, "material", "metal.gold", "metal.copper", "cup") for sid in range(40)}
    assert any("polished copper" in c for c in copper) and any(c.endswith(" copper") for c in copper)
    assert all(re.search("cop+er|red metal", c) and "cup" in c for c in copper)
    text = wording.instruction(0, 1, ["make the cup polished copper", "warm the key light to 3200 K"])
    assert "make the cup polished copper" in text and "warm the key light to 3200 K" in text and " and " in text
    topic, question, answer = wording.question(5, "material", "metal.copper")
    assert question.endswith(("?", ".")) and ("copper" in answer.lower())


def test_cli_export_both_formats_and_errors(dataset, tmp_path, capsys):
    root, spec, layout = dataset
    assert main(["export", str(root / spec.dataset), "--format", "hf", "--out", str(tmp_path), "--workers", "1",
                 "--shards", "0-1"]) == 0
    assert "8 samples from 2 shards" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "hf").iterdir()) == ["exported-000000.parquet", "exported-000001.parquet"]
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "hf" / "exported-000000.parquet")
    assert table.num_rows == 12 and all(d and "mm lens" in d for d in table.column("caption_dense").to_pylist())
    assert table.column("text").to_pylist()[1] != table.column("text").to_pylist()[0]  # the variant's own caption
    import datasets  # `datasets` reads both shards' files as one image-text split

    files = sorted(str(p) for p in (tmp_path / "hf").glob("*.parquet"))
    loaded = datasets.load_dataset("parquet", data_files=files, split="train", cache_dir=str(tmp_path / "hf-cache"))
    assert loaded.num_rows == 24 and type(loaded.features["image"]).__name__ == "Image"
    assert loaded[0]["image"].size[0] > 0 and loaded[0]["text"] == table.column("text").to_pylist()[0]
    assert main(["export", str(root / spec.dataset), "--format", "instruct", "--out", str(tmp_path),
                 "--shards", "7"]) == 1
    assert "not complete" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "nothing"), "--format", "instruct", "--out", str(tmp_path)]) == 1
    assert "no such dataset" in capsys.readouterr().err


def test_export_streams_from_s3_like_from_a_local_disk(dataset, tmp_path_factory, monkeypatch):
    from psynth_data.s3 import S3Storage
    from tests.s3_server import SeaweedS3

    root, spec, layout = dataset
    local_out = tmp_path_factory.mktemp("local")
    local = export_dataset(LocalStorage(root), layout, local_out, ExportOptions("instruct", workers=1))
    with SeaweedS3(tmp_path_factory.mktemp("s3")) as server:
        server.create_bucket("exports")
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("PSYNTH_WORK_DIR", str(tmp_path_factory.mktemp("work")))
        storage = S3Storage("s3://exports/data")
        fabricate_dataset(storage, spec)
        s3_out = tmp_path_factory.mktemp("s3out")
        summary = main(["export", f"s3://exports/data/{spec.dataset}", "--format", "instruct", "--out", str(s3_out),
                        "--workers", "2"])
        assert summary == 0
    for name in local["files"]:
        assert (s3_out / name).read_bytes() == (local_out / name).read_bytes()
    assert list((tmp_path_factory.getbasetemp()).glob("work*/psynth-export-*")) == []  # temporary tars removed

"""QC in the render worker: the subject mask is rendered for QC even when not asked for (and kept
out of the tar), and the shard's QC table is written before the manifest, which lists it."""

import json

import polars as pl
import pytest

from psynth_data.layout import Layout
from psynth_data.manifest import is_complete
from psynth_data.qc import SCHEMA
from psynth_data.storage import LocalStorage
from psynth_render.qc_probe import qc_passes
from psynth_render.supervisor import run_shard
from tests.worker_specs import tar_members, tiny_spec

pytestmark = pytest.mark.render


def test_qc_passes_adds_the_mask_only_for_images():
    assert qc_passes(tiny_spec(name="a")) == ("segmentation",)
    assert qc_passes(tiny_spec(name="b", passes="depth")) == ("depth", "segmentation")
    assert qc_passes(tiny_spec(name="c", passes="segmentation")) == ("segmentation",)
    assert qc_passes(tiny_spec(name="d", outputs="caption, metadata")) == ()


@pytest.mark.parametrize("engine,passes", [("workbench", ""), ("cycles", "depth")])
def test_worker_writes_qc_before_the_manifest(tmp_path, engine, passes):
    spec = tiny_spec(name=f"qc_{engine}", samples=2, engine=engine, spp=2, passes=passes)
    run_shard(spec, 0, str(tmp_path))
    storage, layout = LocalStorage(tmp_path), Layout.for_spec(spec)
    assert is_complete(storage, layout, 0)
    manifest = json.loads(storage.get(layout.manifest_key(0)))
    assert layout.qc_key(0) in {o["key"] for o in manifest["objects"]}
    qc_file = storage.path(layout.qc_key(0))
    assert qc_file.stat().st_mtime <= storage.path(layout.manifest_key(0)).stat().st_mtime
    names = tar_members(tmp_path, spec)
    assert not any(n.endswith(("seg.png", "inst.png")) for n in names)  # QC's masks are not members
    qc = pl.read_parquet(qc_file)
    assert qc.schema == pl.Schema(SCHEMA)
    assert qc["sample_id"].to_list() == [0, 1]
    coverage = qc["object_coverage"].to_list()
    assert all(c is not None and 0.0 < c < 0.9 for c in coverage), coverage  # the subject is in frame
    assert all(0.0 < m < 1.0 for m in qc["mean_luma"].to_list())
    assert qc["caption_chars"].to_list() == [len(json.loads(names[f"{i:09d}.json"])["captions"]["caption"])
                                             for i in (0, 1)]
    assert all(s is not None and s > 0 for s in qc["render_seconds"].to_list())
    if "depth" in passes:
        assert qc["nan_frac"].to_list() == [0.0, 0.0]
    # the instance ids are always measured: the set fills the frame, the subject is whole
    assert qc["void_frac"].to_list() == [0.0, 0.0]
    assert all(0.02 < c < 0.9 for c in qc["min_element_coverage"].to_list())
    assert qc["subject_border_frac"].to_list() == [0.0, 0.0]
    assert qc["qc_pass"].to_list() == [True, True], qc["qc_reasons"].to_list()
    instances = json.loads(names["000000000.json"])["instances"]
    assert [i["element"] for i in instances] == ["subject", "backdrop"]

"""A shard-level tar member (`__psynth_scene__`, the scene scripts' helper module) is skipped by
every reader that groups members by sample: shard checks, the index's member listing, QC from
the tar, object labels, export; and WebDataset leaves it out of the samples."""

import tarfile

import webdataset as wds

from psynth_data.export_source import shard_samples
from psynth_data.index import tar_members
from psynth_data.members import is_shard_member, member_sample_id
from psynth_data.object_labels import sample_count
from psynth_data.qc import shard_qc
from psynth_data.shard_checks import tar_problem
from psynth_data.storage import LocalStorage
from psynth_render.scene_code import HELPER_MEMBER
from tests.export_fixtures import export_spec, fabricate_dataset


def test_member_names():
    assert is_shard_member("__psynth_scene__") and member_sample_id("__psynth_scene__") is None
    assert member_sample_id("000000042.var1.py") == 42 and not is_shard_member("000000042.py")
    assert not is_shard_member("__psynth_scene__.py")  # WebDataset would take that for a sample


def test_readers_skip_the_helper_member(tmp_path):
    spec = export_spec(samples=4, shard_size=4)
    storage = LocalStorage(tmp_path)
    layout = fabricate_dataset(storage, spec)
    path = tmp_path / layout.render_key(0)
    with tarfile.open(path) as tar:
        assert tar.getnames()[0] == HELPER_MEMBER
    assert tar_problem(storage, layout, spec, 0) is None
    with open(path, "rb") as source:
        frame = tar_members(source)
    assert frame.filter(frame["member"] == HELPER_MEMBER)["sample_id"].to_list() == [None]
    assert set(frame["sample_id"].drop_nulls().to_list()) == {0, 1, 2, 3}
    assert shard_qc(storage, layout, 0, [0, 1, 2, 3])["sample_id"].to_list() == [0, 1, 2, 3]
    assert sample_count(layout.render_key(0), str(path)) == 4
    assert [s.sample_id for s in shard_samples(storage, layout, 0)] == [0, 1, 2, 3]
    keys = [s["__key__"] for s in wds.WebDataset(str(path), shardshuffle=False, empty_check=False)]
    assert keys == [f"{i:09d}" for i in range(4)]

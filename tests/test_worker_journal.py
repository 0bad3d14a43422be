"""The work folder's journal and the tar writer, without Blender."""

import io
import tarfile

import pytest
import webdataset as wds

from psynth_data.members import member_sample_id
from psynth_render.journal import ShardWork
from psynth_render.outputs import member_suffixes
from psynth_render.progress import parse_event
from psynth_render.scene_code import scene_script
from psynth_render.tar_writer import write_shard_tar


def _commit(work: ShardWork, sid: int, members: dict[str, bytes]) -> None:
    staging = work.staging_dir(sid)
    for suffix, data in members.items():
        (staging / f"{sid:09d}.{suffix}").write_bytes(data)
    work.commit(sid, staging)


def test_replay_counts_attempts_and_ignores_a_torn_last_line(tmp_path):
    work = ShardWork(tmp_path / "w")
    work.ensure()
    work.append({"event": "start", "sample_id": 0, "attempt": 1})
    work.append({"event": "done", "sample_id": 0, "seconds": 0.5})
    work.append({"event": "start", "sample_id": 1, "attempt": 1})
    work.append({"event": "error", "sample_id": 1, "error": "boom"})
    work.append({"event": "start", "sample_id": 1, "attempt": 2})
    work.append({"event": "start", "sample_id": 2, "attempt": 1})
    with open(work.journal_path, "a") as f:
        f.write('{"event":"done","sample_id":2,"sec')  # a kill in the middle of a write
    _commit(work, 0, {"png": b"x"})
    journal = work.replay()
    assert journal.state(0).done and journal.state(0).attempts == 1
    assert journal.state(1).attempts == 2 and journal.state(1).last_error == "boom"
    assert not journal.state(1).done and not journal.state(2).done
    assert work.done_ids() == {0}


def test_the_folder_is_the_commit_even_without_a_done_line(tmp_path):
    work = ShardWork(tmp_path / "w")
    work.ensure()
    work.append({"event": "start", "sample_id": 5, "attempt": 1})
    _commit(work, 5, {"txt": b"hi"})  # killed after the rename, before the journal line
    assert work.replay().state(5).done
    stale = work.staging_dir(6)
    (stale / "000000006.png").write_bytes(b"half")
    assert work.done_ids() == {5}  # a staging folder is not a commit
    assert list(work.staging_dir(6).iterdir()) == []  # and a retry starts from an empty one


def test_tar_groups_samples_in_order_with_normalized_headers(tmp_path):
    work = ShardWork(tmp_path / "w")
    work.ensure()
    _commit(work, 7, {"json": b"{}", "png": b"P7", "seg.png": b"S7", "txt": b"seven"})
    _commit(work, 3, {"txt": b"three", "png": b"P3", "f0001.png": b"F1", "f0000.png": b"F0"})
    dest = tmp_path / "out.tar"
    names = write_shard_tar([(7, work.sample_dir(7)), (3, work.sample_dir(3))], dest, {"__helper__": b"H"})
    assert names == [
        "__helper__",  # a shard-level member first (the scene scripts' helper module)
        "000000003.png", "000000003.txt", "000000003.f0000.png", "000000003.f0001.png",
        "000000007.png", "000000007.txt", "000000007.json", "000000007.seg.png",
    ]
    with tarfile.open(dest) as tar:
        assert {(m.mtime, m.uid, m.mode) for m in tar.getmembers()} == {(0, 0, 0o644)}
    samples = list(wds.WebDataset(str(dest), shardshuffle=False, empty_check=False))
    assert [s["__key__"] for s in samples] == ["000000003", "000000007"]  # WebDataset skips __helper__
    assert [member_sample_id(n) for n in names[:2]] == [None, 3]
    assert samples[0]["f0001.png"] == b"F1" and samples[1]["seg.png"] == b"S7"
    again = tmp_path / "again.tar"
    write_shard_tar([(3, work.sample_dir(3)), (7, work.sample_dir(7))], again, {"__helper__": b"H"})
    assert again.read_bytes() == dest.read_bytes()  # same inputs, same bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.tar", "out.tar", "w"]  # no temp left


def test_member_suffixes_follow_outputs_passes_and_video():
    from tests.worker_specs import tiny_spec

    spec = tiny_spec(name="m", samples=1, outputs="caption, video, usd", passes="albedo",
                     video="video { frames 2  fps 24 }")
    assert member_suffixes(spec) == ["txt", "usdc", "albedo.exr", "f0000.png", "f0001.png"]


def test_progress_lines_parse_and_noise_does_not():
    assert parse_event(b'{"event":"done","sample_id":3}') == {"event": "done", "sample_id": 3}
    for noise in (b"Fra:1 Mem:12M", b"[1, 2]", b'{"no_event": 1}', b""):
        assert parse_event(noise) is None


def test_a_shard_member_needs_a_shard_level_name(tmp_path):
    with pytest.raises(ValueError, match="__NAME__"):
        write_shard_tar([], tmp_path / "out.tar", {"000000001.py": b"x"})
    assert not (tmp_path / "out.tar").exists()


def test_scene_script_needs_an_image_name():
    from psynth_render.scene.describe import describe
    from psynth_spec.sampler import sample_shard
    from psynth_spec.taxonomy import default_taxonomy
    from tests.worker_specs import tiny_spec

    spec = tiny_spec(name="s", samples=1)
    desc = describe(sample_shard(spec, 0).to_dicts()[0], spec, default_taxonomy())
    with pytest.raises(ValueError):
        scene_script(desc, {"sample_id": 1})
    code = scene_script(desc.model_dump(mode="json"), {"image_name": "x.png"})  # its JSON data works too
    assert code == scene_script(desc, {"image_name": "x.png"})
    assert io.StringIO(code).readline().startswith('"""')

"""The shard tar: streams with webdataset, holds exactly the members asked for, with real content."""

import json

import numpy as np
import pytest
import webdataset as wds

from psynth_data.layout import Layout
from psynth_data.qc import decode_png
from psynth_data.manifest import is_complete
from psynth_data.storage import LocalStorage
from psynth_render.outputs import member_suffixes
from psynth_render.supervisor import run_shard
from tests.worker_specs import png_array, run_bpy, tar_members, tiny_spec

pytestmark = pytest.mark.render

EXR_MAGIC = b"\x76\x2f\x31\x01"


@pytest.fixture(scope="module")
def full_shard(tmp_path_factory):
    """Every output and every pass, Cycles at 2 spp so all passes come from one render."""
    root = tmp_path_factory.mktemp("full")
    spec = tiny_spec(
        name="full", samples=2, engine="cycles", spp=2,
        outputs="image, caption, metadata, scene_code, usd",
        passes="depth, normal, segmentation, albedo, instances",
    )
    result = run_shard(spec, 0, str(root))
    return root, spec, result


def _stream(root, spec):
    url = str(root / Layout.for_spec(spec).render_key(0))
    return list(wds.WebDataset(url, shardshuffle=False, empty_check=False))


def test_tar_streams_with_webdataset_and_holds_exactly_the_asked_members(full_shard):
    root, spec, result = full_shard
    samples = _stream(root, spec)
    assert [s["__key__"] for s in samples] == ["000000000", "000000001"]
    expected = {"png", "txt", "json", "py", "usdc", "depth.exr", "normal.exr", "normal_camera.exr", "seg.png", "albedo.exr",
                "inst.png"}
    assert set(member_suffixes(spec)) == expected
    for sample in samples:
        assert {k for k in sample if not k.startswith("__")} == expected
    assert is_complete(LocalStorage(root), Layout.for_spec(spec), 0)
    assert result.manifest.counts.rendered == 2


def test_members_have_real_content(full_shard):
    root, spec, _ = full_shard
    members = tar_members(root, spec)
    image = png_array(members["000000000.png"])
    assert image.shape == (32, 32, 3) and image.std() > 1.0
    seg = png_array(members["000000000.seg.png"])[..., 0]
    assert set(np.unique(seg)) <= {0.0, 255.0}
    assert 0.02 < (seg == 255).mean() < 0.9  # the subject covers part of the frame
    for name in ("000000000.depth.exr", "000000000.normal.exr"):
        assert members[name][:4] == EXR_MAGIC
    ids = decode_png(members["000000000.inst.png"])
    assert ids.dtype == np.uint16 and ids.shape == (32, 32)
    instances = json.loads(members["000000000.json"])["instances"]
    by_element = {i["element"]: i for i in instances}
    subject = by_element["subject"]["id"]
    assert ((ids == subject) == (seg == 255)).mean() > 0.97  # the subject's ids are seg.png's mask
    for entry in instances:  # no gas: each coverage is its share of the id image
        assert entry["coverage"] == pytest.approx((ids == entry["id"]).mean(), abs=1e-6)
    assert (ids == 0).mean() == 0.0
    assert members["000000000.albedo.exr"][:4] == EXR_MAGIC  # values: tests/test_albedo_pass.py
    assert members["000000000.usdc"][:8] == b"PXR-USDC"
    caption = members["000000000.txt"].decode()
    assert caption and caption == json.loads(members["000000000.json"])["captions"]["caption"]


def test_metadata_json_holds_axes_captions_camera_and_render(full_shard):
    root, spec, _ = full_shard
    meta = json.loads(tar_members(root, spec)["000000001.json"])
    assert meta["sample_id"] == 1 and meta["shard"] == 0 and isinstance(meta["seed"], int)
    assert set(meta["axes"]) == {c.column for c in spec.columns}  # every registry axis
    assert meta["axes"]["geometry_shape"] in {"primitives.sphere", "primitives.cube", "primitives.torus"}
    assert set(meta["captions"]) == set(spec.caption_columns)
    K = np.array(meta["camera"]["K"])
    assert K.shape == (3, 3) and K[0, 2] == 16 and K[1, 2] == 16 and K[0, 0] > 0
    w2c, c2w = np.array(meta["camera"]["world_to_camera"]), np.array(meta["camera"]["camera_to_world"])
    assert w2c.shape == (4, 4) and np.allclose(w2c @ c2w, np.eye(4), atol=1e-5)
    render = meta["render"]
    assert render["engine"] == "CYCLES" and render["device"] == "CPU" and render["samples"] == 2
    assert render["blender_version"].startswith("5.0") and "seconds" not in render  # timings: QC and manifest
    assert (render["width"], render["height"]) == (32, 32)


def test_depth_pass_is_nearer_on_the_subject_than_on_the_background(full_shard):
    root, spec, _ = full_shard
    members = tar_members(root, spec)
    work = root / "check"
    work.mkdir()
    (work / "d.exr").write_bytes(members["000000000.depth.exr"])
    (work / "s.png").write_bytes(members["000000000.seg.png"])
    out = run_bpy(f"""
import bpy, numpy as np
def load(p):
    img = bpy.data.images.load(p)
    a = np.array(img.pixels[:], dtype=np.float64).reshape(img.size[1], img.size[0], img.channels)
    return a[..., 0]
d, s = load({str(work / 'd.exr')!r}), load({str(work / 's.png')!r})
print(float(np.median(d[s > 0.5])), float(np.median(d[s <= 0.5])))
""")
    subject, rest = map(float, out.split()[-2:])
    assert 0 < subject < rest


@pytest.mark.parametrize("fmt, magic", [("webp", b"WEBP"), ("exr", EXR_MAGIC)])
def test_image_only_outputs_in_each_format(tmp_path, fmt, magic):
    spec = tiny_spec(name=f"only{fmt}", samples=2, outputs="image", fmt=fmt)
    run_shard(spec, 0, str(tmp_path))
    members = tar_members(tmp_path, spec)
    assert list(members) == [f"000000000.{fmt}", f"000000001.{fmt}"]
    assert magic in members[f"000000000.{fmt}"][:16]


def test_video_frames_follow_the_camera_movement(tmp_path):
    spec = tiny_spec(
        name="clip", samples=1, outputs="image, metadata, video",
        axes="camera.movement = dolly_out", video="video { frames 3  fps 12 }",
    )
    run_shard(spec, 0, str(tmp_path))
    members = tar_members(tmp_path, spec)
    assert set(members) == {"000000000.png", "000000000.json"} | {f"000000000.f{i:04d}.png" for i in range(3)}
    frames = json.loads(members["000000000.json"])["frames"]
    assert [f["index"] for f in frames] == [0, 1, 2]
    assert [f["time"] for f in frames] == pytest.approx([0, 1 / 12, 2 / 12])
    positions = [np.array(f["camera_to_world"])[:3, 3] for f in frames]
    # dolly out 60% farther: half way, 30% of the distance (an orbit of a torus in the round
    # studio would look the same from every side)
    assert np.linalg.norm(positions[1] - positions[0]) > 0.5
    first, middle = png_array(members["000000000.f0000.png"]), png_array(members["000000000.f0001.png"])
    assert np.abs(first - middle).mean() > 0.5
    assert all(f["focal_length"] > 0 and np.array(f["K"]).shape == (3, 3) for f in frames)


def test_workbench_samples_get_passes_and_blender_output_goes_to_the_log(tmp_path):
    spec = tiny_spec(name="wbpasses", samples=1, outputs="image", passes="segmentation, depth")
    run_shard(spec, 0, str(tmp_path), keep_work=True)
    members = tar_members(tmp_path, spec)
    assert list(members) == ["000000000.png", "000000000.depth.exr", "000000000.seg.png"]
    seg = png_array(members["000000000.seg.png"])[..., 0]
    assert 0.02 < (seg == 255).mean() < 0.9
    log = (tmp_path / Layout.for_spec(spec).work_key(0) / "worker.log").read_text()
    assert "Saved:" in log  # Blender's own output
    assert "device CPU" in log  # the device choice, said in the log


def test_manifest_timings_and_the_partition_report_use_one_percentile(tmp_path):
    """The manifest (from the worker's journal) and the Dagster metadata (re-read from the tar)
    report the same render-time figures for a shard."""
    from psynth_data.manifest import read_manifest
    from psynth_data.partition_report import summarize_partition

    spec = tiny_spec(name="timed", samples=4)
    run_shard(spec, 0, str(tmp_path))
    storage, layout = LocalStorage(tmp_path), Layout.for_spec(spec)
    timings = read_manifest(storage, layout, 0).timings
    report = summarize_partition(storage, layout, [0], [0])
    keys = ("render_seconds_total", "render_seconds_p50", "render_seconds_p95")
    assert {k: report[k] for k in keys} == {k: timings[k] for k in keys}
    assert report["render_seconds_p50"] > 0

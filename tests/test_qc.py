"""QC metrics and verdicts on crafted images, and the QC table of a crafted tar."""

import io
import json
import tarfile

import numpy as np
import polars as pl
import pytest
from PIL import Image

from psynth_data.layout import Layout
from psynth_data.manifest import Counts, is_complete, read_manifest, write_manifest
from psynth_data.qc import (
    SCHEMA, QcError, QcThresholds, image_metrics, qc_reasons, qc_row, shard_qc, write_shard_qc,
)
from psynth_data.storage import LocalStorage
from psynth_spec.check_qc import QcThresholdError


def _gradient(h=64, w=64) -> np.ndarray:
    ramp = np.linspace(40, 215, w, dtype=np.float64)
    return np.repeat(np.repeat(ramp[None, :, None], h, axis=0), 3, axis=2).round().astype(np.uint8)


def test_black_image_is_blank_and_dark():
    m = image_metrics(np.zeros((32, 32, 3), np.uint8))
    assert m["mean_luma"] == 0.0 and m["std_luma"] == 0.0
    assert m["dark_clip_frac"] == 1.0 and m["bright_clip_frac"] == 0.0
    assert m["object_coverage"] is None and m["nan_frac"] is None
    assert qc_reasons(m) == ["blank", "too_dark"]


def test_white_image_is_blank_and_bright():
    m = image_metrics(np.full((32, 32, 3), 255, np.uint8))
    assert m["mean_luma"] == pytest.approx(1.0)
    assert m["bright_clip_frac"] == 1.0 and m["dark_clip_frac"] == 0.0
    assert qc_reasons(m) == ["blank", "too_bright"]


def test_half_clipped_image_numbers_and_limit():
    img = np.full((10, 20, 3), 128, np.uint8)
    img[:, :10] = 255
    m = image_metrics(img)
    grey = 128 / 255
    assert m["bright_clip_frac"] == 0.5 and m["dark_clip_frac"] == 0.0
    assert m["mean_luma"] == pytest.approx((1 + grey) / 2)
    assert m["std_luma"] == pytest.approx((1 - grey) / 2)
    assert qc_reasons(m) == []  # exactly half clipped is at the limit, not over it
    img[:, :12] = 255  # 60 % clipped
    m = image_metrics(img)
    assert m["bright_clip_frac"] == pytest.approx(0.6)
    assert qc_reasons(m) == ["too_bright"]
    dark = np.full((10, 20, 3), 128, np.uint8)
    dark[:, :15] = 0
    assert image_metrics(dark)["dark_clip_frac"] == pytest.approx(0.75)
    assert qc_reasons(image_metrics(dark)) == ["too_dark"]


def test_luma_uses_rec709_weights():
    red = np.zeros((4, 4, 3), np.uint8)
    red[..., 0] = 255
    assert image_metrics(red)["mean_luma"] == pytest.approx(0.2126)
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 1] = 255
    assert image_metrics(rgba)["mean_luma"] == pytest.approx(0.7152)


def test_tiny_missing_and_filling_subject():
    img = _gradient(100, 100)
    mask = np.zeros((100, 100), np.uint8)
    mask[10:12, 10:12] = 255  # 4 pixels of 10,000
    m = image_metrics(img, mask)
    assert m["object_coverage"] == pytest.approx(0.0004)
    assert qc_reasons(m) == ["subject_too_small"]
    assert qc_reasons(image_metrics(img, np.zeros_like(mask))) == ["subject_missing"]
    mask[20:60, 20:60] = 255
    m = image_metrics(img, mask)
    assert m["object_coverage"] == pytest.approx(0.1604)
    assert qc_reasons(m) == []
    assert qc_reasons(image_metrics(img, np.full_like(mask, 255))) == ["subject_fills_frame", "subject_cropped"]
    with pytest.raises(QcError, match="mask shape"):
        image_metrics(img, mask[:50])


def test_non_finite_float_pass():
    img = _gradient()
    depth = np.ones((64, 64), np.float32)
    depth[0, :8] = np.nan
    depth[1, :8] = np.inf
    normal = np.zeros((64, 64, 3), np.float32)
    m = image_metrics(img, float_passes={"depth": depth, "normal": normal})
    assert m["nan_frac"] == pytest.approx(16 / (64 * 64 * 5))
    assert qc_reasons(m) == ["non_finite_pass"]
    clean = image_metrics(img, float_passes={"depth": np.ones((64, 64), np.float32)})
    assert clean["nan_frac"] == 0.0 and qc_reasons(clean) == []


def test_thresholds_override():
    img = np.full((10, 10, 3), 128, np.uint8)
    img[:4] = 255  # 40 % bright
    m = image_metrics(img)
    assert qc_reasons(m) == []
    strict = QcThresholds.from_mapping({"max_bright_clip": 0.3})
    assert qc_reasons(m, strict) == ["too_bright"]
    with pytest.raises(QcThresholdError, match="max_brite"):
        QcThresholds.from_mapping({"max_brite": 1})


def test_not_rendered_and_no_image():
    assert qc_row(5, 0, None)["qc_reasons"] == ["render_failed"]
    assert qc_row(5, 0, None)["qc_pass"] is False
    assert qc_reasons({"mean_luma": None}) == ["missing_image"]


def _png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def test_shard_qc_from_tar_then_manifest(tmp_path):
    storage = LocalStorage(tmp_path)
    layout = Layout("crafted", "v1")
    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 16:48] = 255
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        _add(tar, "000000010.png", _png(_gradient()))
        _add(tar, "000000010.txt", "a red cube".encode())
        _add(tar, "000000010.json", json.dumps({"render": {"seconds": 0.25}}).encode())
        _add(tar, "000000010.seg.png", _png(mask))
        _add(tar, "000000011.png", _png(np.zeros((64, 64, 3), np.uint8)))
    storage.put_bytes(layout.render_key(0), buf.getvalue())
    write_manifest(storage, layout, 0, [layout.render_key(0)], Counts(samples=3, rendered=2, failed=1))
    frame = shard_qc(storage, layout, 0, [12, 10, 11])
    assert frame.schema == pl.Schema(SCHEMA)
    rows = {r["sample_id"]: r for r in frame.to_dicts()}
    assert frame["sample_id"].to_list() == [10, 11, 12]
    assert rows[10]["qc_pass"] and rows[10]["qc_reasons"] == []
    assert rows[10]["object_coverage"] == pytest.approx(0.25)
    assert rows[10]["render_seconds"] == 0.25 and rows[10]["caption_chars"] == 10
    assert rows[11]["qc_reasons"] == ["blank", "too_dark"] and rows[11]["object_coverage"] is None
    assert rows[12]["qc_reasons"] == ["render_failed"] and rows[12]["mean_luma"] is None
    manifest = write_shard_qc(storage, layout, 0, frame)
    assert layout.qc_key(0) in [o.key for o in manifest.objects]
    assert is_complete(storage, layout, 0)
    assert read_manifest(storage, layout, 0).objects == manifest.objects
    assert pl.read_parquet(storage.path(layout.qc_key(0)))["qc_pass"].to_list() == [True, False, False]


def test_qc_summary_numbers():
    from psynth_data.qc import qc_frame, qc_summary

    img = _gradient()
    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 8:56] = 255  # 37.5% of the frame, clear of the border
    drawn = img.copy()
    drawn[mask > 0] = (200, 40, 40)  # the subject on screen where its mask is
    rows = [
        qc_row(0, 0, image_metrics(drawn, mask)),
        qc_row(1, 0, image_metrics(np.zeros((64, 64, 3), np.uint8), mask)),
        qc_row(2, 0, image_metrics(img)),  # no mask: coverage absent
        qc_row(3, 0, None),
    ]
    s = qc_summary(qc_frame(rows))
    assert (s["rows"], s["failed"], s["rendered"], s["blank"], s["coverage_present"]) == (4, 2, 3, 1, 2)
    assert s["failure_rate"] == 0.5 and s["mean_coverage"] == pytest.approx(0.375)
    assert s["reasons"] == {"blank": 1, "render_failed": 1, "too_dark": 1}


def test_partition_qc_reads_listed_tables_only(tmp_path):
    from psynth_data.qc import partition_qc
    from psynth_data.qc import qc_summary
    from tests.audit_fixtures import demo_spec, make_dataset

    spec = demo_spec(samples=600, shard_size=200)
    storage, layout = make_dataset(tmp_path, spec, fail=pl.col("camera_angle") == "high_angle", no_manifest=(2,))
    frame = partition_qc(storage, layout, [0, 1, 2])
    assert frame["shard"].unique().sort().to_list() == [0, 1]  # shard 2 has no manifest
    s = qc_summary(frame)
    samples = pl.concat([pl.read_parquet(storage.path(layout.samples_key(k))) for k in (0, 1)])
    high = int((samples["camera_angle"] == "high_angle").sum())
    assert (s["rows"], s["failed"], s["reasons"]) == (400, high, {"too_dark": high})
    assert s["coverage_present"] == s["rendered"] == 400
    assert partition_qc(storage, layout, [2]) is None

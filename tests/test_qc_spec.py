"""QC thresholds from the spec: the `qc { ... }` block compiles into the Spec, bad keys and values
are positioned errors, and the worker's QC verdicts follow the spec's thresholds."""

import json
from dataclasses import asdict, fields

import numpy as np
import polars as pl
import pytest
from PIL import Image

from psynth_data.layout import Layout
from psynth_data.qc import QcThresholds, image_metrics, qc_reasons
from psynth_data.storage import LocalStorage
from psynth_render.outputs import PASS_SUFFIX, member_name
from psynth_render.qc_probe import QC_DIR, measure_sample
from psynth_spec.check_qc import QC_DEFAULTS, QC_KEYS
from psynth_spec.compile import compile_text, parse
from psynth_spec.errors import SpecError
from psynth_spec.fmt import format_text
from psynth_spec.sampler import sample_shard

BASE = """dataset qcd {{
    samples 4
{body}}}
"""


def _spec(qc_body: str | None):
    body = "" if qc_body is None else f"    qc {{\n{qc_body}\n    }}\n"
    return compile_text(BASE.format(body=body))


def _codes(qc_body: str) -> list[tuple[str, int, int]]:
    with pytest.raises(SpecError) as info:
        _spec(qc_body)
    return [(d.code, d.line, d.col) for d in info.value.diagnostics]


# ---------------------------------------------------------------- the block compiles
def test_qc_block_compiles_into_the_spec():
    spec = _spec("        max_dark_clip   0.7\n        min_coverage    0.0005")
    assert spec.qc == {"max_dark_clip": 0.7, "min_coverage": 0.0005}
    thresholds = QcThresholds.for_spec(spec)
    assert thresholds.max_dark_clip == 0.7 and thresholds.min_coverage == 0.0005
    assert thresholds.max_bright_clip == QcThresholds().max_bright_clip  # the rest keep the defaults


def test_no_block_means_the_defaults_and_integers_are_numbers():
    assert _spec(None).qc == {}
    assert QcThresholds.for_spec(_spec(None)) == QcThresholds()
    assert _spec("        max_nan_frac 1\n        blank_std 0").qc == {"max_nan_frac": 1.0, "blank_std": 0.0}


def test_the_language_keys_are_the_threshold_fields_with_their_defaults():
    assert QC_KEYS == tuple(f.name for f in fields(QcThresholds))
    assert asdict(QcThresholds()) == QC_DEFAULTS


def test_a_qc_block_changes_the_version_id_and_survives_json():
    plain, strict = _spec(None), _spec("        max_dark_clip 0.7")
    assert plain.version_id != strict.version_id
    assert _spec("        max_dark_clip   0.70").version_id == strict.version_id  # numbers by value
    again = type(strict).model_validate_json(strict.model_dump_json())  # the worker's `--spec X.json`
    assert QcThresholds.for_spec(again) == QcThresholds.for_spec(strict)


def test_a_qc_block_does_not_change_the_samples():
    plain, strict = _spec(None), _spec("        min_coverage 0.2")
    assert sample_shard(plain, 0).drop("sample_id").equals(sample_shard(strict, 0).drop("sample_id"))


# ---------------------------------------------------------------- errors
def test_unknown_key_is_positioned_with_a_suggestion():
    with pytest.raises(SpecError) as info:
        _spec("        min_coverge 0.01")
    (diag,) = info.value.diagnostics
    assert (diag.code, diag.line, diag.col, diag.length) == ("unknown-setting", 4, 9, len("min_coverge"))
    assert diag.hint == "did you mean 'min_coverage'?"


def test_unknown_key_without_a_close_name_lists_the_keys():
    with pytest.raises(SpecError) as info:
        _spec("        exposure 0.5")
    (diag,) = info.value.diagnostics
    assert diag.code == "unknown-setting"
    assert diag.hint == "qc settings are: " + ", ".join(QC_KEYS)


@pytest.mark.parametrize("body,col", [
    ("        blank_std 0.51", 19),
    ("        blank_std -0.001", 19),
    ("        max_dark_clip 1.01", 23),
    ("        max_coverage 2", 22),
    ("        max_nan_frac -1", 22),
])
def test_out_of_range_values(body, col):
    assert _codes(body) == [("out-of-range", 4, col)]


@pytest.mark.parametrize("value", ["true", '"0.5"', "[0.5]", "dark", "32 x 32"])
def test_non_numbers_are_type_mismatches(value):
    assert _codes(f"        max_dark_clip {value}") == [("type-mismatch", 4, 23)]


def test_bounds_are_inclusive():
    spec = _spec("        blank_std 0.5\n        max_dark_clip 0\n        max_bright_clip 1")
    assert spec.qc == {"blank_std": 0.5, "max_dark_clip": 0.0, "max_bright_clip": 1.0}


def test_clip_order_is_checked_against_the_defaults_too():
    assert _codes("        clip_dark 0.99") == [("conflicting-thresholds", 4, 19)]  # default clip_bright 0.98
    assert _codes("        clip_bright 0.3\n        clip_dark 0.3") == [("conflicting-thresholds", 5, 19)]
    assert _spec("        clip_dark 0.3\n        clip_bright 0.31").qc == {"clip_dark": 0.3, "clip_bright": 0.31}


def test_coverage_order():
    with pytest.raises(SpecError) as info:
        _spec("        min_coverage 0.5\n        max_coverage 0.2")
    (diag,) = info.value.diagnostics
    assert (diag.code, diag.line) == ("conflicting-thresholds", 5)
    assert "min_coverage 0.5" in diag.message and "max_coverage 0.2" in diag.message
    assert _spec("        min_coverage 0.3\n        max_coverage 0.3").qc["max_coverage"] == 0.3  # equal is fine


def test_duplicate_key_and_duplicate_block():
    assert _codes("        min_coverage 0.01\n        min_coverage 0.02") == [("duplicate-setting", 5, 9)]
    with pytest.raises(SpecError) as info:
        compile_text("dataset d {\n    samples 1\n    qc { blank_std 0.1 }\n    qc { blank_std 0.2 }\n}\n")
    assert [(d.code, d.line) for d in info.value.diagnostics] == [("duplicate-setting", 4)]


def test_every_error_of_the_block_is_reported():
    codes = _codes("        blank_std 0.9\n        bogus 1\n        clip_dark 0.99\n        max_nan_frac true")
    assert codes == [("out-of-range", 4, 19), ("unknown-setting", 5, 9),
                     ("conflicting-thresholds", 6, 19), ("type-mismatch", 7, 22)]


def test_misspelt_block_name_suggests_qc():
    with pytest.raises(SpecError) as info:
        compile_text("dataset d {\n    samples 1\n    qcc { blank_std 0.1 }\n}\n")
    (diag,) = info.value.diagnostics
    assert diag.code == "unknown-block" and diag.hint == "did you mean 'qc'?"


# ---------------------------------------------------------------- verdicts follow the spec
def _stage_sample(tmp_path, spec, sid: int, image: np.ndarray, mask: np.ndarray) -> None:
    """A committed sample as the worker leaves it: the image member, the QC-only mask in `_qc/`."""
    Image.fromarray(image).save(tmp_path / member_name(sid, spec.render.format))
    (tmp_path / QC_DIR).mkdir(exist_ok=True)
    Image.fromarray(mask).save(tmp_path / QC_DIR / member_name(sid, PASS_SUFFIX["segmentation"]))


def test_the_worker_measure_uses_the_spec_thresholds(tmp_path):
    # a dim image: 60% of pixels at luma 10/255 (~0.039), the rest mid grey; subject on 30 of
    # 1024 px (2.9%: over the default 2%, under the strict 5%), clear of the border
    image = np.full((32, 32, 3), 128, np.uint8)
    image.reshape(-1, 3)[: int(0.6 * 1024)] = 10
    mask = np.zeros((32, 32), np.uint8)
    mask[22:28, 10:15] = 255
    image[mask > 0] = (200, 60, 60)  # the subject, on the mid-grey part
    row = {"sample_id": 7, "caption": "a dim cube"}
    plain = _spec(None)
    strict = _spec("        clip_dark 0.05\n        min_coverage 0.05")
    lenient = _spec("        clip_dark 0.05\n        max_dark_clip 0.7")
    _stage_sample(tmp_path, plain, 7, image, mask)

    by_default = measure_sample(plain, tmp_path, row, 0.5, 0)
    assert by_default["dark_clip_frac"] == 0.0  # 0.039 > the default clip_dark 0.02
    assert by_default["object_coverage"] == pytest.approx(30 / 1024)
    assert by_default["qc_pass"] and by_default["qc_reasons"] == []

    judged = measure_sample(strict, tmp_path, row, 0.5, 0)
    assert judged["dark_clip_frac"] == pytest.approx(614 / 1024)  # now counted as clipped dark
    assert judged["qc_reasons"] == ["too_dark", "subject_too_small"] and not judged["qc_pass"]

    relaxed = measure_sample(lenient, tmp_path, row, 0.5, 0)
    assert relaxed["dark_clip_frac"] == pytest.approx(614 / 1024) and relaxed["qc_reasons"] == []

    # the same numbers and verdict as the library functions with the spec's thresholds
    thresholds = QcThresholds.for_spec(strict)
    metrics = image_metrics(image, mask, thresholds=thresholds)
    assert metrics["dark_clip_frac"] == judged["dark_clip_frac"]
    assert qc_reasons(metrics, thresholds) == judged["qc_reasons"]


def test_the_dagster_fallback_uses_the_spec_thresholds(tmp_path):
    """`shard_qc` over a stored tar, as the qc asset calls it, with `QcThresholds.for_spec`."""
    import io
    import tarfile

    from psynth_data.qc import shard_qc

    spec = _spec("        max_bright_clip 0.2")
    storage, layout = LocalStorage(tmp_path), Layout.for_spec(spec)
    image = np.full((16, 16, 3), 120, np.uint8)
    image[:5] = 255  # 5/16 = 31% clipped bright: passes by default (0.5), fails at 0.2
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w") as tar:
        info = tarfile.TarInfo("000000000.png")
        info.size = len(buffer.getvalue())
        tar.addfile(info, io.BytesIO(buffer.getvalue()))
    storage.put_bytes(layout.render_key(0), tar_bytes.getvalue())
    assert shard_qc(storage, layout, 0, [0])["qc_pass"].to_list() == [True]
    frame = shard_qc(storage, layout, 0, [0], QcThresholds.for_spec(spec))
    assert frame["qc_reasons"].to_list() == [["too_bright"]]


# ---------------------------------------------------------------- fmt
MESSY = """dataset d{samples 4
qc{max_dark_clip 0.7   # darker scenes are fine
min_coverage 5e-4
  clip_bright   0.990}}
"""

CANONICAL = """dataset d {
    samples 4
    qc {
        max_dark_clip 0.7  # darker scenes are fine
        min_coverage  5e-4
        clip_bright   0.990
    }
}
"""


def test_fmt_formats_a_qc_block():
    assert format_text(MESSY) == CANONICAL
    assert format_text(CANONICAL) == CANONICAL
    assert parse(CANONICAL) == parse(MESSY)
    assert compile_text(CANONICAL).version_id == compile_text(MESSY).version_id
    assert compile_text(CANONICAL).qc == {"max_dark_clip": 0.7, "min_coverage": 0.0005, "clip_bright": 0.99}


# ---------------------------------------------------------------- the real worker (32 px Workbench)
@pytest.mark.render
def test_worker_qc_table_follows_the_spec(tmp_path):
    from psynth_render.supervisor import run_shard

    text = """dataset qc_worker {
    samples    2
    shard_size 2
    seed       11
    geometry.shape ~ one_of [primitives.sphere, primitives.cube]
    render {
        engine     workbench
        device     cpu
        resolution 32 x 32
        samples    1
    }
    qc {
        min_coverage 0.95
    }
}
"""
    spec = compile_text(text, path="<qc_worker>")
    run_shard(spec, 0, str(tmp_path))
    qc = pl.read_parquet(LocalStorage(tmp_path).path(Layout.for_spec(spec).qc_key(0)))
    coverage = qc["object_coverage"].to_list()
    assert all(c is not None and 0.001 < c < 0.95 for c in coverage), coverage  # fine by default
    assert qc["qc_reasons"].to_list() == [["subject_too_small"]] * 2
    assert qc["qc_pass"].to_list() == [False, False]  # kept and flagged, not dropped
    assert json.loads(spec.model_dump_json())["qc"] == {"min_coverage": 0.95}


def test_partition_failure_rate_check_follows_the_spec():
    import dagster as dg

    from dagster_project.partitions import partitions_def
    from dagster_project.qc_checks import build_qc_checks

    key = dg.AssetCheckKey(dg.AssetKey(["qcd", "qc"]), "qc_failure_rate")
    for body, shown in (("        max_failure_rate 0.05", "At most 5%"), (None, "At most 20%")):
        spec = _spec(body)
        check = next(c for c in build_qc_checks(spec, partitions_def(spec)) if key in c.check_keys)
        assert shown in check.get_spec_for_check_key(key).description

"""Every view of every rig sees the set or the environment in every pixel (no void), and every
view's visibility is measured: recorded per view in the JSON, the sample's QC row its worst view.

A sweep or wall is a set placed for one camera; a multi-view rig gets the closed round studio
(scene/build/rig_set.py), so cameras behind, above or below the subject still see the set. A
floor shows the world above its horizon; a void background is the world itself."""

import json

import numpy as np
import polars as pl
import pytest

from psynth_data.layout import Layout
from psynth_data.qc import DEFAULT_THRESHOLDS, decode_png
from psynth_data.storage import LocalStorage
from psynth_render.qc_probe import worst_view
from psynth_render.supervisor import run_shard
from tests.worker_specs import tar_members, tiny_spec

RIGS = ("orbit", "sphere", "turntable", "fixed6", "random")
VIEWS = 6


@pytest.mark.render
@pytest.mark.parametrize("background", ["studio_sweep", "wall", "floor", "void"])
@pytest.mark.parametrize("rig", RIGS)
def test_no_view_of_any_rig_sees_the_void(rig, background, tmp_path):
    spec = tiny_spec(name=f"set{rig}{background}", samples=1, outputs="image, metadata", passes="instances", size=32,
                     axes=f"scene.background = backgrounds.{background}\n    camera.focal_length = 24",
                     render=f"views {VIEWS}\n        rig {rig}")
    assert run_shard(spec, 0, str(tmp_path)).manifest.counts.rendered == 1
    members = tar_members(tmp_path, spec)
    meta = json.loads(members["000000000.json"])
    scenery = [i["id"] for i in meta["views"][0]["instances"] if i["element"] in ("backdrop", "ground")]
    for k, view in enumerate(meta["views"]):
        ids = decode_png(members[f"000000000.v{k:02d}.inst.png"])
        assert (ids != 0).all(), f"{rig} view {k} sees the void in {(ids == 0).mean():.0%} of its pixels"
        assert np.isin(ids, scenery).mean() > 0.1  # the set or the environment fills what the subject leaves
        assert view["qc"]["void_frac"] == 0.0 and view["qc"]["object_coverage"] > 0.0
        assert view["qc"]["qc_reasons"] == [] or "void_in_frame" not in view["qc"]["qc_reasons"]
    qc = pl.read_parquet(LocalStorage(tmp_path).path(Layout.for_spec(spec).qc_key(0))).row(0, named=True)
    assert qc["void_frac"] == 0.0
    coverages = [v["qc"]["object_coverage"] for v in meta["views"]]
    if all(not v["qc"]["qc_reasons"] for v in meta["views"]):  # no view fails: the worst is the least covered
        assert qc["object_coverage"] == pytest.approx(min(coverages))


def _metrics(coverage, void=0.0):
    return {"mean_luma": 0.4, "std_luma": 0.1, "dark_clip_frac": 0.0, "bright_clip_frac": 0.0,
            "object_coverage": coverage, "nan_frac": 0.0, "crop_allowed": False, "subject_border_frac": 0.0,
            "void_frac": void, "min_element_coverage": coverage, "subject_contrast": 0.2}


def test_the_worst_view_is_the_one_that_fails_else_the_least_covered():
    good, small, voided = _metrics(0.3), _metrics(0.05), _metrics(0.4, void=0.5)
    assert worst_view([good, voided, small], DEFAULT_THRESHOLDS)["worst_view"] == 1
    assert worst_view([good, small, None], DEFAULT_THRESHOLDS)["worst_view"] == 1
    assert worst_view([None, None], DEFAULT_THRESHOLDS) is None

"""The balance audit on samples-only datasets: the spec's own samples pass; a dropped or skewed
category, a shifted number and a QC failure pattern are flagged on exactly that axis and value."""

import io
import json

import numpy as np
import polars as pl
import pytest
from PIL import Image

from psynth_cli.main import main
from psynth_data.audit import run_audit
from psynth_data.audit_report import axis_plot, report_markdown
from psynth_data.expected import expected_frame
from psynth_data.index import build_index, open_index
from psynth_spec.errors import PsynthError
from tests.audit_fixtures import demo_spec, make_dataset


@pytest.fixture(scope="module")
def spec():
    return demo_spec(samples=20_000, shard_size=5_000)


@pytest.fixture(scope="module")
def expected(spec):
    return expected_frame(spec, pilot_samples=100_000)


def _audit(root, spec, expected, **kwargs):
    storage, layout = make_dataset(root, spec, **kwargs)
    build_index(storage, layout, spec=spec, expected=expected)
    con = open_index(storage, layout)
    try:
        return run_audit(con), storage, layout
    finally:
        con.close()


def test_own_spec_passes(tmp_path, spec, expected):
    report, _, _ = _audit(tmp_path, spec, expected)
    assert report["verdict"] == "pass" and report["flagged_axes"] == []
    assert report["samples"] == report["observed_samples"] == 20_000
    axes = {a["axis"]: a for a in report["axes"]}
    assert set(axes) == {s.axis for s in spec.statements}
    assert axes["material"]["kind"] == "categorical" and axes["material"]["source"] == "spec"
    assert axes["camera.focal_length"]["source"] == "pilot"
    assert axes["lighting.kelvin"]["kind"] == "numeric" and axes["lighting.kelvin"]["ks"] < 0.02
    assert all(a["p_value"] > 1e-3 for a in report["axes"])
    angle = {v["value"]: v for v in axes["camera.angle"]["values"]}
    assert angle["eye_level"]["count"] + angle["high_angle"]["count"] == 20_000
    assert angle["eye_level"]["observed"] == pytest.approx(2 / 3, abs=0.015)
    # every pair of the 5 categorical axes, with its cells counted
    assert len(report["pairs"]) == 10
    dof_angle = next(p for p in report["pairs"] if p["axes"] == ["camera.angle", "camera.dof"])
    assert dof_angle["cells"] == 4 and dof_angle["under_min"] == 0


def test_dropped_category_flags_that_axis_and_value(tmp_path, spec, expected):
    report, _, _ = _audit(tmp_path, spec, expected,
                          alter=lambda f: f.filter(pl.col("geometry_shape") != "primitives.torus"))
    assert report["flagged_axes"] == ["geometry.shape"]
    shape = next(a for a in report["axes"] if a["axis"] == "geometry.shape")
    assert shape["flagged_values"] == ["primitives.torus"]
    assert shape["tvd"] == pytest.approx(0.068, abs=0.01) and shape["p_value"] < 1e-10
    torus = next(v for v in shape["values"] if v["value"] == "primitives.torus")
    assert torus["count"] == 0 and torus["expected"] == pytest.approx(0.75 / 11)
    pair = next(p for p in report["pairs"] if p["axes"] == ["geometry.shape", "material"])
    assert pair["under_min_but_expected"] > 0
    # the same report as markdown and a PNG bar chart (the balance_audit asset's metadata)
    md = report_markdown(report)
    assert "| geometry.shape | categorical | spec |" in md and "| **primitives.torus** | 6.82% | 0.00% | 0 |" in md
    png = Image.open(io.BytesIO(axis_plot(shape, 600, 240)))
    assert png.size == (600, 240)
    colors = {c for _n, c in png.convert("RGB").getcolors(100_000)}
    assert (52, 101, 164) in colors and (230, 140, 40) in colors  # observed bars, expected markers
    kelvin = next(a for a in report["axes"] if a["axis"] == "lighting.kelvin")
    assert Image.open(io.BytesIO(axis_plot(kelvin))).size == (720, 300)


def _skew_to_cube(frame: pl.DataFrame) -> pl.DataFrame:
    flip = np.random.default_rng(frame["shard"][0]).random(frame.height) < 0.10
    return frame.with_columns(
        geometry_shape=pl.when(pl.Series(flip)).then(pl.lit("primitives.cube")).otherwise(pl.col("geometry_shape")))


def test_skewed_category_flags_that_value(tmp_path, spec, expected):
    report, storage, layout = _audit(tmp_path, spec, expected, alter=_skew_to_cube)
    assert report["flagged_axes"] == ["geometry.shape"]
    shape = next(a for a in report["axes"] if a["axis"] == "geometry.shape")
    assert shape["flagged_values"] == ["primitives.cube"]
    cube = next(v for v in shape["values"] if v["value"] == "primitives.cube")
    assert cube["observed"] == pytest.approx(0.068 + 0.1 * 0.932, abs=0.01)
    # the CLI: JSON report, exit 0 by default, 1 with --strict; the dataset folder picks its version
    folder = storage.path(layout.prefix)
    assert main(["audit", str(folder.parent), "--strict"]) == 1
    assert main(["audit", str(folder)]) == 0


def test_shifted_number_flags_numeric_axis(tmp_path, spec, expected):
    report, _, _ = _audit(tmp_path, spec, expected,
                          alter=lambda f: f.with_columns(pl.col("lighting_kelvin") + 400))
    assert report["flagged_axes"] == ["lighting.kelvin"]
    kelvin = next(a for a in report["axes"] if a["axis"] == "lighting.kelvin")
    assert kelvin["ks"] > 0.1 and kelvin["p_value"] < 1e-10


def test_qc_failures_by_value_and_observed_excludes_them(tmp_path, spec, expected, capsys):
    report, storage, layout = _audit(tmp_path, spec, expected, fail=pl.col("camera_angle") == "high_angle")
    assert report["qc_failed"] == report["samples"] - report["observed_samples"]
    assert report["qc_reasons"] == {"too_dark": report["qc_failed"]}
    top = report["failure_by_value"][0]
    assert (top["axis"], top["value"], top["failure_rate"], top["notable"]) == ("camera.angle", "high_angle", 1.0, True)
    assert "camera.angle" in report["flagged_axes"]
    angle = next(a for a in report["axes"] if a["axis"] == "camera.angle")
    assert angle["values"][1]["value"] == "high_angle" and angle["values"][1]["count"] == 0
    capsys.readouterr()
    assert main(["audit", str(storage.path(layout.prefix)), "--json", "--by", "camera.angle,material"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [a["axis"] for a in out["axes"]] == ["material", "camera.angle"]
    assert out["axes"][1]["chi2"] is None or out["axes"][1]["chi2"] > 1000
    assert len(out["pairs"]) == 1


def test_cli_errors(tmp_path, capsys):
    assert main(["audit", str(tmp_path / "nope")]) == 1
    assert "no such dataset folder" in capsys.readouterr().err
    (tmp_path / "ds" / "v1" / "manifests").mkdir(parents=True)
    assert main(["audit", str(tmp_path / "ds")]) == 1
    assert "--spec" in capsys.readouterr().err


def test_cli_rebuilds_an_index_from_an_older_psynth(tmp_path, spec, expected, capsys):
    import duckdb

    _, storage, layout = _audit(tmp_path, spec, expected)
    path = storage.path(layout.index_key)
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE info DROP COLUMN samples_folder")  # as the first release wrote it
    con.close()
    con = open_index(storage, layout)
    with pytest.raises(PsynthError, match="rebuild"):
        run_audit(con)
    con.close()
    capsys.readouterr()
    assert main(["audit", str(storage.path(layout.prefix)), "--json", "--by", "material"]) == 0
    assert json.loads(capsys.readouterr().out)["samples"] == 20_000  # rebuilt with the stored spec

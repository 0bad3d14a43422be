"""`psynth audit` reads well at 80 columns (issue 19, item 8): names wrap, numbers are never
cut, and every categorical axis gets its per-value table."""

import io

import polars as pl
from rich.console import Console

from psynth_cli.audit_command import _fmt_p, print_report
from tests.audit_fixtures import audit_of, demo_spec, make_dataset


def _report(tmp_path):
    spec = demo_spec(20_000, 2_000)
    storage, layout = make_dataset(tmp_path, spec, fail=pl.col("material") == "metal.gold")
    return audit_of(storage, layout, spec)


def _text(report, width: int) -> str:
    out = io.StringIO()
    print_report(report, Console(width=width, file=out, color_system=None, force_terminal=False))
    return out.getvalue()


def test_the_audit_fits_80_columns_without_cutting_a_number(tmp_path):
    report = _report(tmp_path)
    text = _text(report, 80)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    rows = [line.split() for line in text.splitlines()]
    for axis in report["axes"]:
        row = next(r for r in rows if r and r[0] == axis["axis"])  # each axis on one line, unwrapped
        assert _fmt_p(axis["p_value"]) in row
        distance = f"{axis['tvd']:.4f}" if axis["kind"] == "categorical" else f"{axis['ks']:.4f}"
        assert distance in row
    assert "material flagged values: metal.gold" in text


def test_every_categorical_axis_gets_a_per_value_table(tmp_path):
    report = _report(tmp_path)
    text = _text(report, 80)
    categorical = [a for a in report["axes"] if a["kind"] == "categorical"]
    assert len(categorical) >= 4
    for axis in categorical:
        assert f"{axis['axis']}: observed (QC-passed) vs expected" in text
    shape = next(a for a in categorical if a["axis"] == "geometry.shape")
    assert len(shape["values"]) > 12 and f"... and {len(shape['values']) - 12} more values" in text
    # the flagged axis lists every value, the dropped one included, with its numbers whole
    gold = next(v for a in categorical if a["axis"] == "material" for v in a["values"] if v["value"] == "metal.gold")
    line = next(line for line in text.splitlines() if line.split()[:1] == ["metal.gold"] and "%" in line)
    assert f"{gold['expected']:.2%}" in line and "0.00%" in line and "100.0%" in line

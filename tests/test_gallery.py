"""`psynth gallery`: the values of an axis, the rows that fix everything else, the labelled
sheet, and one tiny real render through the CLI."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from psynth_cli.main import main
from psynth_render.gallery_sheet import compose_sheet
from psynth_render.gallery_values import GalleryError, axis_values, gallery_axis, gallery_rows
from psynth_spec.taxonomy import default_taxonomy
from tests.render_fixtures import make_row

REPO = Path(__file__).resolve().parent.parent
GALLERY_SPEC = REPO / "docs" / "gallery" / "gallery.psynth"


@pytest.fixture(scope="module")
def tax():
    return default_taxonomy()


def test_a_categorical_axis_shows_every_leaf_of_its_domain(tax):
    values = axis_values(tax, gallery_axis(tax, "gas"), None)
    assert values == [tax.relative(tax.axis_by_path["gas"], leaf) for leaf in tax.leaves("gases")]
    assert "fire" in values and "none" in values


def test_a_concept_node_stands_for_its_leaves(tax):
    axis = gallery_axis(tax, "material")
    metals = axis_values(tax, axis, ["metal"])
    assert metals == [leaf.removeprefix("materials.") for leaf in tax.leaves("materials.metal")]
    assert axis_values(tax, axis, ["metal.gold", "glass"])[0] == "metal.gold"


def test_numeric_axes_step_over_their_range_log_spaced_when_wide(tax):
    assert axis_values(tax, gallery_axis(tax, "gas.density"), None, steps=5) == [0.0, 0.25, 0.5, 0.75, 1.0]
    viscosity = axis_values(tax, gallery_axis(tax, "liquid.viscosity"), None, steps=8)
    ratios = np.diff(np.log10(viscosity))
    assert viscosity[0] == pytest.approx(0.0001) and viscosity[-1] == pytest.approx(1000)
    assert np.allclose(ratios, ratios[0], atol=1e-3)
    assert axis_values(tax, gallery_axis(tax, "gas.density"), ["0.1", "0.9"]) == [0.1, 0.9]


def test_bad_axes_and_values_are_clear_errors(tax):
    with pytest.raises(GalleryError, match="did you mean gas.density"):
        gallery_axis(tax, "gas.densty")
    with pytest.raises(GalleryError, match="not a concept of gases.*did you mean fire"):
        axis_values(tax, gallery_axis(tax, "gas"), ["fier"])
    with pytest.raises(GalleryError, match="outside its range"):
        axis_values(tax, gallery_axis(tax, "gas.density"), ["2"])
    with pytest.raises(GalleryError, match="not a number"):
        axis_values(tax, gallery_axis(tax, "gas.density"), ["thick"])


def test_rows_change_only_the_axis_and_clear_what_derives_from_it(tax):
    base = make_row(tax, material="metal.gold", material__roughness=0.9, gas="fog")
    rows = gallery_rows(tax, gallery_axis(tax, "material"), ["glass.clear", "wood.oak"], base)
    assert [label for label, _ in rows] == ["glass.clear", "wood.oak"]
    for (_, row), concept in zip(rows, ["glass.clear", "wood.oak"]):
        assert row["material"] == concept
        assert row["material_roughness"] is None and row["material_ior"] is None
        assert {k: v for k, v in row.items() if not k.startswith("material")} == \
            {k: v for k, v in base.items() if not k.startswith("material")}


def test_sheet_keeps_tiles_one_to_one_under_their_labels(tmp_path):
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    tiles = []
    for i, colour in enumerate(colours):
        path = tmp_path / f"{i}.png"
        Image.new("RGB", (40, 30), colour).save(path)
        tiles.append((f"value {i}", path))
    out = compose_sheet(tiles, tmp_path / "sheet.png", title="axis", columns=2)
    sheet = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert sheet.shape[1] == 4 + 2 * (40 + 4)
    for colour in colours:  # each tile's pixels appear unscaled: a 40x30 block of its colour
        match = np.all(sheet == colour, axis=2)
        assert match.sum() == 40 * 30
    label_rows = sheet[:, 4:44][np.all(sheet[:, 4:44] == (255, 0, 0), axis=2).any(axis=1)]
    assert len(label_rows) == 30
    light = (sheet.sum(axis=2) > 500) & ~np.all(sheet == (0, 255, 0), axis=2)  # label text pixels
    assert light.any()


def test_cli_renders_one_tile_per_value(tmp_path, capsys):
    pytest.importorskip("bpy")
    out = tmp_path / "gas.png"
    code = main(["gallery", str(GALLERY_SPEC), "--axis", "gas", "--values", "none,fire", "--size", "24",
                 "--samples", "2", "--out", str(out)])
    assert code == 0
    assert f"{out}: 2 tiles of gas" in capsys.readouterr().out
    sheet = np.asarray(Image.open(out).convert("RGB")).astype(float)
    assert sheet.shape[1] == 4 + 2 * (24 + 4)
    top = 4 + 10 + 8  # the title line: 10 px labels at this tile size
    clear, fire = (sheet[top:top + 24, x:x + 24] for x in (4, 4 + 28))
    assert np.abs(fire - clear).mean() > 5  # the tiles differ by the axis


@pytest.mark.parametrize("option, message", [
    (["--axis", "liquid.viscosty"], "did you mean liquid.viscosity"),
    (["--axis", "gas", "--values", "fier"], "did you mean fire"),
    (["--axis", "gas", "--set", "gas.density=7"], "outside its range"),
    (["--axis", "gas", "--columns", "0"], "--columns 0: expected at least 1"),
    (["--axis", "gas", "--size", "-3"], "--size -3"),
])
def test_cli_reports_bad_requests_before_rendering(tmp_path, capsys, option, message):
    code = main(["gallery", str(GALLERY_SPEC), *option, "--out", str(tmp_path / "x.png")])
    assert code == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_set_fixes_other_axes_and_checks_them(tax):
    from psynth_render.gallery_values import fixed_row

    base = make_row(tax, material="metal.gold", material__roughness=0.9)
    row = fixed_row(tax, base, ["liquid.form=splash", "gas.density=0.9", "material=glass.clear"])
    assert (row["liquid_form"], row["gas_density"], row["material"]) == ("splash", 0.9, "glass.clear")
    assert row["material_roughness"] is None  # derived from the material it replaced
    assert base["material"] == "metal.gold"  # the base row is left as it was
    with pytest.raises(GalleryError, match="expected AXIS=VALUE"):
        fixed_row(tax, {}, ["liquid.form"])
    with pytest.raises(GalleryError, match="not a concept of liquid_forms"):
        fixed_row(tax, {}, ["liquid.form=puddel"])

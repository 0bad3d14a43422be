"""Every spec in specs/ renders through the real worker's Renderer: the first samples of
shard 0 of each (tiny: 32 px, 2 samples, 2 video frames), with every member it asks for."""

from pathlib import Path

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from PIL import Image  # noqa: E402

from psynth_render.outputs import member_name  # noqa: E402
from psynth_render.renderer import Renderer  # noqa: E402
from psynth_spec.compile import load_spec  # noqa: E402
from psynth_spec.sampler import sample_shard  # noqa: E402
from psynth_spec.taxonomy import default_taxonomy  # noqa: E402

SPECS = sorted((Path(__file__).resolve().parent.parent / "specs").glob("*.psynth"))
ROWS = 2


def tiny(spec):
    render = spec.render.model_copy(update={"width": 32, "height": 32, "samples": 2})
    update = {"render": render}
    if spec.video is not None:
        update["video"] = spec.video.model_copy(update={"frames": 2})
    return spec.model_copy(update=update)


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_spec_renders_its_first_samples(path, tmp_path):
    spec = tiny(load_spec(path))
    rows = sample_shard(spec, 0, limit=ROWS).to_dicts()
    renderer = Renderer(spec, default_taxonomy(), device="cpu")
    for row in rows:
        staging = tmp_path / str(row["sample_id"])
        staging.mkdir()
        result = renderer.render_sample(row, staging)
        assert result["members"], path.name
        image = member_name(int(row["sample_id"]), spec.render.format)
        if (staging / image).exists():
            with Image.open(staging / image) as img:
                pixels = np.asarray(img.convert("RGB"), dtype=np.float64)
            assert img.size == (32, 32)
            assert pixels.std() > 1.0, f"{path.name} sample {row['sample_id']} is a flat image"
    assert SPECS


def test_post_processing_survives_the_passes_compositor(tmp_path):
    """With passes asked for, the worker's passes tree still runs the sample's look: a full
    vignette darkens the corners of the written image, and the passes are still written."""
    spec = tiny(load_spec(SPECS[[p.stem for p in SPECS].index("vfx_elements")]))
    assert spec.render.passes
    tax = default_taxonomy()
    column = tax.axis_by_path["post.vignette"].column
    row = sample_shard(spec, 0, limit=1).to_dicts()[0]
    renderer = Renderer(spec, tax, device="cpu")
    corners = []
    for vignette in (0.0, 1.0):
        staging = tmp_path / str(vignette)
        staging.mkdir()
        renderer.render_sample(dict(row, **{column: vignette}), staging)
        with Image.open(staging / member_name(int(row["sample_id"]), spec.render.format)) as img:
            pixels = np.asarray(img.convert("L"), dtype=np.float64)
        corners.append(pixels[:4, :4].mean() / max(pixels[12:20, 12:20].mean(), 1.0))
        members = [p for p in staging.iterdir() if p.name != "_qc"]  # _qc/: QC's own inst.png
        assert len(members) == len(renderer.suffixes)
    assert corners[1] < 0.85 * corners[0]

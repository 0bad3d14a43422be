"""`psynth gallery`: one labelled tile per value of an axis, rendered in this process with the
worker's own scene builder, composed into one contact sheet.

The scene is the spec's first sample (or, with `base_row=None` and no spec rows, the registry
defaults) with only the gallery axis changed, so tiles differ by that axis alone. The render
block's size and sample count can be lowered for a quick sheet; everything else (engine,
look, camera) is the spec's.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psynth_render.gallery_sheet import compose_sheet
from psynth_render.gallery_values import axis_values, fixed_row, gallery_axis, gallery_rows
from psynth_spec.spec import Spec
from psynth_spec.taxonomy import Taxonomy


@dataclass(frozen=True)
class GalleryRequest:
    axis: str
    out: Path
    size: int | None = None
    samples: int | None = None
    values: tuple[str, ...] = ()
    steps: int = 6
    columns: int | None = None
    device: str = "cpu"
    fixed: tuple[str, ...] = ()
    """`AXIS=VALUE` overrides of the base sample (`--set`)."""


def first_row(spec: Spec) -> dict[str, Any]:
    """The spec's sample 0 (its stated axes drawn, the rest null = registry defaults)."""
    from psynth_spec.sampler import sample_range

    return sample_range(spec, 0, 1).to_dicts()[0]


def gallery_spec(spec: Spec, size: int | None, samples: int | None) -> Spec:
    """The spec with its render block resized (square `size`) and its sample count lowered."""
    update: dict[str, Any] = {}
    if size is not None:
        update.update(width=size, height=size)
    if samples is not None:
        update["samples"] = samples
    return spec.model_copy(update={"render": spec.render.model_copy(update=update)}) if update else spec


def render_gallery(spec: Spec, taxonomy: Taxonomy, request: GalleryRequest,
                   base_row: dict[str, Any] | None = None) -> Path:
    """Render every tile and write the sheet to `request.out`; returns its path."""
    from psynth_render.scene import configure_device, render_still
    from psynth_render.scene.describe import describe

    axis = gallery_axis(taxonomy, request.axis)
    values = axis_values(taxonomy, axis, list(request.values) or None, request.steps)
    tiny = gallery_spec(spec, request.size, request.samples)
    base = fixed_row(taxonomy, first_row(tiny) if base_row is None else base_row, list(request.fixed))
    rows = gallery_rows(taxonomy, axis, values, base)
    configure_device(request.device)
    with tempfile.TemporaryDirectory(prefix="psynth-gallery-") as scratch:
        tiles = []
        for i, (label, row) in enumerate(rows):
            path = Path(scratch) / f"{i:04d}.png"
            render_still(describe(row, tiny, taxonomy), str(path))
            tiles.append((label, path))
        title = f"{spec.dataset}: {axis.path} ({tiny.render.engine}, {tiny.render.width}px, {tiny.render.samples} spp)"
        return compose_sheet(tiles, request.out, title=title, columns=request.columns)


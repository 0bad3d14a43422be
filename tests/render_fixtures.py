"""Helpers for render tests: a small Spec, rows with registry defaults, tiny renders as arrays."""

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from psynth_spec.spec import RegistryColumn, RenderSettings, Spec
from psynth_spec.taxonomy import Taxonomy


def make_spec(taxonomy: Taxonomy, *, size: int = 48, samples: int = 8, engine: str = "cycles") -> Spec:
    """A minimal valid Spec whose render block is tiny (every axis defaulted)."""
    columns = tuple(
        RegistryColumn(axis=a.path, column=a.column, type=a.type, stated=False, default=a.default)
        for a in taxonomy.axes
    )
    return Spec(
        dataset="render-test",
        version_id="test",
        taxonomy_version=taxonomy.version,
        source="<test>",
        samples=1,
        shards_per_partition=1,
        columns=columns,
        render=RenderSettings(engine=engine, device="cpu", width=size, height=size, samples=samples),
    )


def make_row(taxonomy: Taxonomy, seed: int = 1, **overrides: Any) -> dict[str, Any]:
    """A samples-table row: every axis column null (= registry default) except `overrides`,
    given by axis path with '.' written as '__' (material__roughness=0.2) or by column name."""
    row: dict[str, Any] = {"sample_id": 0, "shard": 0, "seed": seed}
    row.update({a.column: None for a in taxonomy.axes})
    for key, value in overrides.items():
        column = key.replace("__", "_")
        if column not in row:
            raise KeyError(f"no axis column {column}")
        row[column] = value
    return row


def render_array(desc: dict[str, Any], path: Path) -> np.ndarray:
    """Render `desc` to a PNG at `path`; the pixels as float RGB in 0..1 (display-referred)."""
    from psynth_render.scene import render_still

    render_still(desc, path)
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0


def luminance(img: np.ndarray) -> np.ndarray:
    return img @ np.array([0.2126, 0.7152, 0.0722])

"""Helpers for render tests: a small Spec, rows with registry defaults, tiny renders as arrays."""

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from psynth_spec.check import registry_columns
from psynth_spec.spec import RenderSettings, Spec
from psynth_spec.taxonomy import Taxonomy


LEGACY_DISTANCE = 3.0
"""The camera distance of every render before `camera.framing` (stated, it overrides the
framing): render tests that predate framing keep their pictures with it."""


def make_spec(taxonomy: Taxonomy, *, size: int = 48, samples: int = 8, engine: str = "cycles") -> Spec:
    """A minimal valid Spec whose render block is tiny. Every axis counts as stated, so a null in
    a row takes its default as the checker derives it (e.g. roughness from the row's material)."""
    render = RenderSettings(engine=engine, device="cpu", width=size, height=size, samples=samples)
    columns = tuple(registry_columns(taxonomy, {a.path for a in taxonomy.axes}, render))
    return Spec(
        dataset="render-test",
        version_id="test",
        taxonomy_version=taxonomy.version,
        taxonomy_hash=taxonomy.content_hash,
        source="<test>",
        samples=1,
        shards_per_partition=1,
        columns=columns,
        render=render,
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


def render_array(desc: Any, path: Path) -> np.ndarray:
    """Render the Scene `desc` to a PNG at `path`; the pixels as float RGB in 0..1 (display-referred)."""
    from psynth_render.scene import render_still

    render_still(desc, path)
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0


def luminance(img: np.ndarray) -> np.ndarray:
    return img @ np.array([0.2126, 0.7152, 0.0722])


def silhouette(img: np.ndarray) -> np.ndarray:
    """Pixels that differ from the frame's corner colour (the background)."""
    corners = np.stack([img[0, 0], img[0, -1], img[-1, 0], img[-1, -1]]).mean(axis=0)
    return np.abs(img - corners).sum(axis=2) > 0.12


def high_frequency(img: np.ndarray) -> float:
    """Mean squared Laplacian of the luminance: fine detail and noise energy."""
    y = luminance(img)
    lap = 4 * y[1:-1, 1:-1] - y[:-2, 1:-1] - y[2:, 1:-1] - y[1:-1, :-2] - y[1:-1, 2:]
    return float((lap**2).mean())


def centre(img: np.ndarray, frac: float = 0.3) -> np.ndarray:
    h, w = img.shape[:2]
    dh, dw = int(h * frac), int(w * frac)
    return img[h // 2 - dh // 2 : h // 2 + dh // 2, w // 2 - dw // 2 : w // 2 + dw // 2]


def cached_renderer(taxonomy: Taxonomy, folder: Path, *, size: int, samples: int, seed: int = 5, **base: Any):
    """render(**axis overrides) -> float RGB array of a denoised Cycles render of `base` plus
    the overrides; each distinct scene is rendered once (for tests comparing many pairs)."""
    from psynth_render.scene.describe import describe

    cache: dict[tuple, np.ndarray] = {}

    def render(**overrides: Any) -> np.ndarray:
        axes = {**base, **overrides}
        key = tuple(sorted(axes.items()))
        if key not in cache:
            desc = describe(make_row(taxonomy, seed=seed, **axes), make_spec(taxonomy, size=size, samples=samples), taxonomy)
            cache[key] = render_array(desc, folder / f"{len(cache)}.png")
        return cache[key]

    return render


GALLERY_SIZE = 48
GALLERY_SCENE = {"scene__background": "floor", "camera__distance": 6.0}
"""The gallery's scene for look tests: a sphere on a grey floor, far enough back to see around it."""


def gallery_shots(tmp_path_factory, name: str):
    """shot(**axis overrides) -> float RGB array of a denoised 48 px Cycles render (16 spp)."""
    from psynth_spec.taxonomy import default_taxonomy

    return cached_renderer(default_taxonomy(), tmp_path_factory.mktemp(name), size=GALLERY_SIZE, samples=16)


def built_scene(taxonomy: Taxonomy, size: int, **overrides: Any):
    """The description of a row with `overrides`, built into the current bpy scene (1 sample)."""
    from psynth_render.scene.build.builder import build
    from psynth_render.scene.describe import describe

    desc = describe(make_row(taxonomy, **overrides), make_spec(taxonomy, size=size, samples=1), taxonomy)
    build(desc)
    return desc


def box_blur(a: np.ndarray, r: int) -> np.ndarray:
    """The mean over each pixel's (2r+1)² neighbourhood (edges repeated)."""
    padded = np.pad(a, r, mode="edge")
    k = 2 * r + 1
    return sum(padded[i : i + a.shape[0], j : j + a.shape[1]] for i in range(k) for j in range(k)) / k**2


def render_clip(folder: Path, axes: str, *, size: int, frames: int, seed: int = 5, simulate: str = "",
                samples: int = 4) -> tuple[list[np.ndarray], dict]:
    """The frames (float RGB arrays, 0..255) and the sample JSON of a one-sample video spec with
    `axes` (spec lines) and a static camera, rendered by the worker's Renderer into `folder`;
    `simulate`: the render block's simulation settings ("simulate true particles 1500")."""
    import json

    from psynth_render.renderer import Renderer
    from psynth_spec.compile import compile_text
    from psynth_spec.sampler import sample_range
    from psynth_spec.taxonomy import default_taxonomy

    spec = compile_text(f"""dataset clip {{
    samples 1
    seed {seed}
    outputs [video, metadata]
    camera.movement = static
    {axes}
    render {{ engine cycles device cpu resolution {size} x {size} samples {samples} {simulate} }}
    video {{ frames {frames} fps 12 }}
    caption "x"
}}""", path="<clip>")
    row = sample_range(spec, 0, 1).to_dicts()[0]
    folder.mkdir(parents=True)
    Renderer(spec, default_taxonomy(), "cpu").render_sample(row, folder)
    images = [np.asarray(Image.open(folder / f"000000000.f{i:04d}.png").convert("RGB"), dtype=float)
              for i in range(frames)]
    return images, json.loads((folder / "000000000.json").read_text())

"""Tiny specs and helpers for the render worker tests (32 px, Workbench or 1-2 spp Cycles)."""

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

from psynth_data.layout import Layout
from psynth_spec.compile import compile_text

PYTHON = sys.executable


def tiny_spec(
    *,
    name: str = "tiny",
    samples: int = 3,
    outputs: str = "image, caption, metadata",
    passes: str = "",
    engine: str = "workbench",
    spp: int = 1,
    fmt: str = "png",
    video: str = "",
    axes: str = "",
    size: int = 32,
    render: str = "",
):
    """A compiled spec of `samples` size x size renders in one shard (`render`: more render-block lines)."""
    text = f"""dataset {name} {{
    samples    {samples}
    shard_size {max(samples, 1)}
    seed       11
    outputs    [{outputs}]

    geometry.shape ~ one_of [primitives.sphere, primitives.cube, primitives.torus]
    material       ~ one_of {{ metal.gold: 1, plastic.glossy: 1 }}
    {axes}
    caption "{{material|a}} {{geometry.shape}}"

    render {{
        engine     {engine}
        device     cpu
        resolution {size} x {size}
        samples    {spp}
        format     {fmt}
        {f"passes [{passes}]" if passes else ""}
        {render}
    }}
    {video}
}}
"""
    return compile_text(text, path=f"<{name}>")


def tar_members(root: Path, spec, shard: int = 0) -> dict[str, bytes]:
    """Every member of a shard's tar, by name, in tar order."""
    path = Path(root) / Layout.for_spec(spec).render_key(shard)
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def journal_events(work: Path) -> list[dict]:
    lines = (Path(work) / "journal.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def run_bpy(code: str, timeout: float = 120) -> str:
    """Run Python code in a fresh bpy process; its stdout (assert inside the code)."""
    done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def png_array(data: bytes):
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float64)


def exr_arrays(members: dict[str, bytes], names: list[str], work: Path) -> dict[str, "np.ndarray"]:
    """Float pixels (rows top to bottom, all channels) of EXR members, read by bpy in a fresh
    process (the test process does not import bpy)."""
    import numpy as np

    work.mkdir(parents=True, exist_ok=True)
    for name in names:
        (work / name).write_bytes(members[name])
    run_bpy(f"""
import bpy, numpy as np
out = {{}}
for name in {names!r}:
    img = bpy.data.images.load({str(work)!r} + "/" + name)
    a = np.empty(img.size[0] * img.size[1] * img.channels, dtype=np.float32)
    img.pixels.foreach_get(a)
    out[name] = a.reshape(img.size[1], img.size[0], img.channels)[::-1]
np.savez({str(work / "arrays.npz")!r}, **out)
""")
    with np.load(work / "arrays.npz") as data:
        return {name: data[name] for name in names}

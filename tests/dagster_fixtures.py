"""Tiny specs and helpers for the Dagster tests."""

import hashlib
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TINY_SPEC = """dataset tinyd {
    samples              4
    shard_size           2
    shards_per_partition 1
    seed                 5
    outputs              [image, caption, metadata]

    geometry.shape ~ one_of [primitives.sphere, primitives.cube]
    material       ~ one_of { metal.gold: 1, plastic.glossy: 1 }
    camera.distance = 5  # the subject clear of the frame's edges (QC rejects a cropped subject)
    caption "{material|a} {geometry.shape}"

    render {
        engine     workbench
        device     cpu
        resolution 32 x 32
        samples    1
    }
}
"""

BROKEN_SPEC = """dataset broken {
    samples 10
    materail ~ one_of { metal: 1 }
}
"""


def copy_specs(dest: Path, extra: dict[str, str] | None = None) -> Path:
    """The project's specs plus `extra` files (name -> text) in `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for spec in (REPO / "specs").glob("*.psynth"):
        shutil.copy(spec, dest / spec.name)
    for name, text in (extra or {}).items():
        (dest / name).write_text(text, encoding="utf-8")
    return dest


@contextmanager
def environment(**values: str):
    """Set environment variables for the duration of a block."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def sha256_tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}

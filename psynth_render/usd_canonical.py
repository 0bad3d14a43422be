"""The `usdc` member in a canonical form, so re-rendering a shard gives the same bytes.

Blender's USD exporter writes the same scene with its prims in a different order on every run,
and OpenUSD's crate writer lays a layer out by the order in which its process first created
each path (reading a crate file creates them on several threads). So the canonical file is made
in two steps: `canonical_usdc` copies the exported layer spec by spec into a fresh layer with
every prim's children and properties in name order and writes it as USD text (whose order is
the layer's); then a fresh interpreter, limited to one thread, reads that text, creating the
paths in its order, and writes the binary file. Only the order of siblings changes, which
composition ignores.
"""

import os
import subprocess
import sys
from pathlib import Path

_THREAD_LIMIT = {"PXR_WORK_THREAD_LIMIT": "1"}


def _canonical_text(source: Path) -> str:
    from pxr import Sdf

    root = Sdf.Path.absoluteRootPath

    def copy_value(*_args) -> bool:
        return True

    def copy_children(field: str, *_args) -> bool:
        # prims and properties are copied by copy_prim, in name order
        return field not in ("primChildren", "properties")

    def copy_prim(path: Sdf.Path) -> None:
        Sdf.CopySpec(src, path, dst, path, copy_value, copy_children)
        spec = src.GetPrimAtPath(path)
        for name in sorted(spec.properties.keys()):
            prop = path.AppendProperty(name)
            Sdf.CopySpec(src, prop, dst, prop)
        for name in sorted(spec.nameChildren.keys()):
            copy_prim(path.AppendChild(name))

    src = Sdf.Layer.OpenAsAnonymous(str(source))
    dst = Sdf.Layer.CreateAnonymous(".usda")
    Sdf.CopySpec(src, root, dst, root, copy_value, copy_children)
    for name in sorted(src.pseudoRoot.nameChildren.keys()):
        copy_prim(root.AppendChild(name))
    return dst.ExportToString()


def canonical_usdc(source: str | Path, target: str | Path) -> None:
    """Write the USD layer at `source` to `target` (a `.usdc` path) with every prim's children
    and properties in name order, byte for byte the same for the same scene."""
    target = Path(target)
    text = target.with_name(target.stem + ".canonical.usda")
    text.write_text(_canonical_text(Path(source)), encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, "-m", __name__, str(text), str(target)],
                              env={**os.environ, **_THREAD_LIMIT}, capture_output=True, text=True)
        if done.returncode != 0:
            raise OSError(f"could not write the canonical USD file {target}: {done.stderr.strip()[-500:]}")
    finally:
        text.unlink(missing_ok=True)


def _write_binary(text: str, target: str) -> None:
    from pxr import Sdf

    if not Sdf.Layer.FindOrOpen(text).Export(target):
        raise SystemExit(f"could not write {target}")


if __name__ == "__main__":
    _write_binary(sys.argv[1], sys.argv[2])

"""The `usdc` member in a canonical form, so re-rendering a shard gives the same bytes.

Blender's USD exporter writes the same scene with its prims (and so the crate file's token and
path tables) in a different order on every run. The content is the same; only the order of
children differs. `canonical_usdc` copies the exported layer spec by spec into a fresh layer with
every prim's children and properties in name order, then writes that layer with OpenUSD's own
crate writer (`usd-core`), which is deterministic for a given layer. Only the order changes:
composition does not depend on the stored order of siblings.
"""

from pathlib import Path

from pxr import Sdf

_ROOT = Sdf.Path.absoluteRootPath


def _copy_value(*_args) -> bool:
    return True


def _copy_children(field: str, *_args) -> bool:
    """Let `Sdf.CopySpec` copy every children field except prims and properties, which
    `_copy_prim` copies itself in name order."""
    return field not in ("primChildren", "properties")


def _copy_prim(src: Sdf.Layer, dst: Sdf.Layer, path: Sdf.Path) -> None:
    Sdf.CopySpec(src, path, dst, path, _copy_value, _copy_children)
    spec = src.GetPrimAtPath(path)
    for name in sorted(spec.properties.keys()):
        prop = path.AppendProperty(name)
        Sdf.CopySpec(src, prop, dst, prop)
    for name in sorted(spec.nameChildren.keys()):
        _copy_prim(src, dst, path.AppendChild(name))


def canonical_usdc(source: str | Path, target: str | Path) -> None:
    """Write the USD layer at `source` to `target` (a `.usdc` path) with every prim's children
    and properties in name order."""
    src = Sdf.Layer.OpenAsAnonymous(str(source))
    dst = Sdf.Layer.CreateAnonymous(".usdc")
    Sdf.CopySpec(src, _ROOT, dst, _ROOT, _copy_value, _copy_children)
    for name in sorted(src.pseudoRoot.nameChildren.keys()):
        _copy_prim(src, dst, _ROOT.AppendChild(name))
    if not dst.Export(str(target)):
        raise OSError(f"could not write the canonical USD file {target}")

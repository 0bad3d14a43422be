"""Asset catalogs: one Parquet row per 3D file or environment image of a library (the schema,
reading and writing).

A catalog is what `psynth assets scan` writes and what a spec's `assets NAME "PATH"` setting
names. Its rows are data about files, never the files: the renderer fetches a file by its `uri`
and checks it against `sha256` (the import cache is keyed by it). A row whose `error` is set
could not be read; it stays listed, so a scan of 10,000 files never fails on one bad file, and
`psynth check` never offers it to a spec.

Columns (in order; the schema itself is `psynth_spec.asset_catalogs.CATALOG_SCHEMA`, because
`psynth check` reads catalogs too and psynth_spec imports nothing of psynth_data):
    asset_id    the file's path relative to the scanned root, `/`-separated (unique)
    uri         where to fetch it: an absolute local path or an s3:// URL
    format      glb, gltf, obj, fbx, ply, stl, usd, usda, usdc, usdz or blend; exr or hdr for an
                environment image (equirectangular HDRI, width twice the height)
    size        bytes
    mtime       modification time (seconds) when scanned; with size, what a rescan trusts
    sha256      hex digest of the bytes
    tags        folder names and sidecar tags, as names (`[a-z_][a-z0-9_]*`), sorted
    licence     from the nearest sidecar (`licence:` or `license:`), null when none says
    up          `y` or `z` when a sidecar states the file's up axis, else null (importer's own)
    triangles   triangles after import (all mesh objects, modifiers applied)
    materials   distinct materials on the imported meshes
    bounds_min, bounds_max   world-space box of the imported meshes [x, y, z] (Blender: Z up)
    error       why the file could not be read, else null
    resolution  an environment image's [width, height] (null for 3D files, and in catalogs
                written before environment images were scanned)
"""

import os
from pathlib import Path

import polars as pl

from psynth_spec.asset_catalogs import CATALOG_SCHEMA as SCHEMA
from psynth_spec.asset_catalogs import CatalogError, catalog_digest, read_catalog_table

__all__ = ["FORMATS", "SCHEMA", "CatalogError", "asset_format", "catalog_digest", "catalog_frame",
           "read_catalog", "readable_assets", "write_catalog"]

FORMATS: dict[str, str] = {
    ".glb": "glb", ".gltf": "gltf", ".obj": "obj", ".fbx": "fbx", ".ply": "ply", ".stl": "stl",
    ".usd": "usd", ".usda": "usda", ".usdc": "usdc", ".usdz": "usdz", ".blend": "blend",
    ".exr": "exr", ".hdr": "hdr",  # environment images (HDRI_FORMATS), drawn through `hdris NAME "PATH"`
}


def asset_format(name: str) -> str | None:
    """The catalog format of a file name, or None when psynth does not read it."""
    return FORMATS.get(os.path.splitext(name)[1].lower())


def catalog_frame(rows: list[dict]) -> pl.DataFrame:
    """Rows (dicts with the schema's keys) -> a catalog table sorted by asset id."""
    frame = pl.DataFrame(rows, schema=SCHEMA, orient="row") if rows else pl.DataFrame(schema=SCHEMA)
    return frame.sort("asset_id")


def write_catalog(frame: pl.DataFrame, path: str | os.PathLike) -> Path:
    """Write a catalog atomically (a temporary file beside it, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        frame.select(list(SCHEMA)).write_parquet(tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_catalog(location: str | os.PathLike) -> pl.DataFrame:
    """A catalog table from a local path or an s3:// URL; `CatalogError` when it is not one."""
    return read_catalog_table(str(location))


def readable_assets(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows a spec may draw: no error."""
    return frame.filter(pl.col("error").is_null())

"""Reading asset catalogs for specs: the columns a spec needs, and names as the language writes them.

`psynth assets scan` (psynth_data) writes catalogs; a spec's `assets NAME "PATH"` setting reads
one at check time, because "did you mean" for a tag, the version id and the sampler's weights
all depend on its rows. Local paths are read with polars; `s3://` URLs through polars' own
object store, configured from the same environment as psynth's storage (`AWS_*`).
"""

import hashlib
import os
import re
from pathlib import Path

import polars as pl

from psynth_spec.errors import PsynthError

# the catalog's columns, in order (psynth_data.asset_catalog documents each)
CATALOG_SCHEMA: dict[str, pl.DataType] = {
    "asset_id": pl.String,
    "uri": pl.String,
    "format": pl.String,
    "size": pl.Int64,
    "mtime": pl.Float64,
    "sha256": pl.String,
    "tags": pl.List(pl.String),
    "licence": pl.String,
    "up": pl.String,
    "triangles": pl.Int64,
    "materials": pl.Int64,
    "bounds_min": pl.List(pl.Float64),
    "bounds_max": pl.List(pl.Float64),
    "error": pl.String,
    "resolution": pl.List(pl.Int64),
}
# added after the first catalogs were written: a catalog without them reads them as null
OPTIONAL_COLUMNS = ("resolution",)
HDRI_FORMATS = ("exr", "hdr")
"""Formats of environment images (equirectangular HDRIs); every other format is a 3D file."""
_NOT_NAME = re.compile(r"[^a-z0-9_]+")


class CatalogError(PsynthError):
    """A catalog file is missing, unreadable or not a psynth asset catalog."""


def as_name(text: str) -> str | None:
    """A folder name, tag or licence as a language name (`Dining Chairs` -> `dining_chairs`,
    `CC-BY-4.0` -> `cc_by_4_0`), or None when nothing is left of it."""
    name = _NOT_NAME.sub("_", str(text).strip().lower()).strip("_")
    if not name:
        return None
    return name if not name[0].isdigit() else f"_{name}"


def resolve_location(location: str, spec_path: str) -> str:
    """A catalog location as written -> an s3:// URL or an absolute path (relative to the spec)."""
    if location.startswith("s3://"):
        return location
    path = Path(location).expanduser()
    if not path.is_absolute():
        path = Path(spec_path).resolve().parent / path
    return str(path)


def _s3_options() -> dict[str, str]:
    """polars' object-store options from the environment psynth's S3 storage reads."""
    options = {}
    for env, key in (("AWS_ACCESS_KEY_ID", "aws_access_key_id"), ("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"),
                     ("AWS_SESSION_TOKEN", "aws_session_token"), ("AWS_REGION", "aws_region")):
        if os.environ.get(env):
            options[key] = os.environ[env]
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["aws_endpoint_url"] = endpoint
        if endpoint.startswith("http://"):
            options["aws_allow_http"] = "true"
        options.setdefault("aws_region", "us-east-1")
        options["aws_virtual_hosted_style_request"] = "false"
    return options


def read_catalog_table(uri: str) -> pl.DataFrame:
    """A catalog table (every column of `CATALOG_SCHEMA`); `CatalogError` when it is not one."""
    try:
        if uri.startswith("s3://"):
            frame = pl.read_parquet(uri, storage_options=_s3_options())
        else:
            frame = pl.read_parquet(uri)
    except FileNotFoundError:
        raise CatalogError(f"{uri}: no such asset catalog (make one with `psynth assets scan`)") from None
    except Exception as exc:  # polars raises several types for a missing object or a non-Parquet file
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "not found" in text.lower() or "no such file" in text.lower():
            raise CatalogError(f"{uri}: no such asset catalog (make one with `psynth assets scan`)") from None
        raise CatalogError(f"{uri}: not a readable asset catalog ({type(exc).__name__}: {text})") from None
    for column in OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=CATALOG_SCHEMA[column]).alias(column))
    missing = [c for c in CATALOG_SCHEMA if c not in frame.columns]
    if missing:
        raise CatalogError(f"{uri}: not a psynth asset catalog (no column {', '.join(missing)})")
    return frame.select(list(CATALOG_SCHEMA))


def kind_rows(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """The rows a catalog declaration of `kind` may draw: "hdris" its environment images,
    "assets" its 3D files."""
    is_hdri = pl.col("format").is_in(list(HDRI_FORMATS))
    return frame.filter(is_hdri if kind == "hdris" else ~is_hdri)


def catalog_digest(frame: pl.DataFrame) -> str:
    """Content hash of a catalog: what a spec can draw from it (enters the version id).

    Hashing rows rather than Parquet bytes keeps the id stable across re-encodings: a rescan
    that finds nothing new writes different bytes, not different content.
    """
    digest = hashlib.sha256()
    for asset_id, sha, tags, licence, up, error in frame.sort("asset_id").select(
        "asset_id", "sha256", "tags", "licence", "up", "error"
    ).iter_rows():
        digest.update(repr((asset_id, sha, tuple(tags or ()), licence, up, error is None)).encode() + b"\n")
    return digest.hexdigest()


def asset_label(asset_id: str, tags: list[str]) -> str:
    """Caption label of an asset: its innermost folder as a tag, else its file stem, in words."""
    parts = asset_id.split("/")
    for folder in reversed(parts[:-1]):
        name = as_name(folder)
        if name and name in tags:
            return name.replace("_", " ")
    stem = os.path.splitext(parts[-1])[0]
    return (as_name(stem) or "asset").strip("_").replace("_", " ")

"""What a shard render starts from: the compiled spec and the shard's samples table.

Both come from arguments and storage only (no Dagster, no global state), so the worker runs the
same as a local subprocess, a Dagster Pipes subprocess or a Kubernetes pod.
"""

import os
from pathlib import Path

import polars as pl
from pydantic import ValidationError

from psynth_data.layout import Layout
from psynth_data.samples_table import read_samples, store_samples
from psynth_data.storage import Storage
from psynth_spec.errors import PsynthError
from psynth_spec.spec import Spec
from psynth_spec.taxonomy import Taxonomy, default_taxonomy, require_taxonomy


def load_spec_file(path: str | os.PathLike, taxonomy: Taxonomy | None = None) -> Spec:
    """A spec from a `.psynth` source (compiled) or a compiled spec's `.json`.

    A compiled spec must have been compiled against `taxonomy` (default: the repository's),
    the one the worker renders with: otherwise a TaxonomyMismatchError, before any work.
    """
    path = Path(path)
    if not path.is_file():
        raise PsynthError(f"{path}: no such spec file")
    taxonomy = taxonomy or default_taxonomy()
    if path.suffix == ".json":
        try:
            spec = Spec.model_validate_json(path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            raise PsynthError(f"{path}: not a compiled spec of this psynth version ({exc.error_count()} errors, "
                              f"first: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']})") from None
        require_taxonomy(spec, taxonomy)
        return spec
    from psynth_spec.compile import load_spec

    return load_spec(path, taxonomy)


def shard_samples(storage: Storage, layout: Layout, spec: Spec, shard: int) -> pl.DataFrame:
    """The shard's samples table: read from storage, or sampled and stored when absent."""
    if storage.exists(layout.samples_key(shard)):
        return read_samples(storage, layout, shard)
    from psynth_spec.sampler import sample_shard

    frame = sample_shard(spec, shard)
    store_samples(storage, layout, shard, frame)
    return frame


def read_samples_file(path: str | os.PathLike, shard: int) -> pl.DataFrame:
    """A samples Parquet given on the command line; rows of other shards are an error."""
    frame = pl.read_parquet(path)
    if "sample_id" not in frame.columns:
        raise PsynthError(f"{path}: not a samples table (no sample_id column)")
    if "shard" in frame.columns and frame.height and set(frame["shard"].unique().to_list()) != {shard}:
        raise PsynthError(f"{path}: holds rows of other shards than {shard}")
    return frame.sort("sample_id")

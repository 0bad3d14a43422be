"""Samples-only datasets for the index and audit tests: sampler output, synthetic QC, manifests.

No rendering: each shard gets its samples Parquet, a QC table whose verdicts a test chooses, and
a manifest listing both (written last), so shards are complete without a tar.
"""

from pathlib import Path

import numpy as np
import polars as pl

from psynth_data.layout import Layout
from psynth_data.manifest import Counts, write_manifest
from psynth_data.qc import SCHEMA as QC_SCHEMA, VISIBILITY_COLUMNS
from psynth_data.qc import write_qc_table
from psynth_data.storage import LocalStorage
from psynth_spec.compile import compile_text
from psynth_spec.sampler import sample_shards, write_samples_parquet

SPEC_TEXT = """
dataset audit_demo {
    samples    SAMPLES
    shard_size SHARD
    seed       11

    geometry.shape       ~ one_of { primitives: 3, complex: 1 }
    geometry.subdivision ~ randint(0, 2)
    material             ~ one_of { metal: 1, glass: 1, plastic: 1, ceramic: 1 }
    material.ior         ~ uniform(1.40, 1.90) when material in glass
    lighting.kelvin      ~ triangular(3200, 5600, 7500)
    camera.focal_length  ~ one_of [35, 50, 85]
    camera.fstop         ~ loguniform(1.4, 16)
    camera.angle         ~ one_of { eye_level: 2, high_angle: 1 }
    camera.dof           ~ bernoulli(0.3)

    require camera.fstop >= 2.8 when camera.focal_length >= 85

    caption "{material|a} {geometry.shape}"
}
"""


def demo_spec(samples: int = 20_000, shard_size: int = 2_000):
    text = SPEC_TEXT.replace("SAMPLES", str(samples)).replace("SHARD", str(shard_size))
    return compile_text(text, path="audit_demo.psynth")


def synthetic_qc(frame: pl.DataFrame, fail: pl.Expr | None = None) -> pl.DataFrame:
    """A QC table for a samples table: all pass, except rows where `fail` is true (too_dark)."""
    n = frame.height
    failed = frame.select(fail.fill_null(False)).to_series() if fail is not None else pl.Series([False] * n)
    rng = np.random.default_rng(0)
    return pl.DataFrame({
        "sample_id": frame["sample_id"], "shard": frame["shard"],
        "mean_luma": pl.Series(np.where(failed.to_numpy(), 0.01, rng.uniform(0.2, 0.7, n))),
        "std_luma": pl.Series(rng.uniform(0.05, 0.2, n)),
        "dark_clip_frac": pl.Series(np.where(failed.to_numpy(), 0.9, 0.01)),
        "bright_clip_frac": pl.Series(np.full(n, 0.01)),
        "object_coverage": pl.Series(rng.uniform(0.05, 0.5, n)),
        "render_seconds": pl.Series(np.full(n, 0.5)),
        "caption_chars": frame["caption"].str.len_chars().cast(pl.Int64),
        "qc_pass": ~failed,
        "qc_reasons": pl.Series([["too_dark"] if f else [] for f in failed.to_list()], dtype=pl.List(pl.Utf8)),
        "nan_frac": pl.Series([None] * n, dtype=pl.Float64),
        **{c: pl.Series([None] * n, dtype=pl.Float64) for c in VISIBILITY_COLUMNS},
    }, schema=QC_SCHEMA)


def make_dataset(root: Path, spec, *, alter=None, fail: pl.Expr | None = None,
                 no_manifest: tuple[int, ...] = (), qc: bool = True) -> tuple[LocalStorage, Layout]:
    """Write every shard of `spec` under `root`; `alter(frame) -> frame` edits the samples
    (to drop or skew a category); shards in `no_manifest` get their files but no manifest."""
    storage, layout = LocalStorage(root), Layout.for_spec(spec)
    for shard, frame in sample_shards(spec, range(spec.shards)):
        if alter is not None:
            frame = alter(frame)
        write_samples_parquet(frame, storage.path(layout.samples_key(shard)))
        keys = [layout.samples_key(shard)]
        if qc:
            keys.append(write_qc_table(storage, layout, shard, synthetic_qc(frame, fail)))
        if shard not in no_manifest:
            write_manifest(storage, layout, shard, keys, Counts(samples=frame.height, rendered=0, failed=0))
    return storage, layout


def audit_of(storage, layout, spec, **index_kwargs) -> dict:
    """Build the dataset's index and run the audit over it: the report `psynth audit` prints."""
    from psynth_data.audit import run_audit
    from psynth_data.index import build_index, open_index

    build_index(storage, layout, spec=spec, **index_kwargs)
    con = open_index(storage, layout)
    try:
        return run_audit(con)
    finally:
        con.close()

"""The DuckDB index of a dataset version: views over every complete shard, no copies of rows.

    build_index(storage, layout, shards) -> IndexSummary

`index.duckdb` holds views that read the shards' Parquet files in place:

    samples    the samples tables of every complete shard
    qc         the QC tables of complete shards whose manifest lists one
    renders    one row per tar member: sample_id, member, bytes (+ shard)
    manifests  one row per complete shard: counts, created time, tar size

Tar members are listed once per shard into a small Parquet file under `_index/` (tar headers
only; rebuilt when the tar's sha256 changes), since DuckDB cannot read tars. A shard is in the
index exactly when it is complete (`is_complete`); rebuilding replaces the file (temp + rename),
so rows are never duplicated. More views (the spec's `expected`) are added by later stages.
"""

import io
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from psynth_data.layout import Layout
from psynth_data.manifest import Manifest, is_complete, read_manifest
from psynth_data.storage import Storage


@dataclass
class IndexSummary:
    key: str
    shards: list[int] = field(default_factory=list)
    samples: int = 0
    members: int = 0
    qc_rows: int = 0


def members_key(layout: Layout, shard: int) -> str:
    return f"{layout.prefix}/_index/renders/shard={shard:06d}.parquet"


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def _location(storage: Storage, key: str) -> str:
    local = storage.local_path(key)
    return str(local) if local is not None else f"{storage.root.rstrip('/')}/{key}"


def tar_members(data: bytes | str | os.PathLike) -> pl.DataFrame:
    """sample_id, member, bytes for every member of a WebDataset tar (headers only)."""
    names, sizes = [], []
    source = open(data, "rb") if not isinstance(data, bytes) else io.BytesIO(data)
    with source, tarfile.open(fileobj=source, mode="r:") as tar:
        for member in tar:
            names.append(member.name)
            sizes.append(member.size)
    frame = pl.DataFrame({"member": names, "bytes": sizes}, schema={"member": pl.Utf8, "bytes": pl.Int64})
    return frame.with_columns(sample_id=pl.col("member").str.split(".").list.first().cast(pl.Int64)).select(
        "sample_id", "member", "bytes"
    )


def _ensure_members(storage: Storage, layout: Layout, shard: int, manifest: Manifest) -> str:
    """The shard's member listing (written when absent or stale); returns its key."""
    key = members_key(layout, shard)
    tar_key = layout.render_key(shard)
    tar_sha = next((o.sha256 for o in manifest.objects if o.key == tar_key), "")
    if storage.exists(key):
        old = pl.read_parquet(io.BytesIO(storage.get(key)), columns=["tar_sha256"], n_rows=1)
        if old.height == 0 or old["tar_sha256"][0] == tar_sha:
            return key
    local = storage.local_path(tar_key)
    frame = tar_members(local if local is not None else storage.get(tar_key))
    frame = frame.with_columns(shard=pl.lit(shard, pl.Int32), tar_sha256=pl.lit(tar_sha))
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    storage.put_bytes(key, buffer.getvalue())
    return key


def _view(con, name: str, paths: list[str], empty_sql: str) -> None:
    if paths:
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_sql_list(paths)}, union_by_name=true)")
    else:
        con.execute(f"CREATE VIEW {name} AS {empty_sql}")


def complete_shards(storage: Storage, layout: Layout, shards: range | list[int]) -> list[tuple[int, Manifest]]:
    """(shard, manifest) of every complete shard among `shards`."""
    out = []
    for shard in shards:
        if is_complete(storage, layout, shard):
            manifest = read_manifest(storage, layout, shard)
            if manifest is not None:
                out.append((shard, manifest))
    return out


def build_index(storage: Storage, layout: Layout, shards: range | list[int]) -> IndexSummary:
    """Write `index.duckdb` over the complete shards among `shards` (atomically)."""
    done = complete_shards(storage, layout, shards)
    summary = IndexSummary(key=layout.index_key, shards=[s for s, _ in done])
    sample_files = [_location(storage, layout.samples_key(s)) for s, m in done
                    if any(o.key == layout.samples_key(s) for o in m.objects)]
    qc_files = [_location(storage, layout.qc_key(s)) for s, m in done if any(o.key == layout.qc_key(s) for o in m.objects)]
    member_files = [_location(storage, _ensure_members(storage, layout, s, m)) for s, m in done
                    if any(o.key == layout.render_key(s) for o in m.objects)]
    manifest_rows = [(s, m.counts.samples, m.counts.rendered, m.counts.failed, m.created_unix,
                      sum(o.size for o in m.objects)) for s, m in done]
    with tempfile.TemporaryDirectory(prefix="psynth-index-") as tmp:
        db_path = Path(tmp) / "index.duckdb"
        con = duckdb.connect(str(db_path))
        try:
            _view(con, "samples", sample_files, "SELECT NULL::BIGINT AS sample_id, NULL::INTEGER AS shard WHERE false")
            _view(con, "qc", qc_files,
                  "SELECT NULL::BIGINT AS sample_id, NULL::INTEGER AS shard, NULL::BOOLEAN AS qc_pass WHERE false")
            _view(con, "_renders_files", member_files,
                  "SELECT NULL::BIGINT AS sample_id, NULL::VARCHAR AS member, NULL::BIGINT AS bytes, "
                  "NULL::INTEGER AS shard WHERE false")
            con.execute("CREATE VIEW renders AS SELECT sample_id, member, bytes, shard FROM _renders_files")
            # one small row per shard: a table is fine here (it is not per-sample data)
            con.execute("CREATE TABLE manifests (shard INTEGER, samples BIGINT, rendered BIGINT, failed BIGINT, "
                        "created_unix DOUBLE, bytes BIGINT)")
            if manifest_rows:
                con.executemany("INSERT INTO manifests VALUES (?, ?, ?, ?, ?, ?)", manifest_rows)
            summary.samples = con.execute("SELECT count(*) FROM samples").fetchone()[0]
            summary.members = con.execute("SELECT count(*) FROM renders").fetchone()[0]
            summary.qc_rows = con.execute("SELECT count(*) FROM qc").fetchone()[0]
            con.execute("CHECKPOINT")
        finally:
            con.close()
        storage.put_file(layout.index_key, db_path, move=True)
    return summary


def open_index(storage: Storage, layout: Layout, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the dataset's index (local stores: the file in place)."""
    local = storage.local_path(layout.index_key)
    if local is None:
        tmp = Path(tempfile.mkdtemp(prefix="psynth-index-")) / "index.duckdb"
        storage.get_file(layout.index_key, tmp)
        local = tmp
    return duckdb.connect(str(local), read_only=read_only)

"""The DuckDB index of a dataset version: views over every complete shard, no copies of rows.

    build_index(storage, layout, shards=None, spec=None, verify="size") -> IndexSummary
    open_index(storage, layout) -> read-only duckdb connection

`index.duckdb` holds views that read the shards' Parquet files in place:

    samples    the samples tables of every complete shard
    qc         the QC tables of complete shards whose manifest lists one
    renders    one row per tar member: sample_id, member, bytes (+ shard)
    manifests  (table) one row per complete shard: counts, created time, bytes
    expected   (from the spec, when given) axis, column_name, kind, value | bin, bin_low, bin_high,
               probability, source, pilot_samples (see expected.py)
    info       (table) one row: dataset, version_id, spec shards, indexed shards, verify mode,
               build time, the compiled spec as JSON, the samples and qc folders (where
               `shard={shard:06d}.parquet` files are read from; the audit scans them directly)

Which shards: a shard is in the index exactly when its manifest exists and lists the object.
`verify="size"` (the default) trusts the sha256 the manifest records (computed when it was
written, manifest last) and checks that every listed object exists with the listed size;
`verify="sha256"` re-hashes every object (`is_complete`), which reads the whole dataset.

The renders view reads a small member listing per shard (`_index/renders/shard=N.parquet`:
sample_id, member, bytes, shard, tar_sha256), made from the tar headers the first time a shard
is indexed and remade when the tar's sha256 changes; DuckDB cannot read tars.

Views name their files explicitly (read_parquet over the list of complete shards' files) up to
`max_listed_files` files per view; past that a view reads the folder's `shard=*.parquet` glob
filtered to the complete shards listed in the `_shards` table, which keeps the index a few MB
at 100,000s of shards. Rebuilding replaces the file atomically, so rows are never duplicated.
"""

import io
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import duckdb
import polars as pl

from psynth_data.duckdb_s3 import attach_storage
from psynth_data.layout import Layout
from psynth_data.manifest import Manifest, is_complete, read_manifest
from psynth_data.storage import Storage, StorageError

MAX_LISTED_FILES = 20_000
EXPECTED_COLUMNS = ("axis", "column_name", "kind", "value", "bin", "bin_low", "bin_high", "probability", "source",
                    "pilot_samples")
VERIFY_MODES = ("size", "sha256")


@dataclass
class IndexSummary:
    key: str
    shards: list[int] = field(default_factory=list)
    samples: int = 0
    members: int = 0
    qc_rows: int = 0
    index_bytes: int = 0


def sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join(sql_text(p) for p in paths) + "]"


def tar_members(source: BinaryIO) -> pl.DataFrame:
    """sample_id, member, bytes for every member of a WebDataset tar (headers only)."""
    names, sizes = [], []
    with tarfile.open(fileobj=source, mode="r:") as tar:
        for member in tar:
            names.append(member.name)
            sizes.append(member.size)
    frame = pl.DataFrame({"member": names, "bytes": sizes}, schema={"member": pl.Utf8, "bytes": pl.Int64})
    return frame.with_columns(sample_id=pl.col("member").str.split(".").list.first().cast(pl.Int64)).select(
        "sample_id", "member", "bytes"
    )


def _ensure_members(storage: Storage, layout: Layout, shard: int, manifest: Manifest) -> str:
    """The shard's member listing (written when absent or stale); returns its key."""
    key = layout.members_key(shard)
    tar_key = layout.render_key(shard)
    tar_sha = next((o.sha256 for o in manifest.objects if o.key == tar_key), "")
    if storage.exists(key):
        with storage.open(key) as source:
            old = pl.read_parquet(source, columns=["tar_sha256"], n_rows=1)
        if old.height == 0 or old["tar_sha256"][0] == tar_sha:
            return key
    with storage.open(tar_key) as source:
        frame = tar_members(source)
    frame = frame.with_columns(shard=pl.lit(shard, pl.Int32), tar_sha256=pl.lit(tar_sha))
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    storage.put_bytes(key, buffer.getvalue())
    return key


def manifest_shards(storage: Storage, layout: Layout) -> list[int]:
    """Shard numbers that have a manifest file (complete or not)."""
    out = []
    for key in storage.list(layout.manifests_prefix):
        name = key.rsplit("/", 1)[-1]
        if name.startswith("shard=") and name.endswith(".json"):
            try:
                out.append(int(name[len("shard="):-len(".json")]))
            except ValueError:
                continue
    return sorted(out)


def _listed_ok(storage: Storage, manifest: Manifest) -> bool:
    for entry in manifest.objects:
        try:
            if storage.size(entry.key) != entry.size:
                return False
        except StorageError:
            return False
    return True


def complete_shards(storage: Storage, layout: Layout, shards: range | list[int] | None = None,
                    verify: str = "size") -> list[tuple[int, Manifest]]:
    """(shard, manifest) of every complete shard among `shards` (default: every manifest)."""
    if verify not in VERIFY_MODES:
        raise StorageError(f"verify must be one of {', '.join(VERIFY_MODES)}, not {verify!r}")
    out = []
    for shard in (manifest_shards(storage, layout) if shards is None else shards):
        manifest = read_manifest(storage, layout, shard)
        if manifest is None or manifest.shard != shard:
            continue
        ok = is_complete(storage, layout, shard) if verify == "sha256" else _listed_ok(storage, manifest)
        if ok:
            out.append((shard, manifest))
    return out


def _view(con, name: str, files: list[str], glob: str, column: str, empty_sql: str, max_listed: int) -> None:
    if not files:
        con.execute(f"CREATE VIEW {name} AS {empty_sql}")
    elif len(files) <= max_listed:
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_sql_list(files)}, union_by_name=true)")
    else:
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet({sql_text(glob)}, union_by_name=true, "
            f"hive_partitioning=false) WHERE shard IN (SELECT shard FROM _shards WHERE {column})"
        )


def _folder(storage: Storage, key_of_shard0: str) -> str:
    return storage.url(key_of_shard0).rsplit("/", 1)[0]


def _glob(storage: Storage, key_of_shard0: str) -> str:
    return f"{_folder(storage, key_of_shard0)}/shard=*.parquet"


def shard_file(folder: str, shard: int) -> str:
    """A shard's table in a samples or qc folder recorded in `info`."""
    return f"{folder}/{Layout.table_name(shard)}"


def build_index(storage: Storage, layout: Layout, shards: range | list[int] | None = None, spec=None,
                verify: str = "size", max_listed_files: int = MAX_LISTED_FILES,
                expected: pl.DataFrame | None = None) -> IndexSummary:
    """Write `index.duckdb` over the complete shards among `shards` (atomically).

    With `spec`, the `expected` view and the spec JSON are added (`expected` may be passed in
    precomputed, e.g. by tests with a smaller pilot).
    """
    done = complete_shards(storage, layout, shards, verify)
    summary = IndexSummary(key=layout.index_key, shards=[s for s, _ in done])
    flags = []
    for s, m in done:
        keys = {o.key for o in m.objects}
        flags.append((s, layout.samples_key(s) in keys, layout.qc_key(s) in keys, layout.render_key(s) in keys))
    sample_files = [storage.url(layout.samples_key(s)) for s, has, _, _ in flags if has]
    qc_files = [storage.url(layout.qc_key(s)) for s, _, has, _ in flags if has]
    manifests = dict(done)
    member_files = [storage.url(_ensure_members(storage, layout, s, manifests[s])) for s, _, _, has in flags if has]
    manifest_rows = [(s, m.counts.samples, m.counts.rendered, m.counts.failed, m.created_unix,
                      sum(o.size for o in m.objects)) for s, m in done]
    if spec is not None and expected is None:
        from psynth_data.expected import expected_frame

        expected = expected_frame(spec)
    with tempfile.TemporaryDirectory(prefix="psynth-index-") as tmp:
        db_path = Path(tmp) / "index.duckdb"
        con = duckdb.connect(str(db_path))
        try:
            attach_storage(con, storage)  # s3:// roots: httpfs + a temporary secret (never stored)
            con.execute("CREATE TABLE _shards (shard INTEGER, has_samples BOOLEAN, has_qc BOOLEAN, has_renders BOOLEAN)")
            if flags:
                con.executemany("INSERT INTO _shards VALUES (?, ?, ?, ?)", flags)
            _view(con, "samples", sample_files, _glob(storage, layout.samples_key(0)), "has_samples",
                  "SELECT NULL::BIGINT AS sample_id, NULL::INTEGER AS shard WHERE false", max_listed_files)
            _view(con, "qc", qc_files, _glob(storage, layout.qc_key(0)), "has_qc",
                  "SELECT NULL::BIGINT AS sample_id, NULL::INTEGER AS shard, NULL::BOOLEAN AS qc_pass, "
                  "NULL::VARCHAR[] AS qc_reasons WHERE false", max_listed_files)
            _view(con, "_renders_files", member_files, _glob(storage, layout.members_key(0)), "has_renders",
                  "SELECT NULL::BIGINT AS sample_id, NULL::VARCHAR AS member, NULL::BIGINT AS bytes, "
                  "NULL::INTEGER AS shard WHERE false", max_listed_files)
            con.execute("CREATE VIEW renders AS SELECT sample_id, member, bytes, shard FROM _renders_files")
            # one small row per shard: a table is fine here (it is not per-sample data)
            con.execute("CREATE TABLE manifests (shard INTEGER, samples BIGINT, rendered BIGINT, failed BIGINT, "
                        "created_unix DOUBLE, bytes BIGINT)")
            if manifest_rows:
                con.executemany("INSERT INTO manifests VALUES (?, ?, ?, ?, ?, ?)", manifest_rows)
            if expected is not None:
                con.execute("CREATE TABLE _expected (axis VARCHAR, column_name VARCHAR, kind VARCHAR, value VARCHAR, "
                            "bin INTEGER, bin_low DOUBLE, bin_high DOUBLE, probability DOUBLE, source VARCHAR, "
                            "pilot_samples BIGINT)")
                con.executemany("INSERT INTO _expected VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                expected.select(list(EXPECTED_COLUMNS)).rows())
                con.execute("CREATE VIEW expected AS SELECT * FROM _expected")
            con.execute("CREATE TABLE info (dataset VARCHAR, version_id VARCHAR, spec_shards BIGINT, "
                        "indexed_shards BIGINT, verify VARCHAR, built_unix DOUBLE, spec_json VARCHAR, "
                        "samples_folder VARCHAR, qc_folder VARCHAR)")
            con.execute("INSERT INTO info VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                layout.dataset, layout.version_id, spec.shards if spec is not None else None, len(done), verify,
                time.time(), spec.model_dump_json() if spec is not None else None,
                _folder(storage, layout.samples_key(0)), _folder(storage, layout.qc_key(0))])
            summary.samples = con.execute("SELECT count(*) FROM samples").fetchone()[0]
            summary.members = con.execute("SELECT count(*) FROM renders").fetchone()[0]
            summary.qc_rows = con.execute("SELECT count(*) FROM qc").fetchone()[0]
            con.execute("CHECKPOINT")
        finally:
            con.close()
        summary.index_bytes = db_path.stat().st_size
        storage.put_file(layout.index_key, db_path, move=True)
    return summary


def index_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether an index has what this version's audit reads (older ones lack the folders)."""
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'info'").fetchall()}
    return "samples_folder" in columns


def open_index(storage: Storage, layout: Layout, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the dataset's index (local stores: the file in place)."""
    local = storage.local_path(layout.index_key)
    if local is None:
        tmp = Path(tempfile.mkdtemp(prefix="psynth-index-")) / "index.duckdb"
        storage.get_file(layout.index_key, tmp)
        local = tmp
    elif not local.is_file():
        raise StorageError(f"{local}: no index; build it first (the {layout.dataset}/index asset, or psynth audit)")
    con = duckdb.connect(str(local), read_only=read_only)
    attach_storage(con, storage)  # views over s3:// files need httpfs and the S3 secret
    return con

"""DuckDB reading Parquet straight from S3: the httpfs extension from its wheel, an S3 secret.

    attach_storage(con, storage)   no-op for a local store; for S3: load httpfs, create the secret

The extension comes from the `duckdb-extension-httpfs` package pinned beside `duckdb` (same
version); it is loaded by path and DuckDB's automatic download is switched off, so nothing is
fetched at run time. The secret is TEMPORARY (in memory, never written into `index.duckdb`)
and scoped to the store's bucket; credentials come from boto3's chain, as for the store.
"""

import duckdb

from psynth_data.s3 import S3Storage, endpoint_host
from psynth_data.storage import Storage, StorageError


def httpfs_path() -> str:
    """The httpfs extension file of the installed `duckdb-extension-httpfs` matching DuckDB."""
    version = duckdb.__version__
    try:
        import duckdb_extension_httpfs
    except ImportError:
        raise StorageError(f"reading s3:// needs the DuckDB httpfs extension: pip install "
                           f"duckdb-extension-httpfs=={version}") from None
    from pathlib import Path

    base = Path(duckdb_extension_httpfs.__file__).parent / "extensions"
    exact = base / f"v{version}" / "httpfs.duckdb_extension"
    if exact.is_file():
        return str(exact)
    found = sorted(p.parent.name for p in base.glob("v*/httpfs.duckdb_extension"))
    raise StorageError(f"duckdb-extension-httpfs ships {', '.join(found) or 'no extension'}, DuckDB is v{version}: "
                       f"pip install duckdb-extension-httpfs=={version}")


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def attach_storage(con: duckdb.DuckDBPyConnection, storage: Storage) -> None:
    """Let `con` read the store's objects by URI (`read_parquet('s3://...')`)."""
    if not isinstance(storage, S3Storage):
        return
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute(f"LOAD {_literal(httpfs_path())}")
    creds = storage.credentials()
    options = [("TYPE", "s3"), ("SCOPE", _literal(f"s3://{storage.bucket}")),
               ("REGION", _literal(storage.settings.region))]
    if creds is not None:
        options += [("KEY_ID", _literal(creds.access_key)), ("SECRET", _literal(creds.secret_key))]
        if creds.token:
            options.append(("SESSION_TOKEN", _literal(creds.token)))
    if storage.settings.endpoint_url:
        host, tls = endpoint_host(storage.settings.endpoint_url)
        options += [("ENDPOINT", _literal(host)), ("URL_STYLE", "'path'"), ("USE_SSL", "true" if tls else "false")]
    body = ", ".join(f"{k} {v}" for k, v in options)
    try:
        con.execute(f"CREATE OR REPLACE TEMPORARY SECRET psynth_s3 ({body})")
    except duckdb.Error as exc:  # the message could quote the statement: never show it
        raise StorageError(f"DuckDB could not configure S3 access to {storage.root} ({type(exc).__name__})") from None

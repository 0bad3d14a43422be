"""Scan a folder or an S3 prefix of 3D files (and .exr/.hdr environment images) into an asset
catalog, in parallel and resumably.

    listing (+ sidecars) -> reuse rows of unchanged files -> pool of reader processes -> catalog

Reading geometry needs a 3D importer, which psynth_data does not have (bpy lives only in
psynth_render): the caller names a reader function as `"module:function"`, taking
`(local_path, format, up)` and returning `{"triangles", "materials", "bounds_min", "bounds_max"}`
(an environment image: `{"resolution": [width, height]}`);
every pool process imports it once. The processes are spawned, not forked: Blender's state
must not be copied into a child.

Resumable: every finished file is appended (one JSON line, flushed) to a journal beside the
output, `CATALOG.parquet.scan.jsonl`. A scan started again reuses the journal's rows and those of
an existing catalog for every file whose size and modification time are unchanged, so a scan
killed after 9,000 of 10,000 files reads the last 1,000 only, and a rescan of an unchanged
library reads none. Tags and licences are recomputed every time (sidecars are cheap to read).

Never fatal per file: a reader exception is that file's `error`; a reader process that dies
(a C-level crash inside an importer) breaks the pool, and the files it held are then read
one per fresh process so that only the file that kills its process is marked.
"""

import hashlib
import importlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from psynth_data.asset_catalog import SCHEMA, asset_format, catalog_frame, read_catalog, write_catalog
from psynth_data.asset_files import fetch_asset
from psynth_data.asset_tags import is_sidecar, labels_for
from psynth_data.storage import LocalStorage, Storage, StorageError, open_storage
from psynth_spec.errors import PsynthError

_READ_FIELDS = ("sha256", "triangles", "materials", "bounds_min", "bounds_max", "resolution", "error")
_STATS = ("triangles", "materials", "bounds_min", "bounds_max", "resolution")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ScanTask:
    """One file to read: where it is and what the reader needs to know."""

    root: str
    key: str
    format: str
    up: str | None


class ScanError(PsynthError):
    """The scan itself cannot run (its reader does not start), as opposed to a file's error."""


@dataclass
class ScanReport:
    files: int  # 3D files found
    read: int  # read in this run (the others reused)
    errors: int  # rows with an error
    seconds: float
    path: Path


# ---------------------------------------------------------------- the pool side
_READER: Callable | None = None


def _init_reader(reader: str) -> None:
    """Pool initializer: import the reader once per process; importers' chatter to /dev/null
    (stdout is the parent's, and the CLI's progress goes to the terminal)."""
    global _READER
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    # spawn hands down the parent's sys.path; when the parent had imported bpy, that starts with
    # bpy's own scripts folders, where `import bpy` would find the wrong package
    sys.path[:] = [p for p in sys.path if f"{os.sep}bpy{os.sep}" not in p]
    module, _, name = reader.partition(":")
    _READER = getattr(importlib.import_module(module), name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_one(task: ScanTask) -> dict:
    """Hash and read one file (in a pool process); any failure becomes the row's `error`."""
    assert _READER is not None, "read_one runs in a pool initialised by _init_reader"
    out: dict = {"sha256": None, **{k: None for k in _STATS}}
    storage = open_storage(task.root)
    with tempfile.TemporaryDirectory(prefix="psynth-scan-") as scratch:
        try:
            local = storage.local_path(task.key)
            if local is None:  # S3: fetch a copy (and the files it refers to) to read
                local = fetch_asset(storage, task.key, task.format, Path(scratch))
            out["sha256"] = _sha256(local)
            stats = _READER(str(local), task.format, task.up)
            out.update({k: stats.get(k) for k in _STATS})
            out["error"] = None
        except Exception as exc:  # an importer's failure is data about the file
            message = str(exc).strip() or type(exc).__name__
            out["error"] = (message if type(exc).__name__ == "AssetImportError" else f"{type(exc).__name__}: {message}")[:500]
    return out


# ---------------------------------------------------------------- the listing
def _listing(storage: Storage) -> tuple[list[tuple[str, int, float]], dict[str, str]]:
    """(key, size, mtime) of every 3D file, and the text of every sidecar."""
    if isinstance(storage, LocalStorage):
        entries = []
        for key in storage.list(""):
            stat = storage.path(key).stat()
            entries.append((key, stat.st_size, stat.st_mtime))
    else:
        entries = storage.list_details("")  # type: ignore[attr-defined]
    files = [e for e in entries if asset_format(e[0]) and not is_sidecar(e[0])]
    sidecars = {}
    for key, _size, _mtime in entries:
        if is_sidecar(key):
            try:
                sidecars[key] = storage.get(key).decode("utf-8", errors="replace")
            except StorageError as exc:
                sidecars[key] = f"!unreadable {exc}"  # not YAML-valid on purpose: the files get the error
    return files, sidecars


def _uri(storage: Storage, key: str) -> str:
    """Where the renderer fetches the file: an absolute local path or an s3:// URL."""
    url = storage.url(key)
    return url if url.startswith("s3://") else str(Path(url).resolve())


def _journal_path(out: Path) -> Path:
    return out.with_name(out.name + ".scan.jsonl")


def _previous_rows(out: Path) -> dict[str, dict]:
    """Rows of an earlier catalog and of an unfinished scan's journal, by asset id."""
    rows: dict[str, dict] = {}
    if out.exists():
        try:
            for row in read_catalog(out).iter_rows(named=True):
                rows[row["asset_id"]] = row
        except Exception:  # a damaged old catalog only costs a full rescan
            rows = {}
    journal = _journal_path(out)
    if journal.exists():
        for line in journal.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # the last line of a killed scan may be cut short
            if isinstance(row, dict) and "asset_id" in row:
                rows[row["asset_id"]] = row
    return rows


# ---------------------------------------------------------------- the scan
def scan_assets(
    source: str,
    out: str | os.PathLike,
    reader: str,
    *,
    workers: int | None = None,
    max_tasks_per_child: int = 200,
    progress: Callable[[int, int], None] | None = None,
) -> ScanReport:
    """Scan `source` (a folder or `s3://BUCKET/PREFIX`) into the catalog `out`.

    Args:
        reader: `"module:function"` of the geometry reader (see the module docstring).
        workers: reader processes (default: the CPU count).
        max_tasks_per_child: files per process before it is replaced (importers leak).
        progress: called with (files done, files to read) after each file.
    """
    started = time.perf_counter()
    out = Path(out)
    storage = open_storage(source)
    if isinstance(storage, LocalStorage) and not Path(storage.root).is_dir():
        raise StorageError(f"{source}: no such folder to scan")
    files, sidecars = _listing(storage)
    previous = _previous_rows(out)
    rows: dict[str, dict] = {}
    tasks: list[ScanTask] = []
    for key, size, mtime in files:
        labels = labels_for(key, sidecars)
        row = {"asset_id": key, "uri": _uri(storage, key), "format": asset_format(key), "size": size,
               "mtime": mtime, "tags": labels.tags, "licence": labels.licence, "up": labels.up}
        old = previous.get(key)
        if old is not None and old.get("size") == size and old.get("mtime") == mtime and old.get("up") == labels.up:
            row.update({k: old.get(k) for k in _READ_FIELDS})
        else:
            tasks.append(ScanTask(storage.root, key, row["format"], labels.up))
        rows[key] = row
        if labels.error:
            rows[key]["_label_error"] = labels.error

    journal = _journal_path(out)
    journal.parent.mkdir(parents=True, exist_ok=True)
    with open(journal, "a", encoding="utf-8") as log:
        def record(task: ScanTask, result: dict) -> None:
            rows[task.key].update(result)
            line = {k: v for k, v in rows[task.key].items() if not k.startswith("_")}
            log.write(json.dumps(line) + "\n")
            log.flush()
            if progress:
                progress(len(done), len(tasks))

        done: set[str] = set()
        _read_all(tasks, reader, workers or os.cpu_count() or 1, max_tasks_per_child, record, done)

    final = []
    for row in rows.values():
        label_error = row.pop("_label_error", None)
        if label_error and not row.get("error"):
            row["error"] = label_error
        final.append({k: row.get(k) for k in SCHEMA})
    frame = catalog_frame(final)
    write_catalog(frame, out)
    journal.unlink(missing_ok=True)
    errors = int(frame["error"].is_not_null().sum())
    return ScanReport(len(files), len(tasks), errors, time.perf_counter() - started, out)


def _pool(reader: str, workers: int, max_tasks_per_child: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), initializer=_init_reader,
        initargs=(reader,), max_tasks_per_child=max_tasks_per_child,
    )


def _ping() -> bool:
    return _READER is not None


def _check_reader_starts(reader: str) -> None:
    with _pool(reader, 1, 1) as pool:
        try:
            pool.submit(_ping).result()
        except BrokenProcessPool:
            raise ScanError(f"the reader {reader} does not start in a worker process") from None


def _read_all(tasks, reader, workers, max_tasks_per_child, record, done: set[str]) -> None:
    """Read every task; after a pool breaks, read what it held one file per process."""
    if not tasks:
        return
    workers = max(1, min(workers, len(tasks)))
    suspects: list[ScanTask] = []
    with _pool(reader, workers, max_tasks_per_child) as pool:
        pending = {pool.submit(read_one, t): t for t in tasks}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                task = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    suspects.append(task)
                    continue
                done.add(task.key)
                record(task, result)
    if suspects and not done:
        _check_reader_starts(reader)  # a reader that cannot start is the scan's error, not the files'
    for task in suspects:  # each alone: a crash now names its file
        with _pool(reader, 1, 1) as pool:
            try:
                result = pool.submit(read_one, task).result()
            except BrokenProcessPool:
                result = {k: None for k in _READ_FIELDS}
                result["error"] = "the reader process crashed on this file"
        done.add(task.key)
        record(task, result)

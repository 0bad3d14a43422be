"""From a dataset path a user types to (storage, layout): the one place that parses it.

    locate_dataset("data/quickstart/3f2a9c1e")  -> a version folder ({root}/{dataset}/{version_id})
    locate_dataset("data/quickstart")           -> its latest version: the version folder whose
                                                   newest manifest (or index) is the most recent

A version folder is recognised by a `manifests/` folder or an `index.duckdb`. `s3://` paths
(version or dataset) are resolved the same way by `s3_dataset.locate_s3_dataset`.
"""

import os
from pathlib import Path

from psynth_data.layout import Layout
from psynth_data.storage import Storage, StorageError, open_storage


def _is_version(folder: Path) -> bool:
    return (folder / "manifests").is_dir() or (folder / "index.duckdb").is_file()


def _newest(folder: Path) -> float:
    times = [p.stat().st_mtime for p in (folder / "manifests").glob("*.json")] if (folder / "manifests").is_dir() else []
    if (folder / "index.duckdb").is_file():
        times.append((folder / "index.duckdb").stat().st_mtime)
    return max(times, default=0.0)


def locate_dataset(path: str | os.PathLike) -> tuple[Storage, Layout]:
    """The storage root and layout of the dataset version at `path` (see the module docstring)."""
    text = str(path).rstrip("/")
    if text.startswith("s3://"):
        from psynth_data.s3_dataset import locate_s3_dataset  # boto3: only for s3:// paths

        return locate_s3_dataset(text)
    folder = Path(text).resolve()
    if not folder.is_dir():
        raise StorageError(f"{path}: no such dataset folder")
    if not _is_version(folder):
        versions = [v for v in folder.iterdir() if v.is_dir() and _is_version(v)]
        if not versions:
            raise StorageError(f"{path}: neither a dataset version folder (with manifests/) nor a dataset "
                               "folder holding versions")
        folder = max(versions, key=lambda v: (_newest(v), v.name))
    return open_storage(folder.parent.parent), Layout(folder.parent.name, folder.name)

"""`s3://` dataset paths a user types (`psynth audit s3://...`) to (storage, layout).

    locate_s3_dataset("s3://bucket/prefix/quickstart/3f2a9c1e") -> that version
    locate_s3_dataset("s3://bucket/prefix/quickstart")          -> its latest version: the one
                                                                   whose newest manifest (or
                                                                   index) is the most recent

Like a local version folder, a version is recognised by its `manifests/` or `index.duckdb`.
"""

from psynth_data.layout import Layout
from psynth_data.s3 import S3Storage
from psynth_data.storage import StorageError


def _newest(storage: S3Storage, layout: Layout) -> float | None:
    """Newest modification time of the version's manifests / index; None when it has neither."""
    times = [t for key, _, t in storage.list_details(layout.prefix)
             if key.startswith(layout.manifests_prefix) or key == layout.index_key]
    return max(times) if times else None


def locate_s3_dataset(url: str) -> tuple[S3Storage, Layout]:
    """The store and layout of the dataset version at an `s3://` path (see the module docstring)."""
    text = url.rstrip("/")
    parts = text[len("s3://"):].split("/")
    if len(parts) < 2 or not all(parts):
        raise StorageError(f"{url}: expected s3://BUCKET[/PREFIX]/DATASET[/VERSION_ID]")
    if len(parts) >= 3:
        storage = S3Storage("s3://" + "/".join(parts[:-2]))
        if _newest(storage, Layout(parts[-2], parts[-1])) is not None:
            return storage, Layout(parts[-2], parts[-1])
    storage = S3Storage("s3://" + "/".join(parts[:-1]))
    dataset = parts[-1]
    versions = []
    for name, _, _ in storage.list_details(dataset, folders=True):
        newest = _newest(storage, Layout(dataset, name))
        if newest is not None:
            versions.append((newest, name))
    if not versions:
        raise StorageError(f"{url}: neither a dataset version (with manifests/) nor a dataset holding versions")
    return storage, Layout(dataset, max(versions)[1])

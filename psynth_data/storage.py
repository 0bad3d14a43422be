"""Object storage behind one small interface: a local disk, or S3 by configuration (`s3.py`).

Every write is atomic: readers see the old object or the whole new one, never a part (a local
write goes to a temporary name in the same folder, then `os.replace`). Keys are relative
`/`-separated paths (see `layout.py`).
"""

import hashlib
import io
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from psynth_spec.errors import PsynthError

_CHUNK = 1 << 20


class StorageError(PsynthError):
    """A storage root or key is invalid, or an object is missing."""


class Storage(ABC):
    """What the pipeline needs from a place that holds objects."""

    root: str

    @abstractmethod
    def put_bytes(self, key: str, data: bytes) -> None:
        """Write `data` under `key` atomically (replacing any old object)."""

    @abstractmethod
    def put_file(self, key: str, path: str | os.PathLike, move: bool = False) -> None:
        """Upload a local file under `key` atomically; `move` lets a local store take the file."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The object's bytes; `StorageError` when it does not exist."""

    @abstractmethod
    def get_file(self, key: str, path: str | os.PathLike) -> None:
        """Copy the object to a local file."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def size(self, key: str) -> int: ...

    @abstractmethod
    def list(self, prefix: str = "") -> list[str]:
        """Keys under `prefix` (a folder-like prefix), sorted."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove an object; no error when it is absent."""

    def sha256(self, key: str) -> str:
        """Hex sha256 of the object's bytes."""
        return hashlib.sha256(self.get(key)).hexdigest()

    def local_path(self, key: str) -> Path | None:
        """A path on this machine holding the object, when the store is local; else None."""
        return None

    def url(self, key: str) -> str:
        """Where other readers (DuckDB, pyarrow, a person) find the object or folder `key`: its
        local path, else `{root}/{key}` (an `s3://` URL)."""
        local = self.local_path(key)
        return str(local) if local is not None else f"{self.root.rstrip('/')}/{check_key(key)}"

    def open(self, key: str) -> BinaryIO:
        """The object as a readable binary file: the local file itself, else its bytes in memory.
        `StorageError` when it does not exist."""
        local = self.local_path(key)
        if local is None:
            return io.BytesIO(self.get(key))
        try:
            return open(local, "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise StorageError(f"no object {key} in {self.root}") from None


def check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise StorageError(f"invalid storage key {key!r}")
    return key


class LocalStorage(Storage):
    """Objects as files under a folder; `{root}/{key}`."""

    def __init__(self, root: str | os.PathLike):
        self.root = str(Path(root).resolve())

    def path(self, key: str) -> Path:
        return Path(self.root, *check_key(key).split("/"))

    def local_path(self, key: str) -> Path | None:
        return self.path(key)

    def _temp_beside(self, target: Path) -> str:
        target.parent.mkdir(parents=True, exist_ok=True)
        return temp_file_beside(target)

    def put_bytes(self, key: str, data: bytes) -> None:
        target = self.path(key)
        tmp = self._temp_beside(target)
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            _unlink_quietly(tmp)
            raise

    def put_file(self, key: str, path: str | os.PathLike, move: bool = False) -> None:
        target = self.path(key)
        source = Path(path)
        if not source.is_file():
            raise StorageError(f"cannot store {key}: {source} is not a file")
        if move:
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(source, target)  # same file system: atomic and free
                return
            except OSError:
                pass  # another file system: copy below
        tmp = self._temp_beside(target)
        try:
            shutil.copyfile(source, tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            _unlink_quietly(tmp)
            raise
        if move:
            source.unlink()

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise StorageError(f"no object {key} in {self.root}") from None

    def get_file(self, key: str, path: str | os.PathLike) -> None:
        source = self.path(key)
        if not source.is_file():
            raise StorageError(f"no object {key} in {self.root}")
        shutil.copyfile(source, path)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise StorageError(f"no object {key} in {self.root}") from None

    def list(self, prefix: str = "") -> list[str]:
        base = self.path(prefix.rstrip("/")) if prefix.strip("/") else Path(self.root)
        if not base.is_dir():
            return []
        out = []
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                if name.startswith(".") and name.endswith(".tmp"):
                    continue  # an atomic write in flight
                out.append(Path(dirpath, name).relative_to(self.root).as_posix())
        return sorted(out)

    def delete(self, key: str) -> None:
        _unlink_quietly(self.path(key))

    def sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        try:
            with open(self.path(key), "rb") as f:
                while chunk := f.read(_CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            raise StorageError(f"no object {key} in {self.root}") from None
        return digest.hexdigest()


@lru_cache(maxsize=1)
def new_file_mode() -> int:
    """The mode `open()` gives a new file under this process's umask (0o666 & ~umask).

    `mkstemp` makes its files 0600 whatever the umask; objects written through it would be
    unreadable to the rest of a team, while tars written by `open()` are 0644.
    """
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def temp_file_beside(target: Path) -> str:
    """An empty temporary file in `target`'s folder (for an atomic replace), with the mode a
    plain `open()` would give it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, new_file_mode())
    finally:
        os.close(fd)
    return tmp


def _unlink_quietly(path: str | os.PathLike) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def default_root() -> str:
    """`PSYNTH_DATA_ROOT`, else `./data`."""
    return os.environ.get("PSYNTH_DATA_ROOT") or "data"


def open_storage(root: str | os.PathLike | None = None) -> Storage:
    """The store for a root: `s3://BUCKET/PREFIX` is S3 (`psynth_data.s3`), else a local folder."""
    root = str(root) if root is not None else default_root()
    if root.startswith("s3://"):
        from psynth_data.s3 import S3Storage  # boto3: imported only for S3 roots

        return S3Storage(root)
    return LocalStorage(root)

"""Fetch a library file for reading, with the files it refers to (S3 libraries).

A glTF file names its buffers and images, an OBJ its material libraries; an importer reading a
copy of the file alone would fail or lose materials. Local libraries need no copy: the
importer reads the file where it is.
"""

import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from psynth_data.storage import Storage, StorageError

_MTLLIB = re.compile(r"^\s*mtllib\s+(.+?)\s*$", re.MULTILINE)


def companions(path: Path, fmt: str) -> list[str]:
    """Relative paths the file refers to (glTF buffers and images, OBJ mtllib files)."""
    try:
        if fmt == "gltf":
            data = json.loads(path.read_text(encoding="utf-8"))
            uris = [item.get("uri") for key in ("buffers", "images") for item in data.get(key, ()) if isinstance(item, dict)]
            return [unquote(u) for u in uris if isinstance(u, str) and u and not u.startswith("data:")]
        if fmt == "obj":
            return [name for line in _MTLLIB.findall(path.read_text(encoding="utf-8", errors="replace")) for name in line.split()]
    except (OSError, ValueError, AttributeError):
        return []  # the importer reports what is wrong with the file itself
    return []


def fetch_asset(storage: Storage, key: str, fmt: str, folder: Path) -> Path:
    """Copy `key` and the files it refers to under `folder` (same relative layout); its local path."""
    local = folder / posixpath.basename(key)
    storage.get_file(key, local)
    base = posixpath.dirname(key)
    for name in companions(local, fmt):
        ref = posixpath.normpath(posixpath.join(base, name))
        if ref.startswith("..") or posixpath.isabs(name):
            continue  # outside the library: never fetched
        target = folder / posixpath.relpath(ref, base or ".")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            storage.get_file(ref, target)
        except StorageError:
            continue  # a missing companion: the importer says what it lacks
    return local

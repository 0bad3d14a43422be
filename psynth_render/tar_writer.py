"""Assemble a shard's WebDataset tar from its committed sample folders.

Members are grouped by sample (ascending `sample_id`) so WebDataset sees each sample as one
run of `{key}.{suffix}` members. Shard-level members (the scene scripts' helper module,
`__psynth_scene__`) come first, before every sample; their names hold no sample id. Headers are normalized (mtime 0, uid/gid 0, mode 0644) so the
same renders give the same bytes. The tar is written under a temporary name and renamed: a
reader never meets a partial tar under the final name.
"""

import io
import os
import tarfile
from pathlib import Path

from psynth_data.members import is_shard_member
from psynth_render.outputs import sort_key


def _header(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0
    info.mode = 0o644
    return info


def _suffix(sample_id: int, name: str) -> str:
    prefix = f"{sample_id:09d}."
    if not name.startswith(prefix):
        raise ValueError(f"member {name!r} does not belong to sample {sample_id}")
    return name[len(prefix) :]


def sample_members(sample_dir: Path, sample_id: int) -> list[Path]:
    """A committed sample's files in tar order."""
    files = [p for p in sample_dir.iterdir() if p.is_file()]
    return sorted(files, key=lambda p: sort_key(_suffix(sample_id, p.name)))


def write_shard_tar(sample_dirs: list[tuple[int, Path]], dest: str | os.PathLike,
                    shard_members: dict[str, bytes] | None = None) -> list[str]:
    """Write the tar of `(sample_id, folder)` pairs to `dest` atomically, after the shard-level
    members `shard_members` (name -> bytes); returns member names."""
    dest = Path(dest)
    tmp = dest.with_name(f".{dest.name}.partial")
    names: list[str] = []
    try:
        with open(tmp, "wb") as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for name, data in sorted((shard_members or {}).items()):
                if not is_shard_member(name):
                    raise ValueError(f"shard-level member {name!r} must be named __NAME__")
                tar.addfile(_header(name, len(data)), io.BytesIO(data))
                names.append(name)
            for sample_id, folder in sorted(sample_dirs):
                for path in sample_members(folder, sample_id):
                    with open(path, "rb") as f:
                        tar.addfile(_header(path.name, path.stat().st_size), f)
                    names.append(path.name)
            tar.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return names

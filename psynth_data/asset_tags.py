"""Tags, licence and up axis of a library file: its folder names plus optional sidecars.

A sidecar is YAML: `asset.yaml` in a folder applies to every file under that folder; a file's
own sidecar is `<file name>.asset.yaml` beside it (`chair_01.glb.asset.yaml`). Keys:

    tags: [chair, wooden]     # added to the folder-name tags
    licence: cc_by_4_0        # `license` is accepted too; the nearest sidecar wins
    up: y                     # the file's up axis when its importer gets it wrong (y or z)

Tags are names as the language writes them (`[a-z_][a-z0-9_]*`): "Dining Chairs" becomes
`dining_chairs`, so `where tag in [dining_chairs]` can name it. A sidecar that is not valid
YAML, or has other keys, is that file's error (listed in the catalog, never fatal).
"""

from dataclasses import dataclass, field

import yaml

from psynth_spec.asset_catalogs import as_name as tag_name

FOLDER_SIDECAR = "asset.yaml"
FILE_SIDECAR_SUFFIX = ".asset.yaml"
_KEYS = {"tags", "licence", "license", "up"}


@dataclass
class AssetLabels:
    tags: list[str] = field(default_factory=list)
    licence: str | None = None
    up: str | None = None
    error: str | None = None


def parse_sidecar(text: str, where: str) -> tuple[dict, str | None]:
    """A sidecar's keys, or ({}, the reason it is unusable)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        return {}, f"{where}: not valid YAML{at}"
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, f"{where}: expected a mapping of tags, licence, up"
    unknown = sorted(str(k) for k in data if k not in _KEYS)
    if unknown:
        return {}, f"{where}: unknown key {', '.join(unknown)} (keys are tags, licence, up)"
    tags = data.get("tags", [])
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, (str, int)) for t in tags):
        return {}, f"{where}: tags must be a list of names"
    up = data.get("up")
    if up is not None and str(up).lower() not in ("y", "z"):
        return {}, f"{where}: up must be y or z, not {up!r}"
    licence = data.get("licence", data.get("license"))
    out = {"tags": [str(t) for t in tags], "up": None if up is None else str(up).lower()}
    if licence is not None:
        out["licence"] = str(licence)
    return out, None


def labels_for(asset_id: str, sidecars: dict[str, str]) -> AssetLabels:
    """Labels of one file from its folder names and the sidecars on its path.

    Args:
        asset_id: the file's `/`-separated path relative to the library root.
        sidecars: sidecar path (relative, `/`-separated) -> its text, for every sidecar found.
    """
    parts = asset_id.split("/")
    labels = AssetLabels()
    tags = {t for t in (tag_name(p) for p in parts[:-1]) if t}
    chain = ["/".join(parts[:depth] + [FOLDER_SIDECAR]) for depth in range(len(parts))]
    chain.append(asset_id + FILE_SIDECAR_SUFFIX)
    for key in chain:  # root first, the file's own last: the nearest licence and up win
        if key not in sidecars:
            continue
        data, problem = parse_sidecar(sidecars[key], key)
        if problem:
            labels.error = problem
            continue
        tags.update(t for t in (tag_name(x) for x in data["tags"]) if t)
        labels.licence = data.get("licence", labels.licence)
        labels.up = data["up"] or labels.up
    labels.tags = sorted(tags)
    return labels


def is_sidecar(key: str) -> bool:
    name = key.rsplit("/", 1)[-1]
    return name == FOLDER_SIDECAR or name.endswith(FILE_SIDECAR_SUFFIX)

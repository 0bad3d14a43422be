"""What a rendered partition looks like, for the Dagster UI: timings, sizes and a contact sheet.

Reads only the complete shards' manifests and tars through a `psynth_data` store. Used by the
Pipes render program (which runs as a plain script, without Dagster) and by tests.
"""

import base64
import io
import json
import math
import tarfile

from psynth_data.layout import Layout
from psynth_data.manifest import read_manifest
from psynth_data.storage import Storage
from psynth_data.timings import render_seconds_summary

THUMB_PX = 64
SHEET_COLUMNS = 8
SHEET_MAX = 32
IMAGE_SUFFIXES = (".png", ".webp")


def _tar_contents(storage: Storage, key: str, want_images: int) -> tuple[list[float], list[bytes]]:
    """Per-sample render seconds (from the `json` members) and up to `want_images` image bytes."""
    seconds: list[float] = []
    images: list[bytes] = []
    with storage.open(key) as source, tarfile.open(fileobj=source, mode="r:") as tar:
        for member in tar:
            name = member.name
            if name.endswith(".json") and name.count(".") == 1:
                meta = json.loads(tar.extractfile(member).read())
                value = (meta.get("render") or {}).get("seconds")
                if value is not None:
                    seconds.append(float(value))
            elif name.endswith(IMAGE_SUFFIXES) and name.count(".") == 1 and len(images) < want_images:
                images.append(tar.extractfile(member).read())
    return seconds, images


def contact_sheet(images: list[bytes], px: int = THUMB_PX, columns: int = SHEET_COLUMNS) -> bytes | None:
    """A PNG grid of thumbnails, or None without images."""
    from PIL import Image

    thumbs = []
    for data in images:
        with Image.open(io.BytesIO(data)) as im:
            im = im.convert("RGB")
            im.thumbnail((px, px))
            thumbs.append(im.copy())
    if not thumbs:
        return None
    cols = min(columns, len(thumbs))
    rows = math.ceil(len(thumbs) / cols)
    sheet = Image.new("RGB", (cols * px, rows * px), (32, 32, 32))
    for i, im in enumerate(thumbs):
        x, y = (i % cols) * px, (i // cols) * px
        sheet.paste(im, (x + (px - im.width) // 2, y + (px - im.height) // 2))
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()


def summarize_partition(storage: Storage, layout: Layout, shards: list[int], rendered_now: list[int]) -> dict:
    """Counts, render-time percentiles, bytes and a contact sheet of a partition's complete shards.

    `rendered_now` are the shards this run rendered: their objects are the bytes it wrote.
    """
    per_shard = max(1, SHEET_MAX // max(1, len(shards)))
    samples = rendered = failed = total_bytes = written = 0
    seconds: list[float] = []
    images: list[bytes] = []
    devices: set[str] = set()
    for shard in shards:
        manifest = read_manifest(storage, layout, shard)
        if manifest is None:
            continue
        samples += manifest.counts.samples
        rendered += manifest.counts.rendered
        failed += manifest.counts.failed
        size = sum(entry.size for entry in manifest.objects)
        total_bytes += size
        if shard in rendered_now:
            written += size + storage.size(layout.manifest_key(shard))
        if manifest.extra.get("device"):
            devices.add(str(manifest.extra["device"]))
        key = layout.render_key(shard)
        if storage.exists(key):
            got_seconds, got_images = _tar_contents(storage, key, min(per_shard, SHEET_MAX - len(images)))
            seconds += got_seconds
            images += got_images
    return {
        "samples": samples,
        "rendered": rendered,
        "failed": failed,
        **render_seconds_summary(seconds),
        "device": ", ".join(sorted(devices)) or "unknown",
        "bytes_total": total_bytes,
        "bytes_written": written,
        "sheet_png": contact_sheet(images),
        "sheet_count": len(images),
    }


def sheet_markdown(png: bytes, caption: str) -> str:
    """Markdown showing a PNG inline (a data URI), as the Dagster UI renders metadata."""
    data = base64.b64encode(png).decode("ascii")
    return f"**{caption}**\n\n![{caption}](data:image/png;base64,{data})"

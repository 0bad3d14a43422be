"""What a rendered partition looks like, for the Dagster UI: timings, sizes and a contact sheet.

Reads only the complete shards' manifests, QC tables and tars through a `psynth_data` store. Used by the
Pipes render program (which runs as a plain script, without Dagster) and by tests.
"""

import base64
import io
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


def _tar_images(storage: Storage, key: str, want_images: int) -> list[bytes]:
    """Up to `want_images` image members of a tar, in tar order."""
    images: list[bytes] = []
    if want_images <= 0:
        return images
    with storage.open(key) as source, tarfile.open(fileobj=source, mode="r:") as tar:
        for member in tar:
            if member.name.endswith(IMAGE_SUFFIXES) and member.name.count(".") == 1:
                images.append(tar.extractfile(member).read())
                if len(images) >= want_images:
                    break
    return images


def _render_seconds(storage: Storage, key: str) -> list[float]:
    """Per-sample render seconds of the rendered samples, from the shard's QC table (the tar
    holds no timings: re-renders are byte-identical)."""
    import polars as pl

    if not storage.exists(key):
        return []
    with storage.open(key) as source:
        table = pl.read_parquet(source, columns=["render_seconds"])
    return [float(v) for v in table["render_seconds"].drop_nulls().to_list()]


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
        seconds += _render_seconds(storage, layout.qc_key(shard))
        key = layout.render_key(shard)
        if storage.exists(key):
            images += _tar_images(storage, key, min(per_shard, SHEET_MAX - len(images)))
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

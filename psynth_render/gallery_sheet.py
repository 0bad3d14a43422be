"""Compose rendered tiles into one labelled contact sheet (Pillow; no bpy).

Each tile keeps its pixels 1:1 (no resampling, so what a reviewer sees is what was rendered)
with its label on a dark strip beneath; a title line names the axis and the fixed scene.
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BACKGROUND = (24, 24, 24)
LABEL_COLOUR = (235, 235, 235)
TITLE_COLOUR = (170, 170, 170)
GAP = 4
"""Pixels between tiles and around the sheet."""


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """`text` cut (with an ellipsis) to fit `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def compose_sheet(tiles: list[tuple[str, Path]], out: Path, title: str = "", columns: int | None = None) -> Path:
    """Write a PNG grid of the labelled tiles (all the same size) to `out`; returns `out`."""
    if not tiles:
        raise ValueError("a contact sheet needs at least one tile")
    images = []
    for _, path in tiles:
        with Image.open(path) as im:
            images.append(im.convert("RGB"))
    tw, th = images[0].size
    cols = columns or min(len(images), max(1, round(math.sqrt(len(images) * 1.5))))
    rows = math.ceil(len(images) / cols)
    label_px = max(10, min(16, tw // 9))
    strip = label_px + 6
    title_h = label_px + 8 if title else 0
    width = GAP + cols * (tw + GAP)
    height = GAP + title_h + rows * (th + strip + GAP)
    sheet = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font = _font(label_px)
    if title:
        draw.text((GAP, GAP), _fit(draw, title, font, width - 2 * GAP), fill=TITLE_COLOUR, font=font)
    for i, ((label, _), image) in enumerate(zip(tiles, images)):
        x = GAP + (i % cols) * (tw + GAP)
        y = GAP + title_h + (i // cols) * (th + strip + GAP)
        sheet.paste(image.resize((tw, th)) if image.size != (tw, th) else image, (x, y))
        text = _fit(draw, label, font, tw - 2)
        draw.text((x + (tw - draw.textlength(text, font=font)) / 2, y + th + 2), text, fill=LABEL_COLOUR, font=font)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, format="PNG", optimize=True)
    return out

"""Pictures for the demo data, drawn with Pillow so the seed needs no network."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

#: Fruit colour, highlight, and background per kind of produce.
PALETTES = {
    "lychee": ((176, 32, 48), (222, 92, 96), (46, 110, 58)),
    "pomelo": ((170, 196, 72), (214, 228, 130), (60, 120, 70)),
    "orange": ((232, 140, 30), (248, 190, 90), (40, 100, 50)),
    "tea": ((62, 128, 60), (120, 176, 96), (214, 226, 190)),
    "farm": ((90, 150, 80), (150, 200, 120), (160, 205, 235)),
}


def draw_produce(kind: str, seed: int, size: tuple[int, int] = (1200, 900)) -> bytes:
    """A simple still life: a pile of fruit (or tea leaves, or hills) on its own colours."""
    fruit, highlight, background = PALETTES[kind]
    rng = random.Random(seed)
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    width, height = size
    if kind == "farm":
        for i in range(4):
            top = height // 2 + i * 70
            draw.ellipse((-200 + i * 150, top, width + 200 - i * 100, height + 400), fill=fruit)
            fruit = tuple(max(0, c - 18) for c in fruit)
        return _png(image)
    for _ in range(rng.randint(14, 22)):
        r = rng.randint(70, 130) if kind != "tea" else rng.randint(40, 80)
        x = rng.randint(r, width - r)
        y = rng.randint(height // 3, height - r // 2)
        if kind == "tea":
            draw.ellipse(
                (x - r, y - r // 2, x + r, y + r // 2), fill=fruit, outline=highlight, width=4
            )
        else:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fruit)
            draw.ellipse((x - r // 2, y - r // 1.4, x, y - r // 3), fill=highlight)
    return _png(image)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()

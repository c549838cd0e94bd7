"""Render text to a PNG with a CJK font that has Simplified Chinese glyph shapes and Hangul."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# (path, face index): face 2 of the Noto CJK collection is Simplified Chinese; face 0 would be Japanese.
FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


class FontMissing(RuntimeError):
    pass


@lru_cache(maxsize=8)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size, index=index)
    raise FontMissing("no CJK font found: install fonts-noto-cjk (or fonts-wqy-microhei)")


def render_text_png(text: str, out: Path, width_px: int = 576, size: int = 24) -> Path:
    font = cjk_font(size)
    lines: list[str] = []
    for raw in text.splitlines() or [""]:
        line = ""
        for ch in raw:
            if font.getlength(line + ch) > width_px - 16:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    height = 16 + (size + 8) * len(lines)
    image = Image.new("L", (width_px, height), 255)
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((8, 8 + n * (size + 8)), line, font=font, fill=0)
    image.save(out)
    return out

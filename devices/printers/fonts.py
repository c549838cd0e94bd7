"""Finding a CJK font with Simplified Chinese glyph shapes and Hangul, for raster lines and previews.

Face 0 of Debian's NotoSansCJK-Regular.ttc is the Japanese face (直 and 骨 drawn the Japanese way), so a
collection is searched for its "SC" face by name rather than trusting an index. `KIOSK_CJK_FONT`
(`/path/font.ttc` or `/path/font.ttc:2`) overrides the search; fontconfig is asked last.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_ENV = "KIOSK_CJK_FONT"
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # fonts-noto-cjk
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
)
# Characters the font must draw: common Chinese, a Simplified-only form, and Hangul.
MUST_DRAW = "中国民政这한국"


class FontMissing(RuntimeError):
    """No usable CJK font: the message says what to install."""


@dataclass(frozen=True, slots=True)
class FontSource:
    path: str
    index: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.index}"


def _faces(path: str) -> list[int]:
    """Face indexes of a font file, Simplified Chinese faces first."""
    faces = []
    for index in range(16):
        try:
            font = ImageFont.truetype(path, 24, index=index)
        except OSError:
            break
        family = " ".join(name or "" for name in font.getname()).upper()
        faces.append((0 if " SC" in family or "SIMPLIFIED" in family else 1, index))
        if not path.lower().endswith((".ttc", ".otc")):
            break
    return [index for _, index in sorted(faces)]


def _picture(font: ImageFont.FreeTypeFont, ch: str) -> bytes:
    image = Image.new("L", (48, 48), 0)
    ImageDraw.Draw(image).text((4, 4), ch, font=font, fill=255)
    return image.tobytes()


def draws(font: ImageFont.FreeTypeFont, text: str) -> bool:
    """Whether every character has a glyph: a missing one renders like an unassigned code point."""
    missing = _picture(font, "\U0010fffd")
    return all(_picture(font, ch) != missing for ch in text)


def _usable(path: str, index: int) -> bool:
    try:
        return draws(ImageFont.truetype(path, 24, index=index), MUST_DRAW)
    except OSError:
        return False


def _fontconfig() -> list[str]:
    if shutil.which("fc-match") is None:
        return []
    found = []
    for pattern in ("Noto Sans CJK SC", ":lang=zh-cn"):
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True,
                                 timeout=5, check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        if out:
            found.append(out)
    return found


@lru_cache(maxsize=1)
def find_cjk_font() -> FontSource:
    override = os.environ.get(FONT_ENV, "").strip()
    if override:
        file, _, face = override.rpartition(":") if override.rpartition(":")[2].isdigit() else (override, "", "")
        if not Path(file).is_file():
            raise FontMissing(f"{FONT_ENV}={override}: no such font file")
        chosen = int(face) if face else (_faces(file) or [0])[0]
        if not _usable(file, chosen):
            raise FontMissing(f"{FONT_ENV}={override}: the font has no Simplified Chinese or no Hangul glyphs")
        return FontSource(file, chosen)
    tried = []
    for path in (*CANDIDATES, *_fontconfig()):
        if path in tried or not Path(path).is_file():
            continue
        tried.append(path)
        for index in _faces(path):
            if _usable(path, index):
                return FontSource(path, index)
    raise FontMissing("no CJK font with Simplified Chinese and Hangul found (tried "
                      f"{', '.join(tried) or 'nothing installed'}): install fonts-noto-cjk or "
                      f"fonts-wqy-microhei, or set {FONT_ENV}=/path/font.ttc[:face]")


@lru_cache(maxsize=16)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    source = find_cjk_font()
    return ImageFont.truetype(source.path, size, index=source.index)

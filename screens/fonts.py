"""The kiosk's font: Simplified Chinese glyph shapes with Hangul and Latin, as one file Kivy can open.

Kivy (SDL2_ttf) opens face 0 of a font collection, and face 0 of Debian's NotoSansCJK-Regular.ttc is the
Japanese face, which draws 直 and 骨 in Japanese forms. So face 2 (SC) is extracted once into a cache file;
WenQuanYi Micro Hei, whose face 0 is Chinese, is the fallback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
NOTO_SC_FACE = 2  # fc-query: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
WQY_MICROHEI = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


class FontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class KioskFont:
    regular: Path
    bold: Path

    @property
    def family(self) -> str:
        """The font's own name, e.g. "Noto Sans CJK SC" (read when asked: fontTools is slow to import)."""
        return family_name(self.regular)


def _extract_face(collection: Path, face: int, out: Path) -> Path:
    if out.exists() and out.stat().st_mtime >= collection.stat().st_mtime:
        return out
    from fontTools.ttLib import TTCollection

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(f".{os.getpid()}.part")
    TTCollection(str(collection), lazy=True).fonts[face].save(str(partial))
    partial.replace(out)  # atomic: a kiosk started twice never opens half a file
    return out


def default_cache_dir(data_dir: Path) -> Path:
    return Path(os.environ.get("KIOSK_FONT_CACHE", str(data_dir / "fonts")))


def prepare_font(cache_dir: Path) -> KioskFont:
    """The SC face of Noto Sans CJK (extracted at first start) or WenQuanYi; raises FontMissing otherwise."""
    noto_regular = NOTO_DIR / "NotoSansCJK-Regular.ttc"
    if noto_regular.exists():
        regular = _extract_face(noto_regular, NOTO_SC_FACE, cache_dir / "NotoSansCJKsc-Regular.otf")
        noto_bold = NOTO_DIR / "NotoSansCJK-Bold.ttc"
        bold = (_extract_face(noto_bold, NOTO_SC_FACE, cache_dir / "NotoSansCJKsc-Bold.otf")
                if noto_bold.exists() else regular)
        return KioskFont(regular, bold)
    if WQY_MICROHEI.exists():
        return KioskFont(WQY_MICROHEI, WQY_MICROHEI)
    raise FontMissing("no Simplified Chinese font: install fonts-noto-cjk (or fonts-wqy-microhei)")


def register_default_font(font: KioskFont) -> None:
    """Every Kivy label that names no font uses the kiosk font."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(DEFAULT_FONT, str(font.regular), fn_bold=str(font.bold))
    LabelBase.register("KioskSans", str(font.regular), fn_bold=str(font.bold))


@lru_cache(maxsize=8)
def _cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=0, lazy=True) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=8)
def family_name(path: Path) -> str:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), fontNumber=0, lazy=True) as font:
        return str(font["name"].getDebugName(4) or "")


def missing_glyphs(text: str, font_path: Path) -> list[str]:
    """Characters of `text` the font file (face 0, as Kivy opens it) has no glyph for."""
    cmap = _cmap(str(font_path))
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})

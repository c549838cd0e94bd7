"""ESC/POS bytes -> what the paper shows: a decoded document for tests and a PNG picture for people.

The decoder plays the printer: it keeps the print mode (alignment, bold, size, Chinese mode), decodes
double-byte text in the printer's encoding (GB18030, or EUC-KR for a Korean model) only inside Chinese mode,
lays characters on the printer's grid (a half-width character 12 dots, a Chinese one 24), wraps a line that
overflows as the printer would, and collects raster images, QR codes, feeds and cuts. Anything it does not
understand, or a byte that would print as garbage (a Chinese byte outside `FS &` ... `FS .`), is reported in
`problems` so tests can insist on none.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

from devices.printers.escpos_commands import Command, tokenize
from devices.printers.escpos_encoder import CELL, GLYPH, LINE, glyph_cell, width_dots
from devices.printers.fonts import cjk_font

ALIGNS = ("left", "center", "right")


@dataclass(frozen=True, slots=True)
class Glyph:
    char: str  # a user-defined character shows as U+E000 + its code (the printer does not know what it is)
    bold: bool
    width: int  # size multipliers
    height: int
    columns: int  # 1 for a single-byte character, 2 for a double-byte one
    image: Image.Image | None = None  # the dots of a user-defined character (255 = ink), as defined

    @property
    def user_defined(self) -> bool:
        return self.image is not None


@dataclass
class TextLine:
    glyphs: list[Glyph]
    align: str
    framed: bool  # every double-byte character was sent inside FS & ... FS .

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)

    @property
    def bold(self) -> bool:
        return any(g.bold for g in self.glyphs if not g.char.isspace())

    @property
    def size(self) -> tuple[int, int]:
        return (max((g.width for g in self.glyphs), default=1), max((g.height for g in self.glyphs), default=1))


@dataclass
class Raster:
    image: Image.Image  # mode "1", 1 = printed dot


@dataclass
class QrCode:
    payload: str
    module_size: int
    ec: str
    align: str


@dataclass
class FeedDots:
    dots: int


@dataclass
class CutMark:
    partial: bool


Item = TextLine | Raster | QrCode | FeedDots | CutMark


@dataclass
class Document:
    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    width_dots: int = 576

    @property
    def lines(self) -> list[TextLine]:
        return [i for i in self.items if isinstance(i, TextLine)]

    @property
    def text(self) -> str:
        return "\n".join(line.text.rstrip() for line in self.lines)

    @property
    def qr_payloads(self) -> list[str]:
        return [i.payload for i in self.items if isinstance(i, QrCode)]

    @property
    def rasters(self) -> list[Raster]:
        return [i for i in self.items if isinstance(i, Raster)]

    @property
    def cuts(self) -> list[CutMark]:
        return [i for i in self.items if isinstance(i, CutMark)]


class _Printer:
    """The decoder's printer state."""

    def __init__(self, width: int, boot_chinese: bool, encoding: str) -> None:
        self.width = width
        self.boot_chinese = boot_chinese
        self.encoding = encoding
        self.four_byte = codecs.lookup(encoding).name == "gb18030"
        self.doc = Document(width_dots=width)
        self.reset()
        self.line: list[Glyph] = []
        self.line_framed = True
        self.line_align = "left"
        self.qr_data = b""
        self.qr_module = 3
        self.qr_ec = "L"

    def reset(self) -> None:
        self.udc_on = False
        self.udc: dict[int, Image.Image] = {}  # ESC @ forgets the user-defined characters
        self.align = "left"
        self.bold = False
        self.size = (1, 1)
        self.chinese_size = (1, 1)
        self.chinese = self.boot_chinese
        self.spacing = LINE

    def used(self) -> int:
        return sum(g.columns * CELL * g.width for g in self.line)

    def put(self, char: str, columns: int, framed: bool, image: Image.Image | None = None) -> None:
        size = self.chinese_size if columns == 2 and self.chinese_size != (1, 1) else self.size
        glyph = Glyph(char, self.bold, size[0], size[1], columns, image)
        if not self.line:
            self.line_align = self.align
            self.line_framed = True
        if self.used() + columns * CELL * glyph.width > self.width:
            self.doc.problems.append(f"line overflows the paper and wraps: {''.join(g.char for g in self.line)!r}")
            self.newline()
            self.line_align = self.align
        self.line.append(glyph)
        self.line_framed = self.line_framed and framed

    def newline(self) -> None:
        self.doc.items.append(TextLine(self.line, self.line_align, self.line_framed))
        self.line = []

    def flush_partial(self) -> None:
        if self.line:
            self.doc.problems.append("text left in the line buffer before an image or cut")
            self.newline()

    def text(self, raw: bytes) -> None:
        i = 0
        while i < len(raw):
            b = raw[i]
            if b < 0x80 and self.udc_on and b in self.udc:
                self.put(chr(0xE000 + b), 1, True, self.udc[b])
                i += 1
                continue
            if b < 0x80:
                self.put(chr(b), 1, True)
                i += 1
                continue
            if not self.chinese:
                self.doc.problems.append(f"byte 0x{b:02x} outside Chinese mode prints as a code-page symbol")
                self.put("\ufffd", 1, False)
                i += 1
                continue
            n = 4 if self.four_byte and i + 1 < len(raw) and 0x30 <= raw[i + 1] <= 0x39 else 2
            chunk = raw[i:i + n]
            try:
                char = chunk.decode(self.encoding)
            except UnicodeDecodeError:
                self.doc.problems.append(f"invalid {self.encoding} bytes {chunk.hex()}")
                char = "\ufffd"
            self.put(char, 2, True)
            i += n

    def command(self, c: Command) -> None:
        name = c.name
        if name == "text":
            self.text(c.raw)
        elif name == "LF":
            self.newline()
        elif name in ("CR", "ESC 2", "ESC t", "FS C", "ESC M", "ESC -", "FS -", "ESC G", "GS B", "ESC {",
                      "ESC R", "FS S", "FS W", "GS L", "GS W", "DLE EOT", "DLE ENQ", "GS a", "GS r", "ESC p"):
            if name == "ESC 2":
                self.spacing = LINE
        elif name == "ESC @":
            self.flush_partial()
            self.reset()
        elif name == "ESC 3":
            self.spacing = c.args[0]
        elif name == "ESC a":
            self.align = ALIGNS[c.args[0] % 48] if c.args[0] % 48 < 3 else "left"
        elif name == "ESC E":
            self.bold = bool(c.args[0] & 1)
        elif name == "ESC !":
            n = c.args[0]
            self.bold = bool(n & 8)
            self.size = (2 if n & 32 else 1, 2 if n & 16 else 1)
        elif name == "GS !":
            n = c.args[0]
            self.size = ((n >> 4) + 1, (n & 15) + 1)
        elif name == "FS !":
            n = c.args[0]
            self.chinese_size = (2 if n & 4 else 1, 2 if n & 8 else 1)
        elif name == "FS &":
            self.chinese = True
        elif name == "FS .":
            self.chinese = False
        elif name == "ESC d":
            self.flush_partial()
            self.doc.items.append(FeedDots(c.args[0] * self.spacing))
        elif name == "ESC J":
            self.flush_partial()
            self.doc.items.append(FeedDots(c.args[0]))
        elif name == "GS V":
            self.flush_partial()
            m = c.args[0]
            if m in (65, 66, 97, 98, 103, 104) and len(c.args) > 1:
                self.doc.items.append(FeedDots(c.args[1]))
            self.doc.items.append(CutMark(partial=m in (1, 49, 66, 98, 104)))
        elif name == "GS v 0":
            self.flush_partial()
            _, width_bytes, height = c.args
            image = Image.frombytes("1", (width_bytes * 8, height), c.data)
            if image.width > self.width:
                self.doc.problems.append(f"raster image {image.width} dots wide on {self.width}-dot paper")
            previous = self.doc.items[-1] if self.doc.items else None
            if isinstance(previous, Raster) and previous.image.width == image.width:
                joined = Image.new("1", (image.width, previous.image.height + height))
                joined.paste(previous.image, (0, 0))
                joined.paste(image, (0, previous.image.height))
                previous.image = joined  # bands of one image
            else:
                self.doc.items.append(Raster(image))
        elif name == "GS ( k":
            self.qr_function(c.data)
        elif name == "ESC &":
            self.define_characters(c)
        elif name == "ESC %":
            self.udc_on = bool(c.args[0] & 1)
        elif name == "ESC ?":
            self.udc.pop(c.args[0], None)
        elif name == "HT":
            self.put(" ", 1, True)
        else:
            self.doc.problems.append(f"unexpected {name} {c.raw[:8].hex()} at byte {c.offset}")

    def define_characters(self, c: Command) -> None:
        rows, first, last = c.args
        if rows != 3 or not 0x20 <= first <= last <= 0x7E:
            self.doc.problems.append(f"ESC & for {rows}-byte columns or codes {first}-{last}: not font A")
            return
        data, pos = c.data, 0
        for code in range(first, last + 1):
            width = data[pos]
            if width > CELL:
                self.doc.problems.append(f"user-defined character {code} is {width} dots wide (at most {CELL})")
            columns = data[pos + 1:pos + 1 + width * rows]
            pos += 1 + width * rows
            cell = Image.new("L", (CELL, GLYPH), 0)
            pixels = cell.load()
            assert pixels is not None
            for x in range(min(width, CELL)):
                bits = int.from_bytes(columns[x * rows:(x + 1) * rows], "big")
                for y in range(GLYPH):
                    if bits & (1 << (GLYPH - 1 - y)):
                        pixels[x, y] = 255
            self.udc[code] = cell

    def qr_function(self, data: bytes) -> None:
        if len(data) < 2 or data[0:1] != b"1":
            self.doc.problems.append("GS ( k for a symbol other than QR")
            return
        fn = data[1]
        if fn == 67:
            self.qr_module = data[2]
        elif fn == 69:
            self.qr_ec = {48: "L", 49: "M", 50: "Q", 51: "H"}.get(data[2], "L")
        elif fn == 80:
            self.qr_data = data[3:]
        elif fn == 81:
            self.flush_partial()
            self.doc.items.append(QrCode(self.qr_data.decode("utf-8", "replace"), self.qr_module, self.qr_ec,
                                         self.align))


def decode(data: bytes, paper_width_mm: int = 80, boot_chinese: bool = False,
           encoding: str = "GB18030") -> Document:
    """Decode one or more jobs. `boot_chinese`: the printer starts in Chinese mode (profiles without
    chinese_text_mode rely on that); `encoding`: of its double-byte text (the profile's)."""
    printer = _Printer(width_dots(paper_width_mm), boot_chinese, encoding)
    commands, _, _ = tokenize(data, chinese=boot_chinese, boot_chinese=boot_chinese)
    for command in commands:
        printer.command(command)
    if printer.line:
        printer.doc.problems.append("the job ends inside a line (no LF)")
        printer.newline()
    return printer.doc


# ---- the picture ----

MARGIN = 24  # grey table around the paper


def render(doc: Document) -> Image.Image:
    """A picture of the paper: 1 pixel per printer dot, the paper white on a grey table, cuts dashed."""
    width = doc.width_dots
    strips: list[Image.Image] = [Image.new("L", (width, 16), 255)]
    for item in doc.items:
        if isinstance(item, TextLine):
            strips.append(_render_line(item, width))
        elif isinstance(item, Raster):
            strips.append(_ink_to_paper(item.image, width))
        elif isinstance(item, QrCode):
            strips.append(_render_qr(item, width))
        elif isinstance(item, FeedDots):
            strips.append(Image.new("L", (width, max(1, item.dots)), 255))
        elif isinstance(item, CutMark):
            strips.append(_cut_strip(width, item.partial))
    torn = bool(doc.items) and not isinstance(doc.items[-1], CutMark)
    if torn:  # no cutter: the paper is torn off at the tear bar
        strips.append(_cut_strip(width, partial=False, label="撕纸 tear off"))
    height = sum(s.height for s in strips) + 16
    picture = Image.new("L", (width + 2 * MARGIN, height + 2 * MARGIN), 200)
    paper = Image.new("L", (width, height), 255)
    y = 0
    for strip in strips:
        paper.paste(strip, (0, y))
        y += strip.height
    picture.paste(paper, (MARGIN, MARGIN))
    draw = ImageDraw.Draw(picture)
    y = MARGIN + 16
    for strip, item in zip(strips[1:], [*doc.items, *([CutMark(False)] if torn else [])], strict=True):
        if isinstance(item, CutMark):
            _dashes(draw, 0, y + 30, width + 2 * MARGIN)
        y += strip.height
    return picture


def preview_png(data: bytes, out: Path, paper_width_mm: int = 80, boot_chinese: bool = False,
                encoding: str = "GB18030") -> Document:
    """Decode `data` and write its picture to `out`; returns the document for checks."""
    doc = decode(data, paper_width_mm, boot_chinese, encoding)
    out.parent.mkdir(parents=True, exist_ok=True)
    render(doc).save(out)
    return doc


def _render_line(line: TextLine, width: int) -> Image.Image:
    height = max((g.height for g in line.glyphs), default=1) * GLYPH + (LINE - GLYPH)
    strip = Image.new("L", (width, height), 255)
    used = sum(g.columns * CELL * g.width for g in line.glyphs)
    x = {"left": 0, "center": (width - used) // 2, "right": width - used}[line.align]
    for g in line.glyphs:
        cell = g.image if g.image is not None else glyph_cell(g.char, g.columns, g.bold)
        if (g.width, g.height) != (1, 1):
            cell = cell.resize((cell.width * g.width, cell.height * g.height), Image.Resampling.NEAREST)
        strip.paste(0, (x, height - cell.height - (LINE - GLYPH)), cell)
        x += cell.width
    return strip


def _ink_to_paper(image: Image.Image, width: int) -> Image.Image:
    paper = Image.new("L", (width, image.height), 255)
    ink = image.convert("L")
    paper.paste(0, (0, 0), ink.crop((0, 0, min(width, ink.width), ink.height)))
    return paper


def _render_qr(qr: QrCode, width: int) -> Image.Image:
    levels = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
    code = qrcode.QRCode(error_correction=levels[qr.ec], box_size=1, border=0)
    code.add_data(qr.payload.encode("utf-8"))
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    small = Image.new("L", (n, n), 255)
    small.putdata([0 if dark else 255 for row in matrix for dark in row])
    big = small.resize((n * qr.module_size, n * qr.module_size), Image.Resampling.NEAREST)
    strip = Image.new("L", (width, big.height + LINE), 255)
    x = {"left": 0, "center": (width - big.width) // 2, "right": width - big.width}[qr.align]
    strip.paste(big, (x, 0))
    return strip


def _cut_strip(width: int, partial: bool, label: str = "") -> Image.Image:
    strip = Image.new("L", (width, 40), 255)
    draw = ImageDraw.Draw(strip)
    font = cjk_font(16)
    label = label or ("部分切纸 partial cut" if partial else "切纸 cut")
    draw.text((width - 4, 4), label, font=font, fill=120, anchor="rt")
    return strip


def _dashes(draw: ImageDraw.ImageDraw, x0: int, y: int, x1: int) -> None:
    for x in range(x0, x1, 12):
        draw.line((x, y, min(x + 6, x1), y), fill=60, width=2)

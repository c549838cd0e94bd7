"""Slip -> the exact ESC/POS bytes for one printer profile.

Written here rather than through python-escpos's text and cut helpers, which (3.1) send Chinese without
`FS &`, turn characters outside U+4E00-U+9FA5 into `?` and drop the cut on profiles without the cut
feature. Rules:

* text lines whose every character is in the printer's font (`font_charset`) go as text in the profile's
  encoding, framed with `FS &` ... `FS .` in Chinese text mode; a printer sold for Korea has KS X 1001 as
  that font and takes it as EUC-KR in the same mode (`FS C`, which picks JIS or Shift JIS on Japanese
  models, is not sent: it does not apply to Chinese or Korean ones);
* any other line (a rare name character such as 䶮, Korean) is drawn with the CJK font on the printer's
  character grid and sent as a `GS v 0` raster line, so nothing is ever printed as `?`; or, where the
  profile says `user_defined_glyphs`, each such character is drawn once, sent as a pair of user-defined
  characters (ESC &, 12x24 dots each) and printed as text (ESC % 1), which prints the same dots in a
  fraction of the bytes; 47 characters fit at a time, and the least recently used give way;
* wrapping is done here, by columns (a double-byte character takes two), with a hanging indent and
  without starting a line with closing punctuation;
* the cut is always sent when the profile has a cutter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_M

from devices.printers import escpos_commands as cmd
from devices.printers.fonts import cjk_font
from kiosk.core.linebreak import bad_break
from kiosk.core.settings import PrinterProfile
from kiosk.core.slips import Align, Cut, Feed, Qr, Rule, Slip, Text

CELL = 12  # dots of one half-width column (font A: 12x24, Chinese 24x24)
GLYPH = 24  # dots of a character's height
LINE = 30  # dots from one text line to the next at the default line spacing
CUT_FEED_LINES = 4  # the cutter (or tear bar) sits a few lines above the print head
BAND_ROWS = 256  # rows per GS v 0 command: small enough for the receive buffer of cheap printers
ALIGN_CODE = {Align.LEFT: 0, Align.CENTER: 1, Align.RIGHT: 2}
CODECS = {"GB2312": "gb2312", "GBK": "gbk", "GB18030": "gb18030", "KSX1001": "euc_kr"}

# Words that must not break: Latin (with its punctuation) and Korean, which also puts spaces between words.
_TOKENS = re.compile(r"[\x21-\x7e\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+| +|.", re.DOTALL)


def width_dots(paper_width_mm: int) -> int:
    """Printable dots across the paper at 203 dpi: 72 mm of 80 mm paper, 48 mm of 58 mm paper."""
    return 576 if paper_width_mm == 80 else 384


def columns(text: str) -> int:
    return 2 * len(text) - sum(1 for ch in text if ch < "\x80")


def clean(text: str) -> str:
    """No control characters reach the printer: a stray ESC in a catalog text must not become a command."""
    return "".join(" " if ch == "\t" else ch for ch in text
                   if ch == "\t" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0))


def wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """Lines of at most `width` columns; continuation lines start with `indent` spaces. A newline in the text
    starts a new line (split before `clean`, which would drop it as a control character and join the lines)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += _wrap_paragraph(clean(paragraph), width, min(indent, width // 2))
    return lines


def _wrap_paragraph(text: str, width: int, indent: int) -> list[str]:
    lines: list[str] = []
    prefix = ""  # the indent of continuation lines
    words: list[str] = []  # tokens on the current line
    used = 0  # columns taken on the current line, prefix included

    def flush() -> None:
        nonlocal prefix, used
        lines.append((prefix + "".join(words)).rstrip())
        words.clear()
        prefix = " " * indent
        used = indent

    pending = _TOKENS.findall(text)[::-1]  # a stack: the next token is at the end
    while pending:
        token = pending.pop()
        size = columns(token)
        if used + size <= width:
            words.append(token)
            used += size
            continue
        if token.isspace():
            flush()
            continue
        solid = [w for w in words if w.strip()]
        if not solid or size > width - indent:
            # a word longer than a line: fill this line with what fits and carry the rest
            head, room = "", width - used
            for ch in token:
                room -= columns(ch)
                if room < 0:
                    break
                head += ch
            if not head and not solid:
                head = token[0]
            if head:
                words.append(head)
                if token[len(head):]:
                    pending.append(token[len(head):])
            else:
                pending.append(token)
            flush()
            continue
        pending.append(token)
        # keep closing punctuation off the start of a line and opening punctuation off its end
        if bad_break(solid[-1], token) and len(solid) > 1:
            while words and not words[-1].strip():
                words.pop()
            pending.append(words.pop())
        flush()
    if words or not lines:
        flush()
    return lines


@dataclass(frozen=True, slots=True)
class EncodedJob:
    data: bytes
    text_lines: int
    raster_lines: int
    glyphs_defined: int = 0  # user-defined characters sent (each a pair of codes)


class SlipEncoder:
    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self.width_dots = width_dots(profile.paper_width_mm)
        # the encoder prints in font A (12x24 dots); more columns than that fit would overflow the paper
        self.columns = min(profile.chars_per_line, self.width_dots // CELL)
        self.codec = profile.encoding.lower()
        self.charset = CODECS[profile.font_charset]
        self.max_bytes = 4 if profile.font_charset == "GB18030" else 2

    # ---- which characters the printer's own font has ----

    def in_font(self, ch: str) -> bool:
        return _in_font(ch, self.charset, self.codec, self.max_bytes)

    def line_as_text(self, line: str) -> bool:
        return all(self.in_font(ch) for ch in line)

    # ---- encoding ----

    def encode(self, slip: Slip) -> EncodedJob:
        if not self.profile.user_defined_glyphs:
            return self._encode(slip, _GlyphSlots())
        # The whole slip is known: a first pass finds which characters each line needs, so the second can
        # give way the definition needed again furthest ahead (fewest definitions sent twice).
        rehearsal = _GlyphSlots()
        self._encode(slip, rehearsal)
        return self._encode(slip, _GlyphSlots(rehearsal.asked))

    def _encode(self, slip: Slip, slots: _GlyphSlots) -> EncodedJob:
        out = _Writer(self, slots)
        out.raw(cmd.INIT + cmd.DEFAULT_LINE_SPACING)
        for block in slip.blocks:
            if isinstance(block, Text):
                out.text(block)
            elif isinstance(block, Rule):
                char = clean(block.char)[:1] or "-"
                out.text(Text(char * (self.columns // columns(char))))
            elif isinstance(block, Qr):
                out.qr(block)
            elif isinstance(block, Feed):
                out.raw(cmd.feed_lines(block.lines))
            elif isinstance(block, Cut):
                out.raw(cmd.feed_lines(CUT_FEED_LINES))
                if self.profile.cutter:
                    out.raw(cmd.cut(block.partial))
        return EncodedJob(b"".join(out.parts), out.text_lines, out.raster_lines, out.slots.defined)


@lru_cache(maxsize=8192)
def _in_font(ch: str, charset: str, codec: str, max_bytes: int) -> bool:
    if 0x20 <= ord(ch) < 0x7F:
        return True
    try:
        ch.encode(charset)
        encoded = ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return 2 <= len(encoded) <= max_bytes


class _Writer:
    """Collects the bytes of one job and remembers the printer's mode, so each setting is sent only when it
    changes."""

    def __init__(self, encoder: SlipEncoder, slots: _GlyphSlots) -> None:
        self.encoder = encoder
        self.parts: list[bytes] = []
        self.align = Align.LEFT
        self.bold = False
        self.size = (1, 1)
        self.text_lines = 0
        self.raster_lines = 0
        self.slots = slots
        self.user_defined = False  # ESC % 1 in force

    def raw(self, data: bytes) -> None:
        self.parts.append(data)

    def _user_defined(self, on: bool) -> None:
        if on != self.user_defined:
            self.raw(cmd.user_defined(on))
            self.user_defined = on

    def _mode(self, align: Align, bold: bool, size: tuple[int, int]) -> None:
        if align != self.align:
            self.raw(cmd.align(ALIGN_CODE[align]))
            self.align = align
        if bold != self.bold:
            self.raw(cmd.bold(bold))
            self.bold = bold
        if size != self.size:
            self.raw(cmd.size(*size))
            if self.encoder.profile.chinese_text_mode:
                self.raw(cmd.chinese_size(*size))
            self.size = size

    def text(self, block: Text) -> None:
        enc = self.encoder
        size = (2, 2) if block.double else (1, 1)
        lines = wrap(block.text, enc.columns // size[0], block.indent)
        if block.double and any(_splits_word(block.text, lines)):
            # an application number must never break: keep it tall but normal width
            size = (1, 2)
            lines = wrap(block.text, enc.columns, block.indent)
        self._mode(block.align, block.bold, size)
        for line in lines:
            if enc.line_as_text(line):
                self._user_defined(False)
                body = line.encode(enc.codec)
                if enc.profile.chinese_text_mode and not line.isascii():
                    body = cmd.CHINESE_ON + body + cmd.CHINESE_OFF
                self.raw(body + cmd.LF)
                self.text_lines += 1
            elif enc.profile.user_defined_glyphs:
                self._glyph_line(line, block.bold)
                self.text_lines += 1
            else:
                image = render_line(line, enc.width_dots, block.align, block.bold, size)
                self.raw(raster_bytes(image))
                self.raster_lines += 1

    def _glyph_line(self, line: str, bold: bool) -> None:
        """A line with characters outside the printer's font, as text: those characters as user-defined
        ones (defined first, if they are not already), the rest in the printer's own font."""
        enc = self.encoder
        drawn = [ch for ch in dict.fromkeys(line) if not enc.in_font(ch)]
        for first, glyphs in self.slots.place([(ch, bold) for ch in drawn]):
            self.raw(cmd.define_characters(first, [half for ch, b in glyphs for half in _udc_columns(ch, b)]))
        runs = list(_runs(line, enc.in_font))
        if any(kind == "glyph" and " " in run for kind, run in runs) and not self.slots.blank:
            self.raw(cmd.define_characters(cmd.UDC_BLANK, [bytes(CELL * cmd.UDC_ROWS)]))
            self.slots.blank = True
        for kind, run in runs:
            if kind == "glyph":
                codes = b"".join(bytes((cmd.UDC_BLANK,)) if ch == " " else bytes(self.slots.codes[(ch, bold)])
                                 for ch in run)
                # the glyphs are drawn bold already: the printer must not embolden them again
                self.raw(cmd.bold(False) if bold else b"")
                self._user_defined(True)
                self.raw(codes + (cmd.bold(True) if bold else b""))
                continue
            self._user_defined(False)
            if kind == "ascii":
                self.raw(run.encode("ascii"))
            else:
                text = run.encode(enc.codec)
                self.raw(cmd.CHINESE_ON + text + cmd.CHINESE_OFF if enc.profile.chinese_text_mode else text)
        self.raw(cmd.LF)

    def qr(self, block: Qr) -> None:
        payload = block.payload.encode("utf-8")
        module = max(1, min(block.module_size, 16))
        self._mode(Align.CENTER, False, (1, 1))
        if self.encoder.profile.qr == "native":
            self.raw(cmd.qr_native(payload, module) + cmd.LF)
        else:
            self.raw(raster_bytes(qr_image(block.payload, module, self.encoder.width_dots)))


GlyphKey = tuple[str, bool]  # a character, and whether it is drawn bold


class _GlyphSlots:
    """Which character is defined at which pair of user-defined codes. When all are taken, the definition
    needed again furthest ahead gives way (Belady's rule, with `future`: the characters each line will ask
    for, in order), else the least recently used."""

    FIRST = cmd.UDC_BLANK + 1
    PAIRS = (cmd.UDC_LAST - FIRST + 1) // 2  # 47 characters 24 dots wide

    def __init__(self, future: list[list[GlyphKey]] | None = None) -> None:
        self.codes: dict[GlyphKey, tuple[int, int]] = {}  # in use order: oldest first
        self.defined = 0
        self.blank = False  # UDC_BLANK defined
        self.asked: list[list[GlyphKey]] = []  # what each line asked for, to plan the next pass with
        self._future = future

    def _next_use(self, key: GlyphKey) -> int:
        assert self._future is not None
        for n in range(len(self.asked), len(self._future)):
            if key in self._future[n]:
                return n
        return len(self._future)

    def place(self, wanted: list[GlyphKey]) -> list[tuple[int, list[GlyphKey]]]:
        """Make every wanted character defined; returns the new definitions as runs of consecutive pairs
        (first code, characters). A line never needs more than PAIRS characters (it is at most 32 wide)."""
        self.asked.append(list(wanted))
        for key in wanted:
            if key in self.codes:
                self.codes[key] = self.codes.pop(key)  # used again: now the most recent
        missing = [key for key in wanted if key not in self.codes]
        free = sorted(set(range(self.PAIRS)) - {(c[0] - self.FIRST) // 2 for c in self.codes.values()})
        keep = set(wanted)
        while len(free) < len(missing):
            candidates = [key for key in self.codes if key not in keep]
            gone = max(candidates, key=self._next_use) if self._future is not None else candidates[0]
            free.append((self.codes.pop(gone)[0] - self.FIRST) // 2)
        placed = sorted(zip(sorted(free)[:len(missing)], missing, strict=True))
        runs: list[tuple[int, list[GlyphKey]]] = []
        for pair, key in placed:
            code = self.FIRST + 2 * pair
            self.codes[key] = (code, code + 1)
            self.defined += 1
            if runs and runs[-1][0] + 2 * len(runs[-1][1]) == code:
                runs[-1][1].append(key)
            else:
                runs.append((code, [key]))
        return runs


def _runs(line: str, in_font: Callable[[str], bool]) -> Iterator[tuple[str, str]]:
    """The line in runs: "ascii", "font" (double-byte in the printer's font) and "glyph" (user-defined)."""
    def kind_of(ch: str) -> str:
        return "ascii" if ch < "\x80" else "font" if in_font(ch) else "glyph"

    runs: list[tuple[str, str]] = []
    start = 0
    for i in range(1, len(line) + 1):
        if i == len(line) or kind_of(line[i]) != kind_of(line[start]):
            runs.append((kind_of(line[start]), line[start:i]))
            start = i
    # spaces between two user-defined words go with them (as the defined blank): no switch to the font
    merged: list[tuple[str, str]] = []
    for n, (kind, run) in enumerate(runs):
        between = (kind == "ascii" and run.isspace() and 0 < n < len(runs) - 1
                   and runs[n - 1][0] == runs[n + 1][0] == "glyph")
        if merged and merged[-1][0] == "glyph" and (between or kind == "glyph"):
            merged[-1] = ("glyph", merged[-1][1] + run)
        else:
            merged.append((kind, run))
    yield from merged


@lru_cache(maxsize=4096)
def _udc_columns(char: str, bold: bool) -> tuple[bytes, bytes]:
    """One 24x24 character as two user-defined characters of 12 columns x 3 bytes (top dot = high bit)."""
    cell = glyph_cell(char, 2, bold).point(lambda v: 1 if v else 0)
    pixels = cell.load()
    assert pixels is not None
    halves = []
    for left in (0, CELL):
        data = bytearray()
        for x in range(left, left + CELL):
            bits = 0
            for y in range(GLYPH):
                bits = (bits << 1) | (1 if pixels[x, y] else 0)
            data += bits.to_bytes(cmd.UDC_ROWS, "big")
        halves.append(bytes(data))
    return halves[0], halves[1]


def _splits_word(text: str, lines: list[str]) -> Iterator[bool]:
    words = set(re.findall(r"[\x21-\x7e]+", text))
    for line in lines:
        for piece in re.findall(r"[\x21-\x7e]+", line):
            yield piece not in words


# ---- raster ----

def render_line(line: str, width: int, align: Align, bold: bool, size: tuple[int, int]) -> Image.Image:
    """One text line drawn on the printer's grid (12 dots a half-width column), as the printer would lay it
    out; returns a 1-bit image `width` dots wide in which 1 bits print."""
    base = Image.new("L", (max(1, columns(line)) * CELL, LINE), 0)
    x = 0
    for ch in line:
        cell = glyph_cell(ch, 1 if ord(ch) < 0x80 else 2, bold)
        base.paste(255, (x, 0), cell)
        x += cell.width
    ink = base.convert("1")
    if size != (1, 1):
        ink = ink.resize((ink.width * size[0], ink.height * size[1]), Image.Resampling.NEAREST)
    offset = max(0, {Align.LEFT: 0, Align.CENTER: (width - ink.width) // 2, Align.RIGHT: width - ink.width}[align])
    # only as wide as the text reaches (fewer bytes on a slow serial link); the position is in the image
    canvas = Image.new("1", (min(width, -(-(offset + ink.width) // 8) * 8), ink.height), 0)
    canvas.paste(ink, (offset, 0))
    return canvas


@lru_cache(maxsize=8192)
def glyph_cell(char: str, n_columns: int, bold: bool) -> Image.Image:
    """The ink of one character in its cell (12 or 24 dots wide, 24 high; 255 = ink), like the printer's
    own font: a wide Latin letter is squeezed into its 12 dots, bold is struck twice one dot apart."""
    cell = Image.new("L", (n_columns * CELL, GLYPH), 0)
    if char.isspace():
        return cell
    font = cjk_font(GLYPH if n_columns == 2 else 21)
    natural = int(font.getlength(char)) + 2
    if natural > cell.width:
        wide = Image.new("L", (natural + (1 if bold else 0), GLYPH), 0)
        draw = ImageDraw.Draw(wide)
        for dx in (0, 1) if bold else (0,):
            draw.text((1 + dx, 20), char, font=font, fill=255, anchor="ls")
        cell = wide.resize((cell.width, GLYPH), Image.Resampling.BILINEAR)
    else:
        draw = ImageDraw.Draw(cell)
        for dx in (0, 1) if bold else (0,):
            draw.text((cell.width / 2 + dx, 20), char, font=font, fill=255, anchor="ms")
    return cell.point(lambda v: 255 if v >= 96 else 0)


def qr_image(payload: str, module_size: int, width: int) -> Image.Image:
    """A QR code (error correction M, 2-module quiet zone) centred on a `width`-dot line; 1 bits print."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=2)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    small = Image.new("1", (n, n), 0)
    small.putdata([255 if dark else 0 for row in matrix for dark in row])
    big = small.resize((n * module_size, n * module_size), Image.Resampling.NEAREST)
    if big.width > width:
        module_size = max(1, width // n)
        big = small.resize((n * module_size, n * module_size), Image.Resampling.NEAREST)
    offset = (width - big.width) // 2
    # only as wide as the code reaches (a third fewer bytes); the position is in the image
    canvas = Image.new("1", (min(width, -(-(offset + big.width) // 8) * 8), big.height), 0)
    canvas.paste(big, (offset, 0))
    return canvas


def raster_bytes(image: Image.Image) -> bytes:
    """GS v 0 commands for a 1-bit image (1 bits print), in bands of at most BAND_ROWS rows."""
    if image.mode != "1":
        image = image.convert("1")
    if image.width % 8:
        padded = Image.new("1", (image.width + 8 - image.width % 8, image.height), 0)
        padded.paste(image, (0, 0))
        image = padded
    row_bytes = image.width // 8
    data = image.tobytes()
    parts = []
    for top in range(0, image.height, BAND_ROWS):
        rows = min(BAND_ROWS, image.height - top)
        parts.append(cmd.raster(row_bytes, rows, data[top * row_bytes:(top + rows) * row_bytes]))
    return b"".join(parts)

"""The ESC/POS vocabulary the kiosk speaks, and a streaming tokenizer that splits a byte stream back into it.

The encoder builds jobs from the constants here; the preview decoder and the printer emulator read jobs with
`tokenize`, which knows each command's length, so image data that happens to contain `DLE EOT` is never
mistaken for a status query (as on a real printer, which parses commands the same way).
"""

from __future__ import annotations

from dataclasses import dataclass

ESC, GS, FS, DLE = b"\x1b", b"\x1d", b"\x1c", b"\x10"
LF = b"\n"

INIT = ESC + b"@"
DEFAULT_LINE_SPACING = ESC + b"2"
CHINESE_ON = FS + b"&"  # enter Chinese (double-byte) character mode
CHINESE_OFF = FS + b"."  # leave it
STATUS_PRINTER, STATUS_OFFLINE_CAUSE, STATUS_ERROR_CAUSE, STATUS_PAPER = 1, 2, 3, 4


def align(n: int) -> bytes:
    return ESC + b"a" + bytes((n,))


def bold(on: bool) -> bytes:
    return ESC + b"E" + bytes((1 if on else 0,))


def size(width: int, height: int) -> bytes:
    """GS ! : character size for every character, 1..8 times in each direction."""
    return GS + b"!" + bytes((((width - 1) << 4) | (height - 1),))


def chinese_size(width: int, height: int) -> bytes:
    """FS ! : double width (bit 2) and height (bit 3) in Chinese mode, for printers that keep it apart."""
    return FS + b"!" + bytes(((4 if width > 1 else 0) | (8 if height > 1 else 0),))


def feed_lines(n: int) -> bytes:
    return ESC + b"d" + bytes((max(0, min(n, 255)),))


def cut(partial: bool) -> bytes:
    return GS + b"V" + (b"\x01" if partial else b"\x00")


def status_query(n: int) -> bytes:
    return DLE + b"\x04" + bytes((n,))


UDC_FIRST, UDC_LAST = 0x20, 0x7E  # codes a user-defined character may take (font A: 12x24 dots)
UDC_BLANK = 0x20  # defined blank, so the space between two user-defined words needs no switch to the font
UDC_ROWS = 3  # bytes per column of a 24-dot-high character


def define_characters(first: int, columns: list[bytes]) -> bytes:
    """ESC & 3 c1 c2 [x d1..d(3x)]...: user-defined characters from code `first` on; each entry is one
    character's column bytes (3 a column, top dot = most significant bit), at most 12 columns."""
    body = b"".join(bytes((len(data) // UDC_ROWS,)) + data for data in columns)
    return ESC + b"&" + bytes((UDC_ROWS, first, first + len(columns) - 1)) + body


def user_defined(on: bool) -> bytes:
    """ESC % n: print defined codes with the user-defined characters (on) or the printer's font (off)."""
    return ESC + b"%" + (b"\x01" if on else b"\x00")


PROCESS_ID_REPLY = b"\x37\x22"  # the header of the answer to GS ( H: 37 22 d1 d2 d3 d4 00


def process_id_request(process_id: bytes) -> bytes:
    """GS ( H fn=48: the printer answers `37 22 d1..d4 00` once it has processed everything before it."""
    if len(process_id) != 4 or not all(0x30 <= b <= 0x39 for b in process_id):
        raise ValueError("a process id is four ASCII digits")
    return GS + b"(H" + b"\x06\x00" + b"\x30\x30" + process_id


def raster(width_bytes: int, height: int, data: bytes) -> bytes:
    """GS v 0: one band of a raster bit image, 1 bits print."""
    return (GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + height.to_bytes(2, "little") + data)


def qr_native(payload: bytes, module_size: int, ec: str = "M") -> bytes:
    """GS ( k for a model-2 QR: model, module size, error correction, store the data, print it."""
    def fn(code: int, body: bytes) -> bytes:
        return GS + b"(k" + (len(body) + 2).to_bytes(2, "little") + b"1" + bytes((code,)) + body
    level = {"L": 48, "M": 49, "Q": 50, "H": 51}[ec]
    return (fn(65, b"2\x00") + fn(67, bytes((module_size,))) + fn(69, bytes((level,)))
            + fn(80, b"0" + payload) + fn(81, b"0"))


# ---- tokenizing ----

@dataclass(frozen=True, slots=True)
class Command:
    """One command (or a run of text bytes) of a job. `name` is the mnemonic, e.g. "GS v 0", "text"."""

    name: str
    raw: bytes
    args: tuple[int, ...] = ()
    data: bytes = b""
    offset: int = 0


class Incomplete(Exception):
    """The buffer ends inside a command."""


# Fixed-length commands: prefix -> (mnemonic, number of argument bytes).
_FIXED: dict[bytes, tuple[str, int]] = {
    ESC + b"@": ("ESC @", 0), ESC + b"2": ("ESC 2", 0), ESC + b"3": ("ESC 3", 1), ESC + b"a": ("ESC a", 1),
    ESC + b"E": ("ESC E", 1), ESC + b"G": ("ESC G", 1), ESC + b"!": ("ESC !", 1), ESC + b"-": ("ESC -", 1),
    ESC + b"M": ("ESC M", 1), ESC + b"t": ("ESC t", 1), ESC + b"d": ("ESC d", 1), ESC + b"J": ("ESC J", 1),
    ESC + b"{": ("ESC {", 1), ESC + b"R": ("ESC R", 1), ESC + b"p": ("ESC p", 3),
    ESC + b"%": ("ESC %", 1), ESC + b"?": ("ESC ?", 1),
    GS + b"!": ("GS !", 1), GS + b"B": ("GS B", 1), GS + b"L": ("GS L", 2), GS + b"W": ("GS W", 2),
    GS + b"r": ("GS r", 1), GS + b"a": ("GS a", 1),
    FS + b"&": ("FS &", 0), FS + b".": ("FS .", 0), FS + b"!": ("FS !", 1), FS + b"C": ("FS C", 1),
    FS + b"-": ("FS -", 1), FS + b"S": ("FS S", 2), FS + b"W": ("FS W", 1),
    DLE + b"\x04": ("DLE EOT", 1), DLE + b"\x05": ("DLE ENQ", 1),
}
_SINGLE = {0x0A: "LF", 0x0D: "CR", 0x09: "HT", 0x0C: "FF"}


def _need(buf: bytes, end: int) -> None:
    if len(buf) < end:
        raise Incomplete


def _one(buf: bytes, i: int, chinese: bool) -> Command:
    byte = buf[i]
    if byte in _SINGLE:
        return Command(_SINGLE[byte], buf[i:i + 1], offset=i)
    if byte in (0x1B, 0x1D, 0x1C, 0x10):
        _need(buf, i + 2)
        prefix = buf[i:i + 2]
        if prefix in _FIXED:
            name, n_args = _FIXED[prefix]
            _need(buf, i + 2 + n_args)
            return Command(name, buf[i:i + 2 + n_args], tuple(buf[i + 2:i + 2 + n_args]), offset=i)
        if prefix == GS + b"V":
            _need(buf, i + 3)
            m = buf[i + 2]
            n_args = 2 if m in (65, 66, 97, 98, 103, 104) else 1
            _need(buf, i + 2 + n_args)
            return Command("GS V", buf[i:i + 2 + n_args], tuple(buf[i + 2:i + 2 + n_args]), offset=i)
        if prefix == ESC + b"&":
            _need(buf, i + 5)
            rows, first, last = buf[i + 2], buf[i + 3], buf[i + 4]
            end = i + 5
            for _ in range(max(0, last - first + 1)):
                _need(buf, end + 1)
                end += 1 + buf[end] * rows
            _need(buf, end)
            return Command("ESC &", buf[i:end], (rows, first, last), buf[i + 5:end], offset=i)
        if prefix == GS + b"v":
            _need(buf, i + 8)
            width_bytes = int.from_bytes(buf[i + 4:i + 6], "little")
            height = int.from_bytes(buf[i + 6:i + 8], "little")
            end = i + 8 + width_bytes * height
            _need(buf, end)
            return Command("GS v 0", buf[i:end], (buf[i + 3], width_bytes, height), buf[i + 8:end], offset=i)
        if prefix in (GS + b"(",):
            _need(buf, i + 5)
            length = int.from_bytes(buf[i + 3:i + 5], "little")
            end = i + 5 + length
            _need(buf, end)
            return Command(f"GS ( {chr(buf[i + 2])}", buf[i:end], (), buf[i + 5:end], offset=i)
        return Command("unknown", buf[i:i + 2], offset=i)
    # text: printable ASCII, and in Chinese mode the GB18030 multi-byte sequences
    j = i
    while j < len(buf):
        b = buf[j]
        if 0x20 <= b < 0x7F:
            j += 1
        elif b >= 0x80:
            if not chinese or not 0x81 <= b <= 0xFE:
                j += 1  # a code-page byte outside Chinese mode: the decoder reports it
                continue
            if j + 1 >= len(buf):
                if j == i:
                    raise Incomplete
                break
            if 0x30 <= buf[j + 1] <= 0x39:
                if j + 3 >= len(buf):
                    if j == i:
                        raise Incomplete
                    break
                j += 4
            else:
                j += 2
        else:
            break
    if j == i:
        return Command("control", buf[i:i + 1], offset=i)
    return Command("text", buf[i:j], offset=i)


def tokenize(buf: bytes, chinese: bool = False, final: bool = True,
             boot_chinese: bool = False) -> tuple[list[Command], int, bool]:
    """Split `buf` into commands. Returns (commands, bytes consumed, Chinese mode at the end).

    `chinese` is the mode at the start of `buf`, `boot_chinese` the printer's default that ESC @ restores.
    With `final=False` a command cut off at the end of the buffer is left unconsumed (streaming); with
    `final=True` it becomes a "truncated" command.
    """
    commands: list[Command] = []
    i = 0
    while i < len(buf):
        try:
            command = _one(buf, i, chinese)
        except Incomplete:
            if not final:
                break
            commands.append(Command("truncated", buf[i:], offset=i))
            i = len(buf)
            break
        if command.name == "FS &":
            chinese = True
        elif command.name == "FS .":
            chinese = False
        elif command.name == "ESC @":
            chinese = boot_chinese
        commands.append(command)
        i += len(command.raw)
    return commands, i, chinese

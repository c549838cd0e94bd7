"""What mutation testing found unguarded in the slip encoder (issue #21): wrapping at the edges (words longer
than a line, punctuation rules, newlines, deep indents), characters that must never become commands, each
printer setting sent once, user-defined characters switched on and off exactly where needed, image lines at
double size and right-aligned, and the QR and raster images' geometry.

Each test names the mistake it is there to catch; scripts/mutation.sh checks that it does.
"""

from __future__ import annotations

import pytest
import qrcode
from PIL import Image

from devices.printers import escpos_commands as cmd
from devices.printers.escpos_encoder import (
    EncodedJob,
    SlipEncoder,
    clean,
    glyph_cell,
    qr_image,
    raster_bytes,
    render_line,
    width_dots,
    wrap,
)
from devices.printers.preview import decode
from kiosk.core.slips import Align, Qr, Rule, Slip, SlipKind, Text
from tests.drivers.printer_helpers import NUMBER, profile, read_qr

HEAD = cmd.INIT + cmd.DEFAULT_LINE_SPACING
FS_ON, FS_OFF = cmd.CHINESE_ON, cmd.CHINESE_OFF
UDC_ON, UDC_OFF = cmd.user_defined(True), cmd.user_defined(False)
PAYLOAD = "JLMZ:PROGRESS:" + NUMBER


def job(*blocks: object, **settings: object) -> EncodedJob:
    return SlipEncoder(profile(**settings)).encode(Slip(SlipKind.TEST, tuple(blocks)))  # type: ignore[arg-type]


def encode(*blocks: object, **settings: object) -> bytes:
    return job(*blocks, **settings).data


def ink(image: Image.Image) -> int:
    return sum(image.convert("L").histogram()[1:])


# ---- paper and characters ----

def test_printable_width_of_each_paper() -> None:
    assert (width_dots(80), width_dots(58)) == (576, 384)


def test_a_tab_prints_as_a_space_and_delete_never_reaches_the_printer() -> None:
    assert encode(Text("A\tB\x7fC")) == HEAD + b"A BC\n"
    assert clean("a\u00a0b\x9fc") == "a\u00a0bc"  # the no-break space is a character, U+009F a control


# ---- wrapping ----

@pytest.mark.parametrize(("text", "width", "indent", "lines"), [
    ("abcd efgh", 4, 0, ["abcd", "efgh"]),  # a space that overflows ends the line, the rest goes on
    ("abcdefghij", 5, 0, ["abcde", "fghij"]),  # a word longer than a line fills each line exactly
    ("ab cdefghijkl", 5, 0, ["ab cd", "efghi", "jkl"]),  # ... starting on the line it came to
    ("ab cdefg", 5, 0, ["ab", "cdefg"]),  # a word exactly a line long goes down whole
    ("abcd efghijk", 5, 0, ["abcd", "efghi", "jk"]),  # no room left at all: it starts on the next line
    ("a bcdefghij", 10, 3, ["a bcdefghi", "   j"]),  # too long for a continuation line: split here
    ("一二", 1, 0, ["一", "二"]),  # a double-width character on a one-column line still prints
    ("一二三《四》", 8, 0, ["一二三", "《四》"]),  # opening punctuation never ends a line
    ("一二。", 4, 0, ["一", "二。"]),  # closing punctuation never starts one: the character before goes down
    ("abcdef。", 6, 0, ["abcdef", "。"]),  # ... unless that empties the line
    ("一《 二", 6, 0, ["一", "《二"]),  # the space after opening punctuation is dropped with the break
    ("", 10, 0, [""]),  # an empty text is a blank line
    ("line one\nline two\n\nend", 48, 0, ["line one", "line two", "", "end"]),  # newlines are kept
])
def test_wrapping_at_the_edges(text: str, width: int, indent: int, lines: list[str]) -> None:
    assert wrap(text, width, indent) == lines


def test_the_hanging_indent_takes_at_most_half_the_line() -> None:
    lines = wrap("一二三四五六七八九十" * 2, 32, 20)
    assert lines == ["一二三四五六七八九十一二三四五六", " " * 16 + "七八九十"]


def test_an_empty_text_block_feeds_a_blank_line() -> None:
    assert encode(Text("")) == HEAD + b"\n"


def test_continuation_lines_keep_their_indent_in_the_bytes() -> None:
    data = encode(Text("1. " + "材料" * 30, indent=3), paper_width_mm=58, chars_per_line=32)
    lines = [line.text for line in decode(data, 58).lines]
    assert len(lines) == 5 and all(line.startswith("   材") for line in lines[1:])


def test_a_double_size_text_keeps_its_indent_even_when_it_falls_back_to_normal_width() -> None:
    text = "申请编号 " + NUMBER + " 请妥善保管此回执以便日后查询办理进度"
    data = encode(Text(text, double=True, indent=4), paper_width_mm=58, chars_per_line=32)
    assert cmd.size(1, 2) in data
    lines = [line.text for line in decode(data, 58).lines]
    assert len(lines) >= 2 and all(line.startswith("    ") for line in lines[1:])
    deep = encode(Text("办理进度" * 10, double=True, indent=20))  # half of the 24 double-width columns
    assert [line.text[:12] for line in decode(deep).lines[1:]] == [" " * 12] * (len(decode(deep).lines) - 1)


def test_a_double_size_title_with_a_short_word_stays_double_width() -> None:
    data = encode(Text("回执 A1", Align.CENTER, double=True))
    assert cmd.size(2, 2) in data and cmd.size(1, 2) not in data


# ---- rules ----

def test_a_rule_repeats_its_first_character_and_defaults_to_a_dash() -> None:
    assert decode(encode(Rule("=-"))).text == "=" * 48
    assert decode(encode(Rule(""))).text == "-" * 48


# ---- printer settings, each sent once ----

def test_each_setting_is_sent_only_when_it_changes() -> None:
    data = encode(Text("一", Align.CENTER, double=True, bold=True), Text("二", Align.CENTER, double=True, bold=True))
    assert data.count(cmd.align(1)) == 1 and data.count(cmd.bold(True)) == 1
    assert data.count(cmd.size(2, 2)) == 1 and data.count(cmd.chinese_size(2, 2)) == 1


def test_a_qr_code_is_centred_at_normal_size_without_bold() -> None:
    data = encode(Text("x"), Qr(PAYLOAD), qr="native")
    assert data == HEAD + b"x\n" + cmd.align(1) + cmd.qr_native(PAYLOAD.encode(), 6) + b"\n"
    after_title = encode(Text("回执", double=True, bold=True), Qr(PAYLOAD), qr="native")
    assert after_title.endswith(cmd.bold(False) + cmd.size(1, 1) + cmd.chinese_size(1, 1)
                                + cmd.qr_native(PAYLOAD.encode(), 6) + b"\n")


@pytest.mark.parametrize(("asked", "sent"), [(1, 1), (0, 1), (16, 16), (20, 16)])
def test_the_native_qr_module_size_is_kept_within_1_to_16(asked: int, sent: int) -> None:
    assert cmd.qr_native(PAYLOAD.encode(), sent) in encode(Qr(PAYLOAD, module_size=asked), qr="native")


# ---- counts ----

def test_the_job_counts_its_text_and_image_lines() -> None:
    counted = job(Text("a"), Text("王*䶮"), Text("b"), Text("王*䶮"))
    assert (counted.text_lines, counted.raster_lines, counted.glyphs_defined) == (2, 2, 0)
    glyphs = job(Text("a"), Text("王*䶮"), Text("b"), Text("李*䶮"), user_defined_glyphs=True)
    assert (glyphs.text_lines, glyphs.raster_lines, glyphs.glyphs_defined) == (4, 0, 1)


# ---- which characters the printer's font has ----

def test_a_gb18030_font_prints_four_byte_characters_as_text() -> None:
    # 㐀 (U+3400) takes four bytes in GB18030: in the font of a GB18030 printer, drawn for the others
    data = encode(Text("王㐀"), font_charset="GB18030")
    assert data == HEAD + FS_ON + "王㐀".encode("gb18030") + FS_OFF + b"\n"
    assert len(decode(encode(Text("王㐀"), font_charset="GBK")).rasters) == 1


# ---- user-defined characters ----

def glyph_codes(data: bytes) -> int:
    return data.count(b"\x1b&")


def test_ascii_between_user_defined_characters_goes_as_plain_ascii() -> None:
    data = encode(Text("䶮yz䶮"), Text("b"), user_defined_glyphs=True)
    first = cmd.UDC_BLANK + 1
    assert data.endswith(UDC_ON + bytes((first, first + 1)) + UDC_OFF + b"yz" + UDC_ON + bytes((first, first + 1))
                         + b"\n" + UDC_OFF + b"b\n")
    assert data.count(UDC_OFF) == 2


def test_user_defined_mode_is_left_once_for_the_lines_that_follow() -> None:
    data = encode(Text("䶮"), Text("a"), Text("b"), user_defined_glyphs=True)
    assert data.count(UDC_ON) == 1 and data.count(UDC_OFF) == 1


def test_the_font_part_of_a_line_is_framed_only_in_chinese_text_mode() -> None:
    framed = encode(Text("䶮王"), user_defined_glyphs=True)
    assert FS_ON + "王".encode("gb18030") + FS_OFF in framed
    plain = encode(Text("䶮王"), user_defined_glyphs=True, chinese_text_mode=False)
    assert FS_ON not in plain and UDC_OFF + "王".encode("gb18030") + b"\n" in plain


def test_a_space_next_to_the_font_is_printed_by_the_font() -> None:
    data = encode(Text("䶮 王"), user_defined_glyphs=True)
    assert glyph_codes(data) == 1  # 䶮 only: no blank defined for a space that borders the font
    assert UDC_OFF + b" " + FS_ON + "王".encode("gb18030") + FS_OFF in data
    assert glyph_codes(encode(Text("王䶮 abc"), user_defined_glyphs=True)) == 1


def test_words_of_user_defined_characters_share_one_run_with_the_blank_between() -> None:
    data = encode(Text("1. 접수 번호"), user_defined_glyphs=True)
    assert data.count(UDC_ON) == 1 and data.count(UDC_OFF) == 0
    assert bytes((cmd.UDC_BLANK,)) in data.split(UDC_ON, 1)[1]


def test_bold_user_defined_characters_are_not_emboldened_twice() -> None:
    bold = encode(Text("접수 번호", bold=True), user_defined_glyphs=True)
    assert bold.count(cmd.bold(False)) == 1 and bold.count(cmd.bold(True)) == 2
    assert bold.index(cmd.bold(False)) < bold.index(UDC_ON)
    plain = encode(Text("접수 번호"), user_defined_glyphs=True)
    assert b"\x1bE" not in plain


def test_a_full_set_of_47_user_defined_characters_is_kept_without_giving_any_way() -> None:
    syllables = [chr(0xAC00 + 28 * n) for n in range(47)]
    first, second = "".join(syllables[:24]), "".join(syllables[24:])
    counted = job(Text(first), Text(second), Text(first), user_defined_glyphs=True)
    assert counted.glyphs_defined == 47  # the third line finds all of the first still defined


# ---- image lines ----

def test_an_image_line_is_only_the_ink_of_its_characters() -> None:
    line = "王*䶮"
    image = render_line(line, 576, Align.LEFT, False, (1, 1))
    assert image.size == (64, 30)  # 5 columns of 12 dots, to the next whole byte
    cells = [glyph_cell(ch, 1 if ch.isascii() else 2, False) for ch in line]
    assert ink(image) == sum(ink(cell) for cell in cells) > 0


def test_a_right_aligned_image_line_ends_at_the_right_edge() -> None:
    image = render_line("王*䶮", 576, Align.RIGHT, False, (1, 1))
    box = image.getbbox()
    assert image.width == 576 and box is not None and box[2] > 576 - 12


@pytest.mark.parametrize(("size", "scale"), [((2, 2), (2, 2)), ((1, 2), (1, 2))])
def test_an_image_line_is_drawn_at_its_size(size: tuple[int, int], scale: tuple[int, int]) -> None:
    normal = render_line("王*䶮", 576, Align.LEFT, False, (1, 1))
    big = render_line("王*䶮", 576, Align.LEFT, False, size)
    assert big.height == 30 * scale[1] and ink(big) == ink(normal) * scale[0] * scale[1]


def test_a_double_line_with_a_rare_character_and_a_long_number_prints_tall_at_normal_width() -> None:
    data = encode(Text("申请人 李*䶮 " + NUMBER, double=True), paper_width_mm=58, chars_per_line=32)
    (raster,) = decode(data, 58).rasters
    assert raster.image.height == 60
    assert raster.image.width == 12 * 12  # 申请人 李*䶮: 12 columns, not 24


# ---- QR codes as images ----

def qr_modules(payload: str) -> int:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return len(code.get_matrix())


@pytest.mark.parametrize(("module", "width"), [(4, 576), (16, 384)])
def test_a_qr_image_is_centred_with_a_two_module_quiet_zone_and_fits_the_paper(module: int, width: int) -> None:
    n = qr_modules(PAYLOAD) + 4  # with the quiet zone
    image = qr_image(PAYLOAD, module, width)
    shown = module if n * module <= width else width // n
    side = n * shown
    assert image.height == side and image.width <= width
    offset = (width - side) // 2
    assert image.getbbox() == (offset + 2 * shown, 2 * shown, offset + side - 2 * shown, side - 2 * shown)
    assert read_qr_image(image) == [PAYLOAD]


def read_qr_image(image: Image.Image) -> list[str]:
    from devices.printers.preview import Raster

    return read_qr(Raster(image))


# ---- raster commands ----

def test_raster_bytes_pad_each_row_to_whole_bytes_with_blank_dots() -> None:
    image = Image.new("L", (13, 2), 0)
    image.putpixel((0, 0), 255)
    image.putpixel((12, 1), 255)
    assert raster_bytes(image) == cmd.raster(2, 2, bytes((0b1000_0000, 0, 0, 0b0000_1000)))


def test_a_grey_image_whole_bytes_wide_is_sent_as_dots_not_grey_levels() -> None:
    image = Image.new("L", (8, 1), 0)
    image.putpixel((1, 0), 255)
    assert raster_bytes(image) == cmd.raster(1, 1, bytes((0b0100_0000,)))


def test_a_tall_image_goes_in_bands_of_256_rows() -> None:
    image = Image.new("1", (8, 300), 0)
    image.putpixel((0, 299), 1)
    data = raster_bytes(image)
    assert data == cmd.raster(1, 256, bytes(256)) + cmd.raster(1, 44, bytes(43) + b"\x80")

"""The exact bytes the printer gets: Chinese framing and encoding, raster fallback, QR, sizes, alignment, cuts.

Each slip kind is encoded for 58 and 80 mm paper and decoded back; the decoder reports anything that
would print wrongly (a Chinese byte outside FS & ... FS ., a line overflowing the paper, an unknown
command), and the tests read the text, the QR payloads and the cut from the decoded bytes.
"""

from __future__ import annotations

import pytest

from devices.printers import escpos_commands as cmd
from devices.printers.escpos_encoder import SlipEncoder, render_line, width_dots, wrap
from devices.printers.preview import decode, render
from devices.printers.slip_data import SAMPLES, build_slip
from kiosk.core.catalog import Catalog
from kiosk.core.settings import KioskSettings
from kiosk.core.slips import Align, Cut, Qr, Rule, Slip, SlipKind, Text
from kiosk.storage.working_days import library_calendar
from tests.drivers.printer_helpers import NUMBER, flat, profile, qr_payloads, receipt

HEAD = cmd.INIT + cmd.DEFAULT_LINE_SPACING
FS_ON, FS_OFF = b"\x1c&", b"\x1c."


def encode(*blocks: object, **settings: object) -> bytes:
    return SlipEncoder(profile(**settings)).encode(Slip(SlipKind.TEST, tuple(blocks))).data  # type: ignore[arg-type]


def test_chinese_line_is_framed_with_fs_and_sent_as_gb18030() -> None:
    assert encode(Text("姓名：张三")) == HEAD + FS_ON + "姓名：张三".encode("gb18030") + FS_OFF + b"\n"


def test_ascii_line_goes_without_framing() -> None:
    assert encode(Text("Name: ABC")) == HEAD + b"Name: ABC\n"


def test_a_line_of_punctuation_only_is_text_not_question_marks() -> None:
    # python-escpos 3.1 sends "，。" as "??": its Chinese detection looks at U+4E00-U+9FA5 only
    assert encode(Text("，。")) == HEAD + FS_ON + bytes.fromhex("a3aca1a3") + FS_OFF + b"\n"


def test_a_rare_name_character_prints_the_whole_line_as_an_image() -> None:
    data = encode(Text("申请人：王*䶮"))
    doc = decode(data)
    assert doc.problems == []
    assert doc.lines == [] and len(doc.rasters) == 1  # not a single character left to the printer's font
    assert b"?" not in data.split(b"v0", 1)[0]
    image = doc.rasters[0].image
    assert image.getbbox() is not None and image.width >= len("申请人：王*䶮") * 2 * 12 - 12
    assert image.tobytes() == render_line("申请人：王*䶮", 576, Align.LEFT, False, (1, 1)).tobytes()


def test_korean_prints_as_an_image_line() -> None:
    doc = decode(encode(Text("신청인: 李*䶮"), Text("접수 번호")))
    assert doc.problems == [] and doc.lines == [] and len(doc.rasters) == 2


def test_font_charset_decides_what_the_printer_draws() -> None:
    # 堃 is in GBK but not in GB2312; 䶮 is a four-byte GB18030 character
    assert len(decode(encode(Text("王堃"), font_charset="GB2312")).rasters) == 1
    assert decode(encode(Text("王堃"), font_charset="GBK")).text == "王堃"
    data = encode(Text("王䶮"), font_charset="GB18030")
    assert FS_ON + "王䶮".encode("gb18030") + FS_OFF in data and decode(data).text == "王䶮"


def test_gbk_encoding() -> None:
    assert "吉林".encode("gbk") in encode(Text("吉林"), encoding="GBK")


def test_without_text_mode_the_printer_must_boot_in_chinese_mode() -> None:
    data = encode(Text("吉林省"), chinese_text_mode=False)
    assert FS_ON not in data
    assert decode(data, boot_chinese=True).text == "吉林省"
    assert decode(data, boot_chinese=False).problems  # garbage on a printer that is not in Chinese mode


def test_cut_is_always_sent_to_a_printer_with_a_cutter() -> None:
    assert encode(Cut()).endswith(cmd.feed_lines(4) + b"\x1dV\x00")
    assert encode(Cut(partial=True)).endswith(b"\x1dV\x01")
    no_cutter = encode(Cut(), cutter=False)
    assert no_cutter.endswith(cmd.feed_lines(4)) and b"\x1dV" not in no_cutter


def test_double_size_and_alignment_commands() -> None:
    data = encode(Text("办件回执", Align.CENTER, double=True), Text("x"))
    assert data == (HEAD + b"\x1ba\x01" + b"\x1d!\x11" + b"\x1c!\x0c" + FS_ON + "办件回执".encode("gb18030") + FS_OFF
                    + b"\n" + b"\x1ba\x00" + b"\x1d!\x00" + b"\x1c!\x00" + b"x\n")
    line = decode(data).lines[0]
    assert (line.align, line.size) == ("center", (2, 2))


def test_a_long_number_in_double_size_stays_on_one_line_on_58_mm() -> None:
    data = encode(Text(NUMBER, Align.CENTER, double=True), paper_width_mm=58, chars_per_line=32)
    assert b"\x1d!\x01" in data  # tall but normal width: 21 characters fit 32 columns
    doc = decode(data, paper_width_mm=58)
    assert doc.problems == [] and [line.text for line in doc.lines] == [NUMBER]


def test_control_characters_in_texts_cannot_become_commands() -> None:
    data = encode(Text("A\x1b@B\x1dV\x00C\x10\x04\x01"))
    assert data == HEAD + b"A@BVC\n"


def test_more_columns_than_font_a_fits_are_not_used() -> None:
    doc = decode(encode(Rule(), Text("一" * 40), chars_per_line=64))
    assert doc.problems == [] and [len(line.text) for line in doc.lines] == [48, 24, 16]


def test_rule_fills_the_line() -> None:
    assert decode(encode(Rule("="), paper_width_mm=58, chars_per_line=32), 58).text == "=" * 32


def test_native_qr_carries_the_payload() -> None:
    data = encode(Qr("JLMZ:PROGRESS:" + NUMBER, module_size=5), qr="native")
    assert b"\x1d(k\x03\x001C\x05" in data  # module size
    assert b"1P0JLMZ:PROGRESS:" + NUMBER.encode() in data
    assert decode(data).qr_payloads == ["JLMZ:PROGRESS:" + NUMBER]


def test_image_qr_scans_back_to_the_payload() -> None:
    doc = decode(encode(Qr("JLMZ:PROGRESS:" + NUMBER)))
    assert doc.problems == [] and qr_payloads(doc) == ["JLMZ:PROGRESS:" + NUMBER]


def test_wrapping_respects_width_indent_and_punctuation() -> None:
    lines = wrap("1. 一次性告知所需材料，录入全国残疾人两项补贴信息系统并推送至户籍地", 32, 3)
    assert all(sum(1 if ord(c) < 128 else 2 for c in line) <= 32 for line in lines)
    assert all(line.startswith("   ") for line in lines[1:])
    assert wrap("一二三四五六七八九十一二三四五六。后面", 32) == ["一二三四五六七八九十一二三四五", "六。后面"]
    assert wrap("Copies can be mailed to the office", 16) == ["Copies can be", "mailed to the", "office"]


# ---- every slip kind, both paper widths ----

@pytest.mark.parametrize("width", [80, 58])
@pytest.mark.parametrize("kind", list(SlipKind))
def test_every_kind_decodes_cleanly(kind: SlipKind, width: int, site_settings: KioskSettings,
                                    catalog: Catalog) -> None:
    printer = profile(paper_width_mm=width, chars_per_line=48 if width == 80 else 32)
    job = SlipEncoder(printer).encode(build_slip(kind, SAMPLES[kind], site_settings, catalog, library_calendar()))
    doc = decode(job.data, width)
    assert doc.problems == []
    assert len(doc.cuts) == 1 and doc.items[-1] == doc.cuts[0]
    assert all(r.image.width <= width_dots(width) for r in doc.rasters)
    assert "\ufffd" not in doc.text and "?" not in doc.text.replace("<=>?@", "")


@pytest.mark.parametrize("width", [80, 58])
def test_receipt_says_everything_the_citizen_needs(width: int, site_settings: KioskSettings,
                                                  catalog: Catalog) -> None:
    printer = profile(paper_width_mm=width, chars_per_line=48 if width == 80 else 32)
    data = SlipEncoder(printer).encode(receipt(site_settings, catalog)).data
    doc = decode(data, width)
    text = flat(doc.text)
    for expected in ("办件回执", "长春市南关区政务服务中心", "JL-220102-001",
                     "困难残疾人生活补贴和重度残疾人护理补贴资格认定", NUMBER, "2024-05-2010:32",
                     "222***********2136", "还需提供的材料", "居民户口簿",
                     "携带至受理窗口", "邮寄", "后续步骤及时限", "3个工作日", "10个工作日", "咨询电话：0431-12345"):
        assert expected in text, expected
    assert qr_payloads(doc) == ["JLMZ:PROGRESS:" + NUMBER]
    # the masked name holds 䶮, so its line is an image: exactly the masked text, never the full name
    masked_line = render_line("申请人：李*䶮", width_dots(width), Align.LEFT, False, (1, 1))
    assert any(r.image.tobytes() == masked_line.tobytes() for r in doc.rasters)
    assert "李玉䶮".encode("gb18030") not in data and b"222401198007152136" not in data


def test_korean_receipt_keeps_chinese_as_text_and_draws_korean(site_settings: KioskSettings,
                                                               catalog: Catalog) -> None:
    job = SlipEncoder(profile()).encode(receipt(site_settings, catalog, language="ko"))
    doc = decode(job.data)
    assert doc.problems == [] and job.raster_lines > 20
    assert "办件回执" in doc.text and NUMBER in doc.text
    assert not any("\uac00" <= ch <= "\ud7af" for ch in doc.text)  # no Hangul ever goes to the font


# ---- user-defined characters (profile user_defined_glyphs) ----

def test_korean_receipt_as_user_defined_characters_prints_the_same_dots_in_a_third_of_the_bytes(
        site_settings: KioskSettings, catalog: Catalog) -> None:
    slip = receipt(site_settings, catalog, language="ko")
    images = SlipEncoder(profile()).encode(slip)
    glyphs = SlipEncoder(profile(user_defined_glyphs=True)).encode(slip)
    assert len(glyphs.data) <= 30 * 1024 and len(glyphs.data) * 3 <= len(images.data)
    assert glyphs.raster_lines == 0 and glyphs.glyphs_defined >= 150  # more than the 47 that fit at once
    doc = decode(glyphs.data)
    assert doc.problems == [] and "办件回执" in doc.text and NUMBER in doc.text
    assert not any("\uac00" <= ch <= "\ud7af" for ch in doc.text)  # Hangul never reaches the font
    assert render(doc).tobytes() == render(decode(images.data)).tobytes()  # the same dots on the paper
    assert qr_payloads(doc) == ["JLMZ:PROGRESS:" + NUMBER]


def test_a_rare_name_character_as_a_user_defined_character() -> None:
    data = encode(Text("申请人：王*䶮", bold=True), user_defined_glyphs=True)
    doc = decode(data)
    assert doc.problems == [] and doc.rasters == [] and len(doc.lines) == 1
    glyphs = doc.lines[0].glyphs
    assert [g.user_defined for g in glyphs].count(True) == 2  # 䶮: two 12-dot halves
    assert "?" not in doc.text and "王".encode("gb18030") in data  # 王 still in the font; nothing as ?
    assert render(doc).tobytes() == render(decode(encode(Text("申请人：王*䶮", bold=True)))).tobytes()


def test_user_defined_characters_are_defined_once_and_reused() -> None:
    data = encode(Text("접수 번호"), Text("번호 접수"), user_defined_glyphs=True)
    assert data.count(b"\x1b&") == 2  # the four syllables, then the blank between words; nothing again
    assert decode(data).problems == []


# ---- the printer's own Korean font (a model sold for Korea: font_charset KSX1001, encoding EUC-KR) ----

KOREAN_FONT = {"encoding": "EUC-KR", "font_charset": "KSX1001"}


def test_hangul_goes_to_a_korean_printers_font_as_euc_kr_in_kanji_mode() -> None:
    data = encode(Text("접수 번호"), **KOREAN_FONT)
    assert data == HEAD + FS_ON + "접수 번호".encode("euc_kr") + FS_OFF + b"\n"
    assert decode(data, encoding="EUC-KR").text == "접수 번호"
    assert decode(data).text != "접수 번호"  # read as GB18030 it is other characters: the encoding matters


def test_on_a_korean_printer_what_ks_x_1001_lacks_is_drawn() -> None:
    # 똠 is a Hangul syllable KS X 1001 lacks (Python's codec would send it as an 8-byte jamo sequence);
    # 厅 is a simplified form, no Hanja; 王 is one
    for settings in ({}, {"user_defined_glyphs": True}):
        data = encode(Text("똠 王厅"), **KOREAN_FONT, **settings)
        doc = decode(data, encoding="EUC-KR")
        assert doc.problems == [] and "\ua4d4".encode() not in data and bytes.fromhex("a4d4") not in data
        drawn = render(decode(encode(Text("똠 王厅"), **settings)))
        assert render(doc).tobytes() == drawn.tobytes()  # the same dots as on a mainland printer
    assert "王".encode("euc_kr") in data and "똠" not in decode(data, encoding="EUC-KR").text


def test_a_korean_font_needs_its_encoding() -> None:
    with pytest.raises(ValueError, match="KSX1001"):
        profile(font_charset="KSX1001")
    with pytest.raises(ValueError, match="KSX1001"):
        profile(encoding="EUC-KR")


def test_korean_receipt_in_the_printers_font_is_a_fraction_of_the_drawn_one(site_settings: KioskSettings,
                                                                            catalog: Catalog) -> None:
    slip = receipt(site_settings, catalog, language="ko")
    drawn = SlipEncoder(profile(user_defined_glyphs=True)).encode(slip)
    font = SlipEncoder(profile(user_defined_glyphs=True, **KOREAN_FONT)).encode(slip)
    doc = decode(font.data, encoding="EUC-KR")
    assert doc.problems == [] and font.raster_lines == 0
    assert "접수" in doc.text and NUMBER in doc.text and "办件回执" not in doc.text  # 办 is no Hanja: drawn
    assert "办件回执".encode("gb18030") not in font.data
    assert len(font.data) * 2 <= len(drawn.data) and len(font.data) <= 15 * 1024
    assert qr_payloads(doc) == ["JLMZ:PROGRESS:" + NUMBER]

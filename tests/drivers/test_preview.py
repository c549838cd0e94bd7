"""The bytes -> document decoder and the PNG picture: it must catch what would print wrongly."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from devices.printers import escpos_commands as cmd
from devices.printers.escpos_commands import tokenize
from devices.printers.escpos_encoder import SlipEncoder
from devices.printers.preview import MARGIN, decode, preview_png, render
from kiosk.core.slips import Align, Cut, Slip, SlipKind, Text
from tests.drivers.printer_helpers import profile

GB = "吉林省民政厅".encode("gb18030")


def test_decodes_text_modes_sizes_and_cut() -> None:
    data = (cmd.INIT + cmd.align(1) + cmd.bold(True) + cmd.size(2, 2) + cmd.CHINESE_ON + GB + cmd.CHINESE_OFF
            + b"\n" + cmd.align(0) + cmd.bold(False) + cmd.size(1, 1) + b"OK\n" + cmd.feed_lines(2) + cmd.cut(True))
    doc = decode(data)
    assert doc.problems == []
    first, second = doc.lines
    assert (first.text, first.align, first.bold, first.size) == ("吉林省民政厅", "center", True, (2, 2))
    assert first.framed
    assert (second.text, second.bold, second.size) == ("OK", False, (1, 1))
    assert doc.cuts[0].partial is True


def test_reports_what_would_print_as_garbage() -> None:
    assert decode(cmd.INIT + GB + b"\n").problems  # Chinese bytes without FS &
    assert decode(cmd.INIT + b"x" * 49 + b"\n").problems  # 49 columns on 48-column paper
    assert decode(cmd.INIT + b"\x1bZ\n").problems  # a command the kiosk never sends
    assert decode(cmd.INIT + b"no line feed").problems
    assert decode(cmd.INIT + cmd.raster(2, 10, b"\x00" * 5)).problems  # truncated image


def test_tokenizer_never_reads_a_status_query_inside_image_data() -> None:
    image = cmd.raster(2, 2, b"\x10\x04\x01\x00")  # the image bytes spell DLE EOT 1
    commands, used, _ = tokenize(image + cmd.status_query(4))
    assert [c.name for c in commands] == ["GS v 0", "DLE EOT"] and commands[1].args == (4,)
    assert used == len(image) + 3
    partial, used, _ = tokenize(image[:5], final=False)
    assert partial == [] and used == 0  # waits for the rest of the command


def test_png_shows_the_paper_with_text_image_and_cut(tmp_path: Path) -> None:
    slip = Slip(SlipKind.TEST, (Text("办件回执", Align.CENTER, double=True), Text("申请人：王*䶮"), Cut()))
    data = SlipEncoder(profile(paper_width_mm=58, chars_per_line=32)).encode(slip).data
    out = tmp_path / "slip.png"
    doc = preview_png(data, out, 58)
    assert doc.problems == []
    picture = Image.open(out)
    assert picture.width == 384 + 2 * MARGIN
    paper = picture.crop((MARGIN, MARGIN, MARGIN + 384, picture.height - MARGIN))
    assert paper.convert("L").getextrema() == (0, 255)  # black ink on white paper
    # the title's ink is in the middle of the paper (centred), the raster line starts at the left edge
    title = paper.crop((0, 16, 384, 16 + 54)).convert("L")
    left, _, right, _ = Image.eval(title, lambda v: 255 - v).getbbox() or (0, 0, 0, 0)
    assert abs((left + right) / 2 - 192) < 12


def test_render_is_one_dot_per_pixel() -> None:
    doc = decode(cmd.INIT + b"A\n" + cmd.feed_lines(1) + cmd.cut(False))
    assert render(doc).size == (576 + 2 * MARGIN, 16 + 30 + 30 + 40 + 16 + 2 * MARGIN)
    torn = decode(cmd.INIT + b"A\n" + cmd.feed_lines(1))  # no cutter: a tear-off mark instead
    assert render(torn).size == render(doc).size

"""Time to render each slip kind to printer bytes: text mode, Korean (image lines, user-defined characters, and a
Korean printer's own font, with their sizes) and the whole slip as images.

Goals: a receipt under 50 ms in text mode and under 300 ms with image lines. The baseline, measured in the
same run, is python-escpos 3.1 writing the same lines to its Dummy printer with its own text(), qr() and
cut() (which sends Chinese without FS & and prints 䶮 as '?', so it is a speed reference only). The
preview (bytes -> PNG) is timed too, as the simulated printer does it for every slip.

    .venv/bin/python bench/slip_render.py [--runs 30]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import warnings
from collections.abc import Callable

from escpos.printer import Dummy

from devices.printers.escpos_encoder import SlipEncoder
from devices.printers.preview import decode, render
from devices.printers.slip_data import SAMPLES, build_slip
from kiosk.core.settings import PrinterProfile
from kiosk.core.slips import Cut, Qr, Rule, Slip, SlipKind, Text
from kiosk.storage.catalog import load_catalog
from kiosk.storage.config import load_config
from kiosk.storage.working_days import configured_calendar

GOALS_MS = {"text": 50.0, "image lines": 300.0, "user-defined chars": 300.0, "printer's Korean font": 300.0}


class WholeSlipAsImages(SlipEncoder):
    """The fallback for a printer without a usable Chinese font: every line is drawn."""

    def line_as_text(self, line: str) -> bool:
        return False


def escpos_baseline(slip: Slip) -> bytes:
    printer = Dummy(profile="default")
    for block in slip.blocks:
        if isinstance(block, Text):
            printer.set(align=block.align.value, bold=block.bold, double_height=block.double,
                        double_width=block.double)
            printer.text(block.text + "\n")
        elif isinstance(block, Rule):
            printer.text(block.char * 48 + "\n")
        elif isinstance(block, Qr):
            printer.qr(block.payload, size=block.module_size, center=True)
        elif isinstance(block, Cut):
            printer.cut()
    return bytes(printer.output)


def median_ms(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    config = load_config()
    catalog = load_catalog()
    profile = PrinterProfile.model_validate({"connection": {"kind": "simulated"}})
    text_mode, all_images = SlipEncoder(profile), WholeSlipAsImages(profile)

    receipt = build_slip(SlipKind.RECEIPT, SAMPLES[SlipKind.RECEIPT], config.settings, catalog, configured_calendar())
    started = time.perf_counter()
    text_mode.encode(receipt)  # loads the CJK font and warms the glyph cache
    cold_ms = (time.perf_counter() - started) * 1000

    cases: list[tuple[str, str, Slip, SlipEncoder]] = []
    for kind in SlipKind:
        slip = build_slip(kind, SAMPLES[kind], config.settings, catalog, configured_calendar())
        cases.append((kind.value, "text", slip, text_mode))
    korean = SAMPLES[SlipKind.RECEIPT].model_copy(update={"language": "ko"})
    korean_slip = build_slip(SlipKind.RECEIPT, korean, config.settings, catalog, configured_calendar())
    cases.append(("receipt (ko)", "image lines", korean_slip, text_mode))
    glyphs = SlipEncoder(profile.model_copy(update={"user_defined_glyphs": True}))
    cases.append(("receipt (ko)", "user-defined chars", korean_slip, glyphs))
    korean_font = SlipEncoder(profile.model_copy(update={"user_defined_glyphs": True, "encoding": "EUC-KR",
                                                         "font_charset": "KSX1001"}))
    cases.append(("receipt (ko)", "printer's Korean font", korean_slip, korean_font))
    cases.append(("receipt", "whole slip as images", receipt, all_images))

    print(f"slip render benchmark: median of {args.runs} runs, 80 mm, {profile.encoding}; "
          f"first receipt (font load, cold caches): {cold_ms:.0f} ms")
    print(f"{'slip':<14} {'mode':<22} {'bytes':>8} {'img lines':>9} {'encode ms':>10} {'escpos ms':>10} "
          f"{'ratio':>6} {'preview ms':>11}  goal")
    failed = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with io.StringIO() as sink:  # python-escpos prints a note about media width
            stdout, sys.stdout = sys.stdout, sink
            try:
                baselines = {id(slip): median_ms(lambda s=slip: escpos_baseline(s), args.runs)
                             for _, _, slip, _ in cases}
            finally:
                sys.stdout = stdout
    for name, mode, slip, encoder in cases:
        job = encoder.encode(slip)
        encode_ms = median_ms(lambda e=encoder, s=slip: e.encode(s), args.runs)
        encoding = encoder.profile.encoding
        preview_ms = median_ms(lambda d=job.data, e=encoding: render(decode(d, encoding=e)), max(3, args.runs // 5))
        baseline = baselines[id(slip)]
        goal = GOALS_MS.get(mode) if name.startswith("receipt") else None
        verdict = "" if goal is None else f"< {goal:.0f} ms {'ok' if encode_ms < goal else 'MISSED'}"
        failed |= goal is not None and encode_ms >= goal
        print(f"{name:<14} {mode:<22} {len(job.data):>8} {job.raster_lines:>9} {encode_ms:>10.1f} {baseline:>10.1f} "
              f"{encode_ms / baseline:>6.1f} {preview_ms:>11.1f}  {verdict}")
        if mode in ("user-defined chars", "printer's Korean font"):
            print(f"{'':<14} {'':<22} {len(job.data) / 1024:>6.1f} KiB, {job.glyphs_defined} characters defined; "
                  f"at 9600 baud {len(job.data) * 10 / 9600:.0f} s, at 115200 baud {len(job.data) * 10 / 115200:.1f} s"
                  f" (goal <= 30 KiB: {'ok' if len(job.data) <= 30 * 1024 else 'MISSED'})")
            failed |= len(job.data) > 30 * 1024
    print("ratio = our encoder / python-escpos 3.1 Dummy on the same slip (which garbles 䶮 and sends no FS &)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

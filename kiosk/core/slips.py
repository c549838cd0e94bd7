"""Slips as printer-neutral documents: lines, QR codes, rules and a cut. Printer drivers turn them to bytes.

A slip says what to print, never how: widths, wrapping, encodings and whether a line must be rasterised
(a rare character, Korean) are the driver's decisions. Only masked personal data is ever put in a slip.
"""

from __future__ import annotations

import enum

from kiosk.core.value import Value


class SlipKind(enum.StrEnum):
    RECEIPT = "receipt"  # 办件回执
    GUIDE = "guide"  # materials checklist of an item
    APPOINTMENT = "appointment"
    READINESS = "readiness"  # maintenance readiness report
    TEST = "test"


class Align(enum.StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class Text(Value, frozen=True):
    text: str
    align: Align = Align.LEFT
    double: bool = False  # double width and height, for titles and the application number
    bold: bool = False
    indent: int = 0
    """Half-width columns by which wrapped continuation lines are indented (hanging indent for lists)."""


class Rule(Value, frozen=True):
    char: str = "-"


class Qr(Value, frozen=True):
    payload: str
    module_size: int = 6


class Feed(Value, frozen=True):
    lines: int = 1


class Cut(Value, frozen=True):
    partial: bool = False


Block = Text | Rule | Qr | Feed | Cut


class SlipOrigin(Value, frozen=True):
    """What a receipt was printed for, without personal data: enough to reprint it from maintenance."""

    item_id: str
    language: str = "zh"
    application_number: str = ""
    local_reference: str = ""
    queued: bool = False


class Slip(Value, frozen=True):
    kind: SlipKind
    blocks: tuple[Block, ...]
    origin: SlipOrigin | None = None


def progress_url(application_number: str, query_code: str = "") -> str:
    """The progress-query QR payload: the number with a prefix the province's query app recognises, and the
    receipt's query code (printed beside it anyway), so the receipt held to any kiosk's scanner opens the case."""
    return f"JLMZ:PROGRESS:{application_number}" + (f":{query_code}" if query_code else "")


def booking_number_from_code(code: str) -> str | None:
    """The booking number in an appointment slip's QR code (JLMZ:BOOKING:<number>), or None for any other code."""
    prefix, _, number = code.strip().partition(":BOOKING:")
    number = number.strip().upper()
    return number if prefix == "JLMZ" and booking_number_problem(number) is None else None


def booking_number_problem(number: str) -> str | None:
    """Why a typed booking number cannot be one (the backend's numbers: letters, digits, hyphens, 4 to 32)."""
    if not 4 <= len(number) <= 32 or not number.replace("-", "").isalnum() or not number.isascii():
        return "invalid"
    return None


def progress_from_code(code: str) -> tuple[str, str] | None:
    """The application number and query code (or "") in a receipt's progress QR code (progress_url), or None
    for any other code; a number is letters, digits and hyphens only, at most 50, a code 4 to 16 digits."""
    prefix, _, rest = code.strip().partition(":PROGRESS:")
    number, _, query_code = rest.strip().upper().partition(":")
    if prefix != "JLMZ" or not number or len(number) > 50 or not number.replace("-", "").isalnum():
        return None
    if query_code and not (query_code.isdigit() and query_code.isascii() and 4 <= len(query_code) <= 16):
        return None
    return number, query_code

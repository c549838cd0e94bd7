"""Slips as printer-neutral documents: lines, QR codes, rules and a cut. Printer drivers turn them to bytes.

A slip says what to print, never how: widths, wrapping, encodings and whether a line must be rasterised
(a rare character, Korean) are the driver's decisions. Only masked personal data is ever put in a slip.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


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


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    align: Align = Align.LEFT
    double: bool = False  # double width and height, for titles and the application number
    bold: bool = False
    indent: int = 0
    """Half-width columns by which wrapped continuation lines are indented (hanging indent for lists)."""


@dataclass(frozen=True, slots=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True, slots=True)
class Qr:
    payload: str
    module_size: int = 6


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True, slots=True)
class Cut:
    partial: bool = False


Block = Text | Rule | Qr | Feed | Cut


@dataclass(frozen=True, slots=True)
class SlipOrigin:
    """What a receipt was printed for, without personal data: enough to reprint it from maintenance."""

    item_id: str
    language: str = "zh"
    application_number: str = ""
    local_reference: str = ""
    queued: bool = False


@dataclass(frozen=True, slots=True)
class Slip:
    kind: SlipKind
    blocks: tuple[Block, ...]
    origin: SlipOrigin | None = None

    def plain_text(self) -> str:
        """The text a reader of the paper would see, for tests and previews."""
        out = []
        for block in self.blocks:
            if isinstance(block, Text):
                out.append(block.text)
            elif isinstance(block, Rule):
                out.append(block.char * 32)
            elif isinstance(block, Qr):
                out.append(f"[QR {block.payload}]")
        return "\n".join(out)

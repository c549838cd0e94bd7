"""Printer status from the `DLE EOT` real-time queries, and what it means for the kiosk.

Each query is answered with one byte whose fixed bits (`0xx1xx10`) identify a status reply. A missing or
malformed reply is never read as "paper OK" (python-escpos 3.1 does that): the caller gets None, which
the driver reports as PRINTER_NO_STATUS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from devices.printers.escpos_commands import (
    STATUS_ERROR_CAUSE,
    STATUS_OFFLINE_CAUSE,
    STATUS_PAPER,
    STATUS_PRINTER,
)
from kiosk.core.health import Component, Health, Reason

QUERIES = (STATUS_PRINTER, STATUS_OFFLINE_CAUSE, STATUS_ERROR_CAUSE, STATUS_PAPER)


def is_status_byte(value: int) -> bool:
    return value & 0x93 == 0x12


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    online: bool
    cover_open: bool = False
    paper_near_end: bool = False
    paper_out: bool = False
    cutter_error: bool = False
    unrecoverable_error: bool = False

    @classmethod
    def from_replies(cls, replies: Mapping[int, int]) -> PrinterStatus:
        """Build from the reply byte of each query (1 printer, 2 offline cause, 3 error cause, 4 paper)."""
        printer = replies[STATUS_PRINTER]
        offline = replies.get(STATUS_OFFLINE_CAUSE, 0x12)
        error = replies.get(STATUS_ERROR_CAUSE, 0x12)
        paper = replies.get(STATUS_PAPER, 0x12)
        return cls(
            online=not printer & 0x08,
            cover_open=bool(offline & 0x04),
            paper_out=bool(offline & 0x20) or paper & 0x60 == 0x60,
            paper_near_end=paper & 0x0C == 0x0C,
            cutter_error=bool(error & 0x08),
            unrecoverable_error=bool(error & 0x20),
        )

    @property
    def blocking_reason(self) -> Reason | None:
        """Why a job cannot be printed now; None when it can (a near-end roll still prints)."""
        if self.cover_open:
            return Reason.COVER_OPEN
        if self.paper_out:
            return Reason.PAPER_OUT
        if self.cutter_error:
            return Reason.CUTTER_ERROR
        if self.unrecoverable_error or not self.online:
            return Reason.PRINTER_OFFLINE
        return None

    def health(self, detail: str = "") -> Health:
        reason = self.blocking_reason
        if reason is not None:
            return Health.problem(Component.PRINTER, reason, detail)
        if self.paper_near_end:
            return Health.problem(Component.PRINTER, Reason.PAPER_NEAR_END, detail)
        return Health.ok(Component.PRINTER, detail)

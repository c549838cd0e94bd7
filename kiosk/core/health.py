"""One status model for every device and link: what state it is in, why, and who must act.

In the spirit of CEN/XFS and IATA CUSS: a component is never just "broken"; it carries a stable reason id
(translated by the UI, never shown raw) and the action it needs.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from kiosk.core.value import Value


class Component(enum.StrEnum):
    READER = "reader"
    PRINTER = "printer"
    BACKEND = "backend"
    DISK = "disk"
    DISPLAY = "display"
    SPEECH = "speech"
    SCANNER = "scanner"  # QR/barcode scanner: receipts' QR codes, 电子证照
    SIGNAL = "signal"  # the buzzer or light a call for staff switches on


class Status(enum.StrEnum):
    OK = "ok"
    DEGRADED = "degraded"  # works, but needs attention soon (paper near end, outbox backing up)
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"  # no answer yet; never treated as OK


class Action(enum.StrEnum):
    NONE = "none"
    RETRY = "retry"  # the citizen or the kiosk can simply try again
    RESET = "reset"  # the kiosk resets the device itself
    STAFF = "staff"  # hall staff: refill paper, close a cover, reseat a cable
    ENGINEER = "engineer"  # a technician: hardware fault, configuration, certificates


class Reason(enum.StrEnum):
    """Stable reason ids. Screens and slips translate them; logs record them verbatim."""

    OK = "ok"
    NOT_CHECKED = "not_checked"
    # card readers
    NO_READER = "no_reader"
    NO_CARD = "no_card"
    CARD_REMOVED = "card_removed"
    UNSUPPORTED_CARD = "unsupported_card"
    CARD_EXPIRED = "card_expired"
    CARD_UNREADABLE = "card_unreadable"
    CARD_CHECKSUM = "card_checksum"
    READER_TIMEOUT = "reader_timeout"
    READER_SERVICE_DOWN = "reader_service_down"
    # printers
    PAPER_OUT = "paper_out"
    PAPER_NEAR_END = "paper_near_end"
    COVER_OPEN = "cover_open"
    PRINTER_OFFLINE = "printer_offline"
    PRINTER_NO_STATUS = "printer_no_status"
    CUTTER_ERROR = "cutter_error"
    # scanners
    NO_SCANNER = "no_scanner"
    # the buzzer or light of calls for staff
    NO_SIGNAL = "no_signal"
    # backend
    BACKEND_UNREACHABLE = "backend_unreachable"
    BACKEND_TIMEOUT = "backend_timeout"
    BACKEND_REJECTED = "backend_rejected"
    BACKEND_AUTH = "backend_auth"
    BACKEND_BUSY = "backend_busy"  # 429: too many look-ups from this kiosk or for this card; wait a moment
    OUTBOX_BACKLOG = "outbox_backlog"
    # kiosk
    DISK_FULL = "disk_full"
    CONFIG_INVALID = "config_invalid"
    MAINTENANCE = "maintenance"
    STAFF_OUT_OF_SERVICE = "staff_out_of_service"
    INTERNAL_ERROR = "internal_error"


# The action each reason needs by default; a driver may say otherwise for its hardware.
DEFAULT_ACTION: Mapping[Reason, Action] = {
    Reason.OK: Action.NONE,
    Reason.NOT_CHECKED: Action.RETRY,
    Reason.NO_READER: Action.ENGINEER,
    Reason.NO_CARD: Action.RETRY,
    Reason.CARD_REMOVED: Action.RETRY,
    Reason.UNSUPPORTED_CARD: Action.RETRY,
    Reason.CARD_EXPIRED: Action.STAFF,
    Reason.CARD_UNREADABLE: Action.RETRY,
    Reason.CARD_CHECKSUM: Action.STAFF,
    Reason.READER_TIMEOUT: Action.RETRY,
    Reason.READER_SERVICE_DOWN: Action.RESET,
    Reason.PAPER_OUT: Action.STAFF,
    Reason.PAPER_NEAR_END: Action.STAFF,
    Reason.COVER_OPEN: Action.STAFF,
    Reason.PRINTER_OFFLINE: Action.STAFF,
    Reason.PRINTER_NO_STATUS: Action.STAFF,
    Reason.CUTTER_ERROR: Action.ENGINEER,
    Reason.NO_SCANNER: Action.STAFF,
    Reason.NO_SIGNAL: Action.ENGINEER,
    Reason.BACKEND_UNREACHABLE: Action.RETRY,
    Reason.BACKEND_TIMEOUT: Action.RETRY,
    Reason.BACKEND_REJECTED: Action.STAFF,
    Reason.BACKEND_AUTH: Action.ENGINEER,
    Reason.BACKEND_BUSY: Action.RETRY,
    Reason.OUTBOX_BACKLOG: Action.STAFF,
    Reason.DISK_FULL: Action.ENGINEER,
    Reason.CONFIG_INVALID: Action.ENGINEER,
    Reason.MAINTENANCE: Action.STAFF,
    Reason.STAFF_OUT_OF_SERVICE: Action.STAFF,
    Reason.INTERNAL_ERROR: Action.ENGINEER,
}

# Degraded rather than unavailable: the component still does its job.
DEGRADING_REASONS = frozenset({Reason.PAPER_NEAR_END, Reason.OUTBOX_BACKLOG})


class Health(Value, frozen=True):
    """The state of one component. `detail` is technical and never personal (no card data, no names)."""

    component: Component
    status: Status
    reason: Reason
    action: Action
    detail: str = ""

    @property
    def usable(self) -> bool:
        return self.status in (Status.OK, Status.DEGRADED)

    @classmethod
    def ok(cls, component: Component, detail: str = "") -> Health:
        return cls(component, Status.OK, Reason.OK, Action.NONE, detail)

    @classmethod
    def unknown(cls, component: Component, detail: str = "") -> Health:
        return cls(component, Status.UNKNOWN, Reason.NOT_CHECKED, Action.RETRY, detail)

    @classmethod
    def problem(cls, component: Component, reason: Reason, detail: str = "",
                action: Action | None = None) -> Health:
        status = Status.DEGRADED if reason in DEGRADING_REASONS else Status.UNAVAILABLE
        return cls(component, status, reason, action or DEFAULT_ACTION[reason], detail)


class DeviceError(Exception):
    """Raised by drivers at the boundary: every low-level failure becomes one stable reason."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail

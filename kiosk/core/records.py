"""What the kiosk exchanges with the backend: applications, receipts, progress, appointment slots.

These are plain values shared by the session core, the outbox and the backend client. Applications carry
personal data; they are wiped with the session and stored only encrypted.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from kiosk.core.identity import Identity
from kiosk.core.value import Value


class ApplicationStatus(enum.StrEnum):
    """Case states, after GB/T 39046 and the de-facto platform codes (items.md §4.4)."""

    QUEUED = "queued"  # in the kiosk's outbox, not yet delivered (待上传)
    RECEIVED = "received"  # 已提交(收件)
    ACCEPTED = "accepted"  # 已受理
    FORWARDED = "forwarded"  # 已推送户籍地
    COMPLETED = "completed"  # 办结
    REJECTED = "rejected"  # 不予受理 / 不予认定
    CORRECTION = "correction"  # 需补正: the office asks for more materials (the wire keeps the status before)


class Application(Value, frozen=True):
    """One citizen's application for an `apply` item, as the kiosk submits it."""

    hidden = frozenset({"applicant", "fields"})

    idempotency_key: str
    local_reference: str  # the kiosk's own reference, shown as 待上传 until the server's number is known
    kiosk_id: str
    item_id: str
    applicant: Identity
    fields: tuple[tuple[str, str], ...]
    submitted_at: datetime | None = None


class SubmitResult(Value, frozen=True):
    hidden = frozenset({"query_code"})

    local_reference: str
    application_number: str | None  # the server's 办件编号; None while only queued locally
    status: ApplicationStatus
    query_code: str = ""  # printed on the receipt beside the number; never stored at the kiosk


class Correction(Value, frozen=True):
    """补正: what the citizen is asked to bring, where, and by when (the office's words for the citizen)."""

    materials: tuple[tuple[str, str], ...]
    """(catalog material id, or "" for one staff described; the name in Chinese)"""
    place: str
    due: date


class ProgressRecord(Value, frozen=True):
    application_number: str
    item_id: str
    status: ApplicationStatus
    updated_at: datetime
    note: str = ""
    correction: Correction | None = None


class ProgressQuery(Value, frozen=True):
    """Either an application number or the ID number of the person on the reader; never both logged."""

    hidden = frozenset({"id_number", "query_code"})

    application_number: str = ""
    id_number: str = ""
    query_code: str = ""  # from the receipt: lets any kiosk look up an application it did not take


class Slot(Value, frozen=True):
    slot_id: str
    office: str
    day: date
    start: str  # "09:00"
    end: str
    remaining: int


class Booking(Value, frozen=True):
    hidden = frozenset({"parties", "phone"})
    idempotency_key: str
    item_id: str
    slot_id: str
    parties: tuple[Identity, ...]
    phone: str = ""
    first_booking: str = ""
    """For the second visit of a divorce (领证): the number of the booking of the first visit (the application)."""


class FirstVisitLookup(Value, frozen=True):
    """Which first-visit booking a couple brings, and who they are: the backend answers only its own parties."""

    hidden = frozenset({"id_numbers"})
    booking_number: str
    item_id: str
    id_numbers: tuple[str, ...]


class FirstVisit(Value, frozen=True):
    """The backend's answer: the day of the first visit (申请日), or why that booking cannot be followed by a
    second visit (`problem`: booking_not_found, booking_not_yours, not_a_first_visit, first_visit_ahead,
    second_visit_closed, second_visit_taken, calendar_unknown)."""

    booking_number: str
    day: date | None = None
    problem: str = ""


class SecondVisitWindow(Value, frozen=True):
    """The days of a divorce's second visit, computed by the kiosk from the first visit's day."""

    first_booking: str
    applied: date
    cooling_off_ends: date
    first_day: date
    last_day: date


class BookingResult(Value, frozen=True):
    booking_number: str
    slot: Slot

"""What the kiosk exchanges with the backend: applications, receipts, progress, appointment slots.

These are plain values shared by the session core, the outbox and the backend client. Applications carry
personal data; they are wiped with the session and stored only encrypted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from kiosk.identity import Identity


class ApplicationStatus(enum.StrEnum):
    """Case states, after GB/T 39046 and the de-facto platform codes (items.md §4.4)."""

    QUEUED = "queued"  # in the kiosk's outbox, not yet delivered (待上传)
    RECEIVED = "received"  # 已提交(收件)
    ACCEPTED = "accepted"  # 已受理
    FORWARDED = "forwarded"  # 已推送户籍地
    COMPLETED = "completed"  # 办结
    REJECTED = "rejected"  # 不予受理 / 不予认定


@dataclass(frozen=True, slots=True)
class Application:
    """One citizen's application for an `apply` item, as the kiosk submits it."""

    idempotency_key: str
    local_reference: str  # the kiosk's own reference, shown as 待上传 until the server's number is known
    kiosk_id: str
    item_id: str
    applicant: Identity = field(repr=False)
    fields: tuple[tuple[str, str], ...] = field(repr=False)
    submitted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SubmitResult:
    local_reference: str
    application_number: str | None  # the server's 办件编号; None while only queued locally
    status: ApplicationStatus


@dataclass(frozen=True, slots=True)
class ProgressRecord:
    application_number: str
    item_id: str
    status: ApplicationStatus
    updated_at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class ProgressQuery:
    """Either an application number or the ID number of the person on the reader; never both logged."""

    application_number: str = ""
    id_number: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class Slot:
    slot_id: str
    office: str
    day: date
    start: str  # "09:00"
    end: str
    remaining: int


@dataclass(frozen=True, slots=True)
class Booking:
    idempotency_key: str
    item_id: str
    slot_id: str
    parties: tuple[Identity, ...] = field(repr=False)
    phone: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class BookingResult:
    booking_number: str
    slot: Slot

"""Events into the session machine: citizen intents from screens and results from devices and timers.

Intents are what a touch means; results carry the `session_id` of the command that caused them so a late
answer for a session that has already ended is ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from kiosk.health import Health, Reason
from kiosk.identity import Identity
from kiosk.records import BookingResult, ProgressRecord, Slot, SubmitResult


class Event:
    """Base of all events."""


class Intent(Event):
    """A citizen's touch, sent up by a screen. Any intent counts as activity for the idle timer."""


@dataclass(frozen=True)
class Result(Event):
    session_id: str = ""


# ---- kiosk lifecycle ----

@dataclass(frozen=True)
class StartupCompleted(Event):
    health: Sequence[Health] = ()


@dataclass(frozen=True)
class HealthReported(Event):
    health: Health


@dataclass(frozen=True)
class SessionStarted(Event):
    session_id: str


@dataclass(frozen=True)
class MaintenanceEntered(Event):
    pass


@dataclass(frozen=True)
class MaintenanceExited(Event):
    pass


@dataclass(frozen=True)
class OutOfServiceSet(Event):
    message: str = ""


@dataclass(frozen=True)
class OutOfServiceCleared(Event):
    pass


# ---- citizen intents ----

@dataclass(frozen=True)
class LanguageChosen(Intent):
    language: str


@dataclass(frozen=True)
class ElderModeToggled(Intent):
    pass


@dataclass(frozen=True)
class VoiceToggled(Intent):
    pass


@dataclass(frozen=True)
class VolumeChanged(Intent):
    louder: bool


@dataclass(frozen=True)
class CategoryChosen(Intent):
    category: str


@dataclass(frozen=True)
class SearchChanged(Intent):
    text: str


@dataclass(frozen=True)
class ItemChosen(Intent):
    item_id: str


@dataclass(frozen=True)
class BackPressed(Intent):
    pass


@dataclass(frozen=True)
class HomePressed(Intent):
    """Cancel: end the session from wherever it is (except while an application is handed over)."""


@dataclass(frozen=True)
class ApplyStarted(Intent):
    pass


@dataclass(frozen=True)
class AppointmentStarted(Intent):
    pass


@dataclass(frozen=True)
class GuidePrintRequested(Intent):
    pass


@dataclass(frozen=True)
class ProgressQueryStarted(Intent):
    pass


@dataclass(frozen=True)
class ConsentGiven(Intent):
    sensitive: bool = False  # the separate consent for minors', health or disability data


@dataclass(frozen=True)
class ConsentDeclined(Intent):
    pass


@dataclass(frozen=True)
class CardReadRetried(Intent):
    pass


@dataclass(frozen=True)
class ManualEntryChosen(Intent):
    pass


@dataclass(frozen=True)
class ManualIdentityEntered(Intent):
    name: str = field(repr=False)
    id_number: str = field(repr=False)


@dataclass(frozen=True)
class FieldChanged(Intent):
    field_id: str
    value: str = field(repr=False)


@dataclass(frozen=True)
class FormSubmitted(Intent):
    pass


@dataclass(frozen=True)
class ReviewConfirmed(Intent):
    pass


@dataclass(frozen=True)
class SubmitRetried(Intent):
    pass


@dataclass(frozen=True)
class PrintRetried(Intent):
    pass


@dataclass(frozen=True)
class SlotChosen(Intent):
    slot_id: str


@dataclass(frozen=True)
class BookingConfirmed(Intent):
    pass


@dataclass(frozen=True)
class ProgressByCardRequested(Intent):
    pass


@dataclass(frozen=True)
class ProgressByNumberRequested(Intent):
    application_number: str


@dataclass(frozen=True)
class FinishPressed(Intent):
    pass


@dataclass(frozen=True)
class IdleExtended(Intent):
    pass


@dataclass(frozen=True)
class StaffCalled(Intent):
    pass


# ---- device, backend and timer results ----

@dataclass(frozen=True)
class CardRead(Result):
    identity: Identity | None = field(default=None, repr=False)
    today: date | None = None  # stamped by the runner from the clock, for the expiry check


@dataclass(frozen=True)
class CardReadFailed(Result):
    reason: Reason = Reason.CARD_UNREADABLE


@dataclass(frozen=True)
class CardRemoved(Result):
    pass


@dataclass(frozen=True)
class SubmitSucceeded(Result):
    result: SubmitResult | None = None


@dataclass(frozen=True)
class SubmitFailed(Result):
    reason: Reason = Reason.BACKEND_UNREACHABLE


@dataclass(frozen=True)
class SlipPrinted(Result):
    job_id: str = ""


@dataclass(frozen=True)
class SlipPrintFailed(Result):
    job_id: str = ""
    reason: Reason = Reason.PRINTER_OFFLINE


@dataclass(frozen=True)
class ProgressLoaded(Result):
    records: tuple[ProgressRecord, ...] = ()


@dataclass(frozen=True)
class SlotsLoaded(Result):
    slots: tuple[Slot, ...] = ()


@dataclass(frozen=True)
class BookingSucceeded(Result):
    result: BookingResult | None = None


@dataclass(frozen=True)
class BackendFailed(Result):
    """A progress query, slot list or booking failed; `reason` says why."""

    reason: Reason = Reason.BACKEND_UNREACHABLE


@dataclass(frozen=True)
class IdleWarningDue(Result):
    pass


@dataclass(frozen=True)
class IdleTimedOut(Result):
    pass

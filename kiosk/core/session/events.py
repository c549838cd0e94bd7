"""Events into the session machine: citizen intents from screens and results from devices and timers.

Intents are what a touch means; results carry the `session_id` of the command that caused them so a late
answer for a session that has already ended is ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kiosk.core.catalog import Catalog
from kiosk.core.health import Health, Reason
from kiosk.core.help_calls import HelpStatus
from kiosk.core.identity import Identity
from kiosk.core.records import BookingResult, FirstVisit, ProgressRecord, Slot, SubmitResult
from kiosk.core.value import Value


class Event(Value, frozen=True):
    """Base of all events."""


class Intent(Event, frozen=True):
    """A citizen's touch, sent up by a screen. Any intent counts as activity for the idle timer."""


class Result(Event, frozen=True):
    session_id: str = ""


# ---- kiosk lifecycle ----

class StartupCompleted(Event, frozen=True):
    health: Sequence[Health] = ()


class CatalogReceived(Event, frozen=True):
    """A signed catalog from the backend, checked: its signature, every rule of kiosk.core.catalog."""

    version: int
    catalog: Catalog


class HealthReported(Event, frozen=True):
    health: Health


class SessionStarted(Event, frozen=True):
    session_id: str


class MaintenanceEntered(Event, frozen=True):
    pass


class StopRequested(Event, frozen=True):
    """The process is asked to end (systemd stop, the nightly restart, Ctrl-C): the session goes first."""


class MaintenanceExited(Event, frozen=True):
    pass


class OutOfServiceSet(Event, frozen=True):
    message: str = ""


class OutOfServiceCleared(Event, frozen=True):
    pass


class KioskLanguageChosen(Event, frozen=True):
    """A language chosen without a session: on the out-of-service screen."""

    language: str


class KioskStaffCalled(Event, frozen=True):
    """Staff called without a session: from the out-of-service screen."""


class HelpCallUpdated(Event, frozen=True):
    """Where the kiosk's call for staff stands now: stored, queued, failed, acknowledged."""

    serial: int
    status: HelpStatus


class HelpCallExpired(Event, frozen=True):
    """Long enough since the call (unanswered) or since staff answered it: the screens stop showing it."""

    serial: int


# ---- citizen intents ----

class LanguageChosen(Intent, frozen=True):
    language: str


class ElderModeToggled(Intent, frozen=True):
    pass


class VoiceToggled(Intent, frozen=True):
    pass


class VolumeChanged(Intent, frozen=True):
    louder: bool


class CategoryChosen(Intent, frozen=True):
    category: str


class SearchChanged(Intent, frozen=True):
    text: str


class ItemChosen(Intent, frozen=True):
    item_id: str


class BackPressed(Intent, frozen=True):
    pass


class HomePressed(Intent, frozen=True):
    """Cancel: end the session from wherever it is (except while an application is handed over)."""


class ApplyStarted(Intent, frozen=True):
    pass


class AppointmentStarted(Intent, frozen=True):
    pass


class GuidePrintRequested(Intent, frozen=True):
    pass


class ProgressQueryStarted(Intent, frozen=True):
    pass


class ConsentGiven(Intent, frozen=True):
    sensitive: bool = False  # the separate consent for minors', health or disability data


class SensitiveConsentTicked(Intent, frozen=True):
    """The separate consent's check box ticked or cleared: said aloud, since a box's state is easily missed."""

    ticked: bool


class ConsentDeclined(Intent, frozen=True):
    pass


class CardReadRetried(Intent, frozen=True):
    pass


class ManualEntryChosen(Intent, frozen=True):
    pass


class ManualIdentityEntered(Intent, frozen=True):
    hidden = frozenset({"name", "id_number"})
    name: str
    id_number: str


class FieldChanged(Intent, frozen=True):
    hidden = frozenset({"value"})
    field_id: str
    value: str


class FormSubmitted(Intent, frozen=True):
    pass


class ReviewConfirmed(Intent, frozen=True):
    pass


class SubmitRetried(Intent, frozen=True):
    pass


class PrintRetried(Intent, frozen=True):
    pass


class SlotChosen(Intent, frozen=True):
    slot_id: str


class BookingConfirmed(Intent, frozen=True):
    pass


class SecondVisitStarted(Intent, frozen=True):
    """On the divorce guide: book the second visit (领证) with the first visit's booking number."""


class FirstBookingEntered(Intent, frozen=True):
    """The first visit's booking number, typed on the keypad."""

    booking_number: str = ""


class ProgressByCardRequested(Intent, frozen=True):
    pass


class ProgressByNumberRequested(Intent, frozen=True):
    """The 办件编号 and, for an application another kiosk took, the 查询码 printed beside it, typed on the keypad."""

    hidden = frozenset({"query_code"})
    application_number: str
    query_code: str = ""


class CodeScanned(Intent, frozen=True):
    """A QR/barcode shown to the kiosk's scanner (a receipt's progress code, an 电子证照)."""

    hidden = frozenset({"code"})
    code: str = ""


class FinishPressed(Intent, frozen=True):
    pass


class IdleExtended(Intent, frozen=True):
    pass


class StaffCalled(Intent, frozen=True):
    pass


class RatingGiven(Intent, frozen=True):
    """好差评: one of the five levels tapped (1 非常满意 ... 5 非常不满意)."""

    satisfaction: int


class RatingReasonGiven(Intent, frozen=True):
    """Why a low rating: a LowRatingReason value."""

    reason: str


class RatingReasonSkipped(Intent, frozen=True):
    """A low rating sent without a reason."""


# ---- device, backend and timer results ----

class CardRead(Result, frozen=True):
    hidden = frozenset({"identity"})
    identity: Identity | None = None
    today: date | None = None  # stamped by the runner from the clock, for the expiry check


class CardPlaced(Result, frozen=True):
    """A card lies on the reader and is being read: the screen says not to move it (before: to place one)."""


class CardReadFailed(Result, frozen=True):
    reason: Reason = Reason.CARD_UNREADABLE


class CardRemoved(Result, frozen=True):
    """The card that was read has left the reader: given back to its owner, as the kiosk asked."""


class SubmitSucceeded(Result, frozen=True):
    result: SubmitResult | None = None


class SubmitFailed(Result, frozen=True):
    reason: Reason = Reason.BACKEND_UNREACHABLE


class SlipPrinted(Result, frozen=True):
    job_id: str = ""
    uncertain: bool = False  # sent whole but not confirmed by the printer: the citizen is offered 补打


class SlipPrintFailed(Result, frozen=True):
    job_id: str = ""
    reason: Reason = Reason.PRINTER_OFFLINE


class ProgressLoaded(Result, frozen=True):
    records: tuple[ProgressRecord, ...] = ()


class SlotsLoaded(Result, frozen=True):
    slots: tuple[Slot, ...] = ()


class BookingSucceeded(Result, frozen=True):
    result: BookingResult | None = None


class FirstVisitFound(Result, frozen=True):
    first_visit: FirstVisit | None = None


class BackendFailed(Result, frozen=True):
    """A progress query, slot list or booking failed; `reason` says why."""

    reason: Reason = Reason.BACKEND_UNREACHABLE


class IdleWarningDue(Result, frozen=True):
    pass


class IdleTimedOut(Result, frozen=True):
    pass

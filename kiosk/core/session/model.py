"""The state values: the kiosk's state and, inside it, at most one citizen session.

Everything is frozen. Ending a session replaces it with None, so nothing personal stays reachable from
the kiosk state once a session has ended.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from kiosk.core.catalog import Catalog, Item
from kiosk.core.health import Component, Health, Reason
from kiosk.core.help_calls import HelpCall
from kiosk.core.identity import Identity
from kiosk.core.ratings import Feedback
from kiosk.core.records import BookingResult, ProgressRecord, SecondVisitWindow, Slot, SubmitResult
from kiosk.core.session.states import IdentifyStatus, Lifecycle, Phase, ProgressBy, Purpose, TaskStatus
from kiosk.core.value import Value, replace
from kiosk.core.working_days import WorkingDays

NO_CALENDAR = WorkingDays(frozenset(), frozenset(), frozenset())


class Rules(Value, frozen=True):
    """What the machine needs from configuration. Holds nothing personal."""

    catalog: Catalog
    kiosk_id: str
    languages: tuple[str, ...] = ("zh", "ko", "en")
    idle_warning_s: int = 30
    session_s: int = 180
    card_read_s: int = 30
    speech_volume: int = 80  # the device profile's volume: where each session's volume starts
    calendar: WorkingDays = NO_CALENDAR
    """The configured working days (holidays.toml over the library): a divorce's second visit is counted by it.
    Knowing no year, nothing is booked by it."""

    @property
    def default_language(self) -> str:
        return self.languages[0]


R = TypeVar("R")


class Task(Value, Generic[R], frozen=True):
    """Something the session waits for (a submission, a print, a progress query, the slots, a booking): where it
    stands, why it failed, what it gave. `job` names the run a late answer must match (a print job id)."""

    hidden = frozenset({"result"})  # progress records and bookings are personal

    status: TaskStatus = TaskStatus.NONE
    error: Reason | None = None
    result: R | None = None
    job: str = ""

    def running(self, job: str = "") -> Task[R]:
        return Task(TaskStatus.RUNNING, None, self.result, job or self.job)

    def failed(self, reason: Reason) -> Task[R]:
        return Task(TaskStatus.FAILED, reason, self.result, self.job)

    def done(self, result: R | None = None) -> Task[R]:
        return Task(TaskStatus.DONE, None, result if result is not None else self.result, self.job)

    @property
    def busy(self) -> bool:
        return self.status == TaskStatus.RUNNING


class Identification(Value, frozen=True):
    """The card reader's part of a session: reading, failed and why, or manual entry and its problems."""

    status: IdentifyStatus = IdentifyStatus.IDLE
    error: Reason | None = None
    manual_problems: tuple[str, ...] = ()
    placed: bool = False  # while reading: a card lies on the reader (until then the screen asks to place one)

    def reading(self) -> Identification:
        return Identification(IdentifyStatus.READING)

    def failed(self, reason: Reason) -> Identification:
        return Identification(IdentifyStatus.FAILED, reason)


class Session(Value, frozen=True):
    """One citizen's visit. `trail` holds the session as it was when each earlier phase was left, so Back returns
    to exactly that (kiosk.core.session.table.back_to) instead of resetting fields one by one."""

    # and its own __repr__ shows less still
    hidden = frozenset({"parties", "form", "progress", "booking", "second_visit", "trail"})

    session_id: str
    language: str
    phase: Phase = Phase.HOME
    elder_mode: bool = False
    voice: bool = True  # spoken prompts; the citizen can turn them off, and every session starts with them on
    volume: int = 80
    card_used: bool = False  # a card was asked for: the end of the session reminds the citizen to take it
    card_taken: bool = False  # ... unless the reader saw it taken away after it was read
    category: str | None = None
    search: str = ""
    item_id: str | None = None
    purpose: Purpose | None = None
    consent_general: bool = False
    consent_sensitive: bool = False
    consent_error: bool = False
    parties: tuple[Identity, ...] = ()
    identification: Identification = Identification()
    form: tuple[tuple[str, str], ...] = ()
    field_errors: tuple[tuple[str, str], ...] = ()
    submit: Task[SubmitResult] = Task()
    printing: Task[bool] = Task()  # result True: the slip went out whole but the printer did not confirm it
    slip_out: bool = False  # a slip was printed in this visit (a copy failing later leaves it in the citizen's hand)
    progress: Task[tuple[ProgressRecord, ...]] = Task()
    progress_by: ProgressBy | None = None  # how the query in `progress` was asked
    slots: Task[tuple[Slot, ...]] = Task()
    chosen_slot: str | None = None
    booking: Task[BookingResult] = Task()
    second_visit: Task[SecondVisitWindow] = Task()  # the window found from the first visit's booking number
    feedback: Feedback = Feedback()  # 好差评 of what the visit did: nothing personal
    idle_warning: bool = False
    notice: str | None = None  # a non-personal message id to show once (e.g. card_removed)
    trail: tuple[Session, ...] = ()

    def __repr__(self) -> str:
        return f"Session(phase={self.phase.value}, item={self.item_id}, <personal data redacted>)"

    def value(self, field_id: str) -> str:
        return dict(self.form).get(field_id, "")

    def with_value(self, field_id: str, value: str) -> Session:
        values = dict(self.form)
        values[field_id] = value
        errors = tuple((f, e) for f, e in self.field_errors if f != field_id)
        return replace(self, form=tuple(values.items()), field_errors=errors)

    @property
    def records(self) -> tuple[ProgressRecord, ...]:
        """The progress query's answer: this person's applications."""
        return self.progress.result or ()

    @property
    def print_uncertain(self) -> bool:
        """The printer did not confirm the slip: "if no slip came out, tap 补打"."""
        return bool(self.printing.result)

    @property
    def available_slots(self) -> tuple[Slot, ...]:
        return self.slots.result or ()

    @property
    def has_personal_data(self) -> bool:
        return bool(self.parties or self.form or self.records or self.booking.result
                    or any(earlier.has_personal_data for earlier in self.trail))


class KioskState(Value, frozen=True):
    rules: Rules
    lifecycle: Lifecycle = Lifecycle.STARTING
    session: Session | None = None
    health: tuple[Health, ...] = ()
    out_of_service_reason: Reason | None = None
    staff_message: str = ""
    home_notice: str | None = None  # why the last session ended, shown on the home screen once
    take_reminder: str = ""  # what the last session left to take (card, slip, both): the notice's key, or ""
    notice_language: str | None = None  # the last session's language (or one chosen out of service), for the
    # notice about how it ended and for the out-of-service screen
    help_call: HelpCall | None = None  # the latest call for staff, while the screens show it; nothing personal
    help_calls_made: int = 0  # numbers each call, so a late answer about an earlier one is told apart
    catalog_version: int | None = None  # the backend's version of the catalog in use; None: as shipped
    pending_catalog: tuple[int, Catalog] | None = None  # a newer one, for when the session in progress ends

    def health_of(self, component: Component) -> Health | None:
        return next((h for h in self.health if h.component == component), None)

    @property
    def item(self) -> Item | None:
        if self.session is None or self.session.item_id is None:
            return None
        return self.rules.catalog.get(self.session.item_id)


def initial_state(rules: Rules) -> KioskState:
    return KioskState(rules=rules)

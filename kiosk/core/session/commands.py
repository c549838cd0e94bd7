"""Commands out of the session machine: what the runner must do with the ports. Imperatives, no I/O here."""

from __future__ import annotations

from datetime import date

from kiosk.core.ratings import ServiceRating
from kiosk.core.records import Application, Booking, FirstVisitLookup, ProgressQuery
from kiosk.core.slips import SlipKind
from kiosk.core.value import Value


class Command(Value, frozen=True):
    """Base of all commands."""


class ReadCard(Command, frozen=True):
    """Read the next card laid on the reader; tell the session when one lies there (CardPlaced). `fresh`: the
    card on the reader now has been read already (the first party's): wait for it to be taken away first."""

    session_id: str
    timeout_s: float
    fresh: bool = False


class CancelCardRead(Command, frozen=True):
    session_id: str


class WatchCardRemoval(Command, frozen=True):
    """Tell the session when the card that filled the form leaves the reader."""

    session_id: str


class Submit(Command, frozen=True):
    hidden = frozenset({"application"})
    session_id: str
    application: Application


class SlipRequest(Value, frozen=True):
    """What a slip shows. Only masked personal data ever goes on paper."""

    kind: SlipKind
    item_id: str
    language: str = "zh"
    application_number: str = ""
    local_reference: str = ""
    queued: bool = False  # 待上传: the server's number is not known yet
    masked_names: tuple[str, ...] = ()
    masked_id_numbers: tuple[str, ...] = ()
    booking_number: str = ""
    slot_text: str = ""
    slot_day: str = ""  # ISO date of the booked visit: a divorce slip counts its 冷静期 from it
    first_visit_day: str = ""  # ISO date of a divorce's first visit, when this slip books the second (领证)
    masked_addresses: tuple[str, ...] = ()  # mask_address of each party, for slips that show it
    query_code: str = ""  # the receipt's query code (issue #13); never kept for a reprint
    reprint: bool = False  # a copy the citizen asked for (补打), marked so on the slip


class PrintSlip(Command, frozen=True):
    session_id: str
    job_id: str
    request: SlipRequest


class FetchProgress(Command, frozen=True):
    hidden = frozenset({"query"})
    session_id: str
    query: ProgressQuery


class FetchSlots(Command, frozen=True):
    session_id: str
    item_id: str
    days: int = 14
    first_day: date | None = None  # from today when None; a divorce's second visit asks for its window


class FindFirstVisit(Command, frozen=True):
    hidden = frozenset({"lookup"})
    session_id: str
    lookup: FirstVisitLookup


class Book(Command, frozen=True):
    hidden = frozenset({"booking"})
    session_id: str
    booking: Booking


class ArmIdleTimer(Command, frozen=True):
    session_id: str
    warn_after_s: float
    end_after_s: float


class EndSession(Command, frozen=True):
    """Stop timers, card reads and watchers of the session; the state has already forgotten it."""

    session_id: str


class Speak(Command, frozen=True):
    """Say a prompt; the machine stamps the session's volume and drops it when the citizen turned voice off."""

    prompt_id: str
    language: str
    volume: int = 80
    subject: str = ""
    """What a prompt that reads out facts is about: "application:<item id>" or "booking:<item id>" for the done
    screen, which is read out whole (materials, office, time limit, phone)."""


class StopSpeech(Command, frozen=True):
    """Cut off the prompt being spoken (the citizen turned voice off)."""


class CallStaff(Command, frozen=True):
    """Tell the hall's staff (the backend, its messaging group, the kiosk's buzzer or light) that a citizen
    needs them, and report how it went and when staff answer (HelpCallUpdated)."""

    kiosk_id: str
    reason: str = "citizen_request"  # or out_of_service
    serial: int = 1
    screen: str = "home"  # where the citizen is: the session's phase, or out_of_service
    problem: str = ""  # the error that screen shows (a Reason value), or ""


class EndHelpCall(Command, frozen=True):
    """The call is answered, failed or given up: stop asking about it and switch the buzzer or light off."""

    serial: int


class SendRating(Command, frozen=True):
    """Hand a 好差评 rating to the backend, durably (it is delivered later when the backend cannot be reached)."""

    rating: ServiceRating

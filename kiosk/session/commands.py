"""Commands out of the session machine: what the runner must do with the ports. Imperatives, no I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.records import Application, Booking, ProgressQuery
from kiosk.slips import SlipKind


class Command:
    """Base of all commands."""


@dataclass(frozen=True)
class ReadCard(Command):
    session_id: str
    timeout_s: float


@dataclass(frozen=True)
class CancelCardRead(Command):
    session_id: str


@dataclass(frozen=True)
class WatchCardRemoval(Command):
    """Tell the session when the card that filled the form leaves the reader."""

    session_id: str


@dataclass(frozen=True)
class Submit(Command):
    session_id: str
    application: Application = field(repr=False)


@dataclass(frozen=True)
class SlipRequest:
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
    masked_addresses: tuple[str, ...] = ()  # mask_address of each party, for slips that show it


@dataclass(frozen=True)
class PrintSlip(Command):
    session_id: str
    job_id: str
    request: SlipRequest


@dataclass(frozen=True)
class FetchProgress(Command):
    session_id: str
    query: ProgressQuery = field(repr=False)


@dataclass(frozen=True)
class FetchSlots(Command):
    session_id: str
    item_id: str
    days: int = 14


@dataclass(frozen=True)
class Book(Command):
    session_id: str
    booking: Booking = field(repr=False)


@dataclass(frozen=True)
class ArmIdleTimer(Command):
    session_id: str
    warn_after_s: float
    end_after_s: float


@dataclass(frozen=True)
class EndSession(Command):
    """Stop timers, card reads and watchers of the session; the state has already forgotten it."""

    session_id: str


@dataclass(frozen=True)
class Speak(Command):
    """Say a prompt; the machine stamps the session's volume and drops it when the citizen turned voice off."""

    prompt_id: str
    language: str
    volume: int = 80


@dataclass(frozen=True)
class StopSpeech(Command):
    """Cut off the prompt being spoken (the citizen turned voice off)."""


@dataclass(frozen=True)
class CallStaff(Command):
    kiosk_id: str
    reason: str = "citizen_request"

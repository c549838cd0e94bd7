"""The interfaces to the outside world. Each has a real driver and a simulator that can inject faults.

Drivers raise `kiosk.core.health.DeviceError` with a stable reason; they never raise library exceptions
through a port. Every method here is called on a worker thread of the session runner, never on the UI
thread, unless it says otherwise.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from kiosk.core.catalog import Catalog
from kiosk.core.fleet_commands import CommandResult, FleetCommand
from kiosk.core.health import Health
from kiosk.core.help_calls import HelpRequest, HelpStatus
from kiosk.core.identity import Identity
from kiosk.core.ratings import ServiceRating
from kiosk.core.records import (
    Application,
    Booking,
    BookingResult,
    FirstVisit,
    FirstVisitLookup,
    ProgressQuery,
    ProgressRecord,
    Slot,
    SubmitResult,
)
from kiosk.core.slips import Slip


@runtime_checkable
class CardReader(Protocol):
    def health(self) -> Health:
        """The reader's state now; cheap enough to poll every few seconds."""
        ...

    def read_identity(self, timeout_s: float) -> Identity:
        """Wait up to `timeout_s` for a card and read it; raises DeviceError(NO_CARD, ...) on failure."""
        ...

    def card_present(self) -> bool:
        """Whether a card is on the reader now, to notice a card taken away mid-session."""
        ...

    def close(self) -> None: ...


class PrintOutcome(enum.StrEnum):
    """How a print job ended when it did not fail (a failure is a DeviceError with its reason)."""

    DONE = "done"  # printed, as far as the printer can tell
    UNCERTAIN = "uncertain"  # every byte, the cut included, went out, but the confirmation was lost: the
    # slip most likely came out; never printed again by itself (the citizen may ask for a 补打 copy)


@runtime_checkable
class Printer(Protocol):
    def health(self) -> Health:
        """Online, paper, cover; no answer is UNKNOWN or offline, never OK."""
        ...

    def print_slip(self, job_id: str, slip: Slip) -> PrintOutcome:
        """Print once: a job id that was printed (or uncertain) before is not printed again."""
        ...

    def close(self) -> None: ...


class Scanner(Protocol):
    """A QR/barcode scanner (receipts' QR codes, 电子证照). Scanned codes are data the citizen showed, so
    they are handed on and never logged."""

    def health(self) -> Health: ...

    def read_code(self, timeout_s: float) -> str | None:
        """The next code scanned within `timeout_s`, or None; DeviceError(NO_SCANNER) when it is gone."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class StaffCardReader(Protocol):
    """Reads a staff badge's UID for maintenance mode (PcscReader, the simulated reader)."""

    def read_card_uid(self, timeout_s: float) -> str:
        """Wait up to `timeout_s` for a card and return its UID as upper-case hex; DeviceError on failure."""
        ...

    def close(self) -> None: ...


StatusSource = Callable[[], tuple[str, Sequence[Health]]]


@runtime_checkable
class ReportsStatus(Protocol):
    """A backend that sends heartbeats (the HTTP client): it asks `status_source` for the kiosk's lifecycle and
    device states each time, on its own thread."""

    status_source: StatusSource | None


class CommandHandler(Protocol):
    """Does staff's commands from the console (kiosk.shell.fleet_commands). Called on the backend client's
    sender thread."""

    def obey(self, command: FleetCommand) -> None:
        """Do it now, or leave it for a later heartbeat (a citizen is at the kiosk); each id at most once."""
        ...

    def unreported(self) -> Sequence[CommandResult]: ...

    def reported(self, ids: Sequence[int]) -> None:
        """The backend has these results: they are not sent again."""
        ...


@runtime_checkable
class TakesCommands(Protocol):
    """A backend that brings staff's commands with each heartbeat's answer (the HTTP client) and reports their
    results with the next."""

    command_handler: CommandHandler | None


CatalogListener = Callable[[int, Catalog], None]


@runtime_checkable
class ReceivesCatalogs(Protocol):
    """A backend that downloads the signed catalog (the HTTP client): it hands each checked, newer one to
    `catalog_listener`, on its own thread, and the one it kept before once at start."""

    catalog_listener: CatalogListener | None


@runtime_checkable
class Backend(Protocol):
    def health(self) -> Health: ...

    def submit(self, application: Application) -> SubmitResult:
        """Hand an application over durably; a replay with the same idempotency key returns the first result."""
        ...

    def progress(self, query: ProgressQuery) -> Sequence[ProgressRecord]: ...

    def appointment_slots(self, item_id: str, first_day: date, days: int) -> Sequence[Slot]: ...

    def book(self, booking: Booking) -> BookingResult: ...

    def first_visit(self, lookup: FirstVisitLookup) -> FirstVisit:
        """The first visit of a divorce whose second visit the couple books; a refusal is in its `problem`."""
        ...


@runtime_checkable
class TakesHelpCalls(Protocol):
    """A backend that carries citizens' calls for staff to the hall (the HTTP client)."""

    def call_for_help(self, request: HelpRequest) -> HelpStatus:
        """Keep the call durably and hand it over: STORED when the backend has it, QUEUED when it will be sent
        later; DeviceError when it could not even be kept."""
        ...

    def help_call_status(self, key: str) -> HelpStatus:
        """Where the call stands now: QUEUED, STORED or ACKNOWLEDGED."""
        ...


@runtime_checkable
class TakesRatings(Protocol):
    """A backend that carries 好差评 ratings to the evaluation system (the HTTP client)."""

    def send_rating(self, rating: ServiceRating) -> None:
        """Keep the rating durably and deliver it when the backend answers; DeviceError when it cannot be kept."""
        ...


@runtime_checkable
class StaffSignal(Protocol):
    """A buzzer or light near the kiosk that a call for staff switches on (a relay on a serial line)."""

    def health(self) -> Health: ...

    def switch(self, on: bool) -> None:
        """Switch it on or off; DeviceError when the relay does not take the command."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class Clock(Protocol):
    """Called on any thread."""

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...


@runtime_checkable
class Speech(Protocol):
    """Called on any thread; `say` returns at once and never blocks the UI."""

    def health(self) -> Health: ...

    def say(self, text: str, language: str, volume: int | None = None) -> None:
        """Speak `text` (replacing any prompt still being spoken) at `volume` 0-100, or the profile's volume."""
        ...

    def stop(self) -> None: ...


class OutboxStats(Protocol):
    pending: int
    rejected: int
    delivered: int
    oldest_pending_at: float | None  # Unix seconds
    last_errors: tuple[tuple[str, int], ...]  # (error code, entries with it)


class KeepsOutbox(Protocol):
    """The durable queue of a backend that delivers later (the HTTP client's outbox)."""

    def stats(self) -> OutboxStats: ...


class FlushingBackend(Protocol):
    """What a backend with an outbox adds to the port: the outbox, and delivering everything now."""

    outbox: KeepsOutbox

    def flush(self, timeout_s: float = ..., include_rejected: bool = ...) -> Any: ...


@dataclass(frozen=True)
class Ports:
    reader: CardReader
    printer: Printer
    backend: Backend
    clock: Clock
    speech: Speech
    scanner: Scanner | None = None  # kiosks without one: None
    signal: StaffSignal | None = None  # kiosks without a buzzer or light for calls: None

    def close(self) -> None:
        self.reader.close()
        self.printer.close()
        if self.scanner is not None:
            self.scanner.close()
        if self.signal is not None:
            self.signal.close()
        close_backend = getattr(self.backend, "close", None)  # the HTTP backend stops its outbox sender
        if callable(close_backend):
            close_backend()

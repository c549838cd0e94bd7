"""The kiosk's embedded-default backend: the local backend (kiosk.composition.embedded_backend) started on a
thread a moment after the kiosk, so neither its server stack nor its HTTP client is imported while the home
screen is being drawn.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.settings import LoadedConfig

if TYPE_CHECKING:
    from kiosk.composition.embedded_backend import LocalBackend
    from kiosk.core.help_calls import HelpRequest, HelpStatus
    from kiosk.core.ports import CatalogListener, CommandHandler, StatusSource
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
    from kiosk.storage.usage_log import UsageLog

T = TypeVar("T")
START_DELAY_S = 1.5  # let the home screen come up before the server stack imports and competes for the CPU


class HandedOn(Generic[T]):
    """A setting of the deferred backend, kept until the HTTP client is up and handed on to it then and
    whenever it changes."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> T | None:
        return None if obj is None else obj.__dict__.get(self.name)

    def __set__(self, obj: Any, value: T | None) -> None:
        obj.__dict__[self.name] = value
        if obj._backend is not None:
            setattr(obj._backend, self.name, value)


class DeferredLocalBackend:
    """The local backend, started on a thread so the kiosk's home screen does not wait for the server stack
    (FastAPI, SQLAlchemy, migrations) to import and start. Until it is up its health is UNKNOWN, and calls
    wait for it up to `wait_s`."""

    # What heartbeats report, and where the usage counts come from: handed to the HTTP client once it is up.
    status_source: HandedOn[StatusSource] = HandedOn()
    usage_log: HandedOn[UsageLog] = HandedOn()
    catalog_listener: HandedOn[CatalogListener] = HandedOn()
    command_handler: HandedOn[CommandHandler] = HandedOn()

    def __init__(self, config: LoadedConfig, wait_s: float = 30.0, delay_s: float = START_DELAY_S) -> None:
        self._wait_s = wait_s
        self._ready = threading.Event()
        self._starting = threading.Lock()
        self._started = False
        self._backend: LocalBackend | None = None
        self._error = ""
        self._closed = False
        self._config = config
        timer = threading.Timer(delay_s, self._start_once)
        timer.daemon = True
        timer.start()

    def _start_once(self) -> None:
        with self._starting:
            if self._started:
                return
            self._started = True
        self._start(self._config)

    def _start(self, config: LoadedConfig) -> None:
        try:
            from kiosk.composition.embedded_backend import start_local_backend

            backend = start_local_backend(config)
            with self._starting:
                closed, self._backend = self._closed, backend
            if closed:  # the kiosk stopped while the server was starting: nobody will use it
                backend.close()
                return
            self._backend.status_source = self.status_source
            self._backend.usage_log = self.usage_log
            self._backend.catalog_listener = self.catalog_listener
            self._backend.command_handler = self.command_handler
        except Exception as exc:  # reported as the backend's health, never as a crash of the kiosk
            self._error = type(exc).__name__
            logging.getLogger("kiosk.backend").error(
                "local backend failed to start", extra={"kiosk_event": "local_backend_failed",
                                                        "kiosk_fields": {"code": self._error}})
        finally:
            self._ready.set()

    def started(self, timeout_s: float | None = None) -> LocalBackend:
        if not self._ready.is_set():
            threading.Thread(target=self._start_once, name="kiosk-local-backend-start", daemon=True).start()
        if not self._ready.wait(self._wait_s if timeout_s is None else timeout_s):
            raise DeviceError(Reason.BACKEND_TIMEOUT, "the local backend is still starting")
        if self._backend is None:
            raise DeviceError(Reason.BACKEND_UNREACHABLE, f"the local backend did not start ({self._error})")
        return self._backend

    def health(self) -> Health:
        if not self._ready.is_set():
            return Health.unknown(Component.BACKEND, "local backend starting")
        if self._backend is None:
            return Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE, f"did not start ({self._error})")
        return self._backend.health()

    def submit(self, application: Application) -> SubmitResult:
        return self.started().submit(application)

    def progress(self, query: ProgressQuery) -> Sequence[ProgressRecord]:
        return self.started().progress(query)

    def appointment_slots(self, item_id: str, first_day: date, days: int) -> Sequence[Slot]:
        return self.started().appointment_slots(item_id, first_day, days)

    def book(self, booking: Booking) -> BookingResult:
        return self.started().book(booking)

    def first_visit(self, lookup: FirstVisitLookup) -> FirstVisit:
        return self.started().first_visit(lookup)

    def call_for_help(self, request: HelpRequest) -> HelpStatus:
        return self.started().call_for_help(request)

    def help_call_status(self, key: str) -> HelpStatus:
        return self.started().help_call_status(key)

    def send_rating(self, rating: ServiceRating) -> None:
        self.started().send_rating(rating)

    def __getattr__(self, name: str) -> Any:
        # outbox status/flush, heartbeat, cancel_booking, rate, ...: whatever the HTTP client offers
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.started(), name)

    def close(self) -> None:
        """Never waits for a server still starting (a stop signal must end the kiosk within seconds): the
        starting thread closes what it built once it sees the kiosk has closed."""
        with self._starting:
            self._started, self._closed, backend = True, True, self._backend
        if backend is not None:
            backend.close()


def from_config(config: LoadedConfig) -> DeferredLocalBackend:
    return DeferredLocalBackend(config)

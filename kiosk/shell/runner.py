"""Runs the session: feeds events to step(), hands each command to a port on a worker thread, and posts the
port's answer back as an event.

`dispatch` must always be called on one thread (the UI thread in the app). Results come back through the
`post` callable given at construction, which is the app's single hop onto its own thread; in tests and the
headless demo `post` can be a plain queue.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from kiosk.core.health import DeviceError, Reason
from kiosk.core.ports import Ports, PrintOutcome, TakesRatings
from kiosk.core.ratings import ServiceRating
from kiosk.core.session import events as ev
from kiosk.core.session import step
from kiosk.core.session.commands import (
    ArmIdleTimer,
    Book,
    CallStaff,
    CancelCardRead,
    Command,
    EndHelpCall,
    EndSession,
    FetchProgress,
    FetchSlots,
    FindFirstVisit,
    PrintSlip,
    ReadCard,
    SendRating,
    SlipRequest,
    Speak,
    StopSpeech,
    Submit,
    WatchCardRemoval,
)
from kiosk.core.session.model import KioskState
from kiosk.core.slips import Slip
from kiosk.logs import log_event
from kiosk.shell.help_desk import HelpDesk, HelpTimings

log = logging.getLogger("kiosk.runner")


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    def call_later(self, delay_s: float, callback: Callable[[], None]) -> Cancellable: ...


class ThreadScheduler:
    """Timers on threads; the callback must only post events."""

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> Cancellable:
        timer = threading.Timer(delay_s, callback)
        timer.daemon = True
        timer.start()
        return timer


SlipBuilder = Callable[[SlipRequest], Slip]
PromptText = Callable[[str, str, str], str]  # (prompt id, language, subject) -> what to say


class SessionRunner:
    def __init__(self, state: KioskState, ports: Ports, post: Callable[[ev.Event], None],
                 build_slip: SlipBuilder, scheduler: Scheduler | None = None,
                 prompt_text: PromptText | None = None, workers: int = 6,
                 help_timings: HelpTimings | None = None) -> None:
        self.state = state
        self.ports = ports
        self._post = post
        self._build_slip = build_slip
        self._scheduler = scheduler or ThreadScheduler()
        self._prompt_text = prompt_text
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kiosk-port")
        self._timers: list[Cancellable] = []
        self._watch_stop: threading.Event | None = None
        self._read_token = 0
        self._listeners: list[Callable[[KioskState], None]] = []
        self._closed = False
        self.help_desk = HelpDesk(ports, post, self._background, help_timings)

    # ---- the UI-thread side ----

    def subscribe(self, listener: Callable[[KioskState], None]) -> None:
        self._listeners.append(listener)

    def dispatch(self, event: ev.Event) -> KioskState:
        if isinstance(event, ev.Intent) and self.state.session is None:
            self._apply(ev.SessionStarted(uuid.uuid4().hex))
        self._apply(event)
        return self.state

    def _apply(self, event: ev.Event) -> None:
        before = self.state
        self.state, commands = step(before, event)
        session = self.state.session
        log_event(log, "event", logging.DEBUG, code=type(event).__name__,
                  phase=session.phase.value if session else None, lifecycle=self.state.lifecycle.value)
        for command in commands:
            self._execute(command)
        if self.state is not before:
            for listener in self._listeners:
                listener(self.state)

    # ---- commands ----

    def _execute(self, command: Command) -> None:
        log_event(log, "command", logging.DEBUG, code=type(command).__name__)
        match command:
            case ReadCard(session_id=sid, timeout_s=timeout, fresh=fresh):
                self._read_token += 1
                token = self._read_token
                self._background(lambda: self._read_card(sid, timeout, token, fresh))
            case CancelCardRead():
                self._read_token += 1
            case WatchCardRemoval(session_id=sid):
                self._start_watch(sid)
            case Submit(session_id=sid, application=application):
                self._background(lambda: self._submit(sid, application))
            case PrintSlip(session_id=sid, job_id=job_id, request=request):
                self._background(lambda: self._print(sid, job_id, request))
            case FetchProgress(session_id=sid, query=query):
                self._background(lambda: self._ask_backend(
                    sid, lambda: ev.ProgressLoaded(sid, tuple(self.ports.backend.progress(query)))))
            case FetchSlots(session_id=sid, item_id=item_id, days=days, first_day=first_day):
                self._background(lambda: self._ask_backend(sid, lambda: ev.SlotsLoaded(sid, tuple(
                    self.ports.backend.appointment_slots(item_id, first_day or self.ports.clock.now().date(),
                                                         days)))))
            case FindFirstVisit(session_id=sid, lookup=lookup):
                self._background(lambda: self._ask_backend(
                    sid, lambda: ev.FirstVisitFound(sid, self.ports.backend.first_visit(lookup))))
            case Book(session_id=sid, booking=booking):
                self._background(lambda: self._ask_backend(
                    sid, lambda: ev.BookingSucceeded(sid, self.ports.backend.book(booking))))
            case ArmIdleTimer(session_id=sid, warn_after_s=warn, end_after_s=end):
                self._cancel_timers()
                self._timers = [
                    self._scheduler.call_later(warn, lambda: self._post(ev.IdleWarningDue(sid))),
                    self._scheduler.call_later(end, lambda: self._post(ev.IdleTimedOut(sid))),
                ]
            case EndSession():
                self._cancel_timers()
                self._stop_watch()
                self._read_token += 1
            case Speak(prompt_id=prompt_id, language=language, volume=volume, subject=subject):
                if self._prompt_text is not None:
                    text = self._prompt_text(prompt_id, language, subject)
                    if text:
                        self._background(lambda: self.ports.speech.say(text, language, volume))
            case StopSpeech():
                self._background(self.ports.speech.stop)
            case CallStaff():
                self.help_desk.call(command)
            case EndHelpCall(serial=serial):
                self.help_desk.end(serial)
            case SendRating(rating=rating):
                self._background(lambda: self._rate(rating))
            case _:
                log_event(log, "unknown_command", logging.ERROR, code=type(command).__name__)

    def _background(self, work: Callable[[], None]) -> None:
        if not self._closed:
            self._pool.submit(self._guarded, work)

    def _guarded(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:  # a driver bug must not kill the worker; the session gets no answer and times out
            log.exception("port worker failed", extra={"kiosk_event": "worker_failed", "kiosk_fields": {}})

    # ---- worker-thread side: call a port, post the answer ----

    def _read_card(self, sid: str, timeout: float, token: int, fresh: bool = False) -> None:
        """Read the next card. `fresh`: wait first until the card read before has left the reader, so the next
        party's card is read, not the first one's again. Meanwhile a watcher tells the session when a card lies
        on the reader (CardPlaced): until then the screen asks for one, after it says not to move it."""
        reader = self.ports.reader
        if fresh and not self._until(lambda: not reader.card_present(), token, timeout):
            if token == self._read_token:  # the card read before was never taken away
                self._post(ev.CardReadFailed(sid, Reason.NO_CARD))
            return
        self._background(lambda: self._tell_when_placed(sid, token, timeout))
        try:
            identity = reader.read_identity(timeout)
            result: ev.Event = ev.CardRead(sid, identity, self.ports.clock.now().date())
        except DeviceError as exc:
            result = ev.CardReadFailed(sid, exc.reason)
        if token == self._read_token:
            self._post(result)

    def _until(self, condition: Callable[[], bool], token: int, timeout: float) -> bool:
        """Poll the reader until `condition` holds; False when the read was cancelled or it took too long. A
        reader that cannot say whether a card is there counts as holding: the read itself will tell."""
        deadline = time.monotonic() + timeout
        while token == self._read_token and not self._closed:
            try:
                if condition():
                    return True
            except DeviceError:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return False

    def _tell_when_placed(self, sid: str, token: int, timeout: float) -> None:
        if self._until(self.ports.reader.card_present, token, timeout) and token == self._read_token:
            self._post(ev.CardPlaced(sid))

    def _start_watch(self, sid: str) -> None:
        self._stop_watch()
        stop = self._watch_stop = threading.Event()

        def watch() -> None:
            while not stop.wait(0.3):
                try:
                    present = self.ports.reader.card_present()
                except DeviceError:
                    present = False
                if not present:
                    self._post(ev.CardRemoved(sid))
                    return
        self._background(watch)

    def _stop_watch(self) -> None:
        if self._watch_stop is not None:
            self._watch_stop.set()
            self._watch_stop = None

    def _submit(self, sid: str, application: object) -> None:
        from kiosk.core.records import Application
        assert isinstance(application, Application)
        started = time.monotonic()
        try:
            result = self.ports.backend.submit(application)
            self._post(ev.SubmitSucceeded(sid, result))
            log_event(log, "submitted", item_id=application.item_id, status=result.status.value,
                      duration_ms=int((time.monotonic() - started) * 1000))
        except DeviceError as exc:
            log_event(log, "submit_failed", logging.WARNING, reason=exc.reason.value)
            self._post(ev.SubmitFailed(sid, exc.reason))

    def _print(self, sid: str, job_id: str, request: SlipRequest) -> None:
        try:
            outcome = self.ports.printer.print_slip(job_id, self._build_slip(request))
            uncertain = outcome == PrintOutcome.UNCERTAIN
            self._post(ev.SlipPrinted(sid, job_id, uncertain=uncertain))
            log_event(log, "printed", job_id=job_id, kind=request.kind.value,
                      detail_code=PrintOutcome.UNCERTAIN.value if uncertain else PrintOutcome.DONE.value)
        except DeviceError as exc:
            log_event(log, "print_failed", logging.WARNING, job_id=job_id, reason=exc.reason.value)
            self._post(ev.SlipPrintFailed(sid, job_id, exc.reason))

    def _rate(self, rating: ServiceRating) -> None:
        """Hand the rating to the backend's outbox; the citizen has moved on and is told nothing either way."""
        backend = self.ports.backend
        if not isinstance(backend, TakesRatings):
            log_event(log, "rating_not_sent", logging.WARNING, code="no_ratings_backend")
            return
        try:
            backend.send_rating(rating)
            log_event(log, "rating_kept", kind=rating.service.value, detail_code=str(rating.satisfaction))
        except DeviceError as exc:
            log_event(log, "rating_not_sent", logging.WARNING, reason=exc.reason.value)

    def _ask_backend(self, sid: str, call: Callable[[], ev.Event]) -> None:
        try:
            self._post(call())
        except DeviceError as exc:
            log_event(log, "backend_failed", logging.WARNING, reason=exc.reason.value)
            self._post(ev.BackendFailed(sid, exc.reason))
        except Exception:
            log.exception("backend call failed", extra={"kiosk_event": "backend_error", "kiosk_fields": {}})
            self._post(ev.BackendFailed(sid, Reason.INTERNAL_ERROR))

    def _cancel_timers(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers = []

    def close(self) -> None:
        self.help_desk.close()
        self._closed = True
        self._cancel_timers()
        self._stop_watch()
        self._pool.shutdown(wait=False, cancel_futures=True)

"""Carries a citizen's call for staff out of the kiosk: to the backend (which alerts staff and the hall's
messaging group), and to the buzzer or light by the kiosk; then asks the backend until staff acknowledge.

Every answer goes back to the session machine as HelpCallUpdated; HelpCallExpired when the screens should stop
showing the call (unanswered for too long, or a while after staff answered). The buzzer or light goes off
when staff answer, when the call fails, or after `signal_on_s` whatever happens.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.core.health import DeviceError
from kiosk.core.help_calls import HelpRequest, HelpStatus
from kiosk.core.ports import Ports, TakesHelpCalls
from kiosk.core.session import events as ev
from kiosk.core.session.commands import CallStaff
from kiosk.logs import log_event

log = logging.getLogger("kiosk.help")


@dataclass(frozen=True)
class HelpTimings:
    poll_s: float = 3.0  # how often the backend is asked whether staff acknowledged
    give_up_s: float = 20 * 60  # unanswered this long: the screens stop showing the call
    shown_s: float = 120.0  # an answer (or a failure) stays on the screens this long
    signal_on_s: float = 300.0  # the buzzer or light never stays on longer than this


Background = Callable[[Callable[[], None]], None]


class HelpDesk:
    """Called on the runner's thread (call, end). Following a call takes minutes, so it has a thread of its own
    rather than one of the runner's few workers, which card reads and prints need; switching the buzzer or
    light is short and goes to those workers."""

    def __init__(self, ports: Ports, post: Callable[[ev.Event], None], background: Background,
                 timings: HelpTimings | None = None) -> None:
        self._ports = ports
        self._post = post
        self._background = background
        self.timings = timings or HelpTimings()
        self._stop: threading.Event | None = None  # of the call being followed
        self._signal_timer: threading.Timer | None = None
        self._signal_lock = threading.Lock()

    def call(self, command: CallStaff) -> None:
        self.close()
        stop = self._stop = threading.Event()
        log_event(log, "staff_called", logging.WARNING, kiosk_id=command.kiosk_id, reason=command.reason,
                  phase=command.screen, code=command.problem or None)
        self._switch_signal(True)
        self._signal_timer = threading.Timer(self.timings.signal_on_s, lambda: self._switch_signal(False))
        self._signal_timer.daemon = True
        self._signal_timer.start()
        threading.Thread(target=self._follow, args=(command, f"help-{uuid.uuid4().hex}", stop),
                         name="kiosk-help-call", daemon=True).start()

    def end(self, serial: int) -> None:
        """The call was answered, failed or expired: the buzzer or light goes off (following it stops by itself)."""
        self._cancel_signal_timer()
        self._switch_signal(False)

    def close(self) -> None:
        """Stop following the call (a new one replaces it, or the kiosk stops)."""
        self._cancel_signal_timer()
        if self._stop is not None:
            self._stop.set()
            self._stop = None

    def _cancel_signal_timer(self) -> None:
        if self._signal_timer is not None:
            self._signal_timer.cancel()
            self._signal_timer = None

    # ---- the call's own thread ----

    def _follow(self, command: CallStaff, key: str, stop: threading.Event) -> None:
        serial, backend = command.serial, self._ports.backend
        if not isinstance(backend, TakesHelpCalls):
            log_event(log, "help_call_failed", logging.ERROR, code="no_help_calls_backend")
            self._finish(serial, HelpStatus.FAILED, stop)
            return
        request = HelpRequest(key, command.reason, command.screen, command.problem, self._ports.clock.now())
        try:
            status = backend.call_for_help(request)
        except DeviceError as exc:
            log_event(log, "help_call_failed", logging.ERROR, reason=exc.reason.value)
            self._finish(serial, HelpStatus.FAILED, stop)
            return
        log_event(log, "help_call_sent", status=status.value)
        self._post(ev.HelpCallUpdated(serial, status))
        deadline = time.monotonic() + self.timings.give_up_s
        while not stop.wait(self.timings.poll_s):
            if time.monotonic() > deadline:
                self._post(ev.HelpCallExpired(serial))
                return
            try:
                now = backend.help_call_status(key)
            except DeviceError:
                continue  # asked again at the next poll
            if now != status:
                status = now
                if status == HelpStatus.ACKNOWLEDGED:
                    log_event(log, "help_call_acknowledged")
                    self._finish(serial, status, stop)
                    return
                self._post(ev.HelpCallUpdated(serial, status))

    def _finish(self, serial: int, status: HelpStatus, stop: threading.Event) -> None:
        self._post(ev.HelpCallUpdated(serial, status))
        if not stop.wait(self.timings.shown_s):
            self._post(ev.HelpCallExpired(serial))

    def _switch_signal(self, on: bool) -> None:
        signal = self._ports.signal
        if signal is None:
            return

        def switch() -> None:
            with self._signal_lock:
                try:
                    signal.switch(on)
                except DeviceError as exc:  # the call still goes to the backend; the journal says why it was silent
                    log_event(log, "signal_failed", logging.WARNING, reason=exc.reason.value)
        self._background(switch)

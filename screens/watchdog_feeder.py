"""systemd's watchdog, fed from Kivy's clock.

WATCHDOG=1 goes out every half WatchdogSec from a Kivy clock callback, that is from the UI thread's own loop:
a UI that freezes (a callback that blocks, a deadlock, a GL stall) stops the pings, and systemd restarts the
kiosk (kiosk.service: Type=notify, WatchdogSec, NotifyAccess=all because cage is the unit's main process).
READY=1 goes out on the first frame after the first screen is up; STATUS= tells `systemctl status` what the
kiosk is doing. Without $NOTIFY_SOCKET (a laptop, the tests) nothing is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kivy.clock import Clock

from kiosk.core.session.model import KioskState
from kiosk.shell.watchdog import notify, watchdog_interval_s


class WatchdogFeeder:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = environ
        self.interval_s = watchdog_interval_s(environ)
        self.pings = 0
        self.ready_sent = False
        self._lifecycle = ""
        self._event: Any = None

    def start(self, state: KioskState) -> None:
        if self.interval_s is not None and self._event is None:
            self._event = Clock.schedule_interval(self._ping, self.interval_s)
        Clock.schedule_once(lambda _dt: self._ready(state), 0)  # the next frame: the first screen is drawn

    def _ping(self, _dt: float) -> None:
        if notify("WATCHDOG=1", self.environ):
            self.pings += 1

    def _ready(self, state: KioskState) -> None:
        if not self.ready_sent:
            self.ready_sent = notify(f"READY=1\nSTATUS={_status(state)}", self.environ)
            self._lifecycle = state.lifecycle.value

    def on_state(self, state: KioskState) -> None:
        """A runner listener: STATUS= when the kiosk's lifecycle changes (never anything about a session)."""
        if state.lifecycle.value != self._lifecycle and self.ready_sent:
            self._lifecycle = state.lifecycle.value
            notify(f"STATUS={_status(state)}", self.environ)

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if self.ready_sent:
            notify("STOPPING=1", self.environ)


def _status(state: KioskState) -> str:
    reason = f" ({state.out_of_service_reason.value})" if state.out_of_service_reason else ""
    return f"{state.lifecycle.value}{reason}"


def install_watchdog(app: Any, environ: Mapping[str, str] | None = None) -> WatchdogFeeder:
    feeder = WatchdogFeeder(environ)
    app.runner.subscribe(feeder.on_state)
    feeder.start(app.state)
    return feeder

"""Polls every device and link on a background thread and reports changes as HealthReported events.

This is how a reader or printer unplugged and plugged back is noticed without a restart: drivers reopen
their device inside health(), and the session machine re-enables the items whose needs are met again.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.core.health import Action, Component, DeviceError, Health, Reason, Status
from kiosk.core.ports import Backend, CardReader, Printer, Scanner, Speech, StaffSignal
from kiosk.core.session import events as ev
from kiosk.logs import log_event

log = logging.getLogger("kiosk.health")
MIN_FREE_BYTES = 200 * 1024 * 1024  # below this the outbox and print journal can no longer be trusted


def disk_health(path: Path, min_free: int = MIN_FREE_BYTES) -> Health:
    try:
        path.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(path).free
    except OSError as exc:
        return Health.problem(Component.DISK, Reason.DISK_FULL, f"data folder unusable: {exc.strerror}")
    if free < min_free:
        return Health.problem(Component.DISK, Reason.DISK_FULL, f"{free // (1024 * 1024)} MB free")
    return Health.ok(Component.DISK, f"{free // (1024 * 1024)} MB free")


def _verdict(health: Health) -> tuple[Status, Reason, Action]:
    """What a change of health means; the detail (e.g. megabytes free) changes all the time and is no news."""
    return health.status, health.reason, health.action


def checked(component: Component, probe: Callable[[], Health]) -> Health:
    """A health probe that raised is itself a health result, never a dead monitor thread."""
    try:
        return probe()
    except DeviceError as exc:
        return Health.problem(component, exc.reason, exc.detail)
    except Exception as exc:  # a driver bug: report it, keep monitoring
        return Health.problem(component, Reason.INTERNAL_ERROR, type(exc).__name__)


class HealthMonitor:
    """The devices (reader, printer, speech, disk, and the scanner and the buzzer or light of calls for staff
    where the kiosk has them) are polled on one thread and the backend on another: a
    backend that answers slowly or not at all (a probe can take its full timeout) never delays noticing that
    the printer ran out of paper."""

    def __init__(self, post: Callable[[ev.Event], None], reader: CardReader, printer: Printer, backend: Backend,
                 speech: Speech, data_dir: Path, interval_s: float = 5.0, scanner: Scanner | None = None,
                 signal: StaffSignal | None = None) -> None:
        self._post = post
        self._devices: list[tuple[Component, Callable[[], Health]]] = [
            (Component.READER, reader.health), (Component.PRINTER, printer.health),
            (Component.SPEECH, speech.health), (Component.DISK, lambda: disk_health(data_dir)),
            *([(Component.SCANNER, scanner.health)] if scanner is not None else []),
            *([(Component.SIGNAL, signal.health)] if signal is not None else []),
        ]
        self._links: list[tuple[Component, Callable[[], Health]]] = [(Component.BACKEND, backend.health)]
        self._interval_s = interval_s
        self._last: dict[Component, Health] = {}
        self._lock = threading.Lock()  # the two polling threads and check_now share what was last reported
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def check_now(self) -> list[Health]:
        """Probe everything once and post what changed; returns the current health of every component."""
        return self._check(self._devices + self._links)

    def _check(self, probes: list[tuple[Component, Callable[[], Health]]]) -> list[Health]:
        current = []
        for component, probe in probes:
            health = checked(component, probe)
            current.append(health)
            with self._lock:
                previous = self._last.get(component)
                changed = previous is None or _verdict(previous) != _verdict(health)
                if changed:
                    self._last[component] = health
            if changed:
                # A fault is a warning (an error when it needs an engineer); recovery and start-up are news.
                level = (logging.INFO if health.usable else
                         logging.ERROR if health.action == Action.ENGINEER else logging.WARNING)
                log_event(log, "health_changed", level, component=component.value, status=health.status.value,
                          reason=health.reason.value, action=health.action.value, detail_code=health.detail,
                          previous=previous.reason.value if previous else None)
                self._post(ev.HealthReported(health))
        return current

    def start(self) -> None:
        if not self._threads:
            for name, probes in (("kiosk-health", self._devices), ("kiosk-health-backend", self._links)):
                thread = threading.Thread(target=self._run, args=(probes,), name=name, daemon=True)
                thread.start()
                self._threads.append(thread)

    def _run(self, probes: list[tuple[Component, Callable[[], Health]]]) -> None:
        while not self._stop.wait(self._interval_s):
            self._check(probes)

    def stop(self) -> None:
        self._stop.set()

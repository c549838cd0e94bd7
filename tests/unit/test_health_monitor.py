"""Health polling: a reader unplugged and plugged back, and a printer out of paper, reach the session machine
as HealthReported events; the kiosk goes out of service and recovers without a restart."""

from __future__ import annotations

import time
from pathlib import Path

from devices.readers.simulated import SimulatedCardReader
from kiosk.composition.root import Kiosk
from kiosk.core.health import Component, Health, Reason, Status
from kiosk.core.session import Lifecycle
from kiosk.core.session import events as ev
from kiosk.shell.health_monitor import HealthMonitor, checked, disk_health


def monitor_for(kiosk: Kiosk) -> HealthMonitor:
    p = kiosk.ports
    return HealthMonitor(kiosk.inbox.put, p.reader, p.printer, p.backend, p.speech, kiosk.config.data_dir)


def test_unplug_and_replug_are_noticed_and_recovered(headless_kiosk: Kiosk) -> None:
    monitor = monitor_for(headless_kiosk)
    monitor.check_now()
    reader = headless_kiosk.ports.reader
    assert isinstance(reader, SimulatedCardReader)
    reader.unplug()
    monitor.check_now()
    headless_kiosk.pump()
    assert headless_kiosk.state.health_of(Component.READER).reason == Reason.NO_READER  # type: ignore[union-attr]
    assert headless_kiosk.state.lifecycle == Lifecycle.READY  # the keypad fallback still serves applications
    reader.unplug(False)
    monitor.check_now()
    headless_kiosk.pump()
    assert headless_kiosk.state.health_of(Component.READER).status == Status.OK  # type: ignore[union-attr]


def test_paper_out_is_noticed_and_blocks_only_printing_until_refilled(headless_kiosk: Kiosk) -> None:
    from kiosk.core.health import Component
    from kiosk.core.session.availability import printer_problem

    monitor = monitor_for(headless_kiosk)
    printer = headless_kiosk.ports.printer
    printer.inject(Reason.PAPER_OUT)  # type: ignore[attr-defined]
    monitor.check_now()
    headless_kiosk.pump()
    assert headless_kiosk.state.lifecycle == Lifecycle.READY  # guides and applications go on (issue #15)
    assert printer_problem(headless_kiosk.state) == Reason.PAPER_OUT
    printer.inject(None)  # type: ignore[attr-defined]
    monitor.check_now()
    headless_kiosk.pump()
    assert printer_problem(headless_kiosk.state) is None
    assert headless_kiosk.state.health_of(Component.PRINTER) is not None


def test_only_changes_are_posted(headless_kiosk: Kiosk) -> None:
    posted: list[ev.Event] = []
    p = headless_kiosk.ports
    monitor = HealthMonitor(posted.append, p.reader, p.printer, p.backend, p.speech, headless_kiosk.config.data_dir)
    monitor.check_now()
    first = len(posted)
    monitor.check_now()
    assert first == 5 and len(posted) == first


def test_disk_and_failing_probes(tmp_path: Path) -> None:
    assert disk_health(tmp_path).status == Status.OK
    assert disk_health(tmp_path, min_free=1 << 62).reason == Reason.DISK_FULL

    def broken() -> object:
        raise RuntimeError("driver bug")
    health = checked(Component.PRINTER, broken)  # type: ignore[arg-type]
    assert health.reason == Reason.INTERNAL_ERROR and health.detail == "RuntimeError"


class SlowBackend:
    """A backend whose every health probe takes `seconds` (a link that times out)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def health(self) -> Health:
        time.sleep(self.seconds)
        return Health.problem(Component.BACKEND, Reason.BACKEND_TIMEOUT, "read timeout")


def test_a_slow_backend_does_not_delay_noticing_the_printer(headless_kiosk: Kiosk) -> None:
    posted: list[ev.Event] = []
    p = headless_kiosk.ports
    monitor = HealthMonitor(posted.append, p.reader, p.printer, SlowBackend(3.0), p.speech,  # type: ignore[arg-type]
                            headless_kiosk.config.data_dir, interval_s=0.1)
    monitor.start()
    try:
        time.sleep(0.5)  # the backend's first probe is under way
        p.printer.inject(Reason.PAPER_OUT)  # type: ignore[attr-defined]
        started = time.monotonic()
        deadline = started + 2.0
        while not any(isinstance(e, ev.HealthReported) and e.health.reason == Reason.PAPER_OUT for e in posted):
            assert time.monotonic() < deadline, "paper out was noticed only after the backend's probe"
            time.sleep(0.02)
        assert not any(isinstance(e, ev.HealthReported) and e.health.component == Component.BACKEND for e in posted)
    finally:
        monitor.stop()

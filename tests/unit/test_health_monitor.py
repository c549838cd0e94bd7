"""Health polling: a reader unplugged and plugged back, and a printer out of paper, reach the session machine
as HealthReported events; the kiosk goes out of service and recovers without a restart."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pytest

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


def test_health_log_lines_say_what_changed_at_the_right_level(headless_kiosk: Kiosk,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """A fault is a warning with the new reason and the one before; an unchanged state (the disk's free space
    moving by a few megabytes) is not logged again; recovery is INFO."""
    monitor = monitor_for(headless_kiosk)
    printer = headless_kiosk.ports.printer
    with caplog.at_level(logging.DEBUG, logger="kiosk.health"):
        monitor.check_now()
        monitor.check_now()  # nothing changed: no line
        getattr(printer, "inject")(Reason.PAPER_OUT)  # noqa: B009
        monitor.check_now()
        getattr(printer, "inject")(None)  # noqa: B009  (paper refilled)
        monitor.check_now()
    lines = [(r.levelno, r.kiosk_fields) for r in caplog.records if getattr(r, "kiosk_event", "") == "health_changed"]
    assert [f["component"] for _, f in lines].count("disk") == 1
    fault = next((level, f) for level, f in lines if f["reason"] == "paper_out")
    assert fault[0] == logging.WARNING and fault[1]["previous"] == "ok" and fault[1]["component"] == "printer"
    recovered = [(level, f) for level, f in lines if f["component"] == "printer"][-1]
    assert recovered[0] == logging.INFO and recovered[1]["reason"] == "ok" and recovered[1]["previous"] == "paper_out"


def test_log_lines_carry_local_time_with_its_offset_and_go_out_once(capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import json

    from kiosk import logs

    stream = io.StringIO()
    root_handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(root_handler)  # as Kivy's handler sits on the root logger
    handler = logs.configure(stream=stream)
    try:
        logs.log_event(logging.getLogger("kiosk.test"), "probe", reason="ok")
    finally:
        logging.getLogger("kiosk").removeHandler(handler)
        logging.getLogger("kiosk").propagate = True
        logging.getLogger().removeHandler(root_handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1, lines
    stamp = json.loads(lines[0])["t"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", stamp), stamp

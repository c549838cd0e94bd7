"""The shell's side of a call for staff (kiosk.shell.help_desk): what it tells the session machine as the call
goes on, and the call light's timeout. A small stand-in backend sets the pace; the real one is in
tests/backend/test_help_calls.py and tests/ui/test_help_calls.py."""

from __future__ import annotations

import queue
import time
from types import SimpleNamespace

from devices.clock import SystemClock
from devices.signals.simulated import SimulatedSignal
from kiosk.core.health import DeviceError, Reason
from kiosk.core.help_calls import HelpRequest, HelpStatus
from kiosk.core.session import events as ev
from kiosk.core.session.commands import CallStaff
from kiosk.shell.help_desk import HelpDesk, HelpTimings

FAST = HelpTimings(poll_s=0.02, give_up_s=5.0, shown_s=0.05, signal_on_s=5.0)
CALL = CallStaff("JL-TEST-001", "citizen_request", 7, "done", "paper_out")


class Backend:
    """Answers the call with `first`, then each of `later` at one poll each."""

    def __init__(self, first: HelpStatus | Reason, *later: HelpStatus) -> None:
        self.first, self.later = first, list(later)
        self.requests: list[HelpRequest] = []

    def call_for_help(self, request: HelpRequest) -> HelpStatus:
        self.requests.append(request)
        if isinstance(self.first, Reason):
            raise DeviceError(self.first, "stand-in")
        return self.first

    def help_call_status(self, key: str) -> HelpStatus:
        assert key == self.requests[0].key
        return self.later.pop(0) if len(self.later) > 1 else self.later[0]


def desk(backend: object, timings: HelpTimings = FAST) -> tuple[HelpDesk, queue.Queue[ev.Event], SimulatedSignal]:
    posted: queue.Queue[ev.Event] = queue.Queue()
    signal = SimulatedSignal()
    ports = SimpleNamespace(backend=backend, signal=signal, clock=SystemClock())
    return HelpDesk(ports, posted.put, lambda work: work(), timings), posted, signal  # type: ignore[arg-type]


def events(posted: queue.Queue[ev.Event], count: int) -> list[ev.Event]:
    return [posted.get(timeout=5) for _ in range(count)]


def test_queued_then_stored_then_acknowledged_then_gone() -> None:
    backend = Backend(HelpStatus.QUEUED, HelpStatus.QUEUED, HelpStatus.STORED, HelpStatus.ACKNOWLEDGED)
    help_desk, posted, signal = desk(backend)
    help_desk.call(CALL)
    assert signal.on
    assert events(posted, 4) == [ev.HelpCallUpdated(7, HelpStatus.QUEUED), ev.HelpCallUpdated(7, HelpStatus.STORED),
                                 ev.HelpCallUpdated(7, HelpStatus.ACKNOWLEDGED), ev.HelpCallExpired(7)]
    [sent] = backend.requests
    assert (sent.reason, sent.screen, sent.problem) == ("citizen_request", "done", "paper_out")
    assert sent.key.startswith("help-") and sent.called_at.tzinfo is not None
    help_desk.end(7)
    assert not signal.on


def test_a_call_that_cannot_be_kept_fails_at_once() -> None:
    help_desk, posted, _signal = desk(Backend(Reason.DISK_FULL))
    help_desk.call(CALL)
    assert events(posted, 2) == [ev.HelpCallUpdated(7, HelpStatus.FAILED), ev.HelpCallExpired(7)]
    help_desk, posted, _signal = desk(SimpleNamespace())  # a backend that carries no calls
    help_desk.call(CALL)
    assert events(posted, 1) == [ev.HelpCallUpdated(7, HelpStatus.FAILED)]


def test_the_light_goes_off_after_its_time_even_unanswered_and_the_call_is_given_up() -> None:
    timings = HelpTimings(poll_s=0.02, give_up_s=0.3, shown_s=0.05, signal_on_s=0.1)
    help_desk, posted, signal = desk(Backend(HelpStatus.STORED, HelpStatus.STORED), timings)
    help_desk.call(CALL)
    assert signal.on and signal.wait_for(False, 2)
    assert events(posted, 2) == [ev.HelpCallUpdated(7, HelpStatus.STORED), ev.HelpCallExpired(7)]


def test_a_light_that_fails_does_not_stop_the_call() -> None:
    help_desk, posted, signal = desk(Backend(HelpStatus.STORED, HelpStatus.ACKNOWLEDGED))
    signal.unplug()
    help_desk.call(CALL)
    assert events(posted, 2)[1] == ev.HelpCallUpdated(7, HelpStatus.ACKNOWLEDGED)


def test_a_new_call_stops_following_the_old_one() -> None:
    help_desk, posted, _signal = desk(Backend(HelpStatus.STORED, HelpStatus.STORED))
    help_desk.call(CALL)
    assert events(posted, 1) == [ev.HelpCallUpdated(7, HelpStatus.STORED)]
    help_desk.close()
    time.sleep(0.1)
    assert posted.empty()

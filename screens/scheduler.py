"""The runner's idle timers on Kivy's clock, so timer callbacks run on the UI thread like everything else.

`skip(seconds)` moves this scheduler's notion of time forward: the tests and the demo use it to reach the
idle warning and the timeout without waiting minutes; the kiosk itself never calls it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kivy.clock import Clock, ClockEvent


class ClockTimer:
    def __init__(self, scheduler: ClockScheduler, due: float, callback: Callable[[], None]) -> None:
        self.scheduler = scheduler
        self.due = due
        self.callback = callback
        self.event: ClockEvent | None = None

    def cancel(self) -> None:
        if self.event is not None:
            self.event.cancel()
            self.event = None
        self.scheduler.pending.discard(self)

    def fire(self, _dt: float = 0.0) -> None:
        self.scheduler.pending.discard(self)
        self.event = None
        self.callback()


class ClockScheduler:
    def __init__(self) -> None:
        self.pending: set[ClockTimer] = set()
        self.offset = 0.0

    def now(self) -> float:
        return time.monotonic() + self.offset

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> ClockTimer:
        timer = ClockTimer(self, self.now() + delay_s, callback)
        self.pending.add(timer)
        timer.event = Clock.schedule_once(timer.fire, max(delay_s, 0))
        return timer

    def skip(self, seconds: float) -> None:
        self.offset += seconds
        for timer in list(self.pending):
            if timer.event is not None:
                timer.event.cancel()
            timer.event = Clock.schedule_once(timer.fire, max(timer.due - self.now(), 0))

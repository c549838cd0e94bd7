"""Usage counts for the monthly report: how often each item's guide was printed and its progress looked up.

Nothing personal: a day, an item id, a kind and a number. Applications and bookings are counted by the
backend, which holds them anyway; what only the kiosk sees is counted here, per day, and sent to the backend
as the day's totals (POST /v1/usage, which replaces the kiosk's earlier totals for those days), so a report
sent twice counts once.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Protocol, runtime_checkable

from kiosk.core.session.model import KioskState
from kiosk.core.session.states import Phase, TaskStatus
from kiosk.storage.usage_log import UsageLog


@runtime_checkable
class ReportsUsage(Protocol):
    """A backend that sends the kiosk's usage counts (the HTTP client), from `usage_log`, on its own thread."""

    usage_log: UsageLog | None


class UsageRecorder:
    """A runner listener that counts a guide slip once it is printed and a progress lookup once answered."""

    def __init__(self, log: UsageLog, today: Callable[[], date]) -> None:
        self.log = log
        self.today = today
        self._session = ""
        self._counted: set[str] = set()
        self._progress = TaskStatus.NONE

    def observe(self, state: KioskState) -> None:
        session = state.session
        if session is None or session.session_id != self._session:
            self._session = session.session_id if session else ""
            self._counted.clear()
            self._progress = TaskStatus.NONE
        if session is None:
            return
        if (session.phase == Phase.GUIDE_PRINTING and session.printing.status == TaskStatus.DONE and session.item_id
                and session.printing.job not in self._counted):
            self._counted.add(session.printing.job)  # a retried or repeated print of the same guide counts once
            self._add(session.item_id, "guide_print")
        if session.progress.status == TaskStatus.DONE and self._progress != TaskStatus.DONE:
            for item_id in sorted({record.item_id for record in session.records}):
                self._add(item_id, "query")
        self._progress = session.progress.status

    def _add(self, item_id: str, kind: str) -> None:
        with contextlib.suppress(OSError, sqlite3.Error):  # a count is not worth disturbing a session
            self.log.add(self.today(), item_id, kind)

"""Usage counts for the monthly report: how often each item's guide was printed and its progress looked up.

Nothing personal: a day, an item id, a kind and a number. Applications and bookings are counted by the
backend, which holds them anyway; what only the kiosk sees is counted here, per day, and sent to the backend
as the day's totals (POST /v1/usage, which replaces the kiosk's earlier totals for those days), so a report
sent twice counts once.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

USAGE_FILE = "usage.sqlite3"
KIOSK_KINDS = ("query", "guide_print")  # what the kiosk counts; applications and appointments the backend does

_SCHEMA = """
CREATE TABLE IF NOT EXISTS usage (
    day TEXT NOT NULL,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    reported INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, item_id, kind)
);
"""


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    item_id: str
    kind: str
    count: int


class UsageLog:
    """A small SQLite file under data_dir. Thread-safe: counted on the UI thread, reported from the sender's."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._ready = False

    @classmethod
    def in_dir(cls, data_dir: Path) -> UsageLog:
        return cls(data_dir / USAGE_FILE)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # a count lost in a power cut is not worth a disk sync
                if not self._ready:
                    db.executescript(_SCHEMA)
                    self._ready = True
                with db:
                    yield db
            finally:
                db.close()

    def add(self, day: date, item_id: str, kind: str, n: int = 1) -> None:
        with self._connect() as db:
            db.execute("INSERT INTO usage (day, item_id, kind, count) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (day, item_id, kind) DO UPDATE SET count = count + excluded.count",
                       (day.isoformat(), item_id, kind, n))

    def unreported(self, limit: int = 500) -> list[DayCount]:
        """Counts that changed since they were last reported, oldest day first."""
        with self._connect() as db:
            rows = db.execute("SELECT day, item_id, kind, count FROM usage WHERE count != reported "
                              "ORDER BY day, item_id, kind LIMIT ?", (limit,)).fetchall()
        return [DayCount(date.fromisoformat(d), item, kind, int(count)) for d, item, kind, count in rows]

    def mark_reported(self, counts: list[DayCount]) -> None:
        """The backend has these totals now; a count that grew meanwhile is sent again next time."""
        with self._connect() as db:
            db.executemany("UPDATE usage SET reported = ? WHERE day = ? AND item_id = ? AND kind = ?",
                           [(c.count, c.day.isoformat(), c.item_id, c.kind) for c in counts])

    def totals(self, first: date, last: date) -> dict[tuple[str, str], int]:
        """(item id, kind) -> count over the days first..last, as this kiosk counted them."""
        with self._connect() as db:
            rows = db.execute("SELECT item_id, kind, SUM(count) FROM usage WHERE day BETWEEN ? AND ? "
                              "GROUP BY item_id, kind", (first.isoformat(), last.isoformat())).fetchall()
        return {(item, kind): int(total) for item, kind, total in rows}

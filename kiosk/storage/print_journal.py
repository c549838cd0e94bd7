"""The print-job journal: which job ids were printed, so a retried job never prints twice.

A small SQLite file under the data directory, written before a printer driver reports success. It holds no
personal data: job ids, slip kinds, item ids, application numbers and reasons only. Receipts keep their
origin (item, number, language) so maintenance can reprint one without the citizen's data.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from kiosk.core.health import DeviceError, Reason
from kiosk.core.localtime import CHINA_STANDARD_TIME
from kiosk.core.slips import Slip, SlipKind, SlipOrigin

JOURNAL_FILE = "print-journal.sqlite3"
MIN_NUMBER_DIGITS = 4  # the fewest last characters of a 办件编号 that find a receipt
REPRINT_MARK = "-reprint-"  # job ids of reprints: <original job id>-reprint-<n>
UNCERTAIN = "uncertain"  # the reason kept with a printed job whose confirmation was lost

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('printed', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    item_id TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    application_number TEXT NOT NULL DEFAULT '',
    local_reference TEXT NOT NULL DEFAULT '',
    queued INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_number ON jobs (application_number);
CREATE INDEX IF NOT EXISTS jobs_by_reference ON jobs (local_reference);
"""


@dataclass(frozen=True, slots=True)
class JobRecord:
    job_id: str
    kind: SlipKind
    state: str  # printed | failed
    attempts: int
    reason: str
    origin: SlipOrigin | None
    updated_at: datetime  # China Standard Time on the wall clock, without a zone (see _wall)

    @property
    def uncertain(self) -> bool:
        """Sent whole (the cut too) but not confirmed: counted as printed, so it is never printed again by
        itself; the citizen was offered a 补打 copy."""
        return self.state == "printed" and self.reason == UNCERTAIN


@dataclass(frozen=True, slots=True)
class PrintedCounts:
    by_kind: dict[SlipKind, int]
    reprints: int

    @property
    def total(self) -> int:
        return sum(self.by_kind.values()) + self.reprints

    def of(self, kind: SlipKind) -> int:
        return self.by_kind.get(kind, 0)


class PrintJournal:
    """Thread-safe; each call opens a short transaction so a crash never leaves a job half-recorded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._ready = False  # the file is made on first use, so a bad disk does not stop the kiosk starting

    @classmethod
    def in_dir(cls, data_dir: Path) -> PrintJournal:
        return cls(data_dir / JOURNAL_FILE)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One transaction; a failing disk becomes DeviceError, as a job must not print unrecorded."""
        with self._lock:
            try:
                if not self._ready:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=5)
            except (OSError, sqlite3.Error) as exc:
                raise _journal_error(exc) from None
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                if not self._ready:
                    db.executescript(_SCHEMA)
                    self._ready = True
                with db:
                    yield db
            except sqlite3.Error as exc:
                raise _journal_error(exc) from None
            finally:
                db.close()

    def was_printed(self, job_id: str) -> bool:
        with self._connect() as db:
            row = db.execute("SELECT state FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return row is not None and row[0] == "printed"

    def record_printed(self, job_id: str, slip: Slip, now: datetime | None = None) -> None:
        self._record(job_id, slip, "printed", "", now)

    def record_uncertain(self, job_id: str, slip: Slip, now: datetime | None = None) -> None:
        """Every byte went out but the printer did not confirm: printed as far as retries go (no automatic
        reprint), with the doubt kept for maintenance and the receipts list."""
        self._record(job_id, slip, "printed", UNCERTAIN, now)

    def record_failed(self, job_id: str, slip: Slip, reason: str, now: datetime | None = None) -> None:
        """A failed attempt; never downgrades a job that was printed."""
        self._record(job_id, slip, "failed", reason, now)

    def _record(self, job_id: str, slip: Slip, state: str, reason: str, now: datetime | None) -> None:
        origin = slip.origin or SlipOrigin("")
        stamp = _wall(now or datetime.now(UTC))
        with self._connect() as db:
            db.execute(
                """INSERT INTO jobs (job_id, kind, state, attempts, reason, item_id, language,
                                     application_number, local_reference, queued, updated_at)
                   VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (job_id) DO UPDATE SET
                       state = CASE WHEN jobs.state = 'printed' THEN 'printed' ELSE excluded.state END,
                       reason = CASE WHEN jobs.state = 'printed' THEN jobs.reason ELSE excluded.reason END,
                       attempts = jobs.attempts + 1, updated_at = excluded.updated_at""",
                (job_id, slip.kind.value, state, reason, origin.item_id, origin.language,
                 origin.application_number, origin.local_reference, int(origin.queued), stamp))

    def get(self, job_id: str) -> JobRecord | None:
        with self._connect() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return _record(row) if row else None

    def receipts(self, limit: int = 50) -> list[JobRecord]:
        """Printed receipts (not their reprints), newest first, for the maintenance reprint list."""
        with self._connect() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE kind = ? AND state = 'printed' "
                              f"AND {_NOT_REPRINT} ORDER BY updated_at DESC, rowid DESC LIMIT ?",
                              (SlipKind.RECEIPT.value, limit)).fetchall()
        return [_record(row) for row in rows]

    def find_receipt(self, reference: str) -> JobRecord | None:
        """The newest printed receipt (not a reprint) with this application number or local reference."""
        reference = reference.strip()
        if not reference:
            return None
        with self._connect() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE kind = ? AND state = 'printed' AND "
                             f"(application_number = ? OR local_reference = ?) AND {_NOT_REPRINT} "
                             "ORDER BY updated_at DESC, rowid DESC LIMIT 1",
                             (SlipKind.RECEIPT.value, reference, reference)).fetchone()
        return _record(row) if row else None

    def find_receipts(self, number: str, limit: int = 8) -> list[JobRecord]:
        """Printed receipts (not reprints) whose 办件编号 or local reference is `number` or ends with it, newest
        first: staff type the last digits a citizen reads out."""
        number = number.strip().upper()
        if len(number) < MIN_NUMBER_DIGITS:
            return []
        pattern = "%" + _like_escape(number)
        with self._connect() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE kind = ? AND state = 'printed' AND "
                              "(application_number LIKE ? ESCAPE '\\' OR upper(local_reference) LIKE ? ESCAPE '\\') "
                              f"AND {_NOT_REPRINT} ORDER BY updated_at DESC, rowid DESC LIMIT ?",
                              (SlipKind.RECEIPT.value, pattern, pattern, limit)).fetchall()
        return [_record(row) for row in rows]

    def printed_on(self, day: date) -> PrintedCounts:
        """How many slips of each kind came out on `day` (a reprint counts as a reprint, not as its kind)."""
        start = datetime.combine(day, time()).isoformat(timespec="seconds")
        end = datetime.combine(day + timedelta(days=1), time()).isoformat(timespec="seconds")
        with self._connect() as db:
            rows = db.execute(f"SELECT kind, {_NOT_REPRINT}, COUNT(*) FROM jobs WHERE state = 'printed' "
                              "AND updated_at >= ? AND updated_at < ? GROUP BY kind, 2", (start, end)).fetchall()
        by_kind: dict[SlipKind, int] = {}
        reprints = 0
        for kind, original, count in rows:
            if original:
                by_kind[SlipKind(kind)] = by_kind.get(SlipKind(kind), 0) + int(count)
            else:
                reprints += int(count)
        return PrintedCounts(by_kind, reprints)

    def printed_since(self, when: datetime) -> int:
        """Slips of every kind printed since `when` (paper used since a new roll went in)."""
        with self._connect() as db:
            row = db.execute("SELECT COUNT(*) FROM jobs WHERE state = 'printed' AND updated_at >= ?",
                             (_wall(when),)).fetchone()
        return int(row[0])

    def next_reprint_id(self, job_id: str) -> str:
        """The job id for printing `job_id` once more: every reprint is a job of its own."""
        with self._connect() as db:
            row = db.execute("SELECT COUNT(*) FROM jobs WHERE job_id LIKE ? ESCAPE '\\'",
                             (_like_escape(job_id + REPRINT_MARK) + "%",)).fetchone()
        return f"{job_id}{REPRINT_MARK}{int(row[0]) + 1}"


def _wall(moment: datetime) -> str:
    """The journal's times are China Standard Time on the wall clock, so a day's counts are the hall's day
    whatever zone the machine is set to. A time without a zone is refused: it could be any zone."""
    if moment.tzinfo is None:
        raise ValueError("print journal times need a time zone")
    return moment.astimezone(CHINA_STANDARD_TIME).replace(tzinfo=None).isoformat(timespec="seconds")


_NOT_REPRINT = f"instr(job_id, '{REPRINT_MARK}') = 0"
_COLUMNS = ("job_id, kind, state, attempts, reason, item_id, language, application_number, local_reference, "
            "queued, updated_at")


def _record(row: tuple[str, str, str, int, str, str, str, str, str, int, str]) -> JobRecord:
    job_id, kind, state, attempts, reason, item_id, language, number, reference, queued, stamp = row
    origin = SlipOrigin(item_id, language, number, reference, bool(queued)) if item_id else None
    return JobRecord(job_id, SlipKind(kind), state, attempts, reason, origin, datetime.fromisoformat(stamp))


def _journal_error(exc: BaseException) -> DeviceError:
    full = "full" in str(exc).lower() or getattr(exc, "errno", None) == 28
    return DeviceError(Reason.DISK_FULL if full else Reason.INTERNAL_ERROR,
                       f"print journal: {type(exc).__name__}: {exc}")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

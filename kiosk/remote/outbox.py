"""The durable, encrypted outbox: what the kiosk owes the backend, kept until the backend has it.

An application is written here, and synced to disk, before the citizen is told it was submitted; a sender
delivers it later with backoff. SQLite in WAL mode with synchronous=FULL: a commit survives a power cut
once `enqueue` returns. Payloads are sealed with the kiosk's data key (backend.contract.crypto), bound to their
idempotency key; the person's ID number is kept only as a keyed blind index, so the file holds no name or
ID number in the clear. A delivered entry loses its payload at once and keeps only the mapping from the
local reference to the server's number, so the progress query can show that number.

Several processes may open one outbox (the kiosk and `kiosk outbox flush`); each write is one short
IMMEDIATE transaction.
"""

from __future__ import annotations

import enum
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from backend.contract import crypto

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    local_reference TEXT NOT NULL,
    item_id TEXT NOT NULL,
    person_index BLOB,
    payload BLOB,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    delivered_at REAL,
    remote_number TEXT,
    remote_status TEXT,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS entries_due ON entries (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS entries_reference ON entries (local_reference);
CREATE INDEX IF NOT EXISTS entries_person ON entries (person_index);
"""


class EntryState(enum.StrEnum):
    PENDING = "pending"  # not yet accepted by the backend
    DELIVERED = "delivered"  # the backend has it; payload wiped
    REJECTED = "rejected"  # the backend refused it for good (staff look at `kiosk outbox status`)


@dataclass(frozen=True, slots=True)
class Entry:
    entry_id: int
    kind: str
    idempotency_key: str
    local_reference: str
    item_id: str
    state: EntryState
    attempts: int
    created_at: float
    next_attempt_at: float
    delivered_at: float | None
    remote_number: str | None
    remote_status: str | None
    last_error: str


@dataclass(frozen=True, slots=True)
class OutboxStats:
    pending: int
    rejected: int
    delivered: int
    oldest_pending_at: float | None
    last_errors: tuple[tuple[str, int], ...]  # (error code, pending entries with it)


_COLUMNS = ("id, kind, idempotency_key, local_reference, item_id, state, attempts, created_at, "
            "next_attempt_at, delivered_at, remote_number, remote_status, last_error")


def _entry(row: tuple[object, ...]) -> Entry:
    (entry_id, kind, key, reference, item_id, state, attempts, created, next_at, delivered, number, status,
     error) = row
    return Entry(int(str(entry_id)), str(kind), str(key), str(reference), str(item_id), EntryState(str(state)),
                 int(str(attempts)), float(str(created)), float(str(next_at)),
                 None if delivered is None else float(str(delivered)),
                 None if number is None else str(number), None if status is None else str(status), str(error))


class Outbox:
    def __init__(self, path: Path, key: bytes, profile: crypto.Profile,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._profile = profile
        self._key = key
        self._index_key = crypto.derive_key(profile, key, "outbox-person-index")
        self._clock = clock
        self._lock = threading.Lock()
        fresh = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if fresh:  # owner-only from the start; SQLite gives its -wal and -shm files the same mode
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # fsync the WAL on every commit
        self._db.execute("PRAGMA secure_delete=ON")  # wiped payloads are overwritten, not just unlinked
        self._db.executescript(SCHEMA)
        if fresh:
            _fsync_dir(path.parent)  # the new file's directory entry must survive a power cut too

    # ---- writing ----

    @contextmanager
    def _write(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction. durable=False skips the fsync of this commit: for bookkeeping that is
        safe to lose in a power cut (an entry marked delivered that reverts to pending is sent again, and
        the server answers the replay with the same number). The next durable commit syncs it anyway."""
        with self._lock:
            if not durable:
                self._db.execute("PRAGMA synchronous=NORMAL")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            finally:
                if not durable:
                    self._db.execute("PRAGMA synchronous=FULL")

    def enqueue(self, kind: str, idempotency_key: str, local_reference: str, item_id: str, payload: bytes,
                person_id_number: str = "", due_in_s: float = 0.0) -> Entry:
        """Store durably; an entry with the same idempotency key is returned unchanged (a replay).

        `due_in_s` holds the background sender back while the caller tries to deliver it at once itself.
        """
        sealed = crypto.seal(self._profile, self._key, payload, idempotency_key.encode())
        index = self.person_index(person_id_number) if person_id_number else None
        now = self._clock()
        with self._write() as db:
            db.execute(
                "INSERT INTO entries (kind, idempotency_key, local_reference, item_id, person_index, payload,"
                " state, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (idempotency_key) DO NOTHING",
                (kind, idempotency_key, local_reference, item_id, index, sealed, EntryState.PENDING.value, now,
                 now + due_in_s))
        entry = self.get(idempotency_key)
        assert entry is not None
        return entry

    def mark_delivered(self, idempotency_key: str, remote_number: str, remote_status: str) -> None:
        """The backend has it: wipe the payload, keep the number."""
        with self._write(durable=False) as db:
            db.execute("UPDATE entries SET state = ?, payload = NULL, delivered_at = ?, remote_number = ?,"
                       " remote_status = ?, last_error = '', attempts = attempts + 1 WHERE idempotency_key = ?",
                       (EntryState.DELIVERED.value, self._clock(), remote_number, remote_status, idempotency_key))

    def mark_retry(self, idempotency_key: str, error_code: str, next_attempt_at: float) -> None:
        with self._write(durable=False) as db:
            db.execute("UPDATE entries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                       " WHERE idempotency_key = ? AND state = ?",
                       (error_code[:80], next_attempt_at, idempotency_key, EntryState.PENDING.value))

    def mark_rejected(self, idempotency_key: str, error_code: str) -> None:
        """Refused for good; the sealed payload stays for staff until `purge`."""
        with self._write() as db:
            db.execute("UPDATE entries SET state = ?, attempts = attempts + 1, last_error = ?"
                       " WHERE idempotency_key = ? AND state = ?",
                       (EntryState.REJECTED.value, error_code[:80], idempotency_key, EntryState.PENDING.value))

    def retry_now(self, include_rejected: bool = False) -> int:
        """Make every pending (and, if asked, rejected) entry due now; returns how many."""
        states = [EntryState.PENDING.value] + ([EntryState.REJECTED.value] if include_rejected else [])
        with self._write() as db:
            cursor = db.execute(
                f"UPDATE entries SET state = ?, next_attempt_at = ? WHERE state IN ({','.join('?' * len(states))})",
                (EntryState.PENDING.value, self._clock(), *states))
            return cursor.rowcount

    def purge(self, delivered_before: float) -> int:
        """Forget delivered entries older than the given time (retention is as short as the job allows)."""
        with self._write() as db:
            return db.execute("DELETE FROM entries WHERE state = ? AND delivered_at < ?",
                              (EntryState.DELIVERED.value, delivered_before)).rowcount

    # ---- reading ----

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    def person_index(self, id_number: str) -> bytes:
        return crypto.mac(self._profile, self._index_key, id_number.encode())

    def get(self, idempotency_key: str) -> Entry | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM entries WHERE idempotency_key = ?", (idempotency_key,))
        return _entry(rows[0]) if rows else None

    def by_reference(self, local_reference: str) -> Entry | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM entries WHERE local_reference = ? ORDER BY id DESC LIMIT 1",
                           (local_reference,))
        return _entry(rows[0]) if rows else None

    def for_person(self, id_number: str) -> list[Entry]:
        rows = self._query(f"SELECT {_COLUMNS} FROM entries WHERE person_index = ? ORDER BY id",
                           (self.person_index(id_number),))
        return [_entry(r) for r in rows]

    def due(self, limit: int = 50, now: float | None = None) -> list[Entry]:
        now = self._clock() if now is None else now
        rows = self._query(f"SELECT {_COLUMNS} FROM entries WHERE state = ? AND next_attempt_at <= ?"
                           " ORDER BY id LIMIT ?", (EntryState.PENDING.value, now, limit))
        return [_entry(r) for r in rows]

    def next_due_at(self) -> float | None:
        rows = self._query("SELECT MIN(next_attempt_at) FROM entries WHERE state = ?", (EntryState.PENDING.value,))
        value = rows[0][0] if rows else None
        return None if value is None else float(str(value))

    def payload(self, entry: Entry) -> bytes:
        """The decrypted payload of an undelivered entry."""
        rows = self._query("SELECT payload FROM entries WHERE idempotency_key = ?", (entry.idempotency_key,))
        if not rows or rows[0][0] is None:
            raise KeyError(f"entry {entry.entry_id} has no payload (delivered or purged)")
        blob = rows[0][0]
        assert isinstance(blob, bytes)
        return crypto.open_sealed(self._profile, self._key, blob, entry.idempotency_key.encode())

    def depth(self) -> int:
        rows = self._query("SELECT COUNT(*) FROM entries WHERE state = ?", (EntryState.PENDING.value,))
        return int(str(rows[0][0]))

    def stats(self) -> OutboxStats:
        counts = {str(state): int(str(n)) for state, n in self._query(
            "SELECT state, COUNT(*) FROM entries GROUP BY state")}
        oldest = self._query("SELECT MIN(created_at) FROM entries WHERE state = ?", (EntryState.PENDING.value,))
        errors = self._query("SELECT last_error, COUNT(*) FROM entries WHERE state != ? AND last_error != ''"
                             " GROUP BY last_error ORDER BY 2 DESC", (EntryState.DELIVERED.value,))
        return OutboxStats(counts.get(EntryState.PENDING.value, 0), counts.get(EntryState.REJECTED.value, 0),
                           counts.get(EntryState.DELIVERED.value, 0),
                           None if oldest[0][0] is None else float(str(oldest[0][0])),
                           tuple((str(code), int(str(n))) for code, n in errors))

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

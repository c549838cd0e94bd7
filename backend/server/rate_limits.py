"""Rate limits on personal look-ups that hold across every worker process: `limits` over the database.

The limiter is the maintained `limits` library (fixed windows); its counters live in the server's own
database (`rate_counters`), so every worker of `serve --workers N`, and every server on one PostgreSQL,
counts against the same numbers. No Redis to run beside a pilot server.

The limits are named after the physical fact they mirror: a citizen at a kiosk puts a card on the reader,
waits for it to be read and reads the answer, which takes several seconds, so one kiosk cannot honestly ask
more often than about once in six seconds; a citizen checks their own case a few times in a visit; a receipt's
query code is typed wrongly a few times at most.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from limits import RateLimitItem, parse_many
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Connection, Engine, TextClause, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from backend.server.models import RateCounter

CARD_READS_PER_KIOSK = "10/minute;120/hour;1000/day"
"""One kiosk's look-ups by ID card (and by number with a query code): a card read and an answer read take
several seconds, and a busy hall sees a few hundred citizens a day at one kiosk."""
LOOKUPS_PER_PERSON = "6/hour;20/day"
"""Look-ups of one ID number across all kiosks: a citizen checks their own case a few times a visit."""
CODE_GUESSES_PER_NUMBER = "5/hour;10/day"
"""Wrong query codes for one application number: a code typed wrongly a few times, never a search."""
LOG_INS_PER_NAME = "5/minute;30/hour"
"""Staff log-ins per account name: a person mistypes a password a few times, a guesser keeps going."""
REFUSALS_BEFORE_QUARANTINE = 30
"""Refused look-ups of one kiosk within an hour after which it is quarantined (when the policy is on): a
citizen who waits is refused once or twice, a script keeps trying."""
PURGE_EVERY = 1000


@dataclass(frozen=True)
class LimitPolicy:
    per_kiosk: str = CARD_READS_PER_KIOSK
    per_person: str = LOOKUPS_PER_PERSON
    per_number: str = CODE_GUESSES_PER_NUMBER
    quarantine_after: int | None = REFUSALS_BEFORE_QUARANTINE
    """None: flag the kiosk for staff but never quarantine it automatically."""


_INCREMENT = text(
    "INSERT INTO rate_counters (key, count, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN rate_counters.expires_at <= :now THEN :amount ELSE rate_counters.count + :amount END, "
    "expires_at = CASE WHEN rate_counters.expires_at <= :now THEN :expires ELSE rate_counters.expires_at END "
    "RETURNING count")
"""One window's increment as a single upsert, the same text for SQLite (3.35+) and PostgreSQL. Written once as
SQL rather than built per call: building the statement took most of a look-up's time (issue #13's benchmark)."""


@lru_cache(maxsize=8)
def _increments(windows: int) -> TextClause:
    """Several windows' increments as one upsert (a limit scope has two or three windows)."""
    rows = ", ".join(f"(:key{n}, :amount, :expires{n})" for n in range(windows))
    return text(
        f"INSERT INTO rate_counters (key, count, expires_at) VALUES {rows} "
        "ON CONFLICT (key) DO UPDATE SET "
        "count = CASE WHEN rate_counters.expires_at <= :now THEN excluded.count "
        "ELSE rate_counters.count + excluded.count END, "
        "expires_at = CASE WHEN rate_counters.expires_at <= :now THEN excluded.expires_at "
        "ELSE rate_counters.expires_at END "
        "RETURNING key, count, expires_at")


class DatabaseStorage(Storage):
    """A `limits` storage over one table: one row per key with its count and when its window ends.

    Each increment is a single upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`), atomic in SQLite and
    PostgreSQL alike. `bound(connection)` makes the increments of one request part of that request's
    transaction (its audit row), so a look-up costs one commit."""

    STORAGE_SCHEME: ClassVar[list[str]] = ["kiosk-database"]  # type: ignore[misc]

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self._local = threading.local()
        self._increments = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @contextmanager
    def bound(self, connection: Connection) -> Iterator[None]:
        self._local.connection = connection
        try:
            yield
        finally:
            self._local.connection = None

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        bound: Connection | None = getattr(self._local, "connection", None)
        if bound is not None:
            yield bound
            return
        with self.engine.begin() as connection:
            yield connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._connection() as connection:
            count = int(connection.execute(_INCREMENT, {"key": key, "amount": amount, "now": now,
                                                        "expires": now + expiry}).scalar_one())
            self._increments += 1
            if self._increments % PURGE_EVERY == 0:
                connection.execute(delete(RateCounter).where(RateCounter.expires_at < now - 60))
        return count

    def incr_many(self, windows: Sequence[tuple[str, int]], amount: int = 1) -> dict[str, tuple[int, float]]:
        """Increment several windows (key, seconds) in one upsert; each key's count and when its window ends."""
        now = time.time()
        parameters: dict[str, Any] = {"amount": amount, "now": now}
        for n, (key, expiry) in enumerate(windows):
            parameters[f"key{n}"], parameters[f"expires{n}"] = key, now + expiry
        with self._connection() as connection:
            rows = connection.execute(_increments(len(windows)), parameters).all()
            self._increments += len(windows)
            if self._increments % PURGE_EVERY < len(windows):
                connection.execute(delete(RateCounter).where(RateCounter.expires_at < now - 60))
        return {str(key): (int(count), float(ends_at)) for key, count, ends_at in rows}

    def _row(self, key: str) -> Any:
        with self._connection() as connection:
            return connection.execute(select(RateCounter.count, RateCounter.expires_at)
                                      .where(RateCounter.key == key)).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.count) if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self._connection() as connection:
                connection.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._connection() as connection:
            return int(connection.execute(delete(RateCounter)).rowcount)

    def clear(self, key: str) -> None:
        with self._connection() as connection:
            connection.execute(delete(RateCounter).where(RateCounter.key == key))


@dataclass(frozen=True)
class Refusal:
    """Which limit refused, and in how many seconds its window ends (Retry-After)."""

    limit: str
    retry_after_s: int


class Limiter:
    """The server's limits on personal look-ups, over a DatabaseStorage."""

    def __init__(self, engine: Engine, policy: LimitPolicy) -> None:
        self.policy = policy
        self.storage = DatabaseStorage(engine)
        self._strategy = FixedWindowRateLimiter(self.storage)
        self._limits: dict[str, list[RateLimitItem]] = {
            "kiosk": parse_many(policy.per_kiosk), "person": parse_many(policy.per_person),
            "number": parse_many(policy.per_number), "login": parse_many(LOG_INS_PER_NAME)}

    def hit(self, scope: str, identifier: str) -> Refusal | None:
        """Count one use against every limit of the scope; the first refusal, if any."""
        return self.hit_all([(scope, identifier)])

    def hit_all(self, uses: Sequence[tuple[str, str]]) -> Refusal | None:
        """Count one use against every limit of each (scope, identifier); the first refusal in that order, if any.

        What `limits`' FixedWindowRateLimiter.hit does (increment, then compare with the limit's amount), for all
        the windows of all the scopes in one statement instead of one round trip each: a look-up by ID card
        counts against its kiosk and its person at once, also when the kiosk's limit is what refuses it."""
        windows = [(scope, item, item.key_for(scope, identifier)) for scope, identifier in uses
                   for item in self._limits[scope]]
        counted = self.storage.incr_many([(key, item.get_expiry()) for _scope, item, key in windows])
        for scope, item, key in windows:
            count, ends_at = counted[key]
            if count > item.amount:
                return Refusal(f"{scope} {item}", max(1, int(ends_at - time.time() + 0.999)))
        return None

    def would_refuse(self, scope: str, identifier: str) -> Refusal | None:
        """Whether the next use would be refused, counting nothing (wrong codes count only when wrong)."""
        for item in self._limits[scope]:
            if not self._strategy.test(item, scope, identifier):
                reset = self._strategy.get_window_stats(item, scope, identifier).reset_time
                return Refusal(f"{scope} {item}", max(1, int(reset - time.time() + 0.999)))
        return None

    def refusals_this_hour(self, kiosk_id: str) -> int:
        return self.storage.incr(f"refusals/{kiosk_id}", 3600)

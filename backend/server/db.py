"""Engines, sessions and migrations for SQLite (the default, no set-up) and PostgreSQL (a database URL).

SQLite runs in WAL mode with synchronous=FULL, and every transaction starts with BEGIN IMMEDIATE so that
concurrent writers queue on the busy timeout instead of failing half-way with "database is locked".
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def normalize_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, durable: bool = True) -> Engine:
    """durable=False: commits are not synced to disk one by one (SQLite synchronous=NORMAL, PostgreSQL
    synchronous_commit=off). Only for data whose loss in a power cut is harmless, like seen nonces."""
    url = normalize_url(url)
    # hide_parameters: an error's text never carries the statement's values (names, ID digests) to a log.
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_connect(durable))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    options = {} if durable else {"options": "-c synchronous_commit=off"}
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, connect_args=options,
                         hide_parameters=True, pool_timeout=5)


def _sqlite_connect(durable: bool) -> Any:
    def connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
        cursor = dbapi_connection.cursor()
        # mmap_size=0: no memory-mapped reads of the database file, which turn an I/O error or a file cut
        # short into SIGBUS (the process dies) instead of an error SQLite reports.
        for pragma in ("journal_mode=WAL", f"synchronous={'FULL' if durable else 'NORMAL'}", "foreign_keys=ON",
                       "busy_timeout=30000", "secure_delete=ON", "mmap_size=0"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return connect


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything here is stored in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


STORAGE_RETRY_AFTER_S = 30


def storage_fault(exc: BaseException) -> str | None:
    """What kind of storage fault an exception is ("full", "read_only", "unavailable"), or None when it is no
    storage fault (an integrity error is the code's business, not the disk's)."""
    if not isinstance(exc, DBAPIError) or isinstance(exc, IntegrityError):
        return None
    text = str(getattr(exc, "orig", exc)).lower()
    if "full" in text or "no space" in text or "could not extend" in text:
        return "full"
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "read_only"
    return "unavailable"

"""Engines, sessions and migrations for SQLite (the default, no set-up) and PostgreSQL (a database URL).

SQLite runs in WAL mode with synchronous=FULL, and every transaction starts with BEGIN IMMEDIATE so that
concurrent writers queue on the busy timeout instead of failing half-way with "database is locked".
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
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
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connect(durable))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    options = {} if durable else {"options": "-c synchronous_commit=off"}
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, connect_args=options)


def _sqlite_connect(durable: bool) -> Any:
    def connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", f"synchronous={'FULL' if durable else 'NORMAL'}", "foreign_keys=ON",
                       "busy_timeout=30000", "secure_delete=ON"):
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

"""Storage faults (issue #13): a full disk, a read-only or unreachable database answer 503 with Retry-After
and one log line, never a traceback with the statement's parameters; the server lives on, and the kiosk
queues what it could not deliver and delivers each application exactly once when the fault clears.

SQLite: a full disk is SQLite's own SQLITE_FULL (the file may not grow: `max_page_count`), a read-only
database is `query_only`. PostgreSQL: the database is made read-only (`default_transaction_read_only`), or
refuses connections (`ALLOW_CONNECTIONS false`), and the server's connections are cut.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, event, text

from backend.server.db import normalize_url
from kiosk.core.catalog import Item
from kiosk.core.records import ApplicationStatus
from kiosk.remote.client import HttpBackend, application_json
from kiosk.remote.transport import TransportError
from tests.backend.conftest import Served, application


@contextmanager
def sqlite_pragma(served: Served, pragma: str) -> Iterator[None]:
    def on_connect(connection: Any, _record: Any) -> None:
        connection.execute(f"PRAGMA {pragma}")

    engines = (served.state.engine, served.state.nonce_engine)
    for engine in engines:
        event.listen(engine, "connect", on_connect)
        engine.dispose()
    try:
        yield
    finally:
        for engine in engines:
            event.remove(engine, "connect", on_connect)
            engine.dispose()


@contextmanager
def postgres_setting(served: Served, setting: str, reset: str) -> Iterator[None]:
    url = served.state.settings.database_url
    name = url.rsplit("/", 1)[1]
    admin = create_engine(normalize_url(url.rsplit("/", 1)[0] + "/postgres"), isolation_level="AUTOCOMMIT")

    def apply(statement: str) -> None:
        with admin.connect() as connection:
            connection.execute(text(statement.format(name=name)))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})

    apply(setting)
    try:
        yield
    finally:
        apply(reset)
        admin.dispose()


FAULTS: dict[str, dict[str, Callable[[Served], Any]]] = {
    "sqlite": {"full": lambda s: sqlite_pragma(s, "max_page_count=1"),
               "read_only": lambda s: sqlite_pragma(s, "query_only=ON")},
    "postgresql": {
        "read_only": lambda s: postgres_setting(s, 'ALTER DATABASE "{name}" SET default_transaction_read_only = on',
                                                'ALTER DATABASE "{name}" RESET default_transaction_read_only'),
        "unavailable": lambda s: postgres_setting(s, 'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false',
                                                  'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')},
}


@pytest.mark.parametrize("fault", ["first", "second"])
def test_a_storage_fault_is_503_and_the_kiosk_delivers_everything_once_afterwards(
        served: Served, client: HttpBackend, apply_item: Item, fault: str, caplog: pytest.LogCaptureFixture) -> None:
    dialect = served.state.engine.dialect.name
    kind = sorted(FAULTS[dialect])[0 if fault == "first" else 1]
    before = [client.submit(application(apply_item, n)) for n in range(3)]
    assert all(r.status == ApplicationStatus.RECEIVED for r in before)
    caplog.set_level(logging.INFO)
    with FAULTS[dialect][kind](served):
        results = [client.submit(application(apply_item, n)) for n in range(3, 40)]
        with pytest.raises(TransportError) as refused:
            client.transport.request("POST", "/v1/applications", application_json(application(apply_item, 99)),
                                     idempotency_key="fault-000099", retry=False)
        if kind != "full":  # a full file still takes what fits in its free pages: the later ones get 503
            assert all(r.status == ApplicationStatus.QUEUED for r in results), kind
        assert any(r.status == ApplicationStatus.QUEUED for r in results)
        assert refused.value.http_status == 503 and refused.value.retry_after_s == 30
        assert refused.value.code == "storage_unavailable"
        assert served.server._thread.is_alive()
    lines = [r for r in caplog.records if r.getMessage() == "storage_unavailable"]
    assert lines and not any(r.exc_info for r in caplog.records), "no tracebacks"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.getMessage() != "storage_unavailable"]
    assert requests.get(served.url + "/v1/health", timeout=5).status_code == 200
    # the fault cleared: the kiosk delivers every queued application, each once
    flushed = client.flush(timeout_s=30)
    assert flushed.pending == 0 and flushed.rejected == 0
    with served.state.engine.connect() as connection:
        references = connection.execute(text("SELECT local_reference FROM applications")).scalars().all()
    assert sorted(references) == sorted(application(apply_item, n).local_reference for n in range(40))

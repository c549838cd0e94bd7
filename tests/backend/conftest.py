"""Fixtures for the backend: a real server on a loopback port (SQLite, or PostgreSQL when CI provides one),
enrolled kiosk credentials, and real clients with their own outbox.

PostgreSQL comes from scripts/services.d/postgresql.sh, which exports KIOSK_TEST_POSTGRES_URL (a role
that may create databases); each test gets a database of its own.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from backend.contract import crypto
from backend.contract.keys import KioskCredential
from backend.server.admin import enroll, new_staff_token
from backend.server.db import normalize_url
from backend.server.state import ServerSettings, ServerState, build_state
from kiosk.composition.embedded_backend import LocalServer
from kiosk.core.catalog import Catalog, Item
from kiosk.remote.client import HttpBackend
from tests.backend.samples import KIOSK_ID, ROOT_DIR, application, make_catalog, make_client, person

__all__ = ["KIOSK_ID", "ROOT_DIR", "application", "make_catalog", "make_client", "person"]
POSTGRES_ENV = "KIOSK_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def test_catalog() -> Catalog:
    return make_catalog()


@pytest.fixture(scope="session")
def apply_item(test_catalog: Catalog) -> Item:
    return test_catalog.items[0]


def postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url and os.environ.get("CI"):
        pytest.fail(f"{POSTGRES_ENV} is not set: scripts/services.d/postgresql.sh should have started PostgreSQL")
    return url


def fresh_postgres_database(base_url: str) -> tuple[str, str]:
    name = f"kiosk_test_{secrets.token_hex(4)}"
    admin = create_engine(normalize_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base_url.rsplit("/", 1)[0] + f"/{name}", name


def drop_postgres_database(base_url: str, name: str) -> None:
    """Best effort: an autovacuum worker may hold the database a moment; a left-over test database is harmless."""
    admin = create_engine(normalize_url(base_url), isolation_level="AUTOCOMMIT")
    for _attempt in range(5):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            break
        except DBAPIError:
            time.sleep(0.2)
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip(f"no PostgreSQL here: run scripts/services.d/postgresql.sh and export {POSTGRES_ENV}")
    url, name = fresh_postgres_database(base)
    yield url
    drop_postgres_database(base, name)


@dataclass
class Served:
    state: ServerState
    server: LocalServer
    credential: KioskCredential
    staff_token: str

    @property
    def url(self) -> str:
        return self.server.url


def serve(database_url: str, key_dir: Path, catalog: Catalog | None, profile: crypto.Profile = "national",
          port: int = 0) -> LocalServer:
    settings = ServerSettings(database_url=database_url, key_dir=key_dir, profile=profile, division_code="220102")
    server = LocalServer(build_state(settings, catalog), port=port)
    server.start()
    return server


@pytest.fixture
def served(database_url: str, tmp_path: Path, test_catalog: Catalog) -> Iterator[Served]:
    server = serve(database_url, tmp_path / "server-keys", test_catalog)
    credential = enroll(server.state, KIOSK_ID)
    yield Served(server.state, server, credential, new_staff_token(server.state, "窗口一"))
    server.stop()




@pytest.fixture
def client(served: Served, tmp_path: Path) -> Iterator[HttpBackend]:
    backend = make_client(served.url, served.credential, tmp_path / "kiosk")
    yield backend
    backend.close()




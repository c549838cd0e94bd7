"""Fixtures for the backend: a real server on a loopback port (SQLite, or PostgreSQL when CI provides one),
enrolled kiosk credentials, and real clients with their own outbox.

PostgreSQL comes from scripts/services.d/postgresql.sh, which exports KIOSK_TEST_POSTGRES_URL (a role
that may create databases); each test gets a database of its own.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from backend.client import HttpBackend
from backend.keys import KioskCredential
from backend.local import LocalServer
from backend.server.admin import enroll, new_staff_token
from backend.server.db import normalize_url
from backend.server.state import ServerSettings, ServerState, build_state
from backend.transport import Backoff, Transport
from kiosk import crypto
from kiosk.catalog import Catalog, Item, Source, default_catalog_dir
from kiosk.identity import CardType, Identity, Sex
from kiosk.outbox import Outbox
from kiosk.records import Application

KIOSK_ID = "JL-TEST-001"
ROOT_DIR = Path(__file__).resolve().parent.parent.parent
POSTGRES_ENV = "KIOSK_TEST_POSTGRES_URL"


def _apply_item() -> Item:
    for path in sorted((default_catalog_dir() / "items").glob("*.toml")):
        item = Item.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        if item.kiosk_action == "apply":
            return item
    raise AssertionError("the shipped catalog has no apply item")


def _sources(items: list[Item]) -> tuple[Source, ...]:
    refs = set()
    for item in items:
        dumped = item.model_dump()
        stack: list[object] = [dumped]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                refs.update(node.get("sources", []) if isinstance(node.get("sources"), list) else [])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    return tuple(Source(id=ref, title=f"source {ref}", grade="A") for ref in sorted(refs))


def make_catalog() -> Catalog:
    """One apply item from the shipped catalog, plus two appointment items made from it."""
    apply_item = _apply_item()
    appointment = {"kiosk_action": "appointment", "parties": 2, "category": "marriage", "form_fields": []}
    marriage = apply_item.model_copy(update={"id": "marriage-registration", "code": "JL-MZ-L04", **appointment})
    divorce = apply_item.model_copy(update={"id": "divorce-registration", "code": "JL-MZ-L05", **appointment})
    items = [apply_item, marriage, divorce]
    return Catalog(tuple(items), (), _sources(items))


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
    admin = create_engine(normalize_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
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


def make_client(url: str, credential: KioskCredential, folder: Path, start_sender: bool = False,
                quick_s: float = 2.0, backoff: Backoff | None = None) -> HttpBackend:
    key = crypto.load_or_create_data_key(folder / "outbox.key", credential.profile)
    outbox = Outbox(folder / "outbox.sqlite3", key, credential.profile)
    return HttpBackend(Transport(url, credential, timeout_s=5.0), outbox, quick_s=quick_s,
                       start_sender=start_sender, backoff=backoff)


@pytest.fixture
def client(served: Served, tmp_path: Path) -> Iterator[HttpBackend]:
    backend = make_client(served.url, served.credential, tmp_path / "kiosk")
    yield backend
    backend.close()


def person(n: int, name: str = "测试申请人") -> Identity:
    """A valid-looking identity, distinct for each n."""
    from kiosk.identity import check_char

    first17 = f"22010219{80 + n % 20:02d}0101{n % 1000:03d}"
    return Identity(card_type=CardType.RESIDENT, name=f"{name}{n}", id_number=first17 + check_char(first17),
                    sex=Sex.MALE, birth_date=date(1980 + n % 20, 1, 1), nation="汉",
                    address=f"吉林省长春市南关区某路{n}号",
                    issuing_authority="长春市公安局南关分局", valid_from=date(2015, 1, 1), valid_until="长期")


def application(item: Item, n: int, kiosk_id: str = KIOSK_ID, key_prefix: str = "s") -> Application:
    applicant = person(n)
    values = []
    for spec in item.form_fields:
        if spec.source == "card":
            values.append((spec.id, applicant.id_number if spec.card_attribute == "id_number" else applicant.name))
        elif spec.type == "choice":
            values.append((spec.id, spec.choices[0].value))
        elif spec.type == "phone":
            values.append((spec.id, "13912345678"))
        else:
            values.append((spec.id, "1"))
    session_hex = hashlib.sha256(f"{key_prefix}-{n}".encode()).hexdigest()[:10].upper()
    return Application(idempotency_key=f"{key_prefix}-{n:06d}:apply", local_reference=f"{kiosk_id}-{session_hex}",
                       kiosk_id=kiosk_id, item_id=item.id, applicant=applicant, fields=tuple(values),
                       submitted_at=datetime.now(UTC))

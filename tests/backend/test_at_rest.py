"""Personal data at rest: neither the kiosk's outbox nor the server's database holds a name or ID number in the
clear. SQLite files (with their WAL) are searched byte by byte; PostgreSQL row by row, every column."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import MetaData, select

from backend.server.state import CHINA
from kiosk.core.catalog import Item
from kiosk.core.records import Booking
from kiosk.remote.client import HttpBackend
from tests.backend.conftest import Served, application, make_client, person


def secrets_of(n: int) -> list[bytes]:
    someone = person(n)
    return [s.encode() for s in (someone.name, someone.id_number, someone.id_number[6:14], someone.address,
                                 "13912345678")]


def test_no_plaintext_personal_data_at_rest(served: Served, client: HttpBackend, apply_item: Item,
                                            tmp_path: Path) -> None:
    for n in range(5):
        client.submit(application(apply_item, n))
    slot = client.appointment_slots("marriage-registration", datetime.now(CHINA).date(), 14)[0]
    client.book(Booking("rest-1:book", "marriage-registration", slot.slot_id, (person(5), person(6)),
                        phone="13912345678"))
    number = client.submit(application(apply_item, 7)).application_number or ""
    client.rate(number, 1, "rest-r:rate", comment=person(7).name)
    client.flush(timeout_s=10)
    # some applications still waiting in an outbox when the server is away
    offline = make_client("http://127.0.0.1:9", served.credential, tmp_path / "offline-kiosk", quick_s=0.3)
    for n in range(8, 11):
        assert offline.submit(application(apply_item, n, key_prefix="o")).application_number is None
    offline.close()

    found: list[str] = []
    secrets = [s for n in range(11) for s in secrets_of(n)]
    kiosk_files = [*(tmp_path / "kiosk").glob("outbox.sqlite3*"), *(tmp_path / "offline-kiosk").glob("outbox.sqlite3*")]
    assert any(f.name.endswith("-wal") for f in kiosk_files)
    server_url = served.state.settings.database_url
    server_files = list(Path(server_url.removeprefix("sqlite:///")).parent.glob("server.sqlite3*")) \
        if server_url.startswith("sqlite") else []
    for path in kiosk_files + server_files:
        data = path.read_bytes()
        found += [f"{s.decode()} in {path.name}" for s in secrets if s in data]
    metadata = MetaData()
    metadata.reflect(served.state.engine)
    with served.state.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for value in row:
                    raw = value if isinstance(value, bytes) else str(value).encode()
                    found += [f"{s.decode()} in {table.name}" for s in secrets if s in raw]
    assert found == []
    assert server_files or served.state.engine.dialect.name == "postgresql"

"""`kiosk-backend backup` and `restore`: a server rebuilt from the archive alone answers the same kiosk with the
same key, finds its applications by the applicant's ID number (the blind index needs the server key) and
keeps its staff tokens; a damaged archive and a restore over live data are refused."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest

from backend.server.cli import main as backend_main
from backend.server.state import ServerSettings, build_state
from kiosk.composition.embedded_backend import LocalServer
from kiosk.core.catalog import Catalog, Item
from kiosk.core.records import Booking, ProgressQuery
from tests.backend.conftest import (
    Served,
    application,
    drop_postgres_database,
    fresh_postgres_database,
    make_client,
    person,
    postgres_url,
)


def test_backup_and_restore_rebuild_the_server(served: Served, tmp_path: Path, apply_item: Item,
                                               test_catalog: Catalog, capsys: pytest.CaptureFixture[str]) -> None:
    client = make_client(served.url, served.credential, tmp_path / "kiosk")
    number = client.submit(application(apply_item, 5)).application_number
    slot = client.appointment_slots("marriage-registration", date.today(), 14)[0]
    client.book(Booking("bk-1:book", "marriage-registration", slot.slot_id, (person(30), person(31))))
    client.heartbeat("ready")
    client.close()
    settings = served.state.settings
    archive = tmp_path / "backup.tar.gz"
    assert backend_main(["backup", "--out", str(archive), "--database", settings.database_url,
                         "--key-dir", str(settings.key_dir)]) == 0
    assert "it holds the server's keys" in capsys.readouterr().out
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    restored_db = f"sqlite:///{tmp_path / 'restored.sqlite3'}"  # from PostgreSQL too: the rows are portable
    keys = tmp_path / "restored-keys"
    assert backend_main(["restore", str(archive), "--database", restored_db, "--key-dir", str(keys)]) == 0
    assert stat.S_IMODE((keys / "server.key").stat().st_mode) == 0o600
    state = build_state(ServerSettings(database_url=restored_db, key_dir=keys, profile=settings.profile,
                                       division_code="220102"), test_catalog)
    assert state.keys.key_id == served.state.keys.key_id
    server = LocalServer(state)
    server.start()
    try:
        again = make_client(server.url, served.credential, tmp_path / "kiosk-again")  # the kiosk's old key
        found = again.progress(ProgressQuery(id_number=person(5).id_number))
        assert [r.application_number for r in found] == [number]
        after = {s.slot_id: s.remaining for s in again.appointment_slots("marriage-registration", date.today(), 14)}
        assert after[slot.slot_id] == slot.remaining - 1
        again.heartbeat("ready")
        again.close()
    finally:
        server.stop()
    capsys.readouterr()
    refused = backend_main(["restore", str(archive), "--database", restored_db, "--key-dir", str(keys)])
    assert refused == 2 and "exists: restore into a fresh key folder" in capsys.readouterr().err


def test_a_damaged_backup_or_one_without_keys_is_refused(served: Served, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    settings = served.state.settings
    archive = tmp_path / "backup.tar.gz"
    assert backend_main(["backup", "--out", str(archive), "--database", settings.database_url,
                         "--key-dir", str(settings.key_dir)]) == 0
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x55
    archive.write_bytes(bytes(data))
    target = ["--database", f"sqlite:///{tmp_path / 'r.sqlite3'}", "--key-dir", str(tmp_path / "r-keys")]
    capsys.readouterr()
    assert backend_main(["restore", str(archive), *target]) == 2
    assert "kiosk-backend restore:" in capsys.readouterr().err
    assert not (tmp_path / "r-keys" / "server.key").exists()
    assert backend_main(["backup", "--out", str(tmp_path / "b2.tar.gz"), "--database", settings.database_url,
                         "--key-dir", str(tmp_path / "no-keys")]) == 2
    assert "a backup without the server's keys cannot be read" in capsys.readouterr().err


def test_a_postgresql_restore_takes_new_rows_after_the_restored_ones(served: Served, tmp_path: Path,
                                                                     apply_item: Item, test_catalog: Catalog) -> None:
    """Ids come back as they were, so the restored database's sequences must be moved past them."""
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL (scripts/services.d/postgresql.sh starts one)")
    client = make_client(served.url, served.credential, tmp_path / "kiosk")
    first = client.submit(application(apply_item, 6)).application_number
    client.close()
    settings = served.state.settings
    archive = tmp_path / "backup.tar.gz"
    assert backend_main(["backup", "--out", str(archive), "--database", settings.database_url,
                         "--key-dir", str(settings.key_dir)]) == 0
    url, name = fresh_postgres_database(base)
    try:
        keys = tmp_path / "pg-keys"
        assert backend_main(["restore", str(archive), "--database", url, "--key-dir", str(keys)]) == 0
        state = build_state(ServerSettings(database_url=url, key_dir=keys, profile=settings.profile,
                                           division_code="220102"), test_catalog)
        server = LocalServer(state)
        server.start()
        try:
            again = make_client(server.url, served.credential, tmp_path / "kiosk-pg")
            second = again.submit(application(apply_item, 7, key_prefix="after")).application_number
            assert second != first and len(again.progress(ProgressQuery(application_number=first))) == 1
            again.close()
        finally:
            server.stop()
            state.engine.dispose()
            state.nonce_engine.dispose()
    finally:
        drop_postgres_database(base, name)

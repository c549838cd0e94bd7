"""Progress by ID card stays, limited the way a physical reader limits it (issue #13).

The attacker has one kiosk's key and a list of ID numbers (one district and birth year): without limits the
server answered ~200 a second, telling who applied for 两项补贴 or 孤儿 support. Now a kiosk gets 429 with
Retry-After within the first few dozen queries, every query is audited, the kiosk is flagged for staff and,
by policy, quarantined.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from backend.server.cli import main as backend_cli
from kiosk.core.catalog import Catalog, Item
from kiosk.core.health import DeviceError, Reason
from kiosk.core.identity import check_char
from kiosk.core.records import ProgressQuery
from kiosk.remote.client import HttpBackend
from kiosk.remote.transport import Transport, TransportError
from tests.backend.conftest import Served, application, person, serve
from tests.security.conftest import INTRUDER_ID


def id_number(n: int) -> str:
    """Candidate numbers as a brute force walks them: one district, one birth year, every serial."""
    first17 = f"220102198503{1 + n // 1000 % 28:02d}{n % 1000:03d}"
    return first17 + check_char(first17)


def brute_force(transport: Transport, tries: int) -> tuple[int, TransportError | None]:
    """How many queries were answered before the first refusal, and the refusal."""
    for n in range(tries):
        try:
            transport.request("POST", "/v1/progress-queries", {"id_number": id_number(n)}, retry=False)
        except TransportError as exc:
            return n, exc
    return tries, None


def test_an_id_number_brute_force_is_refused_429_within_the_first_few_dozen(intruder: Transport) -> None:
    answered, refusal = brute_force(intruder, 60)
    assert refusal is not None, f"{answered} ID numbers answered without a limit"
    assert answered <= 30
    assert (refusal.http_status, refusal.code) == (429, "rate_limited")
    assert refusal.retry_after_s is not None and 1 <= refusal.retry_after_s <= 60
    assert refusal.reason == Reason.BACKEND_BUSY


def test_one_id_number_is_limited_across_kiosks_and_server_processes(
        served: Served, database_url: str, tmp_path: Path, test_catalog: Catalog, intruder_credential: object,
        intruder: Transport, client: HttpBackend) -> None:
    """Two servers on one database stand for two workers: the counters are the database's, not a process's."""
    second = serve(database_url, tmp_path / "server-keys", test_catalog)
    try:
        other_worker = Transport(second.url, intruder.credential, timeout_s=5)
        target = {"id_number": person(42).id_number}
        statuses = []
        for n in range(8):
            transport = (other_worker, client.transport)[n % 2] if n % 4 < 2 else (intruder, other_worker)[n % 2]
            try:
                statuses.append(transport.request("POST", "/v1/progress-queries", target, retry=False).status)
            except TransportError as exc:
                statuses.append(exc.http_status or 0)
        other_worker.close()
    finally:
        second.stop()
    assert statuses[:6] == [200] * 6 and statuses[6:] == [429, 429], statuses


def test_every_lookup_is_audited_with_a_hashed_id_number(served: Served, client: HttpBackend,
                                                         apply_item: Item, intruder: Transport) -> None:
    app = application(apply_item, 1)
    client.submit(app)
    client.progress(ProgressQuery(id_number=app.applicant.id_number))
    brute_force(intruder, 3)
    with served.state.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT kiosk_id, kind, person_index, outcome, count FROM lookup_audit ORDER BY id")).all()
        everything = json.dumps([list(map(str, r)) for r in connection.execute(
            text("SELECT * FROM lookup_audit")).all()])
    assert [tuple(r[:2]) for r in rows] == [(client.kiosk_id, "id_card")] + [(INTRUDER_ID, "id_card")] * 3
    assert rows[0][2] == served.state.person_index(app.applicant.id_number)
    assert (rows[0][3], rows[0][4]) == ("answered", 1)
    assert [(r[3], r[4]) for r in rows[1:]] == [("answered", 0)] * 3
    assert app.applicant.id_number not in everything and id_number(0) not in everything


def test_the_lookup_audit_is_append_only_but_a_refusal_still_marks_its_own_row(
        served: Served, intruder: Transport) -> None:
    answered, refusal = brute_force(intruder, 40)
    assert refusal is not None
    outcomes = audit_outcomes(served)
    assert outcomes == ["answered"] * answered + ["limited"]  # marked inside the look-up's own transaction
    newest = len(outcomes)
    for statement in ("DELETE FROM lookup_audit", f"DELETE FROM lookup_audit WHERE id = {newest}",
                      "UPDATE lookup_audit SET kiosk_id = 'someone-else'",
                      "UPDATE lookup_audit SET outcome = 'limited', count = 0 WHERE id = 1",  # hiding an answer
                      f"UPDATE lookup_audit SET outcome = 'answered' WHERE id = {newest}",
                      f"UPDATE lookup_audit SET outcome = 'limited', person_index = NULL WHERE id = {newest}",
                      *(["TRUNCATE lookup_audit"] if served.state.engine.dialect.name == "postgresql" else [])):
        with pytest.raises(DBAPIError, match="append-only"), served.state.engine.begin() as connection:
            connection.execute(text(statement))
    assert audit_outcomes(served) == outcomes


def audit_outcomes(served: Served) -> list[str]:
    with served.state.engine.connect() as connection:
        return [r[0] for r in connection.execute(text("SELECT outcome FROM lookup_audit ORDER BY id")).all()]


def test_a_kiosk_breaking_the_limits_is_flagged_and_quarantined(
        served: Served, intruder: Transport, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    statuses = []
    for n in range(45):  # a script that does not wait
        try:
            statuses.append(intruder.request("POST", "/v1/progress-queries", {"id_number": id_number(n)},
                                             retry=False).status)
        except TransportError as exc:
            statuses.append(exc.http_status or 0)
    assert statuses.count(200) == 10 and 429 in statuses
    with pytest.raises(TransportError) as after:
        intruder.request("POST", "/v1/progress-queries", {"id_number": id_number(999)}, retry=False)
    assert (after.value.http_status, after.value.code) == (403, "kiosk_quarantined")
    key_dir = served.state.settings.key_dir
    assert backend_cli(["alerts", "--json", "--database", served.state.settings.database_url,
                        "--key-dir", str(key_dir), "--home", str(tmp_path / "home")]) == 0
    alerts = json.loads(capsys.readouterr().out)
    assert {(a["kiosk_id"], a["kind"]) for a in alerts} == {(INTRUDER_ID, "lookup_limit"), (INTRUDER_ID, "quarantined")}
    assert all(a["quarantined"] for a in alerts)
    assert backend_cli(["release", INTRUDER_ID, "--database", served.state.settings.database_url,
                        "--key-dir", str(key_dir), "--home", str(tmp_path / "home")]) == 0
    with pytest.raises(TransportError) as released:  # released, but its window is still full
        intruder.request("POST", "/v1/progress-queries", {"id_number": id_number(998)}, retry=False)
    assert released.value.http_status == 429


def test_guessing_a_receipts_query_code_is_limited_per_number(
        client: HttpBackend, intruder: Transport, apply_item: Item) -> None:
    victim = client.submit(application(apply_item, 2))
    number = victim.application_number
    refused_at = None
    for n in range(12):
        guess = f"{(int(victim.query_code) + 1 + n) % 10 ** 8:08d}"
        try:
            intruder.request("POST", "/v1/application-lookups", {"application_number": number, "query_code": guess},
                             retry=False)
        except TransportError as exc:
            if exc.http_status == 429:
                refused_at = n
                break
            assert exc.http_status == 404
    assert refused_at is not None and refused_at <= 6


def test_the_kiosk_tells_the_citizen_to_wait(served: Served, client: HttpBackend) -> None:
    for n in range(10):
        client.progress(ProgressQuery(id_number=id_number(n)))
    with pytest.raises(DeviceError) as waited:
        client.progress(ProgressQuery(id_number=id_number(10)))
    assert waited.value.reason == Reason.BACKEND_BUSY


def test_refused_lookups_are_audited_as_limited_and_a_quarantined_kiosks_as_quarantined(
        served: Served, intruder: Transport) -> None:
    brute_force(intruder, 12)  # stops at the first refusal, the 11th
    with served.state.engine.begin() as connection:
        connection.execute(text("UPDATE kiosks SET quarantined_at = CURRENT_TIMESTAMP WHERE kiosk_id = :k"),
                           {"k": INTRUDER_ID})
    brute_force(intruder, 1)
    with served.state.engine.connect() as connection:
        rows = connection.execute(text("SELECT outcome, count FROM lookup_audit WHERE kiosk_id = :k ORDER BY id"),
                                  {"k": INTRUDER_ID}).all()
    assert [tuple(r) for r in rows] == [("answered", 0)] * 10 + [("limited", 0), ("quarantined", 0)]

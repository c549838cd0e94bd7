"""The contract end to end: the real client, over HTTP, against the real server on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from backend.server.models import Application as ApplicationRow
from backend.server.models import IdempotentResponse, Rating
from backend.server.state import CHINA
from kiosk.core.catalog import Item
from kiosk.core.health import Reason, Status
from kiosk.core.records import ApplicationStatus, Booking, ProgressQuery, SubmitResult
from kiosk.remote.catalog_sync import CatalogRefused, CatalogStore
from kiosk.remote.client import HttpBackend
from kiosk.remote.transport import TransportError, encode
from tests.backend.conftest import Served, application, person


def count_applications(served: Served) -> int:
    with served.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ApplicationRow)) or 0)


def staff(served: Served, method: str, path: str, body: object = None) -> requests.Response:
    return requests.request(method, served.url + path, json=body, timeout=5,
                            headers={"Authorization": f"Bearer {served.staff_token}"})


def test_submit_returns_the_server_number_and_a_replay_creates_nothing(
        served: Served, client: HttpBackend, apply_item: Item) -> None:
    app = application(apply_item, 1)
    first = client.submit(app)
    assert first.status == ApplicationStatus.RECEIVED
    assert first.application_number and first.application_number.startswith("220102")
    assert first.local_reference == app.local_reference
    assert first.query_code.isdigit() and len(first.query_code) == 8  # for the receipt
    # the same application again (the citizen pressed retry): same number, nothing new on the server; the
    # query code was handed out once and is not kept at the kiosk
    assert client.submit(app) == SubmitResult(first.local_reference, first.application_number, first.status)
    # and a replay that reaches the server (the outbox lost track of it) gets the first response
    answer = client.transport.request("POST", "/v1/applications", raw_body=encode(_wire(app)),
                                      idempotency_key=app.idempotency_key)
    assert answer.replayed and answer.body["application_number"] == first.application_number
    assert count_applications(served) == 1


def _wire(app: object) -> dict[str, object]:
    from kiosk.remote.client import application_json

    return application_json(app)  # type: ignore[arg-type]


def test_the_same_key_with_another_body_is_a_conflict(served: Served, client: HttpBackend,
                                                       apply_item: Item) -> None:
    app = application(apply_item, 2)
    client.submit(app)
    other = _wire(application(apply_item, 3))
    with pytest.raises(TransportError) as caught:
        client.transport.request("POST", "/v1/applications", other, idempotency_key=app.idempotency_key)
    assert caught.value.http_status == 409 and caught.value.code == "idempotency_conflict"
    assert caught.value.permanent
    assert count_applications(served) == 1


def test_unknown_items_and_appointment_items_are_refused(client: HttpBackend, apply_item: Item) -> None:
    body = _wire(application(apply_item, 4))
    for item_id, code in (("no-such-item", "unknown_item"), ("marriage-registration", "not_an_apply_item")):
        with pytest.raises(TransportError) as caught:
            client.transport.request("POST", "/v1/applications", {**body, "item_id": item_id},
                                     idempotency_key=f"key-{item_id}")
        assert (caught.value.http_status, caught.value.code) == (422, code)


def test_progress_by_card_by_number_and_by_local_reference(served: Served, client: HttpBackend,
                                                           apply_item: Item) -> None:
    app = application(apply_item, 5)
    result = client.submit(app)
    client.submit(application(apply_item, 6))
    mine = client.progress(ProgressQuery(id_number=app.applicant.id_number))
    assert [r.application_number for r in mine] == [result.application_number]
    assert mine[0].status == ApplicationStatus.RECEIVED and mine[0].item_id == apply_item.id
    assert client.progress(ProgressQuery(application_number=result.application_number or "")) == mine
    assert [r.application_number for r in client.progress(ProgressQuery(application_number=app.local_reference))] \
        == [result.application_number]
    assert client.progress(ProgressQuery(application_number="220102209901010000")) == []
    assert client.progress(ProgressQuery(id_number=person(999).id_number)) == []


def test_staff_move_an_application_through_its_states(served: Served, client: HttpBackend,
                                                      apply_item: Item) -> None:
    app = application(apply_item, 7)
    number = client.submit(app).application_number
    listed = staff(served, "GET", "/v1/staff/applications?status=received").json()
    assert listed["total"] == 1
    summary = listed["applications"][0]
    assert summary["application_number"] == number
    assert app.applicant.name not in json.dumps(listed, ensure_ascii=False)  # masked in lists
    assert summary["applicant_id_number_masked"].startswith(app.applicant.id_number[:3])
    detail = staff(served, "GET", f"/v1/staff/applications/{number}").json()
    assert detail["applicant"]["id_number"] == app.applicant.id_number  # in full for the window
    assert [[f["id"], f["value"]] for f in detail["fields"]] == [list(f) for f in app.fields]

    bad = staff(served, "POST", f"/v1/staff/applications/{number}/transitions", {"to": "completed"})
    assert bad.status_code == 409 and bad.json()["code"] == "invalid_transition"
    assert bad.headers["content-type"] == "application/problem+json"
    no_reason = staff(served, "POST", f"/v1/staff/applications/{number}/transitions", {"to": "rejected"})
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    for to in ("accepted", "forwarded", "completed"):
        moved = staff(served, "POST", f"/v1/staff/applications/{number}/transitions", {"to": to})
        assert moved.status_code == 200, moved.text
    assert [h["to_status"] for h in moved.json()["history"]] == ["accepted", "forwarded", "completed"]
    record = client.progress(ProgressQuery(application_number=number or ""))[0]
    assert record.status == ApplicationStatus.COMPLETED

    other = client.submit(application(apply_item, 8)).application_number
    rejected = staff(served, "POST", f"/v1/staff/applications/{other}/transitions",
                     {"to": "rejected", "reason": "材料不全，请补正后重新申请"})
    assert rejected.status_code == 200
    record = client.progress(ProgressQuery(application_number=other or ""))[0]
    # the reason is told at the window: kiosk answers carry status, step and time only (issue #13)
    assert (record.status, record.note) == (ApplicationStatus.REJECTED, "")


def test_staff_need_a_valid_token(served: Served) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
        answer = requests.get(served.url + "/v1/staff/applications", headers=headers, timeout=5)
        assert answer.status_code == 401 and answer.json()["code"] == "auth_staff"


def test_slots_booking_and_cancelling(served: Served, client: HttpBackend) -> None:
    today = datetime.now(CHINA).date()
    slots = client.appointment_slots("marriage-registration", today, 14)
    assert slots and all(s.remaining == 6 and s.day.weekday() < 5 for s in slots)
    assert all(today <= s.day < today + timedelta(days=14) for s in slots)
    slot = slots[-1]
    couple = (person(10), person(11))
    booking = Booking(idempotency_key="sess-b1:book", item_id="marriage-registration", slot_id=slot.slot_id,
                      parties=couple, phone="13912345678")
    result = client.book(booking)
    assert result.slot.slot_id == slot.slot_id and result.slot.remaining == 5
    assert client.book(booking) == result  # a replay books nothing more
    after = {s.slot_id: s for s in client.appointment_slots("marriage-registration", today, 14)}
    assert after[slot.slot_id].remaining == 5

    with pytest.raises(TransportError) as caught:
        client.cancel_booking(result.booking_number, person(12).id_number)  # not a party
    assert caught.value.code == "booking_not_yours"
    client.cancel_booking(result.booking_number, couple[1].id_number)
    client.cancel_booking(result.booking_number, couple[0].id_number)  # cancelled already: fine
    after = {s.slot_id: s for s in client.appointment_slots("marriage-registration", today, 14)}
    assert after[slot.slot_id].remaining == 6


def test_a_full_slot_is_refused(served: Served, client: HttpBackend) -> None:
    slot = client.appointment_slots("divorce-registration", date.today(), 14)[0]
    for n in range(6):
        client.book(Booking(f"full-{n}:book", "divorce-registration", slot.slot_id, (person(n), person(n + 50))))
    with pytest.raises(TransportError) as caught:
        client.book(Booking("full-6:book", "divorce-registration", slot.slot_id, (person(7), person(57))))
    assert (caught.value.http_status, caught.value.code, caught.value.reason) == (409, "slot_full",
                                                                                  Reason.BACKEND_REJECTED)


def test_booking_checks_item_parties_and_slot(client: HttpBackend) -> None:
    slot = client.appointment_slots("marriage-registration", date.today(), 14)[0]
    cases = [
        (Booking("x-1:book", "marriage-registration", slot.slot_id, (person(1),)), 422, "validation_failed"),
        (Booking("x-2:book", "marriage-registration", "marriage-registration:2020-01-06:09:00",
                 (person(1), person(2))), 404, "slot_not_found"),
        (Booking("x-3:book", "divorce-registration", slot.slot_id, (person(1), person(2))), 404, "slot_not_found"),
    ]
    for booking, status, code in cases:
        with pytest.raises(TransportError) as caught:
            client.book(booking)
        assert (caught.value.http_status, caught.value.code) == (status, code)
    with pytest.raises(TransportError) as caught:
        client.appointment_slots("no-such-item", date.today(), 7)
    assert caught.value.code == "unknown_item"


def test_heartbeat_reaches_the_staff_view(served: Served, client: HttpBackend) -> None:
    from kiosk.core.health import Component, Health

    version = client.heartbeat("ready", [Health.ok(Component.READER), Health.problem(Component.PRINTER,
                                                                                        Reason.PAPER_NEAR_END)])
    assert version == served.state.bundle.version  # type: ignore[union-attr]
    kiosks = staff(served, "GET", "/v1/staff/kiosks").json()["kiosks"]
    beat = kiosks[0]["heartbeat"]
    assert beat["status"] == "ready" and beat["outbox_depth"] == 0
    assert {"component": "printer", "status": "degraded", "reason": "paper_near_end"} in beat["devices"]


def test_signed_catalog_is_kept_only_when_valid_and_newer(served: Served, client: HttpBackend,
                                                          tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "catalog.json", served.credential)
    client.catalog_store = store
    assert client.update_catalog() == served.state.bundle.version  # type: ignore[union-attr]
    kept = store.current()
    assert kept is not None and [i.id for i in kept[1].items] == [i.id for i in served.state.catalog.items]  # type: ignore[union-attr]
    assert client.update_catalog() is None  # the same version again: nothing new

    bundle = client.transport.request("GET", "/v1/catalog").body
    tampered = {**bundle, "version": bundle["version"] + 1,
                "payload": bundle["payload"].replace("marriage-registration", "marriage-registrati0n")}
    with pytest.raises(CatalogRefused, match="bad signature"):
        store.offer(tampered)
    forged = {**bundle, "signature": base64.b64encode(b"\x01" * 64).decode()}
    with pytest.raises(CatalogRefused):
        store.offer(forged)
    # an older, validly signed catalog does not replace a newer one
    older = {**bundle}
    (tmp_path / "catalog.json").write_text(json.dumps({**bundle}), encoding="utf-8")
    assert store.offer(older) is None
    # a catalog file changed on disk is not trusted
    (tmp_path / "catalog.json").write_text(json.dumps(tampered), encoding="utf-8")
    assert store.current() is None


def test_ratings_are_queued_and_delivered(served: Served, client: HttpBackend, apply_item: Item) -> None:
    number = client.submit(application(apply_item, 20)).application_number or ""
    client.rate(number, 1, "sess-r1:rate", comment="很方便")
    client.rate("220102209901019999", 2, "sess-r2:rate")
    result = client.flush(timeout_s=10)
    assert (result.delivered, result.rejected, result.pending) == (1, 1, 0)  # the unknown number is refused
    with served.state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(IdempotentResponse)
                              .where(IdempotentResponse.operation == "rate")) == 1
    with pytest.raises(ValueError):
        client.rate(number, 6, "sess-r3:rate")


def test_a_service_is_rated_without_naming_a_case(served: Served, client: HttpBackend) -> None:
    """GIVEN a guide printed and a progress query answered WHEN each is rated THEN the backend keeps the ratings
    with their service and reason and no application number, and a resend counts once."""
    client.rate("", 5, "sess-s1:rate:guide", service="guide", reason="unclear")
    client.rate("", 1, "sess-s2:rate:progress", service="progress")
    client.rate("", 1, "sess-s2:rate:progress", service="progress")
    result = client.flush(timeout_s=10)
    assert (result.rejected, result.pending) == (0, 0)
    with served.state.sessions() as session:
        rows = session.execute(select(Rating.service, Rating.satisfaction, Rating.reason, Rating.application_number)
                               .where(Rating.application_number.is_(None)).order_by(Rating.id)).all()
    # the outbox may deliver the two in either order: which arrived first is not what this test is about
    assert sorted(tuple(r) for r in rows) == [("guide", 5, "unclear", None), ("progress", 1, None, None)]


def test_health_reports_reachability_and_backlog(served: Served, client: HttpBackend) -> None:
    assert client.health().status == Status.OK
    served.server.stop()
    health = client.health()
    assert health.status == Status.UNAVAILABLE and health.reason == Reason.BACKEND_UNREACHABLE


def test_errors_are_problem_json(served: Served, client: HttpBackend) -> None:
    answer = requests.get(served.url + "/v1/applications/ABC", timeout=5)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "auth_missing" and answer.json()["status"] == 401
    with pytest.raises(TransportError) as caught:
        client.transport.request("POST", "/v1/progress-queries", {"id_number": "x"})
    assert (caught.value.http_status, caught.value.code) == (422, "validation_failed")
    health = requests.get(served.url + "/v1/health", timeout=5).json()
    assert health["status"] == "ok" and health["database"] in ("sqlite", "postgresql")


def test_a_batch_answers_each_entry_as_a_single_submission_would(served: Served, client: HttpBackend,
                                                                  apply_item: Item) -> None:
    single = application(apply_item, 30)
    first = client.submit(single)
    fresh = [application(apply_item, n) for n in (31, 32)]
    entries = [{"idempotency_key": a.idempotency_key, "application": _wire(a)} for a in [single, *fresh]]
    unknown = application(apply_item, 33)
    entries.append({"idempotency_key": unknown.idempotency_key, "application": {**_wire(unknown),
                                                                                 "item_id": "no-such-item"}})
    conflict = {"idempotency_key": single.idempotency_key, "application": _wire(application(apply_item, 34))}
    results = client.transport.request("POST", "/v1/application-batches", {"applications": entries}).body["results"]
    assert [r["status"] for r in results] == [201, 201, 201, 422]
    assert results[0]["replayed"] and results[0]["receipt"]["application_number"] == first.application_number
    assert results[3]["problem"]["code"] == "unknown_item" and results[3]["receipt"] is None
    assert count_applications(served) == 3
    again = client.transport.request("POST", "/v1/application-batches", {"applications": entries[1:3]}).body
    assert [r["replayed"] for r in again["results"]] == [True, True] and count_applications(served) == 3
    clash = client.transport.request("POST", "/v1/application-batches", {"applications": [conflict]}).body
    assert clash["results"][0]["problem"]["code"] == "idempotency_conflict"
    with pytest.raises(TransportError) as caught:
        client.transport.request("POST", "/v1/application-batches", {"applications": [entries[1], entries[1]]})
    assert caught.value.http_status == 422


def test_the_sender_drains_a_backlog_in_batches(served: Served, client: HttpBackend, apply_item: Item) -> None:
    for n in range(120):
        client.enqueue_application(application(apply_item, n, key_prefix="backlog"))
    bad = application(apply_item, 200, key_prefix="backlog")
    client.outbox.enqueue("application", bad.idempotency_key, bad.local_reference, "no-such-item",
                          encode({**_wire(bad), "item_id": "no-such-item"}))
    client.outbox.retry_now()
    client.deliver_due()
    stats = client.outbox.stats()
    assert (stats.delivered, stats.rejected, stats.pending) == (120, 1, 0)
    assert stats.last_errors == (("unknown_item", 1),)
    assert count_applications(served) == 120


def test_health_is_degraded_when_the_outbox_backs_up(served: Served, client: HttpBackend,
                                                     apply_item: Item) -> None:
    entry = client.enqueue_application(application(apply_item, 40))
    assert client.health().status == Status.OK  # waiting a moment is normal
    with client.outbox._write() as db:  # as if it had waited an hour
        db.execute("UPDATE entries SET created_at = created_at - 3600 WHERE id = ?", (entry.entry_id,))
    health = client.health()
    assert (health.status, health.reason) == (Status.DEGRADED, Reason.OUTBOX_BACKLOG)
    assert "1 pending" in health.detail


def test_odd_numbers_typed_on_the_keypad_are_just_not_found(client: HttpBackend) -> None:
    for typed in ("A/B", "12?x=1", "..", "号码"):
        assert client.progress(ProgressQuery(application_number=typed)) == []
    # whatever requests does to a path on the way out (quoting, dot segments), the signature covers it
    for path in ("/v1/applications/%E5%8F%B7%E7%A0%81", "/v1/applications/x/../ABCD-1234", "/v1/applications/号码"):
        with pytest.raises(TransportError) as caught:
            client.transport.request("GET", path)
        assert caught.value.http_status in (404, 422), (path, caught.value)

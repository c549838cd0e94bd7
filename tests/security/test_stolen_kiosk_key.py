"""A stolen kiosk key must not open the province's applications (issue #13): least privilege per kiosk.

Each test is the attack as tried against the reference server with one enrolled kiosk's key; the victim is
another kiosk (the `client` fixture, JL-TEST-001) that took a citizen's application.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest
import requests
from sqlalchemy import text

from backend.server.numbers import is_application_number
from kiosk.core.catalog import Item
from kiosk.core.identity import iso7064_check_char as check_char
from kiosk.core.records import ApplicationStatus, ProgressQuery, SubmitResult
from kiosk.remote.client import HttpBackend, application_json
from kiosk.remote.transport import Transport, TransportError
from tests.backend.conftest import KIOSK_ID, Served, application
from tests.security.conftest import INTRUDER_ID


def submitted(client: HttpBackend, item: Item, n: int) -> SubmitResult:
    result = client.submit(application(item, n))
    assert result.application_number, "the victim's application should have been delivered"
    return result


def status_of(transport: Transport, number: str) -> int:
    try:
        return transport.request("GET", f"/v1/applications/{number}", retry=False).status
    except TransportError as exc:
        return exc.http_status or 0


def test_reading_another_kiosks_application_by_number_or_reference_is_404(
        client: HttpBackend, intruder: Transport, apply_item: Item) -> None:
    victim = submitted(client, apply_item, 1)
    assert status_of(intruder, victim.application_number or "") == 404
    assert status_of(intruder, victim.local_reference) == 404
    # the kiosk that took it still reads it by either
    assert client.progress(ProgressQuery(application_number=victim.local_reference))[0].application_number \
        == victim.application_number


def test_application_numbers_cannot_be_walked(client: HttpBackend, intruder: Transport, apply_item: Item) -> None:
    numbers = [submitted(client, apply_item, n).application_number or "" for n in range(5)]
    assert all(is_application_number(n) for n in numbers), numbers
    serials = sorted(int(n[14:24]) for n in numbers)
    assert all(b - a > 1000 for a, b in pairwise(serials)), "numbers look like a counter"
    # walking from a known number finds nothing, and a known number without its code tells nothing either
    first = numbers[0]
    for step in (1, 2, -1):
        body = first[:-1][:14] + f"{int(first[14:24]) + step:010d}"
        assert status_of(intruder, body + check_char(body)) == 404
    assert status_of(intruder, first) == 404


def test_the_receipts_query_code_opens_the_application_at_any_kiosk_and_nothing_else_does(
        served: Served, client: HttpBackend, intruder: Transport, apply_item: Item) -> None:
    victim = submitted(client, apply_item, 2)
    assert victim.query_code.isdigit() and len(victim.query_code) == 8
    number = victim.application_number or ""
    wrong = f"{(int(victim.query_code) + 1) % 10 ** 8:08d}"
    with pytest.raises(TransportError) as refused:
        intruder.request("POST", "/v1/application-lookups", {"application_number": number, "query_code": wrong},
                         retry=False)
    assert refused.value.http_status == 404
    answer = intruder.request("POST", "/v1/application-lookups",
                              {"application_number": number, "query_code": victim.query_code}).body
    assert answer["application_number"] == number and answer["status"] == "received"
    assert answer.get("local_reference") is None, "another kiosk's local reference must not be shown"
    # the code is stored only as a keyed digest
    with served.state.engine.connect() as connection:
        stored = connection.execute(text("SELECT query_code_digest FROM applications")).scalars().all()
    assert victim.query_code not in " ".join(stored)


def test_kiosk_answers_carry_no_staff_note_and_no_other_kiosks_reference(
        served: Served, client: HttpBackend, intruder: Transport, apply_item: Item) -> None:
    app = application(apply_item, 3)
    victim = client.submit(app)
    staff = {"Authorization": f"Bearer {served.staff_token}"}
    moved = requests.post(f"{served.url}/v1/staff/applications/{victim.application_number}/transitions",
                          json={"to": "rejected", "reason": "申请人王某某低保档案不符"}, headers=staff, timeout=5)
    assert moved.status_code == 200, moved.text
    own = client.transport.request("GET", f"/v1/applications/{victim.application_number}").body
    assert "note" not in own and own["status"] == "rejected" and own["step"] == 1
    by_card = intruder.request("POST", "/v1/progress-queries", {"id_number": app.applicant.id_number}).body
    assert by_card["records"] and all(r.get("local_reference") is None and "note" not in r
                                      for r in by_card["records"])
    assert client.progress(ProgressQuery(application_number=victim.local_reference))[0].status \
        == ApplicationStatus.REJECTED


def test_rating_another_kiosks_application_is_refused_and_a_case_is_rated_once(
        client: HttpBackend, intruder: Transport, apply_item: Item) -> None:
    victim = submitted(client, apply_item, 4)
    body = {"application_number": victim.application_number, "satisfaction": 5}
    for n in range(3):
        with pytest.raises(TransportError) as refused:
            intruder.request("POST", "/v1/ratings", body, idempotency_key=f"intruder-rate-{n:04d}", retry=False)
        assert refused.value.http_status == 404
    assert client.transport.request("POST", "/v1/ratings", {**body, "satisfaction": 1},
                                    idempotency_key="own-rate-0001").status == 201
    with pytest.raises(TransportError) as again:
        client.transport.request("POST", "/v1/ratings", body, idempotency_key="own-rate-0002", retry=False)
    assert (again.value.http_status, again.value.code) == (409, "already_rated")
    # a citizen with the receipt may rate at another kiosk, once (it was rated above)
    other = submitted(client, apply_item, 5)
    coded = {"application_number": other.application_number, "satisfaction": 2, "query_code": other.query_code}
    assert intruder.request("POST", "/v1/ratings", coded, idempotency_key="intruder-rate-coded").status == 201


def test_taking_over_another_kiosks_local_reference_is_refused(
        client: HttpBackend, intruder: Transport, apply_item: Item) -> None:
    victim = submitted(client, apply_item, 6)
    forged = application(apply_item, 7, kiosk_id=INTRUDER_ID, key_prefix="forged")
    body = {**application_json(forged), "local_reference": victim.local_reference}
    with pytest.raises(TransportError) as refused:
        intruder.request("POST", "/v1/applications", body, idempotency_key="forged-000007", retry=False)
    assert (refused.value.http_status, refused.value.code) == (422, "reference_not_yours")
    batch = intruder.request("POST", "/v1/application-batches", {"applications": [
        {"idempotency_key": "forged-000008", "application": body}]}).body
    assert batch["results"][0]["status"] == 422
    looked_up = client.progress(ProgressQuery(application_number=victim.local_reference))
    assert [r.application_number for r in looked_up] == [victim.application_number]
    assert KIOSK_ID != INTRUDER_ID


def test_one_kiosk_cannot_reuse_its_own_reference_for_a_second_application(
        client: HttpBackend, apply_item: Item) -> None:
    first = submitted(client, apply_item, 8)
    again = application(apply_item, 9)
    body = {**application_json(again), "local_reference": first.local_reference,
            "submitted_at": datetime.now(UTC).isoformat()}
    with pytest.raises(TransportError) as refused:
        client.transport.request("POST", "/v1/applications", body, idempotency_key="second-000009", retry=False)
    assert (refused.value.http_status, refused.value.code) == (409, "reference_taken")

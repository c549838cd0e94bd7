"""What a stolen key or a hostile client sends that must not count (issue #13): inflated usage totals, a
changed Idempotency-Key, a revoked key's next request, invisible characters and forms the catalog does not
have."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest
import requests

from backend.contract import protocol as p
from backend.server.admin import revoke
from backend.server.reports import usage_report
from backend.server.state import CHINA, build_state
from kiosk.core.catalog import Item
from kiosk.remote.client import HttpBackend, application_json
from kiosk.remote.transport import Transport, TransportError, encode
from tests.backend.conftest import Served, application
from tests.security.conftest import INTRUDER_ID


def refused(transport: Transport, path: str, body: object, key: str = "") -> TransportError:
    with pytest.raises(TransportError) as caught:
        transport.request("POST", path, body, idempotency_key=key, retry=False)
    return caught.value


def test_usage_totals_cannot_be_inflated(served: Served, intruder: Transport, apply_item: Item) -> None:
    today = datetime.now(CHINA).date()
    day = today.isoformat()
    for counts, days_ago in (([{"item_id": apply_item.id, "kind": "guide_print", "count": 1_000_000}], 0),
                             ([{"item_id": apply_item.id, "kind": "query", "count": 5000}], 0),
                             ([{"item_id": "no-such-item", "kind": "guide_print", "count": 3}], 0),
                             ([{"item_id": apply_item.id, "kind": "guide_print", "count": 3}], 400)):
        when = (today - timedelta(days=days_ago)).isoformat()
        assert refused(intruder, "/v1/usage", {"days": [{"day": when, "counts": counts}]}).http_status == 422
    # an honest day's totals, sent twice: the second replaces the first
    for count in (7, 5):
        intruder.request("POST", "/v1/usage", {"days": [{"day": day, "counts": [
            {"item_id": apply_item.id, "kind": "guide_print", "count": count}]}]})
    totals = {(t.item_id, t.kind.value): t.count for t in usage_report(served.state, f"{today:%Y-%m}").totals}
    assert totals.get((apply_item.id, "guide_print")) == 5


def test_a_changed_idempotency_key_breaks_the_signature(served: Served, apply_item: Item) -> None:
    app = application(apply_item, 1)
    body = encode(application_json(app))
    credential = served.credential
    headers = p.sign_headers(credential.profile, credential.kiosk_id, credential.mac_key, "POST", "/v1/applications",
                             body, time.time(), "signed-key-00000001")
    answer = requests.post(served.url + "/v1/applications", data=body, timeout=5, headers={
        **headers, "Content-Type": "application/json", p.HEADER_IDEMPOTENCY: "swapped-key-0000001"})
    assert answer.status_code == 401 and answer.json()["code"] == "auth_bad_signature", answer.text


def test_a_revoked_kiosk_is_refused_on_its_very_next_request(served: Served, intruder: Transport) -> None:
    intruder.request("POST", "/v1/heartbeats", {"status": "ready", "outbox_depth": 0, "version": "1"})
    # `kiosk-backend revoke` runs in another process: its own state on the same database
    operator = build_state(served.state.settings, None, migrate=False)
    try:
        assert revoke(operator, INTRUDER_ID)
    finally:
        operator.engine.dispose()
        operator.nonce_engine.dispose()
    error = refused(intruder, "/v1/heartbeats", {"status": "ready", "outbox_depth": 0, "version": "1"})
    assert (error.http_status, error.code) == (401, "auth_unknown_kiosk")


@pytest.mark.parametrize(("where", "text"), [
    ("name", "张\u202e三"),  # right-to-left override: shows as another name
    ("name", "李\u200b四"),  # zero-width space: two names that look the same
    ("address", "长春市\x07南关区"),  # a control character
    ("field", "1\u2066"),  # a bidi isolate in a form value
])
def test_invisible_and_control_characters_are_refused_with_a_clear_422(
        client: HttpBackend, apply_item: Item, where: str, text: str) -> None:
    body = application_json(application(apply_item, 2))
    if where == "field":
        body["fields"] = [{**body["fields"][0], "value": text}, *body["fields"][1:]]
    else:
        body["applicant"][where] = text
    error = refused(client.transport, "/v1/applications", body, "hygiene-000002")
    assert (error.http_status, error.code) == (422, "validation_failed")


def test_the_422_names_the_field_and_the_character_not_the_value(served: Served, apply_item: Item) -> None:
    body = application_json(application(apply_item, 3))
    body["applicant"]["name"] = "王\u202e五"
    raw = encode(body)
    credential = served.credential
    headers = p.sign_headers(credential.profile, credential.kiosk_id, credential.mac_key, "POST", "/v1/applications",
                             raw, time.time(), "hygiene-000003")
    answer = requests.post(served.url + "/v1/applications", data=raw, timeout=5, headers={
        **headers, "Content-Type": "application/json", p.HEADER_IDEMPOTENCY: "hygiene-000003"})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["errors"][0]["field"] == "body.applicant.name" and "U+202E" in problem["errors"][0]["problem"]
    assert "王" not in json.dumps(problem, ensure_ascii=False)


def test_form_fields_must_be_the_items_fields(client: HttpBackend, apply_item: Item) -> None:
    body = application_json(application(apply_item, 4))
    extra = {**body, "fields": [*body["fields"], {"id": "bank-account", "value": "6222020200001234567"}]}
    assert refused(client.transport, "/v1/applications", extra, "form-000004a").http_status == 422
    choice = next(spec for spec in apply_item.form_fields if spec.type == "choice")
    wrong = {**body, "fields": [{"id": f["id"], "value": "not-a-choice" if f["id"] == choice.id else f["value"]}
                                for f in body["fields"]]}
    assert refused(client.transport, "/v1/applications", wrong, "form-000004b").http_status == 422
    required = next(spec for spec in apply_item.form_fields if spec.required and spec.source == "manual")
    missing = {**body, "fields": [f for f in body["fields"] if f["id"] != required.id]}
    assert refused(client.transport, "/v1/applications", missing, "form-000004c").http_status == 422
    assert client.transport.request("POST", "/v1/applications", body, idempotency_key="form-000004d").status == 201

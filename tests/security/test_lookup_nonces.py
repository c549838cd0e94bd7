"""A look-up records its request's nonce in the transaction of its counters and audit row (one commit, issue #13's
benchmark), and replay protection is exactly as strong as when the middleware recorded it first: the same signed
request sent again is refused while the first is still in flight, after it failed, and after its body was refused.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, update

from backend.contract import protocol as p
from backend.contract.keys import KioskCredential
from backend.server import db
from backend.server.admin import revoke
from backend.server.models import Kiosk, LookupAudit, Nonce, RateCounter
from backend.server.state import build_state
from tests.backend.conftest import Served, person

PATH = "/v1/progress-queries"
BODY = json.dumps({"id_number": person(7).id_number}).encode()


def signed(credential: KioskCredential, body: bytes = BODY) -> dict[str, str]:
    headers = p.sign_headers(credential.profile, credential.kiosk_id, credential.mac_key, "POST", PATH, body,
                             time.time())
    return {**headers, "Content-Type": "application/json"}


def post(served: Served, headers: dict[str, str], body: bytes = BODY) -> requests.Response:
    return requests.post(served.url + PATH, data=body, headers=headers, timeout=10)


def count(served: Served, table: Any) -> int:
    with served.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


@pytest.fixture
def held(served: Served, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """The first look-up stops inside its transaction, after its nonce and before its counters, until released."""
    inside, release = threading.Event(), threading.Event()
    counting: Callable[..., Any] = served.state.limiter.hit_all

    def hit_all(uses: Any) -> Any:
        if not inside.is_set():
            inside.set()
            release.wait(10)
        return counting(uses)

    monkeypatch.setattr(served.state.limiter, "hit_all", hit_all)
    yield inside, release
    release.set()


def test_a_lookup_replayed_while_the_first_is_in_flight_is_refused(
        served: Served, held: tuple[threading.Event, threading.Event]) -> None:
    inside, release = held
    headers = signed(served.credential)
    answers: dict[str, requests.Response] = {}
    first = threading.Thread(target=lambda: answers.setdefault("first", post(served, headers)))
    first.start()
    assert inside.wait(10), "the first look-up did not reach its transaction"
    replay = threading.Thread(target=lambda: answers.setdefault("replay", post(served, headers)))
    replay.start()
    replay.join(0.5)  # it waits for the first one's transaction (SQLite's write lock, PostgreSQL's unique index)
    waited = replay.is_alive()
    release.set()
    first.join(10)
    replay.join(10)
    assert answers["first"].status_code == 200, answers["first"].text
    assert answers["replay"].status_code == 401 and answers["replay"].json()["code"] == "auth_replayed_nonce"
    assert answers["replay"].headers["www-authenticate"] == 'KioskSignature realm="kiosk-backend"'
    assert answers["replay"].headers.get("connection") != "close"  # a refused signature keeps the connection
    assert waited, "the replay was answered while the first look-up was still in its transaction"
    assert count(served, LookupAudit) == 1  # the replay counted and audited nothing


def test_a_lookup_that_fails_inside_its_transaction_still_uses_up_its_nonce(
        served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_uses: Any) -> None:
        raise RuntimeError("the counters could not be read")

    monkeypatch.setattr(served.state.limiter, "hit_all", broken)
    headers = signed(served.credential)
    failed = post(served, headers)
    assert failed.status_code == 500 and failed.json()["code"] == "internal_error"
    assert count(served, LookupAudit) == 0 and count(served, RateCounter) == 0  # rolled back together
    monkeypatch.undo()
    replayed = post(served, headers)
    assert replayed.status_code == 401 and replayed.json()["code"] == "auth_replayed_nonce"
    assert post(served, signed(served.credential)).status_code == 200


def test_a_lookup_refused_for_its_body_uses_up_its_nonce(served: Served) -> None:
    body = b'{"id_number": 42}'
    headers = signed(served.credential, body)
    assert post(served, headers, body).status_code == 422
    replayed = post(served, headers, body)
    assert replayed.status_code == 401 and replayed.json()["code"] == "auth_replayed_nonce"
    assert count(served, LookupAudit) == 0


def test_a_kiosk_revoked_by_another_process_is_refused_by_its_next_lookup_which_counts_nothing(
        served: Served) -> None:
    assert post(served, signed(served.credential)).status_code == 200  # this server now holds the kiosk's key
    before = count(served, LookupAudit), count(served, RateCounter), count(served, Nonce)
    operator = build_state(served.state.settings, None, migrate=False)  # `kiosk-backend revoke` elsewhere
    try:
        assert revoke(operator, served.credential.kiosk_id)
    finally:
        operator.engine.dispose()
        operator.nonce_engine.dispose()
    answer = post(served, signed(served.credential))
    assert answer.status_code == 401 and answer.json()["code"] == "auth_unknown_kiosk"
    assert (count(served, LookupAudit), count(served, RateCounter), count(served, Nonce)) == before
    assert served.state.cached_kiosk_key(served.credential.kiosk_id) is None  # forgotten at once


def test_a_quarantined_kiosk_is_refused_by_the_statement_that_records_its_nonce(served: Served) -> None:
    with served.state.engine.begin() as connection:  # `kiosk-backend` quarantined it, in another process
        connection.execute(update(Kiosk).where(Kiosk.kiosk_id == served.credential.kiosk_id)
                           .values(quarantined_at=db.now()))
    headers = signed(served.credential)
    answer = post(served, headers)
    assert answer.status_code == 403 and answer.json()["code"] == "kiosk_quarantined"
    assert count(served, RateCounter) == 0  # nothing counted
    assert post(served, headers).json()["code"] == "auth_replayed_nonce"  # and its nonce is used up

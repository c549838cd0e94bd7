"""What mutation testing found unguarded in the backend's authorization (issue #21): the middleware's limits
on unauthenticated bodies, the answers it gives (status, headers, closing the connection), which paths need
no signature, the nonces it forgets, the staff bearer token's form; and staff accounts: roles, passwords,
token lifetimes, revocation and the record of openings.

The middleware is driven directly as ASGI, without a server, so each refusal is seen exactly as sent.
Each test names the mistake it is there to catch; scripts/mutation.sh checks that it does.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest
from sqlalchemy import func, select, update

from backend.contract import crypto
from backend.contract import protocol as p
from backend.contract.keys import KioskCredential
from backend.server import auth, db, staff
from backend.server.admin import enroll
from backend.server.auth import AuthMiddleware
from backend.server.models import Kiosk, Nonce, RecordOpening, StaffAccount, StaffToken
from backend.server.staff import Principal, StaffError
from backend.server.state import ServerSettings, ServerState, build_state

PATH = "/v1/progress-queries"
BODY = json.dumps({"id_number": "220102198001010011"}).encode()


@pytest.fixture
def state(tmp_path: Path) -> Iterator[ServerState]:
    settings = ServerSettings(database_url=f"sqlite:///{tmp_path / 'server.sqlite3'}", key_dir=tmp_path / "keys",
                              max_body_bytes=64, max_buffered_bytes=100, body_timeout_s=0.2)
    built = build_state(settings, None)
    yield built
    built.engine.dispose()
    built.nonce_engine.dispose()


@pytest.fixture
def credential(state: ServerState) -> KioskCredential:
    return enroll(state, "JL-TEST-001")


@dataclasses.dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    reached_app: bool
    scope_state: dict[str, Any]
    held_after: int  # bytes of unauthenticated bodies the worker still counts as held


def call(state: ServerState, path: str = PATH, headers: dict[str, str] | None = None, body: bytes = b"",
         chunks: list[bytes] | None = None, method: str = "POST", stall: bool = False, held: int | None = None,
         query: bytes = b"", raw_path: bytes | None = None, messages: list[dict[str, Any]] | None = None,
         then: Any = None) -> Answer:
    """One request through the middleware to an app that answers 200 with the body it was given (and records
    what a second read of the body gives it); `then(scope)` runs in the app before it answers."""
    reached: list[bytes] = []
    scope: dict[str, Any] = {"type": "http", "method": method, "path": path,
                             "raw_path": path.encode() if raw_path is None else raw_path,
                             "query_string": query, "headers": [(k.lower().encode("latin-1"), v.encode("latin-1"))
                                                                for k, v in (headers or {}).items()]}
    pieces = list(chunks if chunks is not None else [body])
    given = list(messages or [])

    async def receive() -> dict[str, Any]:
        if messages is not None:  # exactly these, then silence: a client that keeps the connection open
            if given:
                return given.pop(0)
            await anyio.sleep(5)
        if stall:
            await anyio.sleep(5)
        if pieces:
            chunk = pieces.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pieces)}
        return {"type": "http.disconnect"}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        message = await receive()
        reached.append(message["body"])
        assert message["more_body"] is False
        scope.setdefault("state", {})["then"] = (await receive())["type"]
        if then is not None:
            then(scope)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    middleware = AuthMiddleware(app, state)
    if held is not None:
        middleware._budget.held = held  # what other connections hold
    anyio.run(middleware, scope, receive, send)
    start, body_message = sent
    return Answer(start["status"], {k.decode(): v.decode() for k, v in start["headers"]},
                  json.loads(body_message["body"]), bool(reached), scope.get("state", {}), middleware._budget.held)


def signed(credential: KioskCredential, body: bytes = BODY, now: float | None = None) -> dict[str, str]:
    return p.sign_headers(credential.profile, credential.kiosk_id, credential.mac_key, "POST", PATH, body,
                          time.time() if now is None else now)


# ---- the middleware ----

def test_a_signed_request_reaches_the_app_with_its_body_and_kiosk(state: ServerState,
                                                                  credential: KioskCredential) -> None:
    body = b'{"a": 1}'
    answer = call(state, headers=signed(credential, body), chunks=[body[:3], body[3:]])
    assert (answer.status, answer.reached_app) == (200, True)
    handed_on = dict(answer.scope_state)
    nonce = handed_on.pop("signed_nonce")  # a look-up records its nonce itself; this app did not, so the middleware did
    assert handed_on == {"kiosk_id": "JL-TEST-001", "then": "http.disconnect"}  # the body once, then on
    assert (nonce.kiosk_id, nonce.settled) == ("JL-TEST-001", True) and nonces(state) == 1


def test_public_paths_and_paths_outside_the_api_need_no_signature(state: ServerState) -> None:
    for path in ("/v1/health", "/v1/openapi.json", "/v1/staff/sessions", "/docs", "/v1"):
        assert call(state, path, method="GET").status == 200, path
    assert call(state, "/v1/healthz", method="GET").status == 401


def test_refusals_are_problem_documents_that_say_how_to_authenticate(state: ServerState) -> None:
    answer = call(state, body=BODY)
    assert answer.status == 401 and not answer.reached_app
    assert answer.headers["content-type"] == p.PROBLEM_MEDIA_TYPE
    assert answer.headers["www-authenticate"] == 'KioskSignature realm="kiosk-backend"'
    assert "connection" not in answer.headers and "retry-after" not in answer.headers
    assert int(answer.headers["content-length"]) == len(json.dumps(answer.body, ensure_ascii=False).encode())
    assert answer.body == {"type": "about:blank", "title": "Unauthorized", "status": 401, "code": "auth_missing",
                           "detail": "X-Kiosk-Id, -Timestamp, -Nonce and -Signature are required"}


def test_a_body_declared_too_large_is_refused_before_it_is_read(state: ServerState,
                                                                credential: KioskCredential) -> None:
    headers = {**signed(credential, b"x" * 65), "content-length": "65"}
    answer = call(state, headers=headers, body=b"x" * 65)
    assert answer.status == 413 and answer.body["title"] == "Payload too large"
    assert answer.body["code"] == "validation_failed" and answer.body["detail"] == "body larger than 64 bytes"
    assert answer.headers["connection"] == "close" and "www-authenticate" not in answer.headers
    exact = b"x" * 64
    assert call(state, headers={**signed(credential, exact), "content-length": "64"}, body=exact).status == 200


def test_a_body_streamed_past_the_limit_is_refused(state: ServerState, credential: KioskCredential) -> None:
    answer = call(state, headers=signed(credential), chunks=[b"x" * 40, b"x" * 25])
    assert answer.status == 413 and answer.headers["connection"] == "close"
    assert answer.body["detail"] == "body larger than 64 bytes"


def test_a_request_message_without_body_or_more_body_is_an_empty_last_chunk(
        state: ServerState, credential: KioskCredential) -> None:
    """ASGI lets a server leave out `body` (default b"") and `more_body` (default False)."""
    answer = call(state, headers=signed(credential, b""), messages=[{"type": "http.request"}])
    assert answer.status == 200 and answer.reached_app


def test_a_client_that_leaves_mid_body_is_refused_not_crashed_on(state: ServerState,
                                                                 credential: KioskCredential) -> None:
    answer = call(state, headers=signed(credential), messages=[
        {"type": "http.request", "body": BODY[:10], "more_body": True}, {"type": "http.disconnect"}])
    assert (answer.status, answer.body["code"]) == (401, "auth_bad_signature")


def test_a_fresh_worker_holds_no_bytes_and_takes_a_body_up_to_its_whole_budget(
        state: ServerState, credential: KioskCredential) -> None:
    state.settings = dataclasses.replace(state.settings, max_buffered_bytes=64)
    body = b"x" * 64
    answer = call(state, headers=signed(credential, body), body=body)
    assert answer.status == 200 and answer.held_after == 0


def test_bodies_beyond_the_workers_budget_are_refused_as_busy(state: ServerState,
                                                              credential: KioskCredential) -> None:
    answer = call(state, headers=signed(credential), body=b"x" * 41, held=60)  # 60 of the 100 bytes taken
    assert answer.status == 503 and answer.body["code"] == "server_busy" and not answer.reached_app
    assert answer.body["detail"] == "too many requests in flight; retry"
    assert answer.headers["retry-after"] == str(db.STORAGE_RETRY_AFTER_S) and answer.headers["connection"] == "close"
    assert answer.held_after == 60  # what this request took is given back
    fits = call(state, headers=signed(credential, b"x" * 40), body=b"x" * 40, held=60)
    assert fits.status == 200 and fits.held_after == 60


def test_a_body_that_does_not_arrive_in_time_is_refused(state: ServerState, credential: KioskCredential) -> None:
    answer = call(state, headers=signed(credential), stall=True)
    assert answer.status == 408 and answer.body["title"] == "Request timeout"
    assert answer.body["detail"] == "the body did not arrive in time" and answer.headers["connection"] == "close"


def test_a_kiosk_id_longer_than_any_enrolled_one_is_unknown(state: ServerState, credential: KioskCredential) -> None:
    long_id = "JL-" + "X" * 40
    headers = p.sign_headers("national", long_id, credential.mac_key, "POST", PATH, BODY, time.time())
    answer = call(state, headers=headers, body=BODY)
    assert answer.status == 401 and answer.body["code"] == "auth_unknown_kiosk"


def test_a_timestamp_at_the_edge_of_the_window_is_accepted(state: ServerState, credential: KioskCredential) -> None:
    assert call(state, headers=signed(credential, now=time.time() - 295), body=BODY).status == 200
    assert call(state, headers=signed(credential, now=time.time() + 295), body=BODY).status == 200


def test_old_nonces_are_forgotten_every_500_requests(state: ServerState, credential: KioskCredential) -> None:
    old = db.now() - timedelta(seconds=2 * 300 + 61)
    recent = db.now() - timedelta(seconds=2 * 300 + 50)
    with state.sessions() as session, session.begin():
        session.add_all([Nonce(kiosk_id="JL-TEST-001", nonce="o" * 16, seen_at=old),
                         Nonce(kiosk_id="JL-TEST-001", nonce="r" * 16, seen_at=recent)])
    state.nonce_inserts = auth.NONCE_PURGE_EVERY - 2
    assert call(state, headers=signed(credential), body=BODY).status == 200
    assert nonces(state) == 3  # the 499th keeps them all
    assert call(state, headers=signed(credential), body=BODY).status == 200
    assert nonces(state) == 3 and state.nonce_inserts == auth.NONCE_PURGE_EVERY  # the 500th forgets the old one


def test_a_lookup_route_records_its_nonce_itself_and_every_other_route_finds_it_recorded(
        state: ServerState, credential: KioskCredential) -> None:
    seen: list[tuple[str, int, bool]] = []

    def route(scope: dict[str, Any]) -> None:
        nonce = scope["state"].get("signed_nonce")
        seen.append((scope["path"], nonces(state), nonce is not None))
        if nonce is not None:
            nonce.settled = True  # what a look-up route does once its transaction committed (here: nothing kept)

    for path in ("/v1/progress-queries", "/v1/application-lookups", "/v1/applications", "/v1/heartbeats"):
        headers = p.sign_headers(credential.profile, credential.kiosk_id, credential.mac_key, "POST", path, BODY,
                                 time.time())
        assert call(state, path, headers=headers, body=BODY, then=route).status == 200
    target = "/v1/progress-queries?x=1"
    headers = p.sign_headers(credential.profile, credential.kiosk_id, credential.mac_key, "GET", target, b"",
                             time.time())
    assert call(state, "/v1/progress-queries", headers=headers, method="GET", query=b"x=1", then=route).status == 200
    assert seen == [("/v1/progress-queries", 0, True), ("/v1/application-lookups", 0, True),
                    ("/v1/applications", 1, False), ("/v1/heartbeats", 2, False), ("/v1/progress-queries", 3, False)]
    assert nonces(state) == 3  # the middleware left the settled ones to their routes


def test_a_lookup_whose_nonce_was_used_is_refused_instead_of_its_answer(state: ServerState,
                                                                        credential: KioskCredential) -> None:
    headers = signed(credential)
    assert call(state, headers=headers, body=BODY).status == 200  # recorded before the answer: the app did not
    replayed = call(state, headers=headers, body=BODY)  # the app answers 200 again; the client sees the refusal
    assert (replayed.status, replayed.body["code"], replayed.reached_app) == (401, "auth_replayed_nonce", True)
    assert replayed.headers["www-authenticate"] == 'KioskSignature realm="kiosk-backend"'


def test_a_kiosks_key_is_read_from_the_database_once_then_look_ups_are_checked_from_memory(
        state: ServerState, credential: KioskCredential, monkeypatch: pytest.MonkeyPatch) -> None:
    assert call(state, headers=signed(credential), body=BODY).status == 200  # the first reads and keeps the key
    reads: list[str] = []
    read = state.kiosk_key

    def counted(kiosk_id: str, fresh: bool = False) -> Any:
        reads.append(kiosk_id)
        return read(kiosk_id, fresh)

    monkeypatch.setattr(state, "kiosk_key", counted)
    for _ in range(3):
        assert call(state, headers=signed(credential), body=BODY).status == 200
    assert reads == []  # checked on the event loop from the key this process holds: no worker thread, no query


def crash(_scope: dict[str, Any]) -> None:
    raise RuntimeError("the route failed")


@pytest.mark.parametrize("path", ["/v1/applications", PATH])
def test_a_route_that_crashes_is_raised_as_itself(state: ServerState, credential: KioskCredential,
                                                  path: str) -> None:
    """What the server logs and answers (500, `internal_error` with the error's class) is the route's own error,
    for a route whose nonce the middleware recorded and for a look-up whose nonce it records after the crash."""
    headers = p.sign_headers(credential.profile, credential.kiosk_id, credential.mac_key, "POST", path, BODY,
                             time.time())
    with pytest.raises(RuntimeError, match="the route failed"):
        call(state, path, headers=headers, body=BODY, then=crash)
    assert nonces(state) == 1  # used up either way: the same request again is a replay


@pytest.mark.parametrize("failure", ["replayed", "storage"])
def test_a_crashed_look_up_whose_nonce_cannot_be_recorded_after_it_is_still_raised_as_itself(
        state: ServerState, credential: KioskCredential, monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    from sqlalchemy.exc import OperationalError

    def refused(*_args: object) -> None:  # a replay recorded it meanwhile, or the disk filled up
        if failure == "replayed":
            raise auth.AuthFailure(p.ProblemCode.AUTH_REPLAYED_NONCE, "nonce was used before", credential.kiosk_id)
        raise OperationalError("INSERT INTO nonces", {}, DriverError("database or disk is full"))

    monkeypatch.setattr(auth, "remember_nonce", refused)
    with pytest.raises(RuntimeError, match="the route failed"):
        call(state, headers=signed(credential), body=BODY, then=crash)


def nonces(state: ServerState) -> int:
    with state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Nonce)) or 0)


def test_a_revoked_kiosk_is_forgotten_by_the_key_cache(state: ServerState, credential: KioskCredential) -> None:
    assert call(state, headers=signed(credential), body=BODY).status == 200
    with state.sessions() as session, session.begin():
        session.execute(update(Kiosk).values(revoked_at=db.now()))
    answer = call(state, headers=signed(credential), body=BODY)
    assert answer.body["code"] == "auth_unknown_kiosk" and answer.body["detail"] == "unknown or revoked kiosk"
    assert state.kiosk_key("JL-TEST-001") is None


# ---- staff bearer tokens ----

def staff_call(state: ServerState, authorization: str | None) -> Answer:
    headers = {} if authorization is None else {"Authorization": authorization}
    return call(state, "/v1/staff/kiosks", headers=headers, method="GET")


def test_a_staff_token_is_taken_from_a_bearer_header_of_any_case(state: ServerState) -> None:
    staff.add_account(state, "窗口一", "clerk", None)
    token = staff.issue_token(state, "窗口一")[0]
    for header in (f"Bearer {token}", f"bearer {token}", f"BEARER  {token} "):
        answer = staff_call(state, header)
        assert answer.status == 200 and answer.scope_state["staff"] == Principal(1, "窗口一", "clerk"), header
    for header in (None, token, f"Basic {token}", "Bearer ", "Bearer    ", f"Bearer {token}x"):
        answer = staff_call(state, header)
        assert answer.status == 401 and answer.body["code"] == "auth_staff", header
    assert staff_call(state, "Bearer").body["detail"] == "a staff bearer token is required"
    assert staff_call(state, "Bearer nope").body["detail"] == "unknown, expired or revoked staff token"


# ---- staff accounts ----

def test_each_role_includes_the_ones_below_it() -> None:
    viewer, clerk, admin = (Principal(1, "n", role) for role in staff.ROLES)
    assert [viewer.may(r) for r in staff.ROLES] == [True, False, False]
    assert [clerk.may(r) for r in staff.ROLES] == [True, True, False]
    assert [admin.may(r) for r in staff.ROLES] == [True, True, True]


def test_an_account_needs_a_known_role_a_sensible_name_and_a_long_password(state: ServerState) -> None:
    with pytest.raises(StaffError, match=r"^no role 'boss': one of viewer, clerk, administrator$"):
        staff.add_account(state, "a", "boss", None)
    for name in ("", "名" * 65):
        with pytest.raises(StaffError, match=r"^a name has 1 to 64 characters$"):
            staff.add_account(state, name, "viewer", None)
    with pytest.raises(StaffError, match=r"^a password has at least 10 characters$"):
        staff.add_account(state, "a", "viewer", "123456789")
    staff.add_account(state, "名" * 64, "viewer", "1234567890")
    staff.add_account(state, "b", "administrator", None)
    with pytest.raises(StaffError, match=r"^there is an account 'b' already$"):
        staff.add_account(state, "b", "viewer", None)
    views = staff.accounts(state)
    assert [(v.name, v.role, v.revoked, v.active_tokens) for v in views] == [
        ("b", "administrator", False, 0), ("名" * 64, "viewer", False, 0)]


def test_passwords_are_stored_as_scrypt_and_checked_only_against_that() -> None:
    stored = staff.hash_password("correct horse battery")
    scheme, n, r, par, _salt, _derived = stored.split("$")
    assert (scheme, n, r, par) == ("scrypt", "16384", "8", "1")
    assert staff.password_matches(stored, "correct horse battery")
    assert not staff.password_matches(stored, "correct horse batterY")
    assert not staff.password_matches("bcrypt" + stored[6:], "correct horse battery")
    assert not staff.password_matches("scrypt$x$8$1$AA==$AA==", "correct horse battery")
    assert not staff.password_matches("", "correct horse battery")
    assert staff.hash_password("correct horse battery") != stored  # a fresh salt each time


def test_log_in_gives_a_token_with_the_accounts_role_and_refuses_the_same_way_otherwise(
        state: ServerState) -> None:
    staff.add_account(state, "窗口二", "viewer", "correct horse battery")
    staff.add_account(state, "脚本", "clerk", None)
    token, expires, role = staff.log_in(state, "窗口二", "correct horse battery", hours=2)
    assert role == "viewer" and staff.principal_for(state, token) == Principal(1, "窗口二", "viewer")
    assert timedelta(hours=2) - timedelta(seconds=5) < expires - db.now() <= timedelta(hours=2)
    for name, password in (("窗口二", "wrong password"), ("nobody", "correct horse battery"),
                           ("脚本", ""), ("脚本", "correct horse battery")):
        with pytest.raises(StaffError, match=r"^wrong name or password$"):
            staff.log_in(state, name, password)
    staff.revoke_account(state, "窗口二")
    with pytest.raises(StaffError, match=r"^wrong name or password$"):
        staff.log_in(state, "窗口二", "correct horse battery")


def test_a_token_lasts_eight_hours_unless_asked_for_more_up_to_31_days(state: ServerState) -> None:
    staff.add_account(state, "夜班", "viewer", None)
    _token, expires = staff.issue_token(state, "夜班")
    assert timedelta(hours=8) - timedelta(seconds=5) < expires - db.now() <= timedelta(hours=8)
    staff.issue_token(state, "夜班", hours=24 * 31)
    for hours in (0, -1, 24 * 31 + 0.01):
        with pytest.raises(StaffError, match=r"^a token lasts more than 0 and at most 744 hours$"):
            staff.issue_token(state, "夜班", hours=hours)
    with pytest.raises(StaffError, match=r"^no active account 'nobody': `kiosk-backend staff add` makes one$"):
        staff.issue_token(state, "nobody")


def test_the_database_keeps_only_a_keyed_digest_of_each_token(state: ServerState) -> None:
    staff.add_account(state, "窗口一", "clerk", None)
    token = staff.issue_token(state, "窗口一")[0]
    with state.sessions() as session:
        (row,) = session.scalars(select(StaffToken)).all()
    expected = crypto.mac(state.keys.profile, state.keys.index_key, b"staff-token:" + token.encode()).hex()
    assert row.token_digest == expected and token not in row.token_digest
    assert row.name == "窗口一" and row.account_id == 1 and row.revoked_at is None


def test_an_expired_or_revoked_token_or_account_opens_nothing(state: ServerState) -> None:
    staff.add_account(state, "甲", "clerk", None)
    staff.add_account(state, "乙", "clerk", None)
    live, ended, other = (staff.issue_token(state, name)[0] for name in ("甲", "甲", "乙"))
    with state.sessions() as session, session.begin():
        session.execute(update(StaffToken).where(StaffToken.token_digest == staff.token_digest(state, ended))
                        .values(expires_at=db.now() - timedelta(seconds=1)))
    assert staff.principal_for(state, live) == Principal(1, "甲", "clerk")
    assert staff.principal_for(state, ended) is None
    assert [v.active_tokens for v in staff.accounts(state)] == [1, 1]
    assert staff.revoke_account(state, "甲") == 2  # the expired token is ended too, though it opened nothing
    assert staff.principal_for(state, live) is None and staff.principal_for(state, other) is not None
    with state.sessions() as session:
        first = session.scalar(select(StaffAccount.revoked_at).where(StaffAccount.name == "甲"))
    assert staff.revoke_account(state, "甲") == 0
    with state.sessions() as session:
        assert session.scalar(select(StaffAccount.revoked_at).where(StaffAccount.name == "甲")) == first
    with pytest.raises(StaffError, match=r"^no account 'nobody'$"):
        staff.revoke_account(state, "nobody")
    assert [(v.name, v.revoked, v.active_tokens) for v in staff.accounts(state)] == [("乙", False, 1), ("甲", True, 0)]


def test_an_opening_records_who_opened_which_record_how_and_when(state: ServerState) -> None:
    staff.add_account(state, "窗口一", "clerk", None)
    before = db.now()
    staff.record_opening(state, Principal(1, "窗口一", "clerk"), "2201022025010100000001", "view")
    with state.sessions() as session:
        (row,) = session.scalars(select(RecordOpening)).all()
    assert (row.account_id, row.staff_name, row.application_number, row.action) == (
        1, "窗口一", "2201022025010100000001", "view")
    assert before - timedelta(seconds=1) <= db.as_utc(row.at) <= db.now()


# ---- what each refusal says, and what the log keeps of it ----

def rejections(caplog: pytest.LogCaptureFixture) -> list[tuple[str, dict[str, Any]]]:
    return [(r.getMessage(), getattr(r, "kiosk_fields", {})) for r in caplog.records if r.name == "kiosk.backend.auth"]


def test_each_refusal_says_why_and_is_logged_with_its_code_and_the_kiosk(
        state: ServerState, credential: KioskCredential, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING", logger="kiosk.backend.auth")
    good = signed(credential)
    long_id = "JL-" + "Y" * 40
    cases: list[tuple[dict[str, str], str, str, str | None]] = [
        ({k: v for k, v in good.items() if k != p.HEADER_NONCE}, "auth_missing",
         "X-Kiosk-Id, -Timestamp, -Nonce and -Signature are required", None),
        ({**good, p.HEADER_NONCE: "short"}, "auth_missing", "malformed nonce", "JL-TEST-001"),
        ({**good, p.HEADER_KIOSK: long_id}, "auth_unknown_kiosk", "unknown or revoked kiosk", long_id[:32]),
        ({**good, p.HEADER_TIMESTAMP: "yesterday"}, "auth_stale_timestamp", "timestamp is not Unix seconds",
         "JL-TEST-001"),
        (signed(credential, now=time.time() - 400), "auth_stale_timestamp", "timestamp outside the accepted window",
         "JL-TEST-001"),
        ({**good, p.HEADER_SIGNATURE: "00" * 32}, "auth_bad_signature", "signature does not match", "JL-TEST-001"),
    ]
    for headers, code, detail, _logged_id in cases:
        answer = call(state, headers=headers, body=BODY)
        assert (answer.status, answer.body["code"], answer.body["detail"]) == (401, code, detail)
    assert call(state, headers=good, body=BODY).status == 200
    replayed = call(state, headers=good, body=BODY)
    assert (replayed.body["code"], replayed.body["detail"]) == ("auth_replayed_nonce", "nonce was used before")
    expected = [{"code": code, "kiosk_id": logged_id, "http_status": 401} for _h, code, _d, logged_id in cases]
    expected.append({"code": "auth_replayed_nonce", "kiosk_id": "JL-TEST-001", "http_status": 401})
    assert rejections(caplog) == [("auth_rejected", fields) for fields in expected]
    assert "220102198001010011" not in caplog.text


def test_a_body_that_never_comes_is_logged_as_a_timeout(state: ServerState, credential: KioskCredential,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING", logger="kiosk.backend.auth")
    call(state, headers=signed(credential), stall=True)
    assert rejections(caplog) == [("auth_rejected", {"code": "body_timeout", "http_status": 408})]
    assert [r.levelname for r in caplog.records if r.name == "kiosk.backend.auth"] == ["WARNING"]


def test_a_declared_length_over_the_limit_is_refused_without_waiting_for_the_body(
        state: ServerState, credential: KioskCredential) -> None:
    answer = call(state, headers={**signed(credential), "Content-Length": "65"}, stall=True)
    assert answer.status == 413  # not 408: nothing was waited for


def test_a_query_and_a_percent_encoded_path_are_signed_as_sent(state: ServerState,
                                                               credential: KioskCredential) -> None:
    target = "/v1/appointment-slots?item_id=marriage-registration"
    headers = p.sign_headers(credential.profile, credential.kiosk_id, credential.mac_key, "GET", target, b"",
                             time.time())
    answer = call(state, "/v1/appointment-slots", headers=headers, method="GET", query=b"item_id=marriage-registration")
    assert answer.status == 200
    raw = "/v1/applications/JL%2D1"
    headers = p.sign_headers(credential.profile, credential.kiosk_id, credential.mac_key, "GET", raw, b"", time.time())
    assert call(state, "/v1/applications/JL-1", headers=headers, method="GET", raw_path=raw.encode()).status == 200


def test_a_kiosk_id_of_the_full_32_characters_is_accepted(state: ServerState) -> None:
    credential = enroll(state, "JL-" + "A" * 29)
    assert call(state, headers=signed(credential), body=BODY).status == 200


def test_the_window_ends_at_exactly_max_skew(state: ServerState, credential: KioskCredential,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    now = 1_800_000_000.0
    monkeypatch.setattr(auth.time, "time", lambda: now)
    assert call(state, headers=signed(credential, now=now - 300), body=BODY).status == 200
    assert call(state, headers=signed(credential, now=now + 300), body=BODY).status == 200
    assert call(state, headers=signed(credential, now=now - 301), body=BODY).status == 401


def renew_elsewhere(state: ServerState, kiosk_id: str) -> KioskCredential:
    """A new key from `kiosk-backend enroll` in another process: this worker's cache still has the old one."""
    other_process = build_state(state.settings, None)
    renewed = enroll(other_process, kiosk_id)
    other_process.engine.dispose()
    other_process.nonce_engine.dispose()
    return renewed


def test_a_key_replaced_by_another_process_is_taken_up_at_once(state: ServerState,
                                                              credential: KioskCredential) -> None:
    assert call(state, headers=signed(credential), body=BODY).status == 200  # this worker now holds the key
    renewed = renew_elsewhere(state, credential.kiosk_id)
    assert call(state, headers=signed(renewed), body=BODY).status == 200
    assert call(state, headers=signed(credential), body=BODY).body["code"] == "auth_bad_signature"


def test_a_key_replaced_by_another_process_is_refused_at_once(
        state: ServerState, credential: KioskCredential, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING", logger="kiosk.backend.auth")
    assert call(state, headers=signed(credential), body=BODY).status == 200  # this worker now holds the key
    renewed = renew_elsewhere(state, credential.kiosk_id)
    stale = call(state, headers=signed(credential), body=BODY)
    assert (stale.status, stale.body["code"], stale.body["detail"]) == (401, "auth_unknown_kiosk",
                                                                       "unknown or revoked kiosk")
    assert rejections(caplog)[0][1] == {"code": "auth_unknown_kiosk", "kiosk_id": "JL-TEST-001", "http_status": 401}
    assert call(state, headers=signed(renewed), body=BODY).status == 200
    assert call(state, headers=signed(credential), body=BODY).body["code"] == "auth_bad_signature"


def test_nonces_older_than_twice_the_window_and_a_minute_are_the_ones_forgotten(
        state: ServerState, credential: KioskCredential) -> None:
    edge = 2 * 300 + 60
    old, recent = db.now() - timedelta(seconds=edge + 0.5), db.now() - timedelta(seconds=edge - 1)
    with state.sessions() as session, session.begin():
        session.add_all([Nonce(kiosk_id="JL-TEST-001", nonce="o" * 16, seen_at=old),
                         Nonce(kiosk_id="JL-TEST-001", nonce="r" * 16, seen_at=recent)])
    state.nonce_inserts = auth.NONCE_PURGE_EVERY - 1
    assert call(state, headers=signed(credential), body=BODY).status == 200
    with state.sessions() as session:
        remaining = set(session.scalars(select(Nonce.nonce)).all())
    assert "r" * 16 in remaining and "o" * 16 not in remaining and len(remaining) == 2  # and the request's own


# ---- staff accounts, continued ----

def test_a_password_has_16_bytes_of_salt_and_a_token_32_bytes_of_randomness(state: ServerState) -> None:
    import base64

    salt = staff.hash_password("correct horse battery").split("$")[4]
    assert len(base64.b64decode(salt)) == 16
    staff.add_account(state, "窗口一", "clerk", None)
    assert len(staff.issue_token(state, "窗口一")[0]) == 43  # 32 bytes, base64url without padding


def test_an_account_made_for_tokens_only_has_no_password_at_all(state: ServerState) -> None:
    staff.add_account(state, "脚本", "clerk", None)
    with state.sessions() as session:
        assert session.scalar(select(StaffAccount.password_hash)) == ""
    (view,) = staff.accounts(state)
    assert abs((db.now() - view.created_at).total_seconds()) < 5


def test_a_token_revoked_on_its_own_or_with_its_account_opens_nothing(state: ServerState) -> None:
    staff.add_account(state, "甲", "clerk", None)
    staff.add_account(state, "乙", "clerk", None)
    first, second = staff.issue_token(state, "甲")[0], staff.issue_token(state, "乙")[0]
    with state.sessions() as session, session.begin():
        session.execute(update(StaffToken).where(StaffToken.token_digest == staff.token_digest(state, first))
                        .values(revoked_at=db.now()))
        session.execute(update(StaffAccount).where(StaffAccount.name == "乙").values(revoked_at=db.now()))
    assert staff.principal_for(state, first) is None and staff.principal_for(state, second) is None


class DriverError(Exception):
    """What the database driver raised: its class name, not SQLAlchemy's wrapper's, is what the log keeps."""


@pytest.mark.parametrize(("message", "fault", "shown"), [
    ("database or disk is full", "full", "full"),
    ("attempt to write a readonly database", "read_only", "read-only"),
])
def test_a_storage_fault_while_checking_a_kiosk_is_a_503_to_retry_and_logged(
        state: ServerState, credential: KioskCredential, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch, message: str, fault: str, shown: str) -> None:
    from sqlalchemy.exc import OperationalError

    def full(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT INTO nonces", {}, DriverError(message))

    monkeypatch.setattr(state, "kiosk_key", full)
    caplog.set_level("WARNING", logger="kiosk.backend.auth")
    answer = call(state, headers=signed(credential), body=BODY)
    assert (answer.status, answer.body["code"]) == (503, "storage_unavailable") and not answer.reached_app
    assert answer.body["detail"] == f"the server's database is {shown}; retry later"
    assert answer.headers["retry-after"] == str(db.STORAGE_RETRY_AFTER_S)
    records = [r for r in caplog.records if r.name == "kiosk.backend.auth"]
    assert [(r.levelname, r.getMessage(), getattr(r, "kiosk_fields", {})) for r in records] == [
        ("ERROR", "storage_unavailable", {"reason": fault, "code": "DriverError"})]


def test_a_database_error_that_is_no_storage_fault_is_not_hidden(
        state: ServerState, credential: KioskCredential, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import IntegrityError

    def broken(*_args: object, **_kwargs: object) -> None:
        raise IntegrityError("SELECT", {}, Exception("constraint"))

    monkeypatch.setattr(state, "kiosk_key", broken)
    with pytest.raises(IntegrityError):
        call(state, headers=signed(credential), body=BODY)

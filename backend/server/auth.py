"""Authentication before anything else runs: kiosks sign every request, staff send a bearer token.

A pure ASGI middleware, so an unauthenticated request is answered 401 before its body is parsed or
validated. Every rejection is logged with its stable code and never with the request's content.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import Connection, DateTime, String, bindparam, delete, exists, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from backend.contract import crypto
from backend.contract import protocol as p
from backend.server import db
from backend.server.models import Kiosk, Nonce
from backend.server.state import KioskKey, ServerState
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend.auth")
STAFF_PREFIX = f"{p.API_PREFIX}/staff/"
STAFF_LOG_IN = f"{STAFF_PREFIX}sessions"  # name and password in, a token out: the one staff route without one
PUBLIC_PATHS = frozenset({f"{p.API_PREFIX}/health", f"{p.API_PREFIX}/openapi.json", STAFF_LOG_IN})
LOOKUP_PATHS = frozenset({f"{p.API_PREFIX}/progress-queries", f"{p.API_PREFIX}/application-lookups"})
"""POST routes that record the request's nonce themselves, in the one transaction of their counters and audit
row (backend.server.api_kiosk): a look-up then costs one transaction instead of two (issue #13's benchmark)."""
NONCE_PURGE_EVERY = 500


_REMEMBER_NONCE = insert(Nonce).from_select(
    ["kiosk_id", "nonce", "seen_at"],
    select(bindparam("kiosk_id", type_=String), bindparam("nonce", type_=String),
           bindparam("seen_at", type_=DateTime(timezone=True)))
    .where(exists().where(Kiosk.kiosk_id == bindparam("kiosk_id"), Kiosk.revoked_at.is_(None),
                          Kiosk.mac_key_sealed == bindparam("sealed_key")))).returning(
    Nonce.nonce, select(Kiosk.quarantined_at).where(Kiosk.kiosk_id == bindparam("kiosk_id")).scalar_subquery())
"""Built once (every signed request runs it): the nonce, inserted only while the kiosk is enrolled, unrevoked and
holds the key that signed; and in the same statement since when the kiosk is quarantined from look-ups, which
a look-up would otherwise read with a statement of its own."""


class AuthFailure(Exception):
    def __init__(self, code: p.ProblemCode, detail: str, kiosk_id: str = "", status: int = 401) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.kiosk_id = kiosk_id
        self.status = status


def problem_body(status: int, code: str, title: str, detail: str = "", **extra: Any) -> bytes:
    body = {"type": "about:blank", "title": title, "status": status, "code": code, "detail": detail, **extra}
    return json.dumps(body, ensure_ascii=False).encode()


@dataclass
class SignedNonce:
    """The nonce of a request whose signature matched, still to be recorded.

    A look-up route records it in its own transaction (`remember_nonce`) and marks it settled. Whatever the route
    does, the middleware records it before the first byte of an answer leaves if the route did not, and sends a
    refusal instead when that fails: every answer still follows a recorded nonce. A replay is refused even while
    the first request is in flight, because its insert waits for the first one's transaction (SQLite's write
    lock, PostgreSQL's unique index) and then fails."""

    kiosk_id: str
    nonce: str
    sealed_key: bytes = field(repr=False)
    settled: bool = False
    """Committed, or its recording refused the request: nothing is left for the middleware to do."""


def remember_nonce(state: ServerState, connection: Connection, signed: SignedNonce) -> datetime | None:
    """Record the nonce in the caller's transaction; since when the kiosk is quarantined from look-ups, if it is.

    Checked after the signature, so nobody can use up a kiosk's nonces without its key. The nonce is recorded
    only while the kiosk is enrolled, unrevoked and holds the key that signed: the same statement is the
    revocation check, so `kiosk-backend revoke` from any process refuses the very next request on every worker,
    at no extra round trip. A refusal raises AuthFailure; the caller's transaction must then end unused."""
    try:
        inserted = connection.execute(_REMEMBER_NONCE, {"kiosk_id": signed.kiosk_id, "nonce": signed.nonce,
                                                        "seen_at": db.now(), "sealed_key": signed.sealed_key}).first()
    except IntegrityError:
        raise AuthFailure(p.ProblemCode.AUTH_REPLAYED_NONCE, "nonce was used before", signed.kiosk_id) from None
    if inserted is None:
        state.forget_kiosk(signed.kiosk_id)
        raise AuthFailure(p.ProblemCode.AUTH_UNKNOWN_KIOSK, "unknown or revoked kiosk", signed.kiosk_id)
    state.nonce_inserts += 1
    if state.nonce_inserts % NONCE_PURGE_EVERY == 0:
        # Older nonces are safe to forget: their timestamps are outside the window and get rejected anyway.
        horizon = db.now() - timedelta(seconds=2 * state.settings.max_skew_s + 60)
        connection.execute(delete(Nonce).where(Nonce.seen_at < horizon))
    quarantined_at: datetime | None = inserted[1]
    return quarantined_at


def refusal(exc: AuthFailure | DBAPIError) -> AuthFailure:
    """The refusal to send for a failed check, logged with its code (a storage fault as 503); an error of the
    database that is no storage fault is raised again."""
    if isinstance(exc, AuthFailure):
        log_event(log, "auth_rejected", logging.WARNING, code=exc.code.value, kiosk_id=exc.kiosk_id or None,
                  http_status=exc.status)
        return exc
    fault = db.storage_fault(exc)
    if fault is None:
        raise exc
    log_event(log, "storage_unavailable", logging.ERROR, reason=fault, code=type(exc.orig or exc).__name__)
    return AuthFailure(p.ProblemCode.STORAGE_UNAVAILABLE, f"the server's database is {fault.replace('_', '-')}; "
                       "retry later", status=503)


class _KeyNotCached(Exception):
    """The kiosk's key must be read from the database: the check goes to a worker thread instead."""


class AuthMiddleware:
    def __init__(self, app: Any, state: ServerState) -> None:
        self.app = app
        self.state = state
        self._budget = _Budget(state.settings.max_buffered_bytes)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(p.API_PREFIX + "/") or path in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        settings = self.state.settings
        declared = headers.get("content-length", "")
        try:
            if declared.isdigit() and int(declared) > settings.max_body_bytes:  # refused before a byte is read
                raise AuthFailure(p.ProblemCode.VALIDATION_FAILED, f"body larger than {settings.max_body_bytes} "
                                  "bytes", status=413)
            with anyio.fail_after(settings.body_timeout_s):
                body = await _read_body(receive, settings.max_body_bytes, self._budget)
        except TimeoutError:
            log_event(log, "auth_rejected", logging.WARNING, code="body_timeout", http_status=408)
            await _reject(send, AuthFailure(p.ProblemCode.VALIDATION_FAILED, "the body did not arrive in time",
                                            status=408), close=True)
            return
        except AuthFailure as failure:
            await _reject(send, failure, close=failure.status != 401)
            return
        pending: SignedNonce | None = None
        try:
            if path.startswith(STAFF_PREFIX):
                principal = await anyio.to_thread.run_sync(self._check_staff, headers)
                scope.setdefault("state", {})["staff"] = principal
            else:
                query = scope.get("query_string", b"").decode("latin-1")
                raw_path = scope.get("raw_path") or path.encode()  # as sent, percent-encoding and all
                target = raw_path.decode("latin-1") + (f"?{query}" if query else "")
                method = scope["method"]
                if method == "POST" and path in LOOKUP_PATHS:
                    try:  # nothing to write yet: checked right here, unless the kiosk's key must be read
                        signed = self._check_kiosk(method, target, headers, body, self._cached_key)
                    except _KeyNotCached:
                        signed = await anyio.to_thread.run_sync(self._check_kiosk, method, target, headers, body,
                                                                self.state.kiosk_key)
                    scope.setdefault("state", {})["signed_nonce"] = pending = signed
                    send = self._nonce_before_answer(signed, send)
                else:
                    signed = await anyio.to_thread.run_sync(self._check_and_record, method, target, headers, body)
                scope.setdefault("state", {})["kiosk_id"] = signed.kiosk_id
        except (AuthFailure, DBAPIError) as exc:  # the nonce or the key could not be read or written
            await _reject(send, refusal(exc))
            return
        try:
            await self.app(scope, _replay(body, receive), send)
        except Exception:
            if pending is not None and not pending.settled:  # its 500 is sent outside this middleware, after this
                with contextlib.suppress(AuthFailure, DBAPIError):  # refused either way
                    await anyio.to_thread.run_sync(self._record, pending)
            raise

    def _nonce_before_answer(self, signed: SignedNonce, send: Any) -> Any:
        """The `send` of a look-up route: the nonce is recorded before the answer starts unless the route did it
        (a 422 for the body, a failure before its transaction); if that refuses, the refusal is sent instead."""
        refused: AuthFailure | None = None

        async def send_after_nonce(message: dict[str, Any]) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and not signed.settled:
                try:
                    await anyio.to_thread.run_sync(self._record, signed)
                except (AuthFailure, DBAPIError) as exc:
                    refused = refusal(exc)
                    await _reject(send, refused)
            if refused is None:
                await send(message)

        return send_after_nonce

    # ---- kiosks ----

    def _check_and_record(self, method: str, target: str, headers: dict[str, str], body: bytes) -> SignedNonce:
        signed = self._check_kiosk(method, target, headers, body, self.state.kiosk_key)
        self._record(signed)
        return signed

    def _cached_key(self, kiosk_id: str, fresh: bool = False) -> KioskKey | None:
        found = None if fresh else self.state.cached_kiosk_key(kiosk_id)
        if found is None:
            raise _KeyNotCached
        return found

    def _check_kiosk(self, method: str, target: str, headers: dict[str, str], body: bytes,
                     key_of: Callable[[str, bool], KioskKey | None]) -> SignedNonce:
        """The request's nonce once its signature matched the kiosk's key (`key_of(kiosk_id, fresh)`)."""
        kiosk_id = headers.get(p.HEADER_KIOSK.lower(), "")
        timestamp = headers.get(p.HEADER_TIMESTAMP.lower(), "")
        nonce = headers.get(p.HEADER_NONCE.lower(), "")
        signature = headers.get(p.HEADER_SIGNATURE.lower(), "")
        if not (kiosk_id and timestamp and nonce and signature):
            raise AuthFailure(p.ProblemCode.AUTH_MISSING, "X-Kiosk-Id, -Timestamp, -Nonce and -Signature are required")
        shown_id = kiosk_id[:32]
        if not p.NONCE_PATTERN.match(nonce):
            raise AuthFailure(p.ProblemCode.AUTH_MISSING, "malformed nonce", shown_id)
        found = key_of(kiosk_id, False) if len(kiosk_id) <= 32 else None
        if found is None:
            raise AuthFailure(p.ProblemCode.AUTH_UNKNOWN_KIOSK, "unknown or revoked kiosk", shown_id)
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise AuthFailure(p.ProblemCode.AUTH_STALE_TIMESTAMP, "timestamp is not Unix seconds", shown_id) from None
        if abs(time.time() - sent_at) > self.state.settings.max_skew_s:
            raise AuthFailure(p.ProblemCode.AUTH_STALE_TIMESTAMP, "timestamp outside the accepted window", shown_id)
        idempotency_key = headers.get(p.HEADER_IDEMPOTENCY.lower(), "")
        try:
            tag = bytes.fromhex(signature)
        except ValueError:
            tag = b""

        def matches(profile: crypto.Profile, mac_key: bytes) -> bool:
            message = p.canonical_request(method, target, timestamp, nonce, kiosk_id, p.body_digest(profile, body),
                                          idempotency_key)
            return crypto.mac_matches(profile, mac_key, message, tag)

        if not matches(found[0], found[1]):
            found = key_of(kiosk_id, True)  # enrolled again meanwhile, with a new key?
            if found is None or not matches(found[0], found[1]):
                raise AuthFailure(p.ProblemCode.AUTH_BAD_SIGNATURE, "signature does not match", shown_id)
        return SignedNonce(kiosk_id, nonce, found[2])

    def _record(self, signed: SignedNonce) -> None:
        with self.state.nonce_engine.begin() as connection:
            remember_nonce(self.state, connection, signed)
        signed.settled = True

    # ---- staff ----

    def _check_staff(self, headers: dict[str, str]) -> Any:
        from backend.server.staff import principal_for

        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthFailure(p.ProblemCode.AUTH_STAFF, "a staff bearer token is required")
        principal = principal_for(self.state, token.strip())
        if principal is None:
            raise AuthFailure(p.ProblemCode.AUTH_STAFF, "unknown, expired or revoked staff token")
        return principal


class _Budget:
    """Bytes of unauthenticated bodies held in memory across all connections of this worker."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0


async def _read_body(receive: Any, limit: int, budget: _Budget) -> bytes:
    """Streamed against the size limit and the worker's budget; what was taken is given back at the end."""
    chunks: list[bytes] = []
    taken = 0
    try:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            taken += len(chunk)
            budget.held += len(chunk)
            if taken > limit:
                raise AuthFailure(p.ProblemCode.VALIDATION_FAILED, f"body larger than {limit} bytes", status=413)
            if budget.held > budget.limit:
                raise AuthFailure(p.ProblemCode.SERVER_BUSY, "too many requests in flight; retry", status=503)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)
    finally:
        budget.held -= taken


def _replay(body: bytes, original: Any) -> Any:
    """Hand the body already read to the app, then pass on whatever comes next (a disconnect)."""
    sent = False

    async def receive() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


REJECTION_TITLES = {401: "Unauthorized", 408: "Request timeout", 413: "Payload too large",
                    503: "Service unavailable"}


def rejection(failure: AuthFailure, close: bool = False) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The headers and body of a refusal, the same whether the middleware or a look-up route refuses."""
    title = REJECTION_TITLES.get(failure.status, "Error")
    body = problem_body(failure.status, failure.code.value, title, failure.detail)
    headers = [(b"content-type", p.PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    if failure.status == 401:
        headers.append((b"www-authenticate", b'KioskSignature realm="kiosk-backend"'))
    if failure.status == 503:
        headers.append((b"retry-after", str(db.STORAGE_RETRY_AFTER_S).encode()))
    if close:  # the rest of a refused body is not worth reading
        headers.append((b"connection", b"close"))
    return headers, body


async def _reject(send: Any, failure: AuthFailure, close: bool = False) -> None:
    headers, body = rejection(failure, close)
    await send({"type": "http.response.start", "status": failure.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

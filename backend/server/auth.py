"""Authentication before anything else runs: kiosks sign every request, staff send a bearer token.

A pure ASGI middleware, so an unauthenticated request is answered 401 before its body is parsed or
validated. Every rejection is logged with its stable code and never with the request's content.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from typing import Any

import anyio
from sqlalchemy import DateTime, String, bindparam, delete, exists, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from backend.contract import crypto
from backend.contract import protocol as p
from backend.server import db
from backend.server.models import Kiosk, Nonce
from backend.server.state import ServerState
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend.auth")
STAFF_PREFIX = f"{p.API_PREFIX}/staff/"
STAFF_LOG_IN = f"{STAFF_PREFIX}sessions"  # name and password in, a token out: the one staff route without one
PUBLIC_PATHS = frozenset({f"{p.API_PREFIX}/health", f"{p.API_PREFIX}/openapi.json", STAFF_LOG_IN})
NONCE_PURGE_EVERY = 500


_REMEMBER_NONCE = insert(Nonce).from_select(
    ["kiosk_id", "nonce", "seen_at"],
    select(bindparam("kiosk_id", type_=String), bindparam("nonce", type_=String),
           bindparam("seen_at", type_=DateTime(timezone=True)))
    .where(exists().where(Kiosk.kiosk_id == bindparam("kiosk_id"), Kiosk.revoked_at.is_(None),
                          Kiosk.mac_key_sealed == bindparam("sealed_key")))).returning(Nonce.nonce)
"""Built once (every signed request runs it): the nonce, inserted only while the kiosk is enrolled, unrevoked and
holds the key that signed."""


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
        try:
            if path.startswith(STAFF_PREFIX):
                principal = await anyio.to_thread.run_sync(self._check_staff, headers)
                scope.setdefault("state", {})["staff"] = principal
            else:
                query = scope.get("query_string", b"").decode("latin-1")
                raw_path = scope.get("raw_path") or path.encode()  # as sent, percent-encoding and all
                target = raw_path.decode("latin-1") + (f"?{query}" if query else "")
                kiosk_id = await anyio.to_thread.run_sync(self._check_kiosk, scope["method"], target, headers, body)
                scope.setdefault("state", {})["kiosk_id"] = kiosk_id
        except AuthFailure as failure:
            log_event(log, "auth_rejected", logging.WARNING, code=failure.code.value,
                      kiosk_id=failure.kiosk_id or None, http_status=failure.status)
            await _reject(send, failure)
            return
        except DBAPIError as exc:  # the nonce or the key could not be read or written
            fault = db.storage_fault(exc)
            if fault is None:
                raise
            log_event(log, "storage_unavailable", logging.ERROR, reason=fault, code=type(exc.orig or exc).__name__)
            await _reject(send, AuthFailure(p.ProblemCode.STORAGE_UNAVAILABLE, f"the server's database is "
                                            f"{fault.replace('_', '-')}; retry later", status=503))
            return
        await self.app(scope, _replay(body, receive), send)

    # ---- kiosks ----

    def _check_kiosk(self, method: str, target: str, headers: dict[str, str], body: bytes) -> str:
        kiosk_id = headers.get(p.HEADER_KIOSK.lower(), "")
        timestamp = headers.get(p.HEADER_TIMESTAMP.lower(), "")
        nonce = headers.get(p.HEADER_NONCE.lower(), "")
        signature = headers.get(p.HEADER_SIGNATURE.lower(), "")
        if not (kiosk_id and timestamp and nonce and signature):
            raise AuthFailure(p.ProblemCode.AUTH_MISSING, "X-Kiosk-Id, -Timestamp, -Nonce and -Signature are required")
        shown_id = kiosk_id[:32]
        if not p.NONCE_PATTERN.match(nonce):
            raise AuthFailure(p.ProblemCode.AUTH_MISSING, "malformed nonce", shown_id)
        found = self.state.kiosk_key(kiosk_id) if len(kiosk_id) <= 32 else None
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
            found = self.state.kiosk_key(kiosk_id, fresh=True)  # enrolled again meanwhile, with a new key?
            if found is None or not matches(found[0], found[1]):
                raise AuthFailure(p.ProblemCode.AUTH_BAD_SIGNATURE, "signature does not match", shown_id)
        self._remember_nonce(kiosk_id, nonce, found[2])
        return kiosk_id

    def _remember_nonce(self, kiosk_id: str, nonce: str, sealed_key: bytes) -> None:
        """Checked after the signature, so nobody can use up a kiosk's nonces without its key.

        The nonce is recorded only while the kiosk is enrolled, unrevoked and holds the key that signed: the
        same statement is the revocation check, so `kiosk-backend revoke` from any process refuses the very
        next request on every worker, at no extra round trip."""
        try:
            with self.state.nonce_engine.begin() as connection:
                inserted = connection.execute(_REMEMBER_NONCE, {"kiosk_id": kiosk_id, "nonce": nonce,
                                                                "seen_at": db.now(), "sealed_key": sealed_key}).first()
        except IntegrityError:
            raise AuthFailure(p.ProblemCode.AUTH_REPLAYED_NONCE, "nonce was used before", kiosk_id) from None
        if inserted is None:
            self.state.forget_kiosk(kiosk_id)
            raise AuthFailure(p.ProblemCode.AUTH_UNKNOWN_KIOSK, "unknown or revoked kiosk", kiosk_id)
        self.state.nonce_inserts += 1
        if self.state.nonce_inserts % NONCE_PURGE_EVERY == 0:
            # Older nonces are safe to forget: their timestamps are outside the window and get rejected anyway.
            horizon = db.now() - timedelta(seconds=2 * self.state.settings.max_skew_s + 60)
            with self.state.sessions() as session, session.begin():
                session.execute(delete(Nonce).where(Nonce.seen_at < horizon))

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


async def _reject(send: Any, failure: AuthFailure, close: bool = False) -> None:
    title = REJECTION_TITLES.get(failure.status, "Error")
    body = problem_body(failure.status, failure.code.value, title, failure.detail)
    headers = [(b"content-type", p.PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    if failure.status == 401:
        headers.append((b"www-authenticate", b'KioskSignature realm="kiosk-backend"'))
    if failure.status == 503:
        headers.append((b"retry-after", str(db.STORAGE_RETRY_AFTER_S).encode()))
    if close:  # the rest of a refused body is not worth reading
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": failure.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

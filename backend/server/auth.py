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
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from backend.contract import crypto
from backend.contract import protocol as p
from backend.server import db
from backend.server.models import Nonce, StaffToken
from backend.server.state import ServerState
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend.auth")
PUBLIC_PATHS = frozenset({f"{p.API_PREFIX}/health", f"{p.API_PREFIX}/openapi.json"})
STAFF_PREFIX = f"{p.API_PREFIX}/staff/"
NONCE_PURGE_EVERY = 500


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

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(p.API_PREFIX + "/") or path in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            body = await _read_body(receive, self.state.settings.max_body_bytes)
        except AuthFailure as failure:
            await _reject(send, failure)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
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
        found = self.state.kiosk_key(kiosk_id[:32]) if len(kiosk_id) <= 32 else None
        if found is None:
            raise AuthFailure(p.ProblemCode.AUTH_UNKNOWN_KIOSK, "unknown or revoked kiosk", shown_id)
        profile, mac_key = found
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise AuthFailure(p.ProblemCode.AUTH_STALE_TIMESTAMP, "timestamp is not Unix seconds", shown_id) from None
        if abs(time.time() - sent_at) > self.state.settings.max_skew_s:
            raise AuthFailure(p.ProblemCode.AUTH_STALE_TIMESTAMP, "timestamp outside the accepted window", shown_id)
        message = p.canonical_request(method, target, timestamp, nonce, kiosk_id, p.body_digest(profile, body))
        try:
            tag = bytes.fromhex(signature)
        except ValueError:
            tag = b""
        if not crypto.mac_matches(profile, mac_key, message, tag):
            raise AuthFailure(p.ProblemCode.AUTH_BAD_SIGNATURE, "signature does not match", shown_id)
        self._remember_nonce(kiosk_id, nonce)
        return kiosk_id

    def _remember_nonce(self, kiosk_id: str, nonce: str) -> None:
        """Checked after the signature, so nobody can use up a kiosk's nonces without its key."""
        try:
            with self.state.nonce_engine.begin() as connection:
                connection.execute(insert(Nonce).values(kiosk_id=kiosk_id, nonce=nonce, seen_at=db.now()))
        except IntegrityError:
            raise AuthFailure(p.ProblemCode.AUTH_REPLAYED_NONCE, "nonce was used before", kiosk_id) from None
        self.state.nonce_inserts += 1
        if self.state.nonce_inserts % NONCE_PURGE_EVERY == 0:
            # Older nonces are safe to forget: their timestamps are outside the window and get rejected anyway.
            horizon = db.now() - timedelta(seconds=2 * self.state.settings.max_skew_s + 60)
            with self.state.sessions() as session, session.begin():
                session.execute(delete(Nonce).where(Nonce.seen_at < horizon))

    # ---- staff ----

    def _check_staff(self, headers: dict[str, str]) -> str:
        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthFailure(p.ProblemCode.AUTH_STAFF, "a staff bearer token is required")
        digest = staff_token_digest(self.state, token.strip())
        with self.state.sessions() as session:
            found = session.scalar(select(StaffToken).where(StaffToken.token_digest == digest,
                                                            StaffToken.revoked_at.is_(None)))
            if found is None:
                raise AuthFailure(p.ProblemCode.AUTH_STAFF, "unknown or revoked staff token")
            return found.name


def staff_token_digest(state: ServerState, token: str) -> str:
    return crypto.mac(state.keys.profile, state.keys.index_key, b"staff-token:" + token.encode()).hex()


async def _read_body(receive: Any, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise AuthFailure(p.ProblemCode.VALIDATION_FAILED, f"body larger than {limit} bytes", status=413)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


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


async def _reject(send: Any, failure: AuthFailure) -> None:
    title = "Payload too large" if failure.status == 413 else "Unauthorized"
    body = problem_body(failure.status, failure.code.value, title, failure.detail)
    headers = [(b"content-type", p.PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    if failure.status == 401:
        headers.append((b"www-authenticate", b'KioskSignature realm="kiosk-backend"'))
    await send({"type": "http.response.start", "status": failure.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

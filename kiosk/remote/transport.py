"""Signed HTTP requests to the backend with explicit timeouts, and the map from failures to stable reasons.

Each attempt is signed afresh (a new nonce and timestamp), which is why retries are done here and not by
urllib3: a retried request with the old headers would be refused as a replayed nonce.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend.contract import protocol as p
from backend.contract.keys import KioskCredential
from kiosk.core.health import DeviceError, Reason
from kiosk.logs import log_event

if TYPE_CHECKING:  # imported on the first request (a worker thread), not while the kiosk starts
    import requests

log = logging.getLogger("kiosk.backend.transport")
RETRIABLE_STATUS = frozenset({502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD"})
# How a connection the server closed before answering fails (http.client, the socket): FIN or RST.
DROPPED_UNANSWERED = frozenset({"RemoteDisconnected", "ConnectionResetError", "BrokenPipeError",
                                "ConnectionAbortedError"})
# Problem codes after which the same request will never succeed: the sender sets such an entry aside.
PERMANENT_STATUS = frozenset({400, 404, 409, 413, 422})


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of interactive calls: a few quick ones within the call's own deadline."""

    attempts: int = 3
    first_delay_s: float = 0.2
    max_delay_s: float = 1.0

    def delay(self, attempt: int) -> float:
        return float(min(self.max_delay_s, self.first_delay_s * 2 ** attempt) * random.uniform(0.8, 1.2))


@dataclass(frozen=True)
class Backoff:
    """The background sender's waits between attempts at one outbox entry."""

    first_s: float = 2.0
    max_s: float = 300.0

    def delay(self, attempts: int) -> float:
        return float(min(self.max_s, self.first_s * 2 ** min(attempts, 20)) * random.uniform(0.8, 1.2))


class TransportError(DeviceError):
    """A failed call: the stable reason plus the HTTP status and problem code when the server answered."""

    def __init__(self, reason: Reason, detail: str, http_status: int | None = None, code: str = "",
                 retry_after_s: float | None = None) -> None:
        super().__init__(reason, detail)
        self.http_status = http_status
        self.code = code
        self.retry_after_s = retry_after_s
        """The server's Retry-After (429, 503): the earliest moment worth trying again."""

    @property
    def permanent(self) -> bool:
        """True when sending the same request again cannot help."""
        return self.http_status in PERMANENT_STATUS and self.code != p.ProblemCode.IDEMPOTENCY_IN_PROGRESS.value


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    replayed: bool


class Transport:
    def __init__(self, base_url: str, credential: KioskCredential, timeout_s: float,
                 clock: Callable[[], float] = time.time, retry: RetryPolicy | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.credential = credential
        self.timeout_s = timeout_s
        self.retry = retry or RetryPolicy()
        self._clock = clock
        self._local = threading.local()
        self._sessions: dict[int, requests.Session] = {}  # thread ident -> its session, to close them all
        self._sessions_lock = threading.Lock()
        self.last_auth_failure: str = ""

    @property
    def _session(self) -> requests.Session:
        """One connection pool per thread: requests.Session is not safe to share between threads."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = requests.Session()
            # No proxies or .netrc from the environment: the kiosk talks to the URL it is configured with,
            # and looking them up costs a third of each request's time.
            session.trust_env = False
            session.headers["User-Agent"] = f"kiosk/{self.credential.kiosk_id}"
            self._local.session = session
            with self._sessions_lock:
                # Threads come and go (a flush's sender pool, a maintenance action): close the sessions of
                # threads that have ended, or each would keep its pooled connection open for good.
                alive = {thread.ident for thread in threading.enumerate()}
                for ident in [i for i in self._sessions if i not in alive]:
                    self._sessions.pop(ident).close()
                previous = self._sessions.get(threading.get_ident())  # an ident reused by a new thread
                if previous is not None:
                    previous.close()
                self._sessions[threading.get_ident()] = session
        return session

    @property
    def open_sessions(self) -> int:
        with self._sessions_lock:
            return len(self._sessions)

    def close(self) -> None:
        with self._sessions_lock:
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()

    def request(self, method: str, path: str, body: Any = None, *, raw_body: bytes | None = None,
                idempotency_key: str = "", timeout_s: float | None = None, retry: bool = True) -> Response:
        """One call, signed, retried on connection failures and 502/503/504 while the deadline allows."""
        data = raw_body if raw_body is not None else (b"" if body is None else encode(body))
        timeout = timeout_s or self.timeout_s
        deadline = time.monotonic() + timeout
        attempts = self.retry.attempts if retry else 1
        for attempt in range(attempts):
            remaining = deadline - time.monotonic()
            try:
                return self._once(method, path, data, idempotency_key, max(0.2, remaining),
                                  repeatable=retry or method in SAFE_METHODS or bool(idempotency_key))
            except TransportError as exc:
                last = exc
                retriable = exc.http_status is None or exc.http_status in RETRIABLE_STATUS
                pause = self.retry.delay(attempt)
                if not retriable or attempt == attempts - 1 or time.monotonic() + pause >= deadline:
                    raise
                time.sleep(pause)
        raise last  # pragma: no cover  (the loop always returns or raises)

    def _once(self, method: str, path: str, data: bytes, idempotency_key: str, timeout: float,
              repeatable: bool = True) -> Response:
        import requests

        credential = self.credential
        headers = {"Content-Type": "application/json"} if data else {}
        if idempotency_key:
            headers[p.HEADER_IDEMPOTENCY] = idempotency_key
        session = self._session
        for last_try in (not repeatable, True):
            prepared = session.prepare_request(requests.Request(method, self.base_url + path, data=data or None,
                                                                headers=headers))
            # Sign the path exactly as it goes on the wire (after requests' quoting and normalising).
            prepared.headers.update(p.sign_headers(credential.profile, credential.kiosk_id, credential.mac_key,
                                                   method, prepared.path_url, data, self._clock(), idempotency_key))
            try:
                answer = session.send(prepared, timeout=(min(3.0, timeout), timeout))
                break
            except requests.ConnectionError as exc:
                if isinstance(exc, requests.ConnectTimeout):
                    raise TransportError(Reason.BACKEND_TIMEOUT, "connect timeout") from None
                cause = failure_class(exc)
                if not last_try and cause in DROPPED_UNANSWERED:
                    # A pooled connection the server closed (its keep-alive timeout) just as this request went
                    # out on it: urllib3 checks a pooled connection before reusing it, but the server's close
                    # can come a moment after that check. The backend is not down; ask again at once on a new
                    # connection (re-signed: a nonce is good once). Seen in the soak as a spurious
                    # "unreachable" about once in 300 sessions.
                    log_event(log, "dropped_connection_retried", logging.INFO, code=cause)
                    continue
                raise TransportError(Reason.BACKEND_UNREACHABLE, f"connection failed: {cause}") from None
            except requests.Timeout:
                raise TransportError(Reason.BACKEND_TIMEOUT, "read timeout") from None
            except requests.RequestException as exc:
                raise TransportError(Reason.BACKEND_UNREACHABLE, failure_class(exc)) from None
        try:
            content = answer.json() if answer.content else None
        except ValueError:
            content = None
        if answer.status_code < 400:
            self.last_auth_failure = ""
            return Response(answer.status_code, content, answer.headers.get(p.HEADER_REPLAYED) == "true")
        code = str(content.get("code", "")) if isinstance(content, dict) else ""
        detail = str(content.get("detail", "")) if isinstance(content, dict) else ""
        if answer.status_code == 401:
            self.last_auth_failure = code or "unauthorized"
            raise TransportError(Reason.BACKEND_AUTH, code or "unauthorized", 401, code)
        if answer.status_code == 429:  # too many look-ups: the citizen is asked to wait, nothing is wrong
            reason = Reason.BACKEND_BUSY
        elif answer.status_code >= 500:  # 503 (storage fault, overload) included: queue and retry
            reason = Reason.BACKEND_UNREACHABLE
        else:
            reason = Reason.BACKEND_REJECTED
        raise TransportError(reason, f"{answer.status_code} {code}: {detail}"[:200], answer.status_code, code,
                             retry_after(answer.headers.get("Retry-After", "")))


def failure_class(exc: BaseException) -> str:
    """The class of what went wrong underneath requests' and urllib3's wrappers (ConnectionRefusedError,
    RemoteDisconnected, ConnectionResetError...): it tells a backend that is down from a connection that was
    dropped. Only the class: a message may quote the request."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)  # urllib3's MaxRetryError
        if not isinstance(inner, BaseException):
            inner = next((a for a in exc.args if isinstance(a, BaseException)), None)  # requests' and ProtocolError
        if inner is None:
            inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc = inner
    return type(exc).__name__


def retry_after(value: str) -> float | None:
    """Retry-After in seconds (the server sends seconds; an HTTP date is not expected and is ignored)."""
    try:
        seconds = float(value)
    except ValueError:
        return None
    return min(max(seconds, 0.0), 3600.0)


def encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

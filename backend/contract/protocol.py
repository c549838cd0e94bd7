"""What the kiosk and the reference server agree on beyond the OpenAPI document: request signing and error codes.

Every kiosk request carries four headers:

    X-Kiosk-Id         the enrolled kiosk id
    X-Kiosk-Timestamp  Unix seconds; the server accepts MAX_SKEW_S either way
    X-Kiosk-Nonce      16 to 64 characters [A-Za-z0-9_-], never reused by a kiosk
    X-Kiosk-Signature  lowercase hex MAC over `canonical_request(...)` with the kiosk's key:
                       HMAC-SM3 (national profile) or HMAC-SHA-256 (international)

The MAC covers method, path with query, timestamp, nonce, kiosk id, the digest of the exact body bytes and
the Idempotency-Key, so a changed body or key, a replayed nonce, an old request or another kiosk's key are
all caught.
"""

from __future__ import annotations

import enum
import re
import secrets

from backend.contract import crypto

API_PREFIX = "/v1"
HEADER_KIOSK = "X-Kiosk-Id"
HEADER_TIMESTAMP = "X-Kiosk-Timestamp"
HEADER_NONCE = "X-Kiosk-Nonce"
HEADER_SIGNATURE = "X-Kiosk-Signature"
HEADER_IDEMPOTENCY = "Idempotency-Key"
HEADER_REPLAYED = "Idempotent-Replayed"
MAX_SKEW_S = 300
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")
KIOSK_ID_PATTERN = r"^[A-Z0-9][A-Z0-9\-]{2,31}$"
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_.:\-]{8,128}$"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemCode(enum.StrEnum):
    """Stable error codes in every problem+json body; the kiosk maps them to screens."""

    AUTH_MISSING = "auth_missing"
    AUTH_UNKNOWN_KIOSK = "auth_unknown_kiosk"
    AUTH_BAD_SIGNATURE = "auth_bad_signature"
    AUTH_STALE_TIMESTAMP = "auth_stale_timestamp"
    AUTH_REPLAYED_NONCE = "auth_replayed_nonce"
    AUTH_STAFF = "auth_staff"
    STAFF_ROLE = "staff_role"  # 403: the account's role does not allow this
    VALIDATION_FAILED = "validation_failed"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNKNOWN_ITEM = "unknown_item"
    NOT_AN_APPLY_ITEM = "not_an_apply_item"
    NOT_AN_APPOINTMENT_ITEM = "not_an_appointment_item"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"  # the key was used for another request: never retry
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"  # the same request is still being handled: retry
    SLOT_NOT_FOUND = "slot_not_found"
    SLOT_FULL = "slot_full"
    BOOKING_NOT_FOUND = "booking_not_found"
    BOOKING_NOT_YOURS = "booking_not_yours"
    ALREADY_CANCELLED = "already_cancelled"
    NOT_A_FIRST_VISIT = "not_a_first_visit"  # the booking is no divorce application visit (or was cancelled)
    FIRST_VISIT_AHEAD = "first_visit_ahead"  # the first visit's day has not come: the 冷静期 has not started
    SECOND_VISIT_CLOSED = "second_visit_closed"  # the last day for the certificate has passed: withdrawn in law
    SECOND_VISIT_TAKEN = "second_visit_taken"  # the second visit is booked already (cancel it to book another)
    OUTSIDE_WINDOW = "outside_window"  # the slot is not among the days both may come for the certificate
    REFERENCE_NOT_YOURS = "reference_not_yours"  # a local reference must start with the kiosk's own id
    REFERENCE_TAKEN = "reference_taken"  # the kiosk used this local reference for another application
    ALREADY_RATED = "already_rated"
    INVALID_TRANSITION = "invalid_transition"
    REASON_REQUIRED = "reason_required"
    CALENDAR_UNKNOWN = "calendar_unknown"  # a time limit runs into a year the holiday calendar does not know
    CATALOG_UNAVAILABLE = "catalog_unavailable"
    SERVER_BUSY = "server_busy"  # 503: too many unauthenticated bodies in flight; retry
    STORAGE_UNAVAILABLE = "storage_unavailable"  # 503 with Retry-After: database down, full or read-only
    RATE_LIMITED = "rate_limited"  # 429 with Retry-After: the kiosk asks the citizen to wait
    KIOSK_QUARANTINED = "kiosk_quarantined"  # 403: the kiosk broke the look-up limits; staff must release it
    INTERNAL_ERROR = "internal_error"


def canonical_request(method: str, path_with_query: str, timestamp: str, nonce: str, kiosk_id: str,
                      body_digest_hex: str, idempotency_key: str = "") -> bytes:
    """V2 covers the Idempotency-Key too (empty when the request has none): a key changed on the way would
    otherwise make a captured request count again, or replay another one's stored answer."""
    return "\n".join(("KIOSK-SIG-V2", method.upper(), path_with_query, timestamp, nonce, kiosk_id,
                      body_digest_hex, idempotency_key)).encode()


def body_digest(profile: crypto.Profile, body: bytes) -> str:
    return crypto.digest(profile, body).hex()


def sign_headers(profile: crypto.Profile, kiosk_id: str, key: bytes, method: str, path_with_query: str,
                 body: bytes, now: float, idempotency_key: str = "") -> dict[str, str]:
    """The four authentication headers for one request; a fresh nonce every call."""
    timestamp = str(int(now))
    nonce = secrets.token_urlsafe(18)
    message = canonical_request(method, path_with_query, timestamp, nonce, kiosk_id, body_digest(profile, body),
                                idempotency_key)
    return {HEADER_KIOSK: kiosk_id, HEADER_TIMESTAMP: timestamp, HEADER_NONCE: nonce,
            HEADER_SIGNATURE: crypto.mac(profile, key, message).hex()}

"""Staff access to maintenance mode: PINs (scrypt hashes), lockout after wrong tries, and the audit trail.

Pure logic: the time comes in as an argument, so the lockout is testable without waiting five minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from kiosk.core.settings import PIN_SALT_BYTES, PIN_SCRYPT_N, PIN_SCRYPT_P, PIN_SCRYPT_R

SCRYPT_N, SCRYPT_R, SCRYPT_P = PIN_SCRYPT_N, PIN_SCRYPT_R, PIN_SCRYPT_P
MAX_TRIES = 5
LOCKOUT_S = 300.0


class PinFormatError(ValueError):
    pass


# PINs that anyone watching the public corner would try first, beyond the patterns weak_pin finds.
COMMON_PINS = frozenset({"123123", "112233", "123321", "520520", "521521", "147258", "159753", "111222",
                         "147258369", "123456789", "987654321", "1234567890"})


WEAK_ZH = {"the same digit repeated": "同一数字重复", "digits counting up or down": "连续递增或递减的数字",
           "a short pattern repeated": "短的数字组合重复", "a well-known PIN": "常见的PIN"}


def weak_pin(pin: str) -> str | None:
    """Why a PIN is too easy to guess, or None: one digit repeated, a run up or down, a short pattern repeated,
    or a well-known PIN."""
    if len(set(pin)) == 1:
        return "the same digit repeated"
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {9}):
        return "digits counting up or down"
    if any(pin == (pin[:size] * len(pin))[:len(pin)] for size in (2, 3)):
        return "a short pattern repeated"
    if pin in COMMON_PINS:
        return "a well-known PIN"
    return None


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash`, the form stored in kiosk.toml's maintenance_pin_scrypt."""
    if not (pin.isdigit() and 6 <= len(pin) <= 12):
        raise PinFormatError("PIN 须为 6 到 12 位数字 | the maintenance PIN must be 6 to 12 digits")
    if (why := weak_pin(pin)) is not None:
        raise PinFormatError(f"这个PIN太容易猜（{WEAK_ZH[why]}）：请另选一个 | that PIN is too easy to guess ({why}): "
                             "choose another")
    salt = salt or os.urandom(PIN_SALT_BYTES)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    encode = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt).decode()}${encode(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class PinGate:
    """Five wrong tries lock PIN entry for five minutes; a right PIN resets the count."""

    failures: int = 0
    locked_until: float = 0.0

    def locked(self, now: float) -> bool:
        return now < self.locked_until

    def seconds_left(self, now: float) -> int:
        return max(0, int(self.locked_until - now + 0.999))

    def attempt(self, pin: str, stored: str, now: float) -> tuple[PinGate, bool]:
        gate, whose = self.attempt_any(pin, [("pin", stored)] if stored else [], now)
        return gate, whose is not None

    def attempt_any(self, pin: str, stored: Sequence[tuple[str, str]], now: float) -> tuple[PinGate, str | None]:
        """Try the PIN against each (actor, hash); the actor whose PIN it is, or None. One count for all: the
        public corner guesses at the pad, not at a person."""
        if self.locked(now) or not stored:
            return self, None
        whose = next((actor for actor, hashed in stored if verify_pin(pin, hashed)), None)
        if whose is not None:
            return PinGate(), whose
        failures = self.failures + 1
        if failures >= MAX_TRIES:
            return PinGate(0, now + LOCKOUT_S), None
        return replace(self, failures=failures), None


def pin_taken(pin: str, stored: Sequence[str]) -> bool:
    """Whether another attendant (or the shared PIN) already has this PIN: the audit could not tell them apart."""
    return any(verify_pin(pin, hashed) for hashed in stored if hashed)


# What an audit line may hold besides its time, action and actor: none of it personal, so an exported audit
# keeps it (kiosk.shell.log_export). A field not listed here is exported as '<redacted>'.
AUDIT_FIELDS = frozenset({"detail", "tries_left", "status", "reason", "result", "job_id", "verdict", "number",
                          "delivered", "pending", "rejected", "message", "count", "redacted", "found", "configured"})


class AuditLog:
    """Append-only JSON lines of maintenance actions: who, what, when. Who is the attendant's name (their own
    PIN or card), 'pin' for the shared PIN, or `card:<short hash>` for a card on the anonymous list.

    Never personal data of citizens; a card's UID is never written, only a short hash of it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, action: str, when: datetime, actor: str = "pin", **details: str | int) -> None:
        line = {"t": when.isoformat(timespec="seconds"), "action": action, "actor": actor, **details}
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())

    def entries(self) -> list[dict[str, object]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]


def staff_actor(card_uid: bytes) -> str:
    return "card:" + hashlib.sha256(card_uid).hexdigest()[:12]


OUT_OF_SERVICE_FILE = "out-of-service.json"
MESSAGE_MAX = 80  # characters of staff's out-of-service message


def saved_out_of_service(data_dir: Path) -> str | None:
    """The message of the out-of-service switch staff left on (it survives a restart or a reboot), or None."""
    try:
        saved = json.loads((data_dir / OUT_OF_SERVICE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(saved.get("message", "")) if isinstance(saved, dict) else ""

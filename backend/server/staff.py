"""Staff identity: named accounts with roles, scrypt password hashes, tokens that expire, and the append-only
record of every opening of an applicant's record.

Roles, each including the one before: viewer (lists with masked applicants, the fleet, reports), clerk (opens
a record in full, moves applications on), administrator (everything; accounts are managed with
`kiosk-backend staff`). A token is a random secret shown once; only its keyed digest is stored, with the
account it belongs to and when it expires. Revoking an account ends all its tokens at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from backend.contract import crypto
from backend.server import db
from backend.server.models import RecordOpening, StaffAccount, StaffToken
from backend.server.state import ServerState

ROLES = ("viewer", "clerk", "administrator")
TOKEN_HOURS = 8.0  # a working day at the window; scripts ask for what they need (`staff token --hours`)
MAX_TOKEN_HOURS = 24.0 * 31
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1  # ~16 MiB and a few tens of ms a check (RFC 7914 interactive)
MIN_PASSWORD = 10


class StaffError(Exception):
    """An operator mistake: no such account, a weak password, an unknown role."""


@dataclass(frozen=True)
class Principal:
    account_id: int
    name: str
    role: str

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class AccountView:
    name: str
    role: str
    created_at: datetime
    revoked: bool
    active_tokens: int


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    derived = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "$".join(("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), base64.b64encode(salt).decode(),
                     base64.b64encode(derived).decode()))


def password_matches(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        derived = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                 dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(derived, base64.b64decode(expected))


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))  # so an unknown name costs what a wrong password costs


def token_digest(state: ServerState, token: str) -> str:
    return crypto.mac(state.keys.profile, state.keys.index_key, b"staff-token:" + token.encode()).hex()


def add_account(state: ServerState, name: str, role: str, password: str | None) -> None:
    """A new account; password None: no log-in, only tokens an operator issues (`staff token`)."""
    if role not in ROLES:
        raise StaffError(f"no role {role!r}: one of {', '.join(ROLES)}")
    if not 1 <= len(name) <= 64:
        raise StaffError("a name has 1 to 64 characters")
    if password is not None and len(password) < MIN_PASSWORD:
        raise StaffError(f"a password has at least {MIN_PASSWORD} characters")
    with state.sessions() as session, session.begin():
        if session.scalar(select(StaffAccount.id).where(StaffAccount.name == name)) is not None:
            raise StaffError(f"there is an account {name!r} already")
        session.add(StaffAccount(name=name, role=role, password_hash=hash_password(password) if password else "",
                                 created_at=db.now()))


def issue_token(state: ServerState, name: str, hours: float = TOKEN_HOURS) -> tuple[str, datetime]:
    """A token for an active account, shown once; returns it and when it expires."""
    if not 0 < hours <= MAX_TOKEN_HOURS:
        raise StaffError(f"a token lasts more than 0 and at most {MAX_TOKEN_HOURS:.0f} hours")
    token = secrets.token_urlsafe(32)
    expires = db.now() + timedelta(hours=hours)
    with state.sessions() as session, session.begin():
        account = session.scalar(select(StaffAccount).where(StaffAccount.name == name,
                                                            StaffAccount.revoked_at.is_(None)))
        if account is None:
            raise StaffError(f"no active account {name!r}: `kiosk-backend staff add` makes one")
        session.add(StaffToken(name=name, account_id=account.id, token_digest=token_digest(state, token),
                               created_at=db.now(), expires_at=expires))
    return token, expires


def log_in(state: ServerState, name: str, password: str, hours: float = TOKEN_HOURS) -> tuple[str, datetime, str]:
    """Token, expiry and role for a right name and password; StaffError otherwise (the same either way)."""
    with state.sessions() as session:
        account = session.scalar(select(StaffAccount).where(StaffAccount.name == name,
                                                            StaffAccount.revoked_at.is_(None)))
        stored = account.password_hash if account is not None and account.password_hash else _DUMMY_HASH
        role = account.role if account is not None else ""
    if not password_matches(stored, password) or account is None or not account.password_hash:
        raise StaffError("wrong name or password")
    token, expires = issue_token(state, name, hours)
    return token, expires, role


def principal_for(state: ServerState, token: str) -> Principal | None:
    """The account behind a live token: the token unexpired and unrevoked, the account unrevoked."""
    now = db.now()
    with state.sessions() as session:
        found = session.execute(
            select(StaffAccount.id, StaffAccount.name, StaffAccount.role)
            .join(StaffToken, StaffToken.account_id == StaffAccount.id)
            .where(StaffToken.token_digest == token_digest(state, token), StaffToken.revoked_at.is_(None),
                   StaffToken.expires_at > now, StaffAccount.revoked_at.is_(None))).first()
    return Principal(int(found.id), str(found.name), str(found.role)) if found is not None else None


def principal_named(state: ServerState, name: str) -> Principal:
    """An active account as a principal, for operator commands that act in a member of staff's name."""
    with state.sessions() as session:
        account = session.scalar(select(StaffAccount).where(StaffAccount.name == name,
                                                            StaffAccount.revoked_at.is_(None)))
    if account is None:
        raise StaffError(f"no active account {name!r}: `kiosk-backend staff add` makes one")
    return Principal(account.id, account.name, account.role)


def revoke_token(state: ServerState, token: str) -> None:
    """End one session (signing out of the console); the account's other sessions go on."""
    if not token:
        return
    with state.sessions() as session, session.begin():
        session.execute(update(StaffToken).where(StaffToken.token_digest == token_digest(state, token),
                                                 StaffToken.revoked_at.is_(None)).values(revoked_at=db.now()))


def revoke_account(state: ServerState, name: str) -> int:
    """Revoke the account and every token of it; returns how many live tokens ended."""
    now = db.now()
    with state.sessions() as session, session.begin():
        account = session.scalar(select(StaffAccount).where(StaffAccount.name == name))
        if account is None:
            raise StaffError(f"no account {name!r}")
        account.revoked_at = account.revoked_at or now
        ended = session.execute(update(StaffToken).where(StaffToken.account_id == account.id,
                                                         StaffToken.revoked_at.is_(None))
                                .values(revoked_at=now))
        return int(ended.rowcount)  # type: ignore[attr-defined]


def accounts(state: ServerState) -> list[AccountView]:
    now = db.now()
    with state.sessions() as session:
        rows = session.scalars(select(StaffAccount).order_by(StaffAccount.name)).all()
        live: dict[int | None, int] = {}
        for account_id, in session.execute(select(StaffToken.account_id).where(
                StaffToken.revoked_at.is_(None), StaffToken.expires_at > now)).all():
            live[account_id] = live.get(account_id, 0) + 1
        return [AccountView(a.name, a.role, db.as_utc(a.created_at), a.revoked_at is not None, live.get(a.id, 0))
                for a in rows]


def record_opening(state: ServerState, principal: Principal, application_number: str, action: str) -> None:
    """Append who opened which applicant's record, and when; never changed or deleted (triggers refuse it)."""
    with state.sessions() as session, session.begin():
        session.execute(insert(RecordOpening).values(account_id=principal.account_id, staff_name=principal.name,
                                                     application_number=application_number, action=action,
                                                     at=db.now()))

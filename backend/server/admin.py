"""Operator actions: enrol and revoke kiosks, issue staff tokens. Called by `kiosk-backend` and by the kiosk's
embedded backend (kiosk.composition.embedded_backend)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from backend.contract import crypto
from backend.contract.keys import KioskCredential
from backend.server import db
from backend.server.models import Kiosk, KioskAlert
from backend.server.state import ServerState


def enroll(state: ServerState, kiosk_id: str, profile: crypto.Profile | None = None) -> KioskCredential:
    """Register a kiosk (or give an enrolled one a new key, which retires the old one) and return its credential."""
    profile = profile or state.keys.profile
    mac_key = crypto.new_mac_key()
    with state.sessions() as session, session.begin():
        kiosk = session.get(Kiosk, kiosk_id)
        sealed = state.seal(mac_key, f"kiosks:{kiosk_id}")
        if kiosk is None:
            session.add(Kiosk(kiosk_id=kiosk_id, profile=profile, mac_key_sealed=sealed, enrolled_at=db.now(),
                              heartbeat=""))
        else:
            kiosk.profile, kiosk.mac_key_sealed, kiosk.enrolled_at, kiosk.revoked_at = profile, sealed, db.now(), None
    state.forget_kiosk(kiosk_id)
    return KioskCredential(kiosk_id, profile, mac_key, state.keys.signing.public, state.keys.key_id)


def revoke(state: ServerState, kiosk_id: str) -> bool:
    with state.sessions() as session, session.begin():
        kiosk = session.get(Kiosk, kiosk_id)
        if kiosk is None:
            return False
        kiosk.revoked_at = db.now()
    state.forget_kiosk(kiosk_id)
    return True


def is_enrolled(state: ServerState, kiosk_id: str) -> bool:
    with state.sessions() as session:
        kiosk = session.get(Kiosk, kiosk_id)
        return kiosk is not None and kiosk.revoked_at is None


def new_staff_token(state: ServerState, name: str, role: str = "clerk", hours: float = 8.0) -> str:
    """A bearer token for the account `name`, made (tokens only, no password) when there is none yet."""
    from backend.server.staff import StaffError, add_account, issue_token

    with contextlib.suppress(StaffError):  # it exists
        add_account(state, name, role, None)
    return issue_token(state, name, hours)[0]


@dataclass(frozen=True)
class Alert:
    kiosk_id: str
    kind: str
    detail: str
    at: datetime
    quarantined: bool


def alerts(state: ServerState, limit: int = 200) -> list[Alert]:
    """Newest first: kiosks that broke the look-up limits, and quarantines (`kiosk-backend alerts`)."""
    with state.sessions() as session:
        quarantined = set(session.scalars(select(Kiosk.kiosk_id).where(Kiosk.quarantined_at.is_not(None))))
        rows = session.scalars(select(KioskAlert).order_by(KioskAlert.id.desc()).limit(limit)).all()
        return [Alert(r.kiosk_id, r.kind, r.detail, db.as_utc(r.at), r.kiosk_id in quarantined) for r in rows]


def release(state: ServerState, kiosk_id: str) -> bool:
    """Lift a kiosk's quarantine; False when it was not quarantined."""
    with state.sessions() as session, session.begin():
        kiosk = session.get(Kiosk, kiosk_id)
        if kiosk is None or kiosk.quarantined_at is None:
            return False
        kiosk.quarantined_at = None
        session.add(KioskAlert(kiosk_id=kiosk_id, kind="released", detail="quarantine lifted", at=db.now()))
    return True

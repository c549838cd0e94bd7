"""What one running server holds: its settings, keys, database and the catalog it publishes."""

from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from backend.contract import crypto
from backend.contract.keys import ServerKeys, load_or_create_server_keys
from backend.contract.schemas import CatalogBundle
from backend.server import db
from backend.server.models import CatalogVersion, Kiosk
from backend.server.rate_limits import Limiter, LimitPolicy
from kiosk.core.catalog import Catalog
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend")
CHINA = timezone(timedelta(hours=8), "CST")  # numbers and slot days follow Beijing time
KIOSK_KEY_TTL_S = 10.0


@dataclass(frozen=True)
class ServerSettings:
    database_url: str
    key_dir: Path
    profile: crypto.Profile = "national"
    division_code: str = "220000"
    """GB/T 2260 code that starts every 办件编号 (220000 = 吉林省)."""
    office: str = "吉林省婚姻登记服务中心（参考服务器）"
    """The office named on appointment slots."""
    slot_capacity: int = 6
    max_skew_s: int = 300
    max_body_bytes: int = 256 * 1024
    limits: LimitPolicy = field(default_factory=LimitPolicy)
    """Look-up limits per kiosk, per person and per application number (backend.server.rate_limits)."""


@dataclass
class ServerState:
    settings: ServerSettings
    keys: ServerKeys
    engine: Engine
    sessions: sessionmaker[Session]
    catalog: Catalog | None
    nonce_engine: Engine
    """Seen nonces are written without a sync per commit: losing the last few in a power cut only lets a
    request from the last minutes be replayed, and every request that changes anything is idempotent."""
    bundle: CatalogBundle | None = None
    limiter: Limiter = field(init=False)
    nonce_inserts: int = field(default=0)
    _kiosk_keys: dict[str, tuple[float, crypto.Profile, bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Counters are written without a sync per commit, like nonces: the loss of the last seconds' counts
        # in a power cut gives an attacker a few more look-ups, once.
        self.limiter = Limiter(self.nonce_engine, self.settings.limits)

    def seal(self, plaintext: bytes, aad: str) -> bytes:
        return crypto.seal(self.keys.profile, self.keys.data_key, plaintext, aad.encode())

    def open(self, blob: bytes, aad: str) -> bytes:
        return crypto.open_sealed(self.keys.profile, self.keys.data_key, blob, aad.encode())

    def kiosk_key(self, kiosk_id: str) -> tuple[crypto.Profile, bytes] | None:
        """The profile and MAC key of an enrolled, unrevoked kiosk. Kept for KIOSK_KEY_TTL_S, so a kiosk
        revoked by another process (`kiosk-backend revoke`) is refused within that time."""
        now = time.monotonic()
        cached = self._kiosk_keys.get(kiosk_id)
        if cached is not None and cached[0] > now:
            return cached[1], cached[2]
        with self.sessions() as session:
            kiosk = session.get(Kiosk, kiosk_id)
            if kiosk is None or kiosk.revoked_at is not None:
                self._kiosk_keys.pop(kiosk_id, None)
                return None
            profile: crypto.Profile = kiosk.profile  # type: ignore[assignment]
            key = self.open(kiosk.mac_key_sealed, f"kiosks:{kiosk.kiosk_id}")
        self._kiosk_keys[kiosk_id] = (now + KIOSK_KEY_TTL_S, profile, key)
        return profile, key

    def forget_kiosk(self, kiosk_id: str) -> None:
        self._kiosk_keys.pop(kiosk_id, None)

    def query_code_digest(self, application_number: str, code: str) -> str:
        return crypto.mac(self.keys.profile, self.keys.index_key,
                          f"query-code:{application_number}:{code}".encode()).hex()

    def person_index(self, id_number: str) -> str:
        return crypto.mac(self.keys.profile, self.keys.index_key, id_number.upper().encode()).hex()


def build_state(settings: ServerSettings, catalog: Catalog | None, migrate: bool = True) -> ServerState:
    engine = db.make_engine(settings.database_url)
    if migrate:
        db.upgrade(engine)
    keys = load_or_create_server_keys(settings.key_dir, settings.profile)
    state = ServerState(settings, keys, engine, db.session_factory(engine), catalog,
                        db.make_engine(settings.database_url, durable=False))
    if catalog is not None:
        state.bundle = sign_catalog(state, catalog)
    return state


def catalog_payload(catalog: Catalog) -> str:
    """The catalog as canonical JSON: the exact text that is signed and that kiosks load."""
    content = {"items": [i.model_dump(mode="json") for i in catalog.items],
               "tasks": [t.model_dump(mode="json") for t in catalog.tasks],
               "sources": [s.model_dump(mode="json") for s in catalog.sources]}
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sign_catalog(state: ServerState, catalog: Catalog) -> CatalogBundle:
    payload = catalog_payload(catalog)
    digest = crypto.digest(state.keys.profile, payload.encode()).hex()
    version = _catalog_version(state, digest)
    signature = crypto.sign(state.keys.signing, payload.encode())
    log_event(log, "catalog_signed", version=str(version), count=len(catalog.items))
    return CatalogBundle(version=version.version, issued_at=db.as_utc(version.created_at),
                         algorithm=crypto.SIGNATURE_ALGORITHM[state.keys.profile],  # type: ignore[arg-type]
                         key_id=state.keys.key_id, payload=payload,
                         signature=base64.b64encode(signature).decode())


def _catalog_version(state: ServerState, digest: str) -> CatalogVersion:
    """The version number of this catalog content: the one it had, or the next one."""
    for _attempt in range(3):
        try:
            with state.sessions() as session, session.begin():
                found = session.scalar(select(CatalogVersion).where(CatalogVersion.digest == digest))
                if found is not None:
                    return found
                newest = session.scalar(select(CatalogVersion.version).order_by(CatalogVersion.version.desc())
                                        .limit(1))
                row = CatalogVersion(version=(newest or 0) + 1, digest=digest, created_at=db.now())
                session.add(row)
                session.flush()
                return row
        except IntegrityError:  # another server process numbered it at the same moment
            continue
    raise RuntimeError("could not number the catalog version")

"""What one running server holds: its settings, keys, database and the catalog it publishes."""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from kiosk.core.localtime import CHINA_STANDARD_TIME
from kiosk.logs import log_event

if TYPE_CHECKING:
    from backend.server.help_calls import HelpWebhook

log = logging.getLogger("kiosk.backend")
CHINA = CHINA_STANDARD_TIME  # numbers and slot days follow Beijing time
KioskKey = tuple[crypto.Profile, bytes, bytes]
"""An enrolled kiosk's profile, MAC key and the key as sealed in the database."""


@dataclass(frozen=True)
class ServerSettings:
    database_url: str
    key_dir: Path
    profile: crypto.Profile = "national"
    division_code: str = "220000"
    """GB/T 2260 code that starts every 办件编号 (220000 = 吉林省)."""
    office: str = "婚姻登记处"
    """The office named on appointment slots: the kiosk passes its `marriage-registry` office from kiosk.toml;
    a platform names its own offices."""
    slot_capacity: int = 6
    max_skew_s: int = 300
    max_body_bytes: int = 256 * 1024
    body_timeout_s: float = 10.0
    """A request's whole body must arrive within this (a kiosk sends at most a few hundred KiB)."""
    max_buffered_bytes: int = 16 * 1024 * 1024
    """All request bodies held before their signature is checked, across connections: beyond it, 503."""
    limits: LimitPolicy = field(default_factory=LimitPolicy)
    """Look-up limits per kiosk, per person and per application number (backend.server.rate_limits)."""
    silent_after_s: int = 300
    """A kiosk without a heartbeat for longer is an alert on the fleet page (kiosks send one a minute)."""
    help_webhook_url: str = ""
    """Where each citizen's call for staff is posted (the hall's messaging-group robot); "" for none."""
    catalog_dir: Path | None = None
    """The catalog folder the server publishes (`serve --catalog`); None: the shipped one. The console's monthly
    report reads its monthly_report.toml from there."""


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
    earlier_bundles: dict[tuple[str, int], CatalogBundle] = field(default_factory=dict)
    """The bundle re-signed for kiosks reading an earlier catalog schema (backend.server.catalog_schemas)."""
    limiter: Limiter = field(init=False)
    nonce_inserts: int = field(default=0)
    help_webhook: HelpWebhook | None = None  # started on the first call for help (backend.server.help_calls)
    _kiosk_keys: dict[str, KioskKey] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Counters are written without a sync per commit, like nonces: the loss of the last seconds' counts
        # in a power cut gives an attacker a few more look-ups, once.
        self.limiter = Limiter(self.nonce_engine, self.settings.limits)

    def seal(self, plaintext: bytes, aad: str) -> bytes:
        return crypto.seal(self.keys.profile, self.keys.data_key, plaintext, aad.encode())

    def open(self, blob: bytes, aad: str) -> bytes:
        return crypto.open_sealed(self.keys.profile, self.keys.data_key, blob, aad.encode())

    def kiosk_key(self, kiosk_id: str, fresh: bool = False) -> KioskKey | None:
        """The profile, MAC key and sealed key of an enrolled kiosk, unsealed once and kept in memory.

        The cache decides nothing about revocation: every request's nonce is only recorded while the kiosk
        is enrolled, unrevoked and still has this very key (backend.server.auth), so a revocation or a new key
        from any process takes effect on the next request, on every worker."""
        cached = None if fresh else self._kiosk_keys.get(kiosk_id)
        if cached is not None:
            return cached
        with self.sessions() as session:
            kiosk = session.get(Kiosk, kiosk_id)
            if kiosk is None or kiosk.revoked_at is not None:
                self._kiosk_keys.pop(kiosk_id, None)
                return None
            profile: crypto.Profile = kiosk.profile  # type: ignore[assignment]
            sealed = bytes(kiosk.mac_key_sealed)
            key = self.open(sealed, f"kiosks:{kiosk.kiosk_id}")
        self._kiosk_keys[kiosk_id] = (profile, key, sealed)
        return profile, key, sealed

    def cached_kiosk_key(self, kiosk_id: str) -> KioskKey | None:
        """The key if this process holds it already, reading nothing (so the event loop may ask)."""
        return self._kiosk_keys.get(kiosk_id)

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
    if migrate:
        seal_legacy_notes(state)
    if catalog is not None:
        state.bundle = sign_catalog(state, catalog)
    return state


def seal_legacy_notes(state: ServerState) -> None:
    """Staff notes written in plain text before they were sealed: seal them now and blank the plain copy."""
    from backend.server.models import Application, ApplicationEvent

    with state.sessions() as session, session.begin():
        for app_row in session.scalars(select(Application).where(Application.note != "")):
            app_row.note_sealed = state.seal(app_row.note.encode(), f"applications:{app_row.id}:note")
            app_row.note = ""
        for event in session.scalars(select(ApplicationEvent).where(ApplicationEvent.note != "")):
            event.note_sealed = state.seal(event.note.encode(), f"application_events:{event.id}")
            event.note = ""


def catalog_payload(catalog: Catalog) -> str:
    """The catalog as canonical JSON: the exact text that is signed and that kiosks load."""
    return canonical_payload({"items": [i.model_dump(mode="json") for i in catalog.items],
                              "tasks": [t.model_dump(mode="json") for t in catalog.tasks],
                              "sources": [s.model_dump(mode="json") for s in catalog.sources]})


def canonical_payload(content: dict[str, Any]) -> str:
    """Catalog content as the one JSON text that is signed (also for kiosks of an earlier schema)."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def payload_signature(signing: crypto.SigningKey, payload: str) -> str:
    """A bundle's `signature`: base64 of the server's signature over the payload's UTF-8 bytes."""
    return base64.b64encode(crypto.sign(signing, payload.encode())).decode()


def sign_catalog(state: ServerState, catalog: Catalog) -> CatalogBundle:
    payload = catalog_payload(catalog)
    digest = crypto.digest(state.keys.profile, payload.encode()).hex()
    version = _catalog_version(state, digest)
    log_event(log, "catalog_signed", version=str(version.version), count=len(catalog.items))
    return CatalogBundle(version=version.version, issued_at=db.as_utc(version.created_at),
                         algorithm=crypto.SIGNATURE_ALGORITHM[state.keys.profile],
                         key_id=state.keys.key_id, payload=payload,
                         signature=payload_signature(state.keys.signing, payload))


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

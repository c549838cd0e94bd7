"""The kiosk's copy of the signed catalog: checked against the server's key, kept only if valid and newer.

A bundle is accepted when its signature verifies with the server public key from the kiosk's credential,
its key id is that key's, its payload is a catalog that passes every check of kiosk.core.catalog, and its
version is higher than the one kept. Anything else is refused and the kept one stays in use.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from backend.contract import crypto
from backend.contract.keys import KioskCredential
from kiosk.core.catalog import Catalog, Item, Source, Task, check_catalog
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend.catalog")


class CatalogRefused(Exception):
    """A downloaded catalog that must not be used; the message says why (never personal)."""


def catalog_from_payload(payload: str) -> Catalog:
    try:
        content = json.loads(payload)
        catalog = Catalog(tuple(Item.model_validate(i) for i in content["items"]),
                          tuple(Task.model_validate(t) for t in content["tasks"]),
                          tuple(Source.model_validate(s) for s in content["sources"]))
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        raise CatalogRefused(f"payload is not a catalog ({type(exc).__name__})") from None
    problems = check_catalog(catalog)
    if problems:
        raise CatalogRefused(f"catalog fails {len(problems)} checks, first: {problems[0]}")
    return catalog


def verify_bundle(bundle: dict[str, Any], credential: KioskCredential) -> tuple[int, Catalog]:
    """The version and catalog of a bundle whose signature and content check out; raises CatalogRefused."""
    try:
        version = int(bundle["version"])
        payload = str(bundle["payload"])
        signature = base64.b64decode(str(bundle["signature"]), validate=True)
        key_id, algorithm = str(bundle["key_id"]), str(bundle["algorithm"])
    except (KeyError, ValueError, TypeError, binascii.Error):
        raise CatalogRefused("malformed bundle") from None
    if algorithm != crypto.SIGNATURE_ALGORITHM[credential.profile]:
        raise CatalogRefused(f"signed with {algorithm}, expected {crypto.SIGNATURE_ALGORITHM[credential.profile]}")
    if credential.server_key_id and key_id != credential.server_key_id:
        raise CatalogRefused("signed with a key this kiosk does not know")
    if not crypto.verify(credential.profile, credential.server_public_key, payload.encode(), signature):
        raise CatalogRefused("bad signature")
    return version, catalog_from_payload(payload)


class CatalogStore:
    def __init__(self, path: Path, credential: KioskCredential) -> None:
        self.path = path
        self.credential = credential

    def current(self) -> tuple[int, Catalog] | None:
        """The kept catalog, checked again (a file changed on disk is not trusted)."""
        try:
            bundle = json.loads(self.path.read_text(encoding="utf-8"))
            return verify_bundle(bundle, self.credential)
        except FileNotFoundError:
            return None  # none downloaded yet
        except (OSError, ValueError, CatalogRefused) as exc:
            # the shipped catalog (or the one in use) stays; the next download replaces the file
            log_event(log, "kept_catalog_refused", logging.WARNING, detail_code=str(exc)[:80] or type(exc).__name__)
            return None

    def offer(self, bundle: dict[str, Any]) -> int | None:
        """Keep the bundle if it is valid and newer; returns its version when kept, None when not newer."""
        kept = self.keep(bundle)
        return kept[0] if kept is not None else None

    def keep(self, bundle: dict[str, Any]) -> tuple[int, Catalog] | None:
        """`offer`, returning the version and the checked catalog when kept."""
        try:
            version, catalog = verify_bundle(bundle, self.credential)
        except CatalogRefused as exc:
            log_event(log, "catalog_refused", logging.WARNING, detail_code=str(exc)[:80])
            raise
        kept = self.current()
        if kept is not None and kept[0] >= version:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(bundle, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        log_event(log, "catalog_updated", version=str(version))
        return version, catalog

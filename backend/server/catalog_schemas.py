"""The signed catalog for kiosks of an earlier release.

A kiosk refuses a catalog with a field its release does not know (one it ignored could change what a citizen is
told), and keeps the catalog it has. So each release names the fields it reads by a number,
`kiosk.core.catalog.CATALOG_SCHEMA`, and asks for it (`GET /v1/catalog?schema=N`; a release from before the
number asks without it: 1). The server answers with the same catalog version without the fields added since,
signed as such: a kiosk not yet upgraded keeps following the catalog's texts, materials, offices and phones, and
misses only what its release could not show anyway. Only fields an older kiosk can do without are listed here;
one that every kiosk must obey needs the fleet upgraded before the catalog uses it (docs/deploy.md).
"""

from __future__ import annotations

import json
from typing import Any

from backend.contract import crypto
from backend.contract.schemas import CatalogBundle
from backend.server.state import canonical_payload, payload_signature
from kiosk.core.catalog import CATALOG_SCHEMA

# The keys each schema added, by where they stand: on an item, or on one of its form fields.
ADDED: dict[int, dict[str, tuple[str, ...]]] = {
    2: {"item": ("former_fields",), "form_field": ("hinted_by",)},
}


def readable_by(content: dict[str, Any], schema: int) -> dict[str, Any]:
    """The catalog's JSON content without the keys added after `schema`."""
    later = [added for since, added in ADDED.items() if since > schema]
    item_keys = {key for added in later for key in added.get("item", ())}
    field_keys = {key for added in later for key in added.get("form_field", ())}

    def item(entry: dict[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in entry.items() if k not in item_keys}
        if "form_fields" in kept:
            kept["form_fields"] = [{k: v for k, v in f.items() if k not in field_keys} for f in kept["form_fields"]]
        return kept

    return {**content, "items": [item(entry) for entry in content["items"]]}


def bundle_for(newest: CatalogBundle | None, schema: int, signing: crypto.SigningKey,
               cache: dict[tuple[str, int], CatalogBundle]) -> CatalogBundle | None:
    """The bundle a kiosk reading `schema` can keep: the newest one as it is for this release or a later one,
    else the same version without the later fields, signed once per version and schema (`cache`)."""
    if newest is None or schema >= CATALOG_SCHEMA:
        return newest
    key = (newest.signature, schema)
    if key not in cache:
        payload = canonical_payload(readable_by(json.loads(newest.payload), schema))
        cache[key] = newest.model_copy(update={"payload": payload, "signature": payload_signature(signing, payload)})
    return cache[key]

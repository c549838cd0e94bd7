"""Test data and clients without any server import, so the crash test's kiosk process starts quickly."""

from __future__ import annotations

import hashlib
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

from backend.contract import crypto
from backend.contract.keys import KioskCredential
from kiosk.core.catalog import Catalog, Item, Source
from kiosk.core.identity import CardType, Identity, Sex, check_char
from kiosk.core.records import Application
from kiosk.remote.catalog_sync import CatalogStore
from kiosk.remote.client import HttpBackend
from kiosk.remote.outbox import Outbox
from kiosk.remote.transport import Backoff, Transport
from kiosk.storage.catalog import default_catalog_dir

KIOSK_ID = "JL-TEST-001"
ROOT_DIR = Path(__file__).resolve().parent.parent.parent


def _apply_item() -> Item:
    for path in sorted((default_catalog_dir() / "items").glob("*.toml")):
        item = Item.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        if item.kiosk_action == "apply":
            return item
    raise AssertionError("the shipped catalog has no apply item")


def _sources(items: list[Item]) -> tuple[Source, ...]:
    refs = set()
    for item in items:
        dumped = item.model_dump()
        stack: list[object] = [dumped]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                refs.update(node.get("sources", []) if isinstance(node.get("sources"), list) else [])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    return tuple(Source(id=ref, title=f"source {ref}", grade="A") for ref in sorted(refs))


def make_catalog() -> Catalog:
    """One apply item from the shipped catalog, plus two appointment items made from it."""
    apply_item = _apply_item()
    appointment = {"kiosk_action": "appointment", "parties": 2, "category": "marriage", "form_fields": [],
                   "former_fields": []}
    marriage = apply_item.model_copy(update={"id": "marriage-registration", "code": "JL-MZ-L04", **appointment})
    divorce = apply_item.model_copy(update={"id": "divorce-registration", "code": "JL-MZ-L05",
                                            "after_first_visit": "divorce_cooling_off", **appointment})
    items = [apply_item, marriage, divorce]
    return Catalog(tuple(items), (), _sources(items))


def make_client(url: str, credential: KioskCredential, folder: Path, start_sender: bool = False,
                quick_s: float = 2.0, backoff: Backoff | None = None, timeout_s: float = 5.0,
                catalog_store: CatalogStore | None = None, heartbeat_interval_s: float = 60.0) -> HttpBackend:
    key = crypto.load_or_create_data_key(folder / "outbox.key", credential.profile)
    outbox = Outbox(folder / "outbox.sqlite3", key, credential.profile)
    return HttpBackend(Transport(url, credential, timeout_s=timeout_s), outbox, quick_s=quick_s,
                       start_sender=start_sender, backoff=backoff, catalog_store=catalog_store,
                       heartbeat_interval_s=heartbeat_interval_s)


def person(n: int, name: str = "测试申请人") -> Identity:
    """A valid-looking identity, distinct for each n."""

    first17 = f"22010219{80 + n % 20:02d}0101{n % 1000:03d}"
    return Identity(card_type=CardType.RESIDENT, name=f"{name}{n}", id_number=first17 + check_char(first17),
                    sex=Sex.MALE, birth_date=date(1980 + n % 20, 1, 1), nation="汉",
                    address=f"吉林省长春市南关区某路{n}号",
                    issuing_authority="长春市公安局南关分局", valid_from=date(2015, 1, 1), valid_until="长期")


def application(item: Item, n: int, kiosk_id: str = KIOSK_ID, key_prefix: str = "s") -> Application:
    applicant = person(n)
    values = []
    for spec in item.form_fields:
        if spec.source == "card":
            values.append((spec.id, applicant.id_number if spec.card_attribute == "id_number" else applicant.name))
        elif spec.type == "choice":
            values.append((spec.id, spec.choices[0].value))
        elif spec.type == "phone":
            values.append((spec.id, "13912345678"))
        elif spec.type == "id_number":  # another person's (a child's): the server checks it like the kiosk
            values.append((spec.id, person(n + 500).id_number))
        elif spec.type == "division":  # 户籍所在地: a county of GB/T 2260, 长春市南关区
            values.append((spec.id, "220102"))
        else:
            values.append((spec.id, "1"))
    session_hex = hashlib.sha256(f"{key_prefix}-{n}".encode()).hexdigest()[:10].upper()
    return Application(idempotency_key=f"{key_prefix}-{n:06d}:apply", local_reference=f"{kiosk_id}-{session_hex}",
                       kiosk_id=kiosk_id, item_id=item.id, applicant=applicant, fields=tuple(values),
                       submitted_at=datetime.now(UTC))


def renamed(catalog: Catalog, item_id: str, name: str) -> Catalog:
    """The catalog with one item's Chinese name changed, as a new version from the province would be."""
    items = tuple(i.model_copy(update={"names": i.names.model_copy(update={"zh": name})}) if i.id == item_id else i
                  for i in catalog.items)
    return Catalog(items, catalog.tasks, catalog.sources)

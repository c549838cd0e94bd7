"""An application as another visit to a kiosk would have submitted it, for tests that need one on the backend: a
form the backend accepts (it checks the form against the catalog) under the kiosk's own reference."""

from __future__ import annotations

from kiosk.core.catalog import Catalog
from kiosk.core.identity import manual_identity
from kiosk.core.records import Application
from kiosk.core.session.forms import prefill
from kiosk.shell.demo_journey import sample_value

ITEM = "orphan-support"


def orphan_application(catalog: Catalog, kiosk_id: str, key: str, reference: str) -> Application:
    applicant = manual_identity("张桂兰", "220102195603120020")
    item = catalog.item(ITEM)
    form = dict(prefill(item, applicant))
    form |= {spec.id: sample_value(spec, applicant) for spec in item.form_fields
             if spec.source == "manual" and spec.required}
    return Application(key, f"{kiosk_id}-{reference}", kiosk_id, ITEM, applicant, tuple(form.items()))

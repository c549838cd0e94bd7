"""A kiosk refuses a catalog with a field its release does not know: every field of the catalog's models is
recorded here with the schema that added it, so a new field cannot reach the fleet without a new
CATALOG_SCHEMA and the server leaving it out for kiosks that read an earlier one."""

from __future__ import annotations

import json

from pydantic import BaseModel

import kiosk.core.catalog as catalog_models
from backend.server.catalog_schemas import ADDED, readable_by
from backend.server.state import catalog_payload
from kiosk.core.catalog import CATALOG_SCHEMA, Catalog
from kiosk.remote.catalog_sync import catalog_from_payload

# Every field as of schema 2 (checked by hand against the release before it: its models refuse `hinted_by`
# and `former_fields` and accept the rest).
FIELDS = {
    "Choice": {"label", "value"},
    "Fact": {"certainty", "sources", "text"},
    "Fee": {"certainty", "free", "note", "sources"},
    "FormField": {"asked_of", "built_from", "card_attribute", "choices", "help", "hinted_by", "id", "input", "label",
                  "pattern", "required", "sensitive", "source", "suggested_by", "type"},
    "FormerField": {"id", "label", "replaced_by", "type"},
    "Item": {"after_first_visit", "category", "code", "correction_time_limit", "divisions", "eligibility", "fee",
             "form_fields", "former_fields", "id", "item_type", "kiosk_action", "kuasheng_modes", "legal_basis",
             "legal_time_limit", "materials", "names", "needs_printer", "notes", "parties", "partner_departments",
             "partner_provinces", "promised_time_limit", "sensitive_categories", "short_names", "sources", "steps",
             "summary", "task_role", "where"},
    "LegalBasis": {"certainty", "cite", "document", "sources"},
    "Material": {"certainty", "condition", "copies", "form", "id", "name", "notes", "provided_by", "required",
                 "shareable", "sources"},
    "Source": {"grade", "id", "title", "url"},
    "SourceFile": {"sources"},
    "Step": {"actor", "case_clock", "name", "place", "sources", "time_limit"},
    "Task": {"item_id", "lead_department", "name", "number", "phase", "responsible_divisions", "role", "scope", "via"},
    "TaskFile": {"tasks"},
    "Text": {"en", "ko", "zh"},
    "TimeLimit": {"amount", "certainty", "note", "sources", "unit"},
    "Where": {"certainty", "hours", "office", "office_ref", "online", "phone", "phone_owner", "sources"},
}
RECORDED_SCHEMA = 2


def test_no_catalog_field_is_added_without_a_new_schema() -> None:
    models = {name: set(model.model_fields) for name, model in vars(catalog_models).items()
              if isinstance(model, type) and issubclass(model, BaseModel) and model.model_fields
              and model.__module__ == catalog_models.__name__}
    assert models == FIELDS, ("the catalog's fields changed: kiosks of earlier releases would refuse every catalog. "
                              "Raise kiosk.core.catalog.CATALOG_SCHEMA, list the new keys in "
                              "backend/server/catalog_schemas.ADDED, then record them here")
    assert CATALOG_SCHEMA == RECORDED_SCHEMA == max(ADDED)
    where = {place for added in ADDED.values() for place in added}
    assert where <= {"item", "form_field"}, "readable_by leaves out keys of items and form fields only: extend it"


def test_a_kiosk_reading_schema_1_gets_no_key_its_release_does_not_know(catalog: Catalog) -> None:
    content = json.loads(catalog_payload(catalog))
    assert any(f.get("hinted_by") for i in content["items"] for f in i["form_fields"])  # the test means something
    assert any(i.get("former_fields") for i in content["items"])
    earlier = readable_by(content, 1)
    for item in earlier["items"]:
        assert set(item) <= FIELDS["Item"] - set(ADDED[2]["item"])
        for field in item["form_fields"]:
            assert set(field) <= FIELDS["FormField"] - set(ADDED[2]["form_field"])
    assert earlier["tasks"] == content["tasks"] and earlier["sources"] == content["sources"]
    assert readable_by(content, 2) == content
    # and this release still reads it: everything else of the catalog is there
    read = catalog_from_payload(json.dumps(earlier, ensure_ascii=False))
    assert [i.id for i in read.items] == [i.id for i in catalog.items]
    assert [i.materials for i in read.items] == [i.materials for i in catalog.items]

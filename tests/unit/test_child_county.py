"""儿童户籍所在地 to the county for 孤儿救助 and 事实无人抚养儿童: the same lists as 两项补贴's 户籍所在地, a hint
from the child's typed ID number that is only offered, and applications stored with the province still read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kiosk.core import divisions
from kiosk.core.catalog import Catalog, FormerField, Item
from kiosk.core.identity import CardType, check_char
from kiosk.core.session.forms import asked, form_errors, hint
from kiosk.shell.demo_journey import child_id_number

CHILD_ITEMS = ["orphan-support", "de-facto-unsupported-child"]


def id_number(first17: str) -> str:
    return first17 + check_char(first17)


def filled(item: Item, **changed: str) -> dict[str, str]:
    values = {"guardian_name": "张桂兰", "guardian_id_number": "220102195603120020", "applicant_name": "张桂兰",
              "applicant_id_number": "220102195603120020", "child_id_number": child_id_number(),
              "child_hukou_division": "222401", "phone": "13912345678"}
    for spec in item.form_fields:
        if spec.type == "choice":
            values[spec.id] = spec.choices[0].value
    return {k: v for k, v in {**values, **changed}.items() if item.field(k) or v}


@pytest.mark.parametrize("item_id", CHILD_ITEMS)
def test_the_child_s_county_is_asked_with_the_lists_of_every_applicant(catalog: Catalog, item_id: str) -> None:
    item = catalog.item(item_id)
    spec = item.field("child_hukou_division")
    assert item.field("child_hukou_province") is None
    assert spec is not None and spec.type == "division" and spec.input == "division_lists" and spec.sensitive
    assert spec.hinted_by == "child_id_number" and not spec.suggested_by  # nothing from the guardian's card
    # the child's hukou, not the card holder's: a Hong Kong or foreign guardian is asked it too
    assert asked(spec, CardType.HMT_RESIDENCE) and asked(spec, CardType.FOREIGN_PERMANENT)
    assert form_errors(item, filled(item)) == ()
    for wrong in ("220000", "220100", "22", "999999"):
        assert dict(form_errors(item, filled(item, child_hukou_division=wrong))) == {
            "child_hukou_division": "not_a_choice"}
    assert dict(form_errors(item, filled(item, child_hukou_division=""))) == {"child_hukou_division": "required"}


def test_the_child_s_id_number_hints_the_county_it_was_issued_in(catalog: Catalog) -> None:
    spec = catalog.item("orphan-support").field("child_hukou_division")
    assert spec is not None
    assert hint(spec, {"child_id_number": child_id_number()}) == "220102"
    assert hint(spec, {"child_id_number": id_number("22240120150101001")}) == "222401"
    assert hint(spec, {"child_id_number": id_number("22240120150101001").lower()}) == "222401"
    broken = child_id_number()[:-1] + ("0" if child_id_number()[-1] != "0" else "1")
    assert hint(spec, {"child_id_number": broken}) == ""  # a number that fails its check hints nothing
    assert hint(spec, {"child_id_number": child_id_number()[:10]}) == ""
    assert hint(spec, {}) == ""
    # 公主岭市 was 220381 under 四平 until 2020: numbers issued there still carry it, but no office has it now
    assert not divisions.is_county("220381")
    assert hint(spec, {"child_id_number": id_number("22038120150101001")}) == ""


@pytest.mark.parametrize("item_id", CHILD_ITEMS)
def test_a_form_filled_with_the_province_before_the_change_still_passes(catalog: Catalog, item_id: str) -> None:
    item = catalog.item(item_id)
    before = filled(item, child_hukou_division="", child_hukou_province="22")
    assert form_errors(item, before) == ()  # a kiosk's outbox may hold one
    assert dict(form_errors(item, {**before, "child_hukou_province": "99"})) == {
        "child_hukou_province": "not_a_choice"}
    both = filled(item, child_hukou_province="22")
    assert dict(form_errors(item, both)) == {"child_hukou_province": "not_a_choice"}  # one or the other
    assert divisions.province_name("22") == "吉林省" and divisions.province_name("220000") == ""


def test_the_catalog_refuses_a_hint_or_a_former_field_that_points_nowhere(catalog: Catalog) -> None:
    item = catalog.item("orphan-support")
    data = item.model_dump()
    phone = next(f for f in data["form_fields"] if f["id"] == "phone")
    division = next(f for f in data["form_fields"] if f["id"] == "child_hukou_division")
    with pytest.raises(ValidationError, match="hinted_by names no id_number field"):
        Item.model_validate({**data, "form_fields": [
            {**f, "hinted_by": "phone"} if f is division else f for f in data["form_fields"]]})
    with pytest.raises(ValidationError, match="hinted_by is only for division fields"):
        Item.model_validate({**data, "form_fields": [
            {**f, "hinted_by": "child_id_number"} if f is phone else f for f in data["form_fields"]]})
    still_asked = FormerField(id="phone", label=item.names, type="province", replaced_by="child_hukou_division")
    with pytest.raises(ValidationError, match="still asked, or replaced by no field"):
        Item.model_validate({**data, "former_fields": [still_asked.model_dump()]})

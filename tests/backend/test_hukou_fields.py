"""The server checks 户籍所在地 by the kiosk's own rules: a county of GB/T 2260 for a resident, and no such field
from a Hong Kong, Macao, Taiwan or foreign card holder (who has no hukou)."""

from __future__ import annotations

import pytest

from backend.contract import schemas as s
from backend.server.api_kiosk import _check_fields
from backend.server.errors import ApiProblem
from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.core.catalog import Catalog
from kiosk.core.identity import CardType
from kiosk.shell.demo_journey import sample_value


def form(catalog: Catalog, **changed: str) -> list[s.FormValue]:
    item = catalog.item("disability-subsidies")
    zhang = TEST_IDENTITIES["resident-zhang"]
    values = {spec.id: sample_value(spec, zhang) for spec in item.form_fields if spec.source == "manual"}
    values |= {"applicant_name": zhang.name, "applicant_id_number": zhang.id_number, **changed}
    return [s.FormValue(id=k, value=v) for k, v in values.items() if v]


def test_a_resident_gives_a_county_and_nothing_else(catalog: Catalog) -> None:
    item = catalog.item("disability-subsidies")
    _check_fields(item, form(catalog), CardType.RESIDENT)
    for wrong in ("220100", "22", "999999"):
        with pytest.raises(ApiProblem, match="hukou_division not_a_choice"):
            _check_fields(item, form(catalog, hukou_division=wrong), CardType.RESIDENT)
    with pytest.raises(ApiProblem, match="hukou_division required"):
        _check_fields(item, form(catalog, hukou_division=""), CardType.RESIDENT)


def test_an_hmt_card_holder_is_not_asked_for_hukou(catalog: Catalog) -> None:
    item = catalog.item("disability-subsidies")
    _check_fields(item, form(catalog, hukou_division=""), CardType.HMT_RESIDENCE)
    with pytest.raises(ApiProblem, match="hukou_division not_asked"):
        _check_fields(item, form(catalog), CardType.HMT_RESIDENCE)


@pytest.mark.parametrize("item_id", ["orphan-support", "de-facto-unsupported-child"])
def test_the_child_s_county_is_checked_like_the_applicant_s(catalog: Catalog, item_id: str) -> None:
    item = catalog.item(item_id)
    zhang = TEST_IDENTITIES["resident-zhang"]
    values = {spec.id: sample_value(spec, zhang) for spec in item.form_fields if spec.source == "manual"}
    values |= {spec.id: zhang.id_number if spec.card_attribute == "id_number" else zhang.name
               for spec in item.form_fields if spec.source == "card"}

    def fields(**changed: str) -> list[s.FormValue]:
        return [s.FormValue(id=k, value=v) for k, v in {**values, **changed}.items() if v]

    _check_fields(item, fields(), CardType.RESIDENT)
    _check_fields(item, fields(), CardType.HMT_RESIDENCE)  # the child's hukou: asked of any guardian
    for wrong in ("220100", "22", "999999"):
        with pytest.raises(ApiProblem, match="child_hukou_division not_a_choice"):
            _check_fields(item, fields(child_hukou_division=wrong), CardType.RESIDENT)
    with pytest.raises(ApiProblem, match="child_hukou_division required"):
        _check_fields(item, fields(child_hukou_division=""), CardType.RESIDENT)
    # a form a kiosk's outbox kept from before the county was asked: the province alone
    _check_fields(item, fields(child_hukou_division="", child_hukou_province="22"), CardType.RESIDENT)
    with pytest.raises(ApiProblem, match="child_hukou_province not_a_choice"):
        _check_fields(item, fields(child_hukou_province="22"), CardType.RESIDENT)  # not both

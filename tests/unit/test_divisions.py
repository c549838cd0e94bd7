"""户籍所在地 to the county: the GB/T 2260 lists province → city → county, the county read from a card's address,
and the field not asked of Hong Kong, Macao, Taiwan and foreign card holders."""

from __future__ import annotations

import pytest

from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.core import divisions
from kiosk.core.catalog import Catalog
from kiosk.core.identity import CardType
from kiosk.core.session import events as ev
from kiosk.core.session.forms import asked, form_errors, prefill
from kiosk.core.session.model import Rules
from tests.unit import session_helpers as h

ITEM = "disability-subsidies"


@pytest.mark.parametrize(("address", "code", "name"), [
    ("吉林省长春市南关区人民大街1234号", "220102", "吉林省 长春市 南关区"),
    ("吉林省延吉市河南街道光明社区5号", "222401", "吉林省 延边朝鲜族自治州 延吉市"),  # the prefecture left out
    ("吉林省吉林市船营区北京路1号", "220204", "吉林省 吉林市 船营区"),  # a city named like its province
    ("北京市东城区东华门街道1号", "110101", "北京市 东城区"),  # a municipality: one city level
    ("重庆市酉阳土家族苗族自治县钟多街道", "500242", "重庆市 酉阳土家族苗族自治县"),
    ("广东省东莞市虎门镇1号", "441900", "广东省 东莞市"),  # a city without counties is its own county
    ("湖北省仙桃市沙嘴街道", "429004", "湖北省 仙桃市"),  # directly under the province
    ("吉林省公主岭市岭东街道", "220184", "吉林省 长春市 公主岭市"),  # moved to 长春 in 2020: current data
])
def test_the_county_is_read_from_the_start_of_the_address(address: str, code: str, name: str) -> None:
    assert divisions.from_address(address) == code
    assert divisions.full_name(code) == name


@pytest.mark.parametrize("address", ["吉林省长春市", "长春市南关区", "", "Hong Kong Island"])
def test_an_address_that_names_no_county_suggests_nothing(address: str) -> None:
    assert divisions.from_address(address) == ""


def test_the_lists_go_down_province_city_county_and_hold_only_the_mainland() -> None:
    provinces = {p.name: p.code for p in divisions.provinces()}
    assert len(provinces) == 31 and "香港特别行政区" not in provinces and "台湾省" not in provinces
    jilin = {c.name: c.code for c in divisions.cities(provinces["吉林省"])}
    assert set(jilin) == {"长春市", "吉林市", "四平市", "辽源市", "通化市", "白山市", "松原市", "白城市",
                          "延边朝鲜族自治州"}
    assert "南关区" in {c.name for c in divisions.counties(jilin["长春市"])}
    assert [c.name for c in divisions.cities("110000")] == ["北京市"]
    assert divisions.is_county("220102") and not divisions.is_county("220100") and not divisions.is_county("22")


def test_a_card_prefills_the_county_and_only_a_county_passes(rules: Rules) -> None:
    catalog: Catalog = rules.catalog
    item = catalog.item(ITEM)
    assert dict(prefill(item, TEST_IDENTITIES["resident-zhang"]))["hukou_division"] == "220102"
    assert dict(prefill(item, TEST_IDENTITIES["resident-rare-char"]))["hukou_division"] == "222401"
    filled = dict(h.filled_form(rules).session.form)
    assert "hukou_division" not in dict(form_errors(item, filled))
    assert dict(form_errors(item, {**filled, "hukou_division": "220100"}))["hukou_division"] == "not_a_choice"
    assert dict(form_errors(item, {**filled, "hukou_division": "22"}))["hukou_division"] == "not_a_choice"


@pytest.mark.parametrize("card", ["hmt-chen", "foreign-smith"])
def test_hukou_is_not_asked_of_hmt_and_foreign_card_holders(rules: Rules, card: str) -> None:
    item = rules.catalog.item(ITEM)
    identity = TEST_IDENTITIES[card]
    spec = item.field("hukou_division")
    assert spec is not None and not asked(spec, identity.card_type) and asked(spec, CardType.RESIDENT)
    assert "hukou_division" not in dict(prefill(item, identity))  # though 陈家明's address is in 长春
    state, _ = h.run(h.at_identify(rules), ev.CardRead(h.SID, identity, h.TODAY))
    state, _ = h.run(state, ev.FieldChanged("hukou_division", "220102"))
    assert state.session.value("hukou_division") == ""  # a value for a field not asked is refused
    for spec in item.form_fields:
        if spec.source == "manual" and spec.id != "hukou_division":
            state, _ = h.run(state, ev.FieldChanged(spec.id, h.sample_value(spec, identity)))
    state, _ = h.run(state, ev.FormSubmitted())
    assert "hukou_division" not in dict(state.session.field_errors)  # not asked, so not missing
    values = dict(state.session.form)
    errors = dict(form_errors(item, {**values, "hukou_division": "220102"}, card_type=identity.card_type))
    assert errors["hukou_division"] == "not_asked"  # what the server says to a kiosk that sent one anyway

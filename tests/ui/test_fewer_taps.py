"""Issue #15 by touch: 两项补贴 in 25 taps or fewer with the same data, 户籍所在地 confirmed or changed down to the
county, the privacy shield on review and manual entry, and the done screen read out whole."""

from __future__ import annotations

import pytest

from kiosk.core.session.states import IdentifyStatus, TaskStatus
from screens import i18n
from tests.ui.harness import Harness
from tests.ui.test_every_screen import set_mode
from tests.ui.test_journeys import PHONE, key_in, reach_form

pytestmark = pytest.mark.slow

CERTIFICATE = "22010219560312002011"  # 张桂兰's ID number + 视力残疾 (1) + 一级 (1)


def test_two_subsidies_are_applied_for_in_25_taps_or_fewer_digits_included(kiosk: Harness) -> None:
    p = kiosk.pilot
    p.taps = 0
    reach_form(kiosk)  # category, item, apply, the sensitive-data consent and agree: 5 taps
    for field_id, value in (("subsidy_type", "both"), ("disability_category", "1"), ("disability_grade", "1"),
                            ("dibao_status", "dibao")):
        p.tap(f"pick:{field_id}:{value}")  # a short choice is a button on the form: one tap, no list
        assert p.state.session.value(field_id) == value
    kiosk.shot("form-picked")
    assert p.state.session.value("disability_certificate_number") == CERTIFICATE  # built, not typed
    key_in(kiosk, "phone", PHONE)  # 1 + 11 digits + OK
    p.tap("form:next")
    p.wait_for_screen("review")
    p.tap("review:confirm")
    p.wait_for_screen("done")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the receipt")
    kiosk.reader.remove()
    p.tap("done:finish")
    p.wait_for_screen("home")
    assert p.taps <= 25, p.taps


def test_the_county_comes_from_the_card_and_is_changed_down_three_lists(kiosk: Harness) -> None:
    p = kiosk.pilot
    reach_form(kiosk)
    assert p.state.session.value("hukou_division") == "220102"
    assert "吉林省 长春市 南关区" in p.texts()
    p.tap("field:hukou_division")
    kiosk.shot("provinces")
    p.tap("choice:220000")
    kiosk.shot("cities")
    p.tap("choice:222400")
    kiosk.shot("counties")
    p.tap("choice:222401")
    p.wait_until(lambda: p.state.session.value("hukou_division") == "222401", what="the county")
    assert "吉林省 延边朝鲜族自治州 延吉市" in p.texts()
    p.tap("field:hukou_division")  # a municipality has one city level: province, then its districts
    p.tap("choice:110000")
    assert p.has("choice:110101") and not p.has("choice:110100")
    p.tap("editor:cancel")  # cancel keeps what was there
    assert p.state.session.value("hukou_division") == "222401"
    for language, elder in (("ko", False), ("zh", True)):
        set_mode(kiosk, language, elder, False)
        if elder:
            p.tap("form:next")  # the card's data first, then 户籍所在地 on its own page, with what it is for
            assert any("户口簿登记的地址" in text for text in p.visible_texts())
        assert p.has("field:hukou_division")
        kiosk.shot(f"form-{language}{'-elder' if elder else ''}")
        p.tap("field:hukou_division")
        kiosk.shot(f"provinces-{language}{'-elder' if elder else ''}")
        p.tap("editor:cancel")
    set_mode(kiosk, "zh", False, False)


def test_a_hong_kong_macao_or_taiwan_card_holder_is_not_asked_for_hukou(kiosk: Harness) -> None:
    p = kiosk.pilot
    reach_form(kiosk, card="hmt-chen")
    assert not p.has("field:hukou_division") and p.has("pick:subsidy_type:both")
    assert p.state.session.value("hukou_division") == ""
    kiosk.shot("form-hmt")


def test_review_shows_the_numbers_in_full_behind_a_shield_that_drops_by_itself(kiosk: Harness) -> None:
    p = kiosk.pilot
    reach_form(kiosk)
    for field_id, value in (("subsidy_type", "both"), ("disability_category", "1"), ("disability_grade", "1"),
                            ("dibao_status", "dibao")):
        p.tap(f"pick:{field_id}:{value}")
    key_in(kiosk, "phone", PHONE)
    p.tap("form:next")
    p.wait_for_screen("review")
    shown = " ".join(p.visible_texts())
    assert "220102 19560312 0020 11" not in shown and "2011" in shown  # masked until lifted
    p.tap("review:shield")
    kiosk.shot("review-lifted")
    shown = " ".join(p.visible_texts())
    assert "220102 19560312 0020 11" in shown and "139 1234 5678" in shown  # grouped for checking
    assert p.find("review:shield").text == i18n.t("shield.hide", "zh", seconds=10)
    p.skip(11)  # nobody touched it: it drops again by itself
    shown = " ".join(p.visible_texts())
    assert "220102 19560312 0020 11" not in shown and "139****5678" in shown
    p.tap("review:shield")
    p.tap("review:shield")  # a second tap drops it at once
    assert "220102 19560312 0020 11" not in " ".join(p.visible_texts())
    p.tap("review:shield")
    p.tap("bar:home")  # ending the session drops it and forgets what it showed
    p.wait_until(lambda: p.state.session is None, what="the end of the session")
    assert not [s for s in kiosk.widget_strings() if "19560312" in s]


def test_manual_entry_shows_the_number_said_to_be_wrong_in_full(kiosk: Harness) -> None:
    p = kiosk.pilot
    from tests.ui.test_journeys import open_item

    open_item(kiosk, "children", "orphan-support")
    p.tap("guide:start")
    p.wait_for_screen("consent")
    p.tap("consent:sensitive")
    p.tap("consent:agree")
    p.wait_for_screen("identify")
    p.tap("identify:manual")
    p.wait_until(lambda: p.state.session.identification.status == IdentifyStatus.MANUAL, what="manual entry")
    assert not p.has("manual:shield")  # nothing typed, nothing to show
    p.tap("manual:id_number")
    p.type_keys("220102195603120021")  # one digit off
    p.tap("editor:ok")
    p.tap("manual:confirm")
    assert "checksum" in p.state.session.identification.manual_problems
    assert "220102 19560312 0021" not in p.visible_texts()
    p.tap("manual:shield")
    kiosk.shot("manual-lifted")
    assert "220102 19560312 0021" in p.visible_texts()  # the number the check digit is said to be wrong in
    p.skip(11)
    assert "220102 19560312 0021" not in p.visible_texts()


@pytest.mark.parametrize("language", ["zh", "ko", "en"])
def test_the_done_screen_is_read_out_whole(kiosk: Harness, language: str) -> None:
    p = kiosk.pilot
    speech = kiosk.app.kiosk.ports.speech
    if language != "zh":
        p.tap(f"bar:lang:{language}")
    reach_form(kiosk)
    for field_id, value in (("subsidy_type", "both"), ("disability_category", "1"), ("disability_grade", "1"),
                            ("dibao_status", "dibao")):
        p.tap(f"pick:{field_id}:{value}")
    key_in(kiosk, "phone", PHONE)
    p.tap("form:next")
    p.wait_for_screen("review")
    speech.clear()
    p.tap("review:confirm")
    p.wait_for_screen("done")
    item = p.state.item
    site = kiosk.app.kiosk.config.settings.site

    def said_whole() -> bool:
        return any(lang == language and item.materials[2].name.get(language) in text and site.address in text
                   and "1 2 3 4 5" in text and i18n.t("done.time_limit", language) in text
                   for lang, text in list(speech.spoken))

    p.wait_until(said_whole, what="the done screen said whole")
    kiosk.reader.remove()
    p.tap("done:finish")
    p.wait_for_screen("home")

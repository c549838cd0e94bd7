"""儿童户籍所在地 by touch: down the lists to a child's county, the hint from the child's typed ID number taken in
one tap, the places in Korean and English with the Chinese beside them, and a Hong Kong guardian asked for the
child's county (the child's hukou, not the card holder's)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kiosk.core.identity import check_char
from screens.demo_walkthrough import Walkthrough
from tests.ui.harness import Harness
from tests.ui.test_every_screen import set_mode
from tests.ui.test_journeys import PHONE, choose, key_in, reach_form

pytestmark = pytest.mark.slow

YANJI_CHILD = "22240120150101001" + check_char("22240120150101001")  # the number was issued in 延吉市


def test_a_child_s_county_is_chosen_down_the_lists(kiosk: Harness) -> None:
    p = kiosk.pilot
    reach_form(kiosk, "orphan-support", "children")
    assert not p.has("field:child_hukou_province")
    key_in(kiosk, "child_id_number", YANJI_CHILD)
    p.tap("field:child_hukou_division")
    assert p.has("choice:222401") and p.has("choice:other")  # the number's county, asked about, not taken
    assert p.state.session.value("child_hukou_division") == ""
    kiosk.shot("hint")
    p.tap("choice:other")  # the child's hukou moved to 龙井: down the lists
    assert p.find("choice:220000").kind == "selected"  # the lists start where the number points
    p.tap("choice:220000")
    p.tap("choice:222400")
    kiosk.shot("counties")
    p.tap("choice:222405")
    p.wait_until(lambda: p.state.session.value("child_hukou_division") == "222405", what="the county")
    assert "吉林省 延边朝鲜族自治州 龙井市" in p.texts()
    p.tap("field:child_hukou_division")  # chosen once, the lists open at once: no hint any more
    assert p.has("choice:110000") and not p.has("choice:other")
    p.tap("editor:cancel")
    assert p.state.session.value("child_hukou_division") == "222405"


def test_the_hint_is_taken_in_one_tap_and_the_places_read_in_korean_and_english(kiosk: Harness) -> None:
    p = kiosk.pilot
    reach_form(kiosk, "de-facto-unsupported-child", "children")
    key_in(kiosk, "child_id_number", YANJI_CHILD)
    p.tap("field:child_hukou_division")
    p.tap("choice:222401")
    p.wait_until(lambda: p.state.session.value("child_hukou_division") == "222401", what="the county")
    for language, shown, county in (
            ("ko", "길림성 연변조선족자치주 연길시\n(吉林省 延边朝鲜族自治州 延吉市)", "연길시\n延吉市"),
            ("en", "Yanji City, Yanbian Korean Autonomous Prefecture, Jilin\n(吉林省 延边朝鲜族自治州 延吉市)",
             "Yanji City\n延吉市")):
        set_mode(kiosk, language, False, False)
        assert shown in p.texts()
        kiosk.shot(f"form-{language}")
        p.tap("field:child_hukou_division")
        assert p.find("choice:220000").text in ("길림성\n吉林省", "Jilin\n吉林省")
        kiosk.shot(f"provinces-{language}")
        p.tap("choice:220000")
        p.tap("choice:222400")
        assert p.find("choice:222401").text == county
        kiosk.shot(f"counties-{language}")
        p.tap("editor:cancel")
    choose(kiosk, "applicant_role", "guardian")
    choose(kiosk, "parents_case", "both_in_situation")
    key_in(kiosk, "phone", PHONE)
    p.tap("form:next")
    p.wait_for_screen("review")
    shown = "Yanji City, Yanbian Korean Autonomous Prefecture, Jilin\n(吉林省 延边朝鲜族自治州 延吉市)"
    assert any(shown in text for text in p.texts())  # the review is one text
    kiosk.shot("review-en")
    set_mode(kiosk, "zh", False, False)


def test_a_hong_kong_guardian_is_asked_for_the_child_s_county_only(kiosk: Harness) -> None:
    p = kiosk.pilot
    reach_form(kiosk, "orphan-support", "children", card="hmt-chen")
    assert p.has("field:child_hukou_division") and not p.has("field:hukou_division")
    kiosk.shot("form-hmt")


def test_a_foreign_card_holder_is_not_asked_for_his_own_hukou(kiosk: Harness) -> None:
    p = kiosk.pilot
    reach_form(kiosk, card="foreign-smith")
    assert not p.has("field:hukou_division") and p.has("pick:subsidy_type:both")
    kiosk.shot("form-foreign")


def test_the_demo_walkthrough_takes_the_hint_or_goes_down_the_lists(kiosk: Harness, tmp_path: Path) -> None:
    p = kiosk.pilot
    reach_form(kiosk, "orphan-support", "children")
    key_in(kiosk, "child_id_number", YANJI_CHILD)
    item = p.state.item
    spec = item.field("child_hukou_division") if item is not None else None
    assert spec is not None
    citizen = Walkthrough(p, tmp_path, io.StringIO())
    before = p.taps
    citizen.fill(spec, "222401")
    p.wait_until(lambda: p.state.session.value("child_hukou_division") == "222401", what="the hint taken")
    assert p.taps - before == 2  # the field, the hint
    citizen.fill(spec, "441900")  # 东莞市 has no counties: province and city only
    p.wait_until(lambda: p.state.session.value("child_hukou_division") == "441900", what="down the lists")


def test_the_hint_reads_in_korean_on_its_own_page_in_elder_mode(kiosk: Harness) -> None:
    p = kiosk.pilot
    set_mode(kiosk, "ko", True, False)
    reach_form(kiosk, "orphan-support", "children")
    while not p.has("field:child_id_number"):
        p.tap("form:next")
    key_in(kiosk, "child_id_number", YANJI_CHILD)
    p.tap("form:next")
    assert p.has("field:child_hukou_division")
    assert any("호구부" in text for text in p.visible_texts())  # what it is for, on a page of its own
    p.tap("field:child_hukou_division")
    assert p.find("choice:222401").text == "길림성 연변조선족자치주 연길시\n(吉林省 延边朝鲜族自治州 延吉市)"
    kiosk.shot("hint-ko-elder")
    p.tap("choice:222401")
    p.wait_until(lambda: p.state.session.value("child_hukou_division") == "222401", what="the county")
    kiosk.shot("county-ko-elder")
    set_mode(kiosk, "zh", False, False)

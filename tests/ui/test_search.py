"""Search for everyone (issue #15 point 7), by touch: Korean on the two-set Hangul keypad, Chinese by the first
letters of the pinyin without picking characters, and by the name of a category."""

from __future__ import annotations

import pytest

from tests.ui.harness import Harness

pytestmark = pytest.mark.slow


def found(kiosk: Harness) -> set[str]:
    p = kiosk.pilot
    p.wait_for_screen("browse")
    return {tag.removeprefix("item:") for tag in p.tags() if tag.startswith("item:")}


def test_korean_typed_on_the_hangul_keypad_finds_marriage_registration(kiosk: Harness) -> None:
    """GIVEN a Korean session WHEN 결혼 is typed jamo by jamo THEN the keypad shows the syllables and the search
    finds 결혼등기."""
    p = kiosk.pilot
    p.tap("bar:lang:ko")
    p.tap("home:search")
    for jamo in "ㄱㅕㄹㅎㅗㄴ":
        p.tap(f"jamo:{jamo}", frames=0)
    p.frames(2)
    assert "결혼" in p.texts()
    kiosk.shot("hangul-keypad")
    p.tap("key:back")  # one key back: 결호
    assert "결호" in p.texts()
    p.tap("jamo:ㄴ")
    p.tap("editor:ok")
    assert "marriage-registration" in found(kiosk)
    assert p.state.session is not None and p.state.session.search == "결혼"
    kiosk.shot("hangul-found")


def test_doubled_consonants_and_compound_finals_on_the_hangul_keypad(kiosk: Harness) -> None:
    p = kiosk.pilot
    p.tap("bar:lang:ko")
    p.tap("home:search")
    p.tap("jamo:shift")
    for jamo in ("ㄸ", "ㅏ", "ㄹ", "ㄱ"):  # ⇧ holds for one key: ㄷ after it is ㄸ, then the keypad is plain again
        p.tap(f"jamo:{jamo}", frames=0)
    p.frames(2)
    assert "딹" in p.texts()
    p.tap("jamo:ㅏ")  # a vowel takes the ㄱ into the next syllable
    assert "딸가" in p.texts()
    p.tap("editor:cancel")


def test_pinyin_initials_find_marriage_registration_without_picking_characters(kiosk: Harness) -> None:
    """GIVEN Chinese WHEN 'jh' is typed and OK tapped at once THEN 结婚登记 is found; the hint speaks of search,
    not of rare name characters."""
    p = kiosk.pilot
    p.tap("home:search")
    for letter in "jh":
        p.tap(f"letter:{letter}", frames=0)
    p.frames(2)
    texts = " ".join(p.texts())
    assert "生僻字" not in texts and "拼音首字母" in texts
    kiosk.shot("pinyin-initials")
    p.tap("editor:ok")
    assert "marriage-registration" in found(kiosk)
    kiosk.shot("pinyin-initials-found")


def test_a_category_name_finds_its_items_in_elder_mode(kiosk: Harness) -> None:
    """GIVEN elder mode WHEN 婚姻 (the category 婚姻登记预约; no item name holds the word) is searched THEN both
    marriage items are found."""
    p = kiosk.pilot
    p.tap("bar:elder")
    p.tap("home:search")
    p.type_pinyin("hun", "婚")
    p.type_pinyin("yin", "姻")
    p.tap("editor:ok")
    assert {"marriage-registration", "divorce-registration"} <= found(kiosk)
    kiosk.shot("category-found")

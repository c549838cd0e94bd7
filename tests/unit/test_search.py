"""kiosk.core.search: names, pinyin letters and category names, with the keypad's own pinyin dictionary."""

from __future__ import annotations

import pytest

from kiosk.core.catalog import Catalog
from kiosk.core.search import find_items, spells
from screens.pinyin import readings

CATEGORIES = {"marriage": ["婚姻登记预约", "结婚登记、离婚登记"], "disability": ["残疾人福利", "两项补贴资格认定"]}


def ids(catalog: Catalog, query: str, language: str = "zh") -> list[str]:
    return [item.id for item in find_items(catalog, query, language, CATEGORIES, readings)]


@pytest.mark.parametrize("letters", ["jh", "jiehun", "jhdj", "jiehdengj", "hundengji", "dj"])
def test_letters_spell_a_run_of_the_name(letters: str) -> None:
    assert spells(letters, "结婚登记", readings)


@pytest.mark.parametrize("letters", ["hj", "jx", "jiehuna", "lh"])
def test_letters_that_spell_no_run_of_the_name(letters: str) -> None:
    assert not spells(letters, "结婚登记", readings)


def test_a_polyphone_is_spelled_by_any_of_its_readings() -> None:
    assert spells("zhang", "长春", readings) and spells("cc", "长春", readings)


def test_pinyin_initials_find_marriage_registration_first(catalog: Catalog) -> None:
    assert ids(catalog, "jh")[0] == "marriage-registration"
    assert ids(catalog, "lhdj")[0] == "divorce-registration"


def test_pinyin_is_only_for_chinese(catalog: Catalog) -> None:
    assert ids(catalog, "jh", "en") == []
    assert "marriage-registration" in ids(catalog, "Marriage", "en")


def test_a_category_name_finds_its_items_after_those_found_by_name(catalog: Catalog) -> None:
    assert set(ids(catalog, "婚姻")) == {"marriage-registration", "divorce-registration"}
    found = ids(catalog, "补贴")
    assert found[0] == "disability-subsidies"


def test_korean_without_spaces_finds_a_name_written_with_them(catalog: Catalog) -> None:
    assert "marriage-registration" in ids(catalog, "결혼", "ko")
    assert "marriage-registration" in ids(catalog, "결혼 등기", "ko")


def test_nothing_typed_lists_every_item_and_nonsense_none(catalog: Catalog) -> None:
    assert len(ids(catalog, "  ")) == len(catalog.items)
    assert ids(catalog, "qqq") == []

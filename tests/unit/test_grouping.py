"""Long numbers grouped for reading (kiosk/core/grouping.py): the 25-character 办件编号 by its parts with no group of
a single character, and every other number as it was."""

from __future__ import annotations

from itertools import pairwise

import pytest

from kiosk.core.grouping import group_application_number, group_id_number, group_number, group_phone
from kiosk.core.identity import iso7064_check_char as check_char

BODY = "220102" "20260601" "0000000001"
NUMBER = BODY + check_char(BODY)


def test_an_application_number_is_grouped_by_its_parts_with_the_check_character_in_the_last_group() -> None:
    assert group_number(NUMBER) == "220102 20260601 00000 000011"
    assert group_number("2201022026060112345678 99X") == "220102 20260601 12345 67899X"
    assert group_number("220102 20260601 00000 000011") == "220102 20260601 00000 000011"  # grouped already


@pytest.mark.parametrize("number", [NUMBER, NUMBER[:-1] + "X"])
def test_no_group_of_an_application_number_is_a_single_character(number: str) -> None:
    assert min(len(group) for group in group_number(number).split()) > 1


def test_an_application_number_being_typed_keeps_its_groups() -> None:
    typed = [group_application_number(NUMBER[:n]) for n in range(1, len(NUMBER) + 1)]
    assert all(later.startswith(earlier) for earlier, later in pairwise(typed))  # nothing jumps
    assert typed[7] == "220102 20" and typed[-1] == group_number(NUMBER)


@pytest.mark.parametrize(("number", "shown"), [
    ("220102195603120020", "220102 19560312 0020"),  # an ID number: region, birth date, sequence and check
    ("22010219560312002011", "220102 19560312 0020 11"),  # a 残疾人证号: the ID number, category and grade
    ("2201022026120601234567", "2201 0220 2612 0601 2345 67"),  # a 22-digit number of before: fours
    ("40721935", "4072 1935"),  # a query code
    ("JL2026120100012", "JL20 2612 0100 012"),  # anything else: fours
])
def test_other_numbers_keep_their_grouping(number: str, shown: str) -> None:
    assert group_number(number) == shown


def test_id_and_phone_numbers_keep_their_grouping() -> None:
    assert group_id_number("220102********0020") == "220102 ******** 0020"
    assert group_phone("13912345678") == "139 1234 5678" and group_phone("0431-88888888") == "0431-88888888"

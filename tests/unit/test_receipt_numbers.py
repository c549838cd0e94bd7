"""The kiosk's checks of a typed 办件编号 accept the numbers the backend makes, and catch a mistyped digit."""

from __future__ import annotations

from datetime import date

import pytest

from backend.server import numbers
from kiosk.core.receipt_numbers import application_number_problem, check_char, query_code_problem, typed


def test_every_number_the_backend_makes_is_accepted() -> None:
    for n in range(300):
        number = numbers.new_application_number("220102", date(2026, 12, 1 + n % 28))
        assert application_number_problem(number) is None, number


def test_any_one_digit_mistyped_is_caught_by_the_check_character() -> None:
    number = numbers.new_application_number("222401", date(2026, 12, 6))
    for position in range(len(number) - 1):
        for digit in "0123456789":
            if digit != number[position]:
                wrong = number[:position] + digit + number[position + 1:]
                assert application_number_problem(wrong) == "check", wrong


def test_two_neighbours_swapped_are_caught() -> None:
    number = numbers.new_application_number("220102", date(2026, 12, 6))
    for position in range(len(number) - 2):
        if number[position] != number[position + 1]:
            swapped = number[:position] + number[position + 1] + number[position] + number[position + 2:]
            assert application_number_problem(swapped) == "check", swapped


def test_the_backends_query_codes_are_accepted() -> None:
    for _ in range(50):
        assert query_code_problem(numbers.new_query_code()) is None


@pytest.mark.parametrize("text", ["2201 0220 2612 0601 2345 6789 x", " 2201022026120601234567 89x\t"])
def test_typed_drops_the_grouping_and_upper_cases_the_check_letter(text: str) -> None:
    assert typed(text) == "220102202612060123456789X"


def test_check_char_refuses_anything_but_digits() -> None:
    with pytest.raises(ValueError, match="digits only"):
        check_char("12A")
    with pytest.raises(ValueError, match="digits only"):
        check_char("１２")

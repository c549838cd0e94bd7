from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.identity import (
    LONG_TERM,
    IdProblem,
    Sex,
    age_on,
    birth_date_of,
    check_char,
    id_number_problems,
    is_expired,
    is_valid_id_number,
    manual_identity,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
)


@pytest.mark.parametrize("number", ["11010519491231002X", "932682198501010017", "911124198108030024",
                                    "220102195603120020"])
def test_valid_numbers_from_the_standard_and_official_samples(number: str) -> None:
    assert is_valid_id_number(number)


def test_demo_number_used_by_public_code_fails_its_checksum() -> None:
    assert id_number_problems("110101199001011234") == [IdProblem.CHECKSUM]


def test_check_char_can_be_x() -> None:
    assert check_char("11010519491231002") == "X"


@pytest.mark.parametrize(("number", "problem"), [
    ("22010219560312002", IdProblem.FORMAT),
    ("2201021956031200X0", IdProblem.FORMAT),
    ("220102195602300023", IdProblem.BIRTH_DATE),  # 30 February
    ("990102195603120024", IdProblem.REGION),
])
def test_each_problem_is_named(number: str, problem: IdProblem) -> None:
    assert problem in id_number_problems(number)


def test_birth_date_in_the_future_is_a_problem() -> None:
    number = "220102203001010000"
    number = number[:17] + check_char(number[:17])
    assert id_number_problems(number, today=date(2026, 11, 27)) == [IdProblem.BIRTH_DATE]


@given(st.text(max_size=30))
def test_arbitrary_text_never_raises(text: str) -> None:
    assert isinstance(id_number_problems(text), list)


def test_birth_date_and_age() -> None:
    born = birth_date_of("220102195603120020")
    assert born == date(1956, 3, 12)
    assert age_on(born, date(2026, 3, 11)) == 69
    assert age_on(born, date(2026, 3, 12)) == 70


def test_expiry_long_term_and_last_valid_day() -> None:
    assert not is_expired(LONG_TERM, date(2099, 1, 1))
    assert not is_expired(date(2026, 1, 1), date(2026, 1, 1))
    assert is_expired(date(2026, 1, 1), date(2026, 1, 2))
    assert not is_expired(None, date(2026, 1, 2))


def test_manual_identity_normalises_and_derives() -> None:
    person = manual_identity(" 张三 ", "11010519491231002x")
    assert person.id_number == "11010519491231002X"
    assert person.sex == Sex.FEMALE and person.birth_date == date(1949, 12, 31)
    assert "11010519491231002X" not in repr(person) and "张三" not in str(person)


@pytest.mark.parametrize(("name", "masked"), [("张三", "张*"), ("张三丰", "张*丰"), ("欧阳娜娜", "欧**娜"),
                                              ("金", "*"), ("John Smith", "J*** S****")])
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_masks_for_numbers_and_address() -> None:
    assert mask_id_number("220102195603120020") == "220***********0020"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("0431-1234567") == "*******4567"
    assert mask_address("吉林省长春市南关区人民大街1234号") == "吉林省长春市****"

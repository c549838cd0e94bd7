"""The edges of the identity rules that mutation testing found unguarded (issue #21): a man's ID number, the
first and last valid birth dates, numbers typed with spaces, and masking of short or odd values.

Each test names the mistake it is there to catch; scripts/mutation.sh checks that it does.
"""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.core.identity import (
    LONG_TERM,
    CardType,
    Identity,
    IdProblem,
    Sex,
    check_char,
    id_number_problems,
    is_expired,
    is_valid_id_number,
    iso7064_check_char,
    manual_identity,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
    sex_from_id_number,
)

MAN = "222401198007152136"  # 17th digit 3: odd
WOMAN = "220102195603120020"  # 17th digit 2: even


def with_check(first17: str) -> str:
    return first17 + check_char(first17)


def test_the_17th_digit_tells_a_man_from_a_woman() -> None:
    assert sex_from_id_number(MAN) == Sex.MALE
    assert sex_from_id_number(WOMAN) == Sex.FEMALE
    assert manual_identity("金䶮", MAN).sex == Sex.MALE


@pytest.mark.parametrize("first17", ["1101051949123100", "110105194912310021", "1101051949123100A"])
def test_check_char_needs_exactly_17_digits(first17: str) -> None:
    with pytest.raises(ValueError, match=r"^need exactly 17 digits$"):
        check_char(first17)


def test_birth_years_from_1880_are_real_and_earlier_ones_are_not() -> None:
    assert id_number_problems(with_check("22010218800101001")) == []
    assert id_number_problems(with_check("22010218791231002")) == [IdProblem.BIRTH_DATE]


def test_a_number_born_today_is_valid_and_one_born_tomorrow_is_not() -> None:
    born_today = with_check("22010220261127003")
    assert id_number_problems(born_today, today=date(2026, 11, 27)) == []
    assert id_number_problems(born_today, today=date(2026, 11, 26)) == [IdProblem.BIRTH_DATE]


def test_is_valid_id_number_honours_today() -> None:
    born = with_check("22010220261127003")
    assert is_valid_id_number(born)  # no today given: only the calendar is checked
    assert not is_valid_id_number(born, date(2026, 11, 26))


@pytest.mark.parametrize("typed", ["220102 19560312 0020", " 220102195603120020 ", "2201 0219 5603 1200 20"])
def test_numbers_typed_with_spaces_are_normalised(typed: str) -> None:
    assert normalize_id_number(typed) == WOMAN
    person = manual_identity("张桂兰", typed)
    assert person.id_number == WOMAN and person.birth_date == date(1956, 3, 12)


@pytest.mark.parametrize("typed", ["12345", "22010219560312002"])  # the second: the check digit forgotten
def test_a_typed_number_that_is_no_id_number_derives_nothing(typed: str) -> None:
    person = manual_identity("张三", typed)
    assert (person.card_type, person.id_number, person.sex, person.birth_date) == (
        CardType.MANUAL, typed, Sex.UNKNOWN, None)


def test_identity_age_comes_from_the_card_or_else_from_the_number() -> None:
    today = date(2026, 3, 12)
    carded = Identity(card_type=CardType.RESIDENT, name="张桂兰", id_number=WOMAN, birth_date=date(1960, 1, 1))
    assert carded.age_on(today) == 66  # the card's own birth date wins
    typed = Identity(card_type=CardType.MANUAL, name="张桂兰", id_number=WOMAN)
    assert typed.age_on(today) == 70 and typed.age_on(date(2026, 3, 11)) == 69
    unknown = Identity(card_type=CardType.MANUAL, name="张三", id_number="12345")
    assert unknown.age_on(today) is None


def test_identity_expiry_follows_its_valid_until() -> None:
    def card(until: date | str | None) -> Identity:
        return Identity(card_type=CardType.RESIDENT, name="张桂兰", id_number=WOMAN, valid_until=until)

    assert card(date(2026, 1, 1)).expired_on(date(2026, 1, 2))
    assert not card(date(2026, 1, 1)).expired_on(date(2026, 1, 1))
    assert not card(LONG_TERM).expired_on(date(2099, 1, 1))
    assert not card(None).expired_on(date(2099, 1, 1))


def test_an_unknown_validity_text_is_an_error_that_names_it() -> None:
    with pytest.raises(ValueError, match="unknown validity '永久'"):
        is_expired("永久", date(2026, 1, 1))


@pytest.mark.parametrize(("name", "masked"), [("", ""), ("   ", ""), (" 张三 ", "张*"), ("Li", "L*")])
def test_mask_name_of_empty_and_padded_names(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(("number", "masked"), [
    ("", ""), ("1234", "****"), ("1234567", "*******"), ("12345678", "123*5678"), ("H12345678", "H12**5678"),
])
def test_short_numbers_are_masked_whole_and_longer_ones_keep_their_ends(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(("phone", "masked"), [
    ("13912345678", "139****5678"),
    ("139 1234 5678", "139****5678"),
    ("23912345678", "*******5678"),  # 11 digits but no mobile number: only the last four stay
    ("1391234567", "******4567"),  # a mobile number one digit short
    ("12345", "*2345"),
    ("1234", "****"),
    ("123", "***"),
    ("", ""),
])
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("address", "masked"), [
    ("吉林省长春市", "吉林省长春市"),  # six characters: nothing beyond province and city to hide
    ("吉林省长春市南", "吉林省长春市****"),
    ("  吉林省长春市南关区  ", "吉林省长春市****"),
    ("长春", "长春"),
    ("", ""),
])
def test_mask_address_keeps_only_province_and_city(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def test_an_id_number_in_full_width_digits_is_refused_for_its_form() -> None:
    # what a card or the keypad never gives, but a pasted or imported text can: the form is what is wrong
    assert id_number_problems("１１０１０５１９４９１２３１００２X") == [IdProblem.FORMAT]
    with pytest.raises(ValueError, match=r"^need exactly 17 digits$"):
        check_char("１１０１０５１９４９１２３１００２")


@pytest.mark.parametrize("digits", ["12A", "１２", "", "2201 02"])
def test_the_check_of_any_number_takes_ascii_digits_only(digits: str) -> None:
    with pytest.raises(ValueError, match=r"^digits only$"):
        iso7064_check_char(digits)


def test_the_check_of_a_receipts_number_is_the_id_numbers_over_any_length() -> None:
    assert iso7064_check_char("11010519491231002") == check_char("11010519491231002") == "X"
    assert iso7064_check_char("220102202405200000000123") == "3"  # the sample receipt's 办件编号 ends so
    assert iso7064_check_char("0") == "1" and iso7064_check_char("1") == "X"  # (12 - 2·1) mod 11 = 10: X

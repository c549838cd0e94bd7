"""The text-block parser: the three layouts byte by byte, codes and dates, and every way a block fails."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.core.cardtext import (
    LAYOUTS,
    NATIONS,
    ParseError,
    UnsupportedCardError,
    build_text_block,
    card_type_of,
    checksum_ok,
    identity_report,
    parse_text_block,
    wipe,
)
from kiosk.core.identity import LONG_TERM, CardType, Sex


def field(text: str, size: int) -> bytes:
    """One UCS-2LE field padded with spaces, written out here independently of the parser's tables."""
    raw = text.encode("utf-16-le")
    assert len(raw) <= size
    return raw + b" \x00" * ((size - len(raw)) // 2)


def resident_block(name: str = "张桂兰", sex: str = "2", nation: str = "01", birth: str = "19560312",
                   address: str = "吉林省长春市南关区人民大街1234号", number: str = "220102195603120020",
                   authority: str = "长春市公安局南关分局", start: str = "20160501", end: str = "长期",
                   type_char: str = " ") -> bytes:
    block = (field(name, 30) + field(sex, 2) + field(nation, 4) + field(birth, 16) + field(address, 70)
             + field(number, 36) + field(authority, 30) + field(start, 16) + field(end, 16) + field("", 28)
             + field(type_char, 2) + field("", 6))
    assert len(block) == 256
    return block


def foreign_block(type_char: str = "I") -> bytes:
    block = (field("SMITH, JOHN", 120) + field("1", 2) + field("USA220175040215", 30) + field("USA", 6)
             + field("史密斯", 30) + field("20190601", 16) + field("20290601", 16) + field("19750402", 16)
             + field("01", 4) + field("2201", 8) + field(type_char, 2) + field("", 6))
    assert len(block) == 256
    return block


def hmt_block() -> bytes:
    block = (field("陈家明", 30) + field("1", 2) + field("", 4) + field("19900101", 16)
             + field("吉林省长春市朝阳区西安大路88号", 70) + field("810000199001010035", 36)
             + field("长春市公安局", 30) + field("20220301", 16) + field("20270301", 16)
             + field("H12345678", 18) + field("01", 4) + field("", 6) + field("J", 2) + field("", 6))
    assert len(block) == 256
    return block


def test_resident_block_gives_every_field() -> None:
    identity = parse_text_block(resident_block(), photo=b"WLT")
    assert identity.card_type == CardType.RESIDENT
    assert identity.name == "张桂兰"
    assert identity.sex == Sex.FEMALE
    assert (identity.nation_code, identity.nation) == ("01", "汉")
    assert identity.birth_date == date(1956, 3, 12)
    assert identity.address == "吉林省长春市南关区人民大街1234号"
    assert identity.id_number == "220102195603120020"
    assert identity.issuing_authority == "长春市公安局南关分局"
    assert identity.valid_from == date(2016, 5, 1)
    assert identity.valid_until == LONG_TERM
    assert identity.photo == b"WLT"
    assert checksum_ok(identity)


def test_resident_block_with_nul_type_and_end_date() -> None:
    block = bytearray(resident_block(end="20360501"))
    block[248:250] = b"\x00\x00"
    identity = parse_text_block(bytes(block))
    assert identity.valid_until == date(2036, 5, 1)
    assert identity.expired_on(date(2036, 5, 2)) and not identity.expired_on(date(2036, 5, 1))


def test_rare_character_outside_the_basic_block_survives() -> None:
    assert parse_text_block(resident_block(name="金䶮", nation="10")).name == "金䶮"
    assert parse_text_block(resident_block(name="金䶮", nation="10")).nation == "朝鲜"


def test_lowercase_check_letter_is_normalised() -> None:
    identity = parse_text_block(resident_block(number="11010519491231002x", birth="19491231"))
    assert identity.id_number == "11010519491231002X"
    assert checksum_ok(identity)


def test_foreign_permanent_2017_layout() -> None:
    identity = parse_text_block(foreign_block())
    assert identity.card_type == CardType.FOREIGN_PERMANENT
    assert (identity.name, identity.english_name) == ("史密斯", "SMITH, JOHN")
    assert identity.id_number == "USA220175040215"
    assert identity.nationality == "USA"
    assert identity.sex == Sex.MALE
    assert identity.birth_date == date(1975, 4, 2)
    assert (identity.valid_from, identity.valid_until) == (date(2019, 6, 1), date(2029, 6, 1))
    assert identity.issuing_authority == "2201"
    assert checksum_ok(identity)


def test_hmt_residence_permit_layout() -> None:
    identity = parse_text_block(hmt_block())
    assert identity.card_type == CardType.HMT_RESIDENCE
    assert identity.name == "陈家明"
    assert identity.id_number == "810000199001010035"
    assert (identity.pass_number, identity.issue_count) == ("H12345678", "01")
    assert identity.address == "吉林省长春市朝阳区西安大路88号"
    assert identity.nation == "" and identity.nation_code == ""
    assert checksum_ok(identity)


@pytest.mark.parametrize("type_char", ["Y", "Z", "1"])
def test_unknown_type_is_unsupported_not_guessed(type_char: str) -> None:
    with pytest.raises(UnsupportedCardError, match="unsupported card type") as caught:
        parse_text_block(resident_block(type_char=type_char))
    assert caught.value.type_code == type_char


def test_type_bytes_that_are_not_text_are_unsupported() -> None:
    block = bytearray(resident_block())
    block[248:250] = b"\x00\xd8"  # a lone surrogate
    with pytest.raises(UnsupportedCardError):
        card_type_of(bytes(block))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sex": "3"}, "sex"),
    ({"birth": "19561312"}, "birth_date: not a calendar date"),
    ({"birth": "1956031"}, "birth_date: not a date"),
    ({"end": "永久"}, "valid_until"),
    ({"start": ""}, "valid_from"),
    ({"number": "22010219560312002"}, "id_number"),
    ({"number": "2201021956031200A0"}, "id_number"),
    ({"name": ""}, "name: empty"),
    ({"address": ""}, "address: empty"),
    ({"nation": "汉"}, "nation_code"),
    ({"name": "张\x07"}, "name: holds control"),
])
def test_bad_fields_name_the_field(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_text_block(resident_block(**kwargs))


def test_message_never_quotes_the_data() -> None:
    with pytest.raises(ParseError) as caught:
        parse_text_block(resident_block(number="22010219560312002A"))
    assert "220102" not in str(caught.value)


@pytest.mark.parametrize("size", [0, 255, 257, 1295])
def test_wrong_size_is_a_parse_error(size: int) -> None:
    with pytest.raises(ParseError, match=f"{size} bytes, not 256"):
        parse_text_block(b" " * size)


def test_bad_checksum_is_reported_not_raised() -> None:
    identity = parse_text_block(resident_block(number="220102195603120021"))
    assert not checksum_ok(identity)


def test_foreign_number_must_embed_the_birth_date() -> None:
    block = foreign_block().replace(field("USA220175040215", 30), field("USA220175040315", 30))
    assert not checksum_ok(parse_text_block(block))


def test_unknown_nation_code_keeps_the_code() -> None:
    identity = parse_text_block(resident_block(nation="77"))
    assert (identity.nation_code, identity.nation) == ("77", "")


def test_nation_table_is_complete() -> None:
    assert [f"{n:02d}" for n in range(1, 57)] + ["97", "98"] == list(NATIONS)
    assert NATIONS["10"] == "朝鲜" and NATIONS["56"] == "基诺"


@pytest.mark.parametrize("key", sorted(k for k, v in TEST_IDENTITIES.items() if v.card_type in LAYOUTS))
def test_test_identities_round_trip_and_are_valid(key: str) -> None:
    identity = TEST_IDENTITIES[key]
    again = parse_text_block(build_text_block(identity))
    assert again == identity
    assert checksum_ok(again)


def test_built_blocks_match_the_hand_written_layouts() -> None:
    assert build_text_block(TEST_IDENTITIES["foreign-smith"]) == foreign_block()
    assert build_text_block(TEST_IDENTITIES["hmt-chen"]) == hmt_block()
    assert build_text_block(TEST_IDENTITIES["resident-zhang"]) == resident_block()


def test_report_is_masked_unless_revealed() -> None:
    identity = parse_text_block(hmt_block())
    masked = identity_report(identity, date(2025, 1, 1))
    assert masked["name"] == "陈*明"
    assert masked["id_number"] == "810***********0035"
    assert masked["birth_date"] == "1990-**-**"
    assert masked["pass_number"] == "H12**5678"
    assert masked["issue_count"] == "01"
    assert "nation" not in masked and "english_name" not in masked
    revealed = identity_report(identity, date(2025, 1, 1), reveal=True)
    assert revealed["name"] == "陈家明" and revealed["id_number"] == "810000199001010035"
    assert revealed["checksum_ok"] is True and revealed["expired"] is False
    assert identity_report(identity, date(2027, 3, 2))["expired"] is True


def test_report_keys_per_card_type() -> None:
    today = date(2025, 1, 1)
    resident = identity_report(parse_text_block(resident_block()), today)
    foreign = identity_report(parse_text_block(foreign_block()), today)
    assert resident["nation"] == "汉" and resident["valid_until"] == "长期"
    assert "nationality" not in resident and "pass_number" not in resident
    assert foreign["nationality"] == "USA" and foreign["english_name"] == "S***** J***"
    assert foreign["card_type"] == "foreign_permanent" and "nation" not in foreign


def test_wipe_zeroes_in_place() -> None:
    buffer = bytearray(resident_block())
    view = memoryview(buffer)
    wipe(buffer)
    assert bytes(view) == bytes(256)


@settings(max_examples=400, deadline=None)
@given(st.binary(min_size=0, max_size=300))
def test_arbitrary_bytes_parse_or_raise_parse_error(data: bytes) -> None:
    try:
        parse_text_block(data)
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)


@settings(max_examples=400, deadline=None)
@given(st.binary(min_size=256, max_size=256), st.sampled_from([" ", "I", "J"]))
def test_arbitrary_blocks_of_each_type_parse_or_raise_parse_error(data: bytes, type_char: str) -> None:
    block = data[:248] + type_char.encode("utf-16-le") + data[250:]
    try:
        parse_text_block(block)
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=("Cc", "Cs", "Cn", "Zs")),
               min_size=1, max_size=15))
def test_any_printable_name_survives_the_round_trip(name: str) -> None:
    identity = parse_text_block(resident_block(name=name))
    assert identity.name == name.strip()


def test_no_layout_for_social_security_cards() -> None:
    with pytest.raises(ValueError, match="no text-block layout"):
        build_text_block(TEST_IDENTITIES["social-security-wang"])

"""What mutation testing found unguarded in the card parser and its report (issue #21): the masked report
(`kiosk card parse` without `--reveal`) and its keys, padding and odd fields on real cards, one-name and
18-digit permanent-residence cards, and the exact messages a technician reads.

Each test names the mistake it is there to catch; scripts/mutation.sh checks that it does.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.cli.main import main as kiosk
from kiosk.core.cardtext import (
    ParseError,
    UnsupportedCardError,
    build_text_block,
    checksum_ok,
    identity_report,
    parse_text_block,
)
from kiosk.core.identity import LONG_TERM, CardType, Identity, Sex
from kiosk.core.value import replace
from tests.unit.test_cardtext import field, resident_block

TODAY = date(2026, 11, 27)
ZHANG = TEST_IDENTITIES["resident-zhang"]
SMITH = TEST_IDENTITIES["foreign-smith"]
FOREIGN_NAME = slice(158, 188)  # english_name 120 + sex 2 + id_number 30 + nationality 6, then the name


def foreign_block(english: str = "SMITH, JOHN", name: str = "史密斯", number: str = "USA220175040215",
                  nationality: str = "USA", birth: str = "19750402") -> bytes:
    block = (field(english, 120) + field("1", 2) + field(number, 30) + field(nationality, 6) + field(name, 30)
             + field("20190601", 16) + field("20290601", 16) + field(birth, 16) + field("01", 4)
             + field("2201", 8) + field("I", 2) + field("", 6))
    assert len(block) == 256
    return block


# ---- the report `kiosk card parse` prints ----

def test_masked_report_of_a_resident_card_is_exactly_this() -> None:
    """Every key by name, every personal value masked: renaming a key or unmasking a value fails here."""
    assert identity_report(ZHANG, TODAY) == {
        "card_type": "resident", "name": "张*兰", "sex": "female", "nation_code": "01", "nation": "汉",
        "birth_date": "1956-**-**", "address": "吉林省长春市****", "id_number": "220***********0020",
        "issuing_authority": "长春市公安局南关分局", "valid_from": "2016-05-01", "valid_until": "长期",
        "checksum_ok": True, "expired": False,
    }


def test_revealed_report_shows_the_card_as_it_is() -> None:
    report = identity_report(ZHANG, TODAY, reveal=True)
    assert report["address"] == "吉林省长春市南关区人民大街1234号"
    assert report["birth_date"] == "1956-03-12"
    assert report["name"] == "张桂兰" and report["id_number"] == "220102195603120020"


def test_report_of_a_dated_card_is_json_and_shows_the_dates() -> None:
    card = TEST_IDENTITIES["resident-rare-char"]
    report = identity_report(card, TODAY)
    assert (report["valid_from"], report["valid_until"]) == ("2015-08-01", "2035-08-01")
    assert json.loads(json.dumps(report, ensure_ascii=False)) == report


def test_report_of_a_card_without_dates_says_none() -> None:
    """A social-security card or a typed identity has no validity; its birth date comes from the number."""
    typed = Identity(card_type=CardType.MANUAL, name="张桂兰", id_number="220102195603120020")
    report = identity_report(typed, TODAY)
    assert (report["valid_from"], report["valid_until"], report["expired"]) == (None, None, False)
    assert report["birth_date"] == "1956-**-**"


def test_report_uses_the_cards_birth_date_when_the_number_holds_none() -> None:
    """A 15-character permanent-residence number holds no YYYYMMDD: the card's own birth date is shown."""
    report = identity_report(SMITH, TODAY, reveal=True)
    assert report["birth_date"] == "1975-04-02"
    assert identity_report(SMITH, TODAY)["birth_date"] == "1975-**-**"


def _parse_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str, str]:
    path = tmp_path / "block.bin"
    path.write_bytes(build_text_block(ZHANG))
    code = kiosk(["card", "parse", str(path), *options])
    out, err = capsys.readouterr()
    return code, out, err


def test_kiosk_card_parse_masks_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _parse_cli(tmp_path, capsys)
    assert code == 0 and err == ""
    shown = dict(line.split(None, 1) for line in out.splitlines())
    assert shown["address"] == "吉林省长春市****" and shown["name"] == "张*兰"
    assert shown["id_number"] == "220***********0020" and shown["birth_date"] == "1956-**-**"
    for secret in ("人民大街", "张桂兰", "220102195603120020", "1956-03-12"):
        assert secret not in out


def test_kiosk_card_parse_reveal_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _parse_cli(tmp_path, capsys, "--json", "--reveal")
    assert code == 0 and "--reveal prints personal data" in err
    assert json.loads(out)["address"] == "吉林省长春市南关区人民大街1234号"


# ---- padding and odd fields as cards write them ----

def test_nul_padded_fields_are_read_like_space_padded_ones() -> None:
    block = resident_block().replace(field("张桂兰", 30), "张桂兰".encode("utf-16-le") + bytes(24))
    assert parse_text_block(block).name == "张桂兰"


def test_leading_spaces_are_padding_too() -> None:
    identity = parse_text_block(resident_block(name="  张桂兰", address=" 吉林省长春市南关区"))
    assert (identity.name, identity.address) == ("张桂兰", "吉林省长春市南关区")


def test_only_padding_is_removed_from_a_field() -> None:
    """An ideographic space is card data, not padding: the parser does not edit what the card says."""
    assert parse_text_block(resident_block(address="\u3000吉林省长春市")).address == "\u3000吉林省长春市"


def test_a_field_that_begins_with_x_keeps_it() -> None:
    """Only spaces are leading padding: a pinyin name (XU, XIAOMING) and the check letter are card data."""
    assert parse_text_block(foreign_block(english="XU, XIAOMING")).english_name == "XU, XIAOMING"


def test_reserved_bytes_are_not_read() -> None:
    block = bytearray(resident_block())
    block[220:248] = "\x01".encode("utf-16-le") * 14  # the 28 reserved bytes before the type field
    assert parse_text_block(bytes(block)).name == "张桂兰"


def test_an_unassigned_character_is_refused_with_the_field_named() -> None:
    with pytest.raises(ParseError, match=r"^name: holds control or unassigned characters$"):
        parse_text_block(resident_block(name="张\u0378"))


def test_text_that_is_not_ucs2_is_refused_with_the_field_named() -> None:
    block = resident_block().replace(field("张桂兰", 30), b"\x00\xd8" + field("桂兰", 28))
    with pytest.raises(ParseError, match=r"^name: not UCS-2 text$"):
        parse_text_block(block)


# ---- permanent-residence cards ----

def test_a_card_with_only_the_english_name_uses_it_as_the_name() -> None:
    identity = parse_text_block(foreign_block(name=""))
    assert (identity.name, identity.english_name) == ("SMITH, JOHN", "SMITH, JOHN")


def test_a_card_with_only_the_chinese_name() -> None:
    identity = parse_text_block(foreign_block(english=""))
    assert (identity.name, identity.english_name) == ("史密斯", "")


def test_a_card_without_any_name_is_refused() -> None:
    with pytest.raises(ParseError, match=r"^name: both the Chinese and the English name are empty$"):
        parse_text_block(foreign_block(english="", name=""))


def test_building_an_english_only_card_leaves_the_chinese_name_blank() -> None:
    english_only = parse_text_block(foreign_block(name=""))
    block = build_text_block(english_only)
    assert block[FOREIGN_NAME] == b" \x00" * 15
    assert block == foreign_block(name="")
    assert build_text_block(SMITH)[FOREIGN_NAME] == field("史密斯", 30)


def test_the_18_digit_permanent_residence_number_follows_gb_11643() -> None:
    """The 2023 number (9 + 17 characters) does not fit the 2017 layout's 15-character field, so no block
    carries one; an identity that holds one (a future layout, a typed number) is checked by GB 11643."""
    new = replace(SMITH, id_number="911124198108030016", birth_date=date(1981, 8, 3))
    with pytest.raises(ValueError, match=r"^id_number is longer than its 15 characters$"):
        build_text_block(new)
    assert checksum_ok(new)
    assert not checksum_ok(replace(new, id_number="911124198108030017"))


def test_a_permanent_residence_card_keeps_its_photo() -> None:
    assert parse_text_block(foreign_block(), photo=b"WLT").photo == b"WLT"


def test_the_15_character_rule_applies_to_permanent_residence_cards_only() -> None:
    """A typed 'USA…' number is not an ID number, even with a birth date that matches its digits."""
    typed = Identity(card_type=CardType.MANUAL, name="SMITH", id_number="USA220175040215",
                     birth_date=date(1975, 4, 2))
    assert not checksum_ok(typed)


@pytest.mark.parametrize(("block", "message"), [
    (foreign_block(number="US220175040215"),
     r"^id_number: not a permanent-residence number \(3 letters and 12 digits\)$"),
    (foreign_block(nationality="U1"), r"^nationality: not a three-letter country code$"),
])
def test_permanent_residence_problems_are_named(block: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_text_block(block)


# ---- the exact messages ----

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sex": "3"}, r"^sex: not a GB/T 2261\.1 code \(0, 1, 2 or 9\)$"),
    ({"start": "2016"}, r"^valid_from: not a date \(YYYYMMDD\)$"),
    ({"end": "2036"}, r"^valid_until: not a date \(YYYYMMDD\)$"),
    ({"number": "22010219560312002"}, r"^id_number: not 17 digits and a check digit or X$"),
    ({"name": ""}, r"^name: empty$"),
    ({"address": ""}, r"^address: empty$"),
    ({"nation": "1"}, r"^nation_code: not two digits$"),
])
def test_messages_name_the_field_and_say_what_is_wrong(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_text_block(resident_block(**kwargs))


def test_an_unsupported_type_is_shown_escaped() -> None:
    block = bytearray(resident_block())
    block[248:250] = "中".encode("utf-16-le")
    with pytest.raises(UnsupportedCardError) as caught:
        parse_text_block(bytes(block))
    assert str(caught.value) == ("unsupported card type '\\\\u4e2d': only resident, 'I' and 'J' layouts "
                                 "are known")
    assert str(UnsupportedCardError("")).startswith("unsupported card type '(none)'")


def test_a_field_too_long_for_the_card_is_named_with_its_length() -> None:
    too_long = Identity(card_type=CardType.RESIDENT, name="张" * 16, id_number="220102195603120020",
                        sex=Sex.FEMALE)
    with pytest.raises(ValueError, match=r"^name is longer than its 15 characters$"):
        build_text_block(too_long)


def test_a_missing_date_is_written_blank() -> None:
    undated = Identity(card_type=CardType.RESIDENT, name="张桂兰", id_number="220102195603120020",
                       sex=Sex.FEMALE, birth_date=date(1956, 3, 12), nation_code="01", address="吉林省长春市",
                       valid_until=LONG_TERM)
    block = build_text_block(undated)
    assert block[188:204] == b" \x00" * 8  # valid_from
    with pytest.raises(ParseError, match=r"^valid_from: not a date"):
        parse_text_block(block)

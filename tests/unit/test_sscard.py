"""社保卡 record parsing: values as cards hold them, tolerance for third-generation cards, hostile bytes."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.readers.sscard import (
    SELECT_SSSE,
    CardDataError,
    HolderRecords,
    NoAnswerError,
    identity_from_records,
    read_record,
    record_value,
    select_file,
    split_status,
)
from kiosk.core.identity import CardType, Sex


def records(**overrides: bytes | None) -> HolderRecords:
    values = {0x08: b"220104196208190026", 0x09: "王淑珍".encode("gb18030").ljust(30, b"\x00"), 0x0A: b"2",
              0x0B: b"\x10", 0x0D: bytes.fromhex("19620819"), 0x05: bytes.fromhex("20180401"),
              0x06: bytes.fromhex("20280401")}
    named = {"ssn": 0x08, "name": 0x09, "sex": 0x0A, "nation": 0x0B, "birth": 0x0D, "issued": 0x05, "until": 0x06}
    for key, value in overrides.items():
        if value is None:
            values.pop(named[key], None)
        else:
            values[named[key]] = value
    return HolderRecords(values)


def test_apdus_match_the_public_samples() -> None:
    assert SELECT_SSSE.hex().upper() == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"
    assert select_file(0xEF06).hex().upper() == "00A4020002EF06"
    assert read_record(0x08, 0x14, by_number=False).hex().upper() == "00B2080014"
    assert read_record(0x07, 0x0B).hex().upper() == "00B207040B"


def test_full_record_set() -> None:
    identity = identity_from_records(records())
    assert identity.card_type == CardType.SOCIAL_SECURITY
    assert (identity.name, identity.id_number, identity.sex) == ("王淑珍", "220104196208190026", Sex.FEMALE)
    assert (identity.nation_code, identity.nation) == ("10", "朝鲜")
    assert identity.birth_date == date(1962, 8, 19)
    assert (identity.valid_from, identity.valid_until) == (date(2018, 4, 1), date(2028, 4, 1))


def test_third_generation_card_has_only_number_and_name() -> None:
    identity = identity_from_records(records(sex=None, nation=None, birth=None, issued=None, until=None))
    assert identity.sex == Sex.UNKNOWN and identity.nation == ""
    assert identity.birth_date == date(1962, 8, 19)
    assert identity.valid_until is None


def test_padding_variants() -> None:
    identity = identity_from_records(records(ssn=b"22010419620819002x\x00\x00", name="王淑珍".encode("gb18030")
                                             + b"\xff" * 24, birth=bytes.fromhex("19620819FF")))
    assert identity.id_number == "22010419620819002X" and identity.name == "王淑珍"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"ssn": None}, "no 社会保障号码"),
    ({"name": None}, "no 社会保障号码 or name"),
    ({"ssn": b"12345"}, "record 08"),
    ({"ssn": b"\xff\xfe" * 9}, "record 08"),
    ({"name": b"\x00" * 30}, "record 09: name is empty"),
    ({"name": b"\x81\x30"}, "record 09"),
])
def test_missing_or_bad_number_and_name(overrides: dict[str, bytes | None], message: str) -> None:
    with pytest.raises(CardDataError, match=message):
        identity_from_records(records(**overrides))


def test_status_and_tlv() -> None:
    assert split_status(b"\x01\x02\x90\x00") == (b"\x01\x02", 0x9000)
    with pytest.raises(NoAnswerError):
        split_status(b"\x90")
    assert record_value(0x08, b"\x08\x02ab") == b"ab"
    with pytest.raises(CardDataError, match="tag is 09"):
        record_value(0x08, b"\x09\x02ab")
    with pytest.raises(CardDataError, match="length 9 but 2 bytes follow"):
        record_value(0x08, b"\x08\x09ab")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([0x05, 0x06, 0x08, 0x09, 0x0A, 0x0B, 0x0D]), st.binary(max_size=40)))
def test_arbitrary_record_values_give_an_identity_or_card_data_error(values: dict[int, bytes]) -> None:
    try:
        identity_from_records(HolderRecords(values))
    except CardDataError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 255), st.binary(max_size=64))
def test_arbitrary_replies_give_a_value_or_card_data_error(record: int, data: bytes) -> None:
    with contextlib.suppress(CardDataError):
        assert len(record_value(record, data)) <= len(data)

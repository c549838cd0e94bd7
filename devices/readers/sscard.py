"""The 社会保障卡 basic data over ISO 7816: the APDUs to send and the parsing of what comes back.

Only what a card gives without a PSAM is read (人社信息函〔2012〕37号 file structure; the sequence follows
public reader samples): SELECT the SSSE application, then EF05 (发卡机构数据: issue and expiry dates) and
EF06 (持卡人基本信息: 社会保障号码, name, sex, nation, birth date). Records come back as tag, length, value.
Third-generation cards drop sex, nation and validity from the card face, so only number and name are
required here; the rest is taken when present.

Pure code: bytes in, values out. The PC/SC driver does the I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kiosk.core.cardtext import NATIONS
from kiosk.core.identity import CardType, Identity, Sex, birth_date_of

SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")  # "sx1.sh.社会保障" in GBK
SELECT_SSSE = bytes.fromhex("00A404000F") + SSSE_AID
EF_ISSUER = 0xEF05
EF_HOLDER = 0xEF06

# (record number, expected length of tag + length + value) as public samples request them.
ISSUE_DATE, VALID_UNTIL = (0x05, 6), (0x06, 6)
SSN, NAME, SEX, NATION, BIRTH_DATE = (0x08, 20), (0x09, 32), (0x0A, 3), (0x0B, 3), (0x0D, 6)

SW_OK = 0x9000
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_RECORD_NOT_FOUND = 0x6A83
SW_FILE_NOT_FOUND = 0x6A82

_SSN = re.compile(r"^\d{17}[\dX]$")


class CardDataError(ValueError):
    """A reply that is not the record it should be; the message says which record and why."""


class NoAnswerError(CardDataError):
    """A reply without even a status word: what pcscd hands back when the card left mid-exchange."""


def select_file(ef: int, p1: int = 0x02) -> bytes:
    """SELECT an elementary file by id; some cards want P1=00 instead of 02."""
    return bytes([0x00, 0xA4, p1, 0x00, 0x02]) + ef.to_bytes(2, "big")


def read_record(record: int, expected: int, by_number: bool = True) -> bytes:
    """READ RECORD: P2=04 addresses the record by number in the current EF, P2=00 by data-item tag."""
    return bytes([0x00, 0xB2, record, 0x04 if by_number else 0x00, expected])


def get_response(length: int) -> bytes:
    return bytes([0x00, 0xC0, 0x00, 0x00, length])


def split_status(response: bytes) -> tuple[bytes, int]:
    """Data and SW1SW2 of a response APDU; fewer than two bytes is no answer at all."""
    if len(response) < 2:
        raise NoAnswerError(f"reply of {len(response)} bytes has no status word")
    return response[:-2], int.from_bytes(response[-2:], "big")


def record_value(record: int, data: bytes) -> bytes:
    """The value of a TLV record `record`; checks tag and length."""
    if len(data) < 2:
        raise CardDataError(f"record {record:02X}: {len(data)} bytes, no tag and length")
    if data[0] != record:
        raise CardDataError(f"record {record:02X}: tag is {data[0]:02X}")
    if data[1] > len(data) - 2:
        raise CardDataError(f"record {record:02X}: length {data[1]} but {len(data) - 2} bytes follow")
    return data[2:2 + data[1]]


def _an(value: bytes) -> str:
    """An "an" item: ASCII, padded with 00 (some issuers pad with spaces or FF)."""
    return value.rstrip(b"\x00\xff ").decode("ascii", errors="strict").strip()


def _bcd_date(value: bytes) -> date | None:
    """A "cn" date: YYYYMMDD in BCD, F-padded; None when absent or not a date."""
    digits = value.hex().rstrip("f")
    if not re.fullmatch(r"\d{8}", digits):
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class HolderRecords:
    """Raw values of the records read, by record number (absent ones missing)."""

    values: dict[int, bytes]

    def get(self, record: tuple[int, int]) -> bytes | None:
        return self.values.get(record[0])


def identity_from_records(records: HolderRecords) -> Identity:
    """Build the identity; raises CardDataError when number or name are missing or malformed."""
    raw_ssn, raw_name = records.get(SSN), records.get(NAME)
    if raw_ssn is None or raw_name is None:
        raise CardDataError("card holds no 社会保障号码 or name")
    try:
        ssn = _an(raw_ssn).upper()
    except UnicodeDecodeError:
        raise CardDataError("record 08: 社会保障号码 is not text") from None
    if not _SSN.match(ssn):
        raise CardDataError("record 08: 社会保障号码 is not 17 digits and a check digit or X")
    try:
        name = raw_name.rstrip(b"\x00\xff ").decode("gb18030").strip()
    except UnicodeDecodeError:
        raise CardDataError("record 09: name is not GB 18030 text") from None
    if not name or not name.isprintable():
        raise CardDataError("record 09: name is empty or holds control characters")
    sex = Sex.UNKNOWN
    raw_sex = records.get(SEX)
    if raw_sex:
        sex = {b"1": Sex.MALE, b"\x01": Sex.MALE, b"2": Sex.FEMALE, b"\x02": Sex.FEMALE,
               b"9": Sex.UNSPECIFIED, b"0": Sex.UNKNOWN}.get(raw_sex[:1], Sex.UNKNOWN)
    nation_code = ""
    raw_nation = records.get(NATION)
    if raw_nation:
        digits = raw_nation[:1].hex()
        nation_code = digits if digits in NATIONS else ""
    raw_birth, raw_issued, raw_until = records.get(BIRTH_DATE), records.get(ISSUE_DATE), records.get(VALID_UNTIL)
    return Identity(
        card_type=CardType.SOCIAL_SECURITY,
        name=name,
        id_number=ssn,
        sex=sex,
        birth_date=(_bcd_date(raw_birth) if raw_birth else None) or birth_date_of(ssn),
        nation_code=nation_code,
        nation=NATIONS.get(nation_code, ""),
        valid_from=_bcd_date(raw_issued) if raw_issued else None,
        valid_until=_bcd_date(raw_until) if raw_until else None,
    )

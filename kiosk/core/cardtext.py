"""The 256-byte text block a 公安部 SAM returns, turned into an `Identity` (and back, for simulators).

Three layouts are known: 居民身份证 (type field blank), 外国人永久居留身份证 of 2017 (type `I`) and
港澳台居民居住证 (type `J`). The type character sits at bytes 248-249 in all three. Any other type (the
2023 permanent-residence card among them, whose layout is not public) raises `UnsupportedCardError` so
the kiosk offers manual entry instead of guessing. Text is UCS-2 little-endian, padded with spaces.

Pure code: no I/O, no logging. Every problem is a `ParseError` whose message names the field and says
what is wrong without quoting personal data, so it may be shown to a technician or logged as a code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from kiosk.core.identity import (
    LONG_TERM,
    CardType,
    Identity,
    Sex,
    birth_date_of,
    id_number_problems,
    mask_address,
    mask_id_number,
    mask_name,
)

TEXT_BLOCK_SIZE: Final = 256
TYPE_OFFSET: Final = 248
TYPE_FOREIGN_PERMANENT: Final = "I"
TYPE_HMT_RESIDENCE: Final = "J"

# GB 3304 民族 codes as the card stores them (two digits), with the names printed on the card.
NATIONS: Final[Mapping[str, str]] = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝", "08": "壮",
    "09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白", "15": "土家", "16": "哈尼",
    "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳", "21": "佤", "22": "畲", "23": "高山", "24": "拉祜",
    "25": "水", "26": "东乡", "27": "纳西", "28": "景颇", "29": "柯尔克孜", "30": "土", "31": "达斡尔",
    "32": "仫佬", "33": "羌", "34": "布朗", "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯",
    "39": "阿昌", "40": "普米", "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克",
    "46": "德昂", "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春",
    "53": "赫哲", "54": "门巴", "55": "珞巴", "56": "基诺", "97": "其他", "98": "外国血统中国籍人士",
}

# GB/T 2261.1 sex codes.
SEX_CODES: Final[Mapping[str, Sex]] = {"0": Sex.UNKNOWN, "1": Sex.MALE, "2": Sex.FEMALE, "9": Sex.UNSPECIFIED}

# (field, length in bytes) in card order; fields starting with "_" are reserved or checked elsewhere.
_Layout = tuple[tuple[str, int], ...]
RESIDENT_LAYOUT: Final[_Layout] = (
    ("name", 30), ("sex", 2), ("nation_code", 4), ("birth_date", 16), ("address", 70), ("id_number", 36),
    ("issuing_authority", 30), ("valid_from", 16), ("valid_until", 16), ("_reserved", 28), ("_type", 2),
    ("_reserved2", 6),
)
FOREIGN_LAYOUT: Final[_Layout] = (
    ("english_name", 120), ("sex", 2), ("id_number", 30), ("nationality", 6), ("name", 30),
    ("valid_from", 16), ("valid_until", 16), ("birth_date", 16), ("_card_version", 4),
    ("issuing_authority", 8), ("_type", 2), ("_reserved", 6),
)
HMT_LAYOUT: Final[_Layout] = (
    ("name", 30), ("sex", 2), ("_reserved", 4), ("birth_date", 16), ("address", 70), ("id_number", 36),
    ("issuing_authority", 30), ("valid_from", 16), ("valid_until", 16), ("pass_number", 18),
    ("issue_count", 4), ("_reserved2", 6), ("_type", 2), ("_reserved3", 6),
)
LAYOUTS: Final[Mapping[CardType, _Layout]] = {
    CardType.RESIDENT: RESIDENT_LAYOUT,
    CardType.FOREIGN_PERMANENT: FOREIGN_LAYOUT,
    CardType.HMT_RESIDENCE: HMT_LAYOUT,
}
_TYPE_CHARS: Final[Mapping[CardType, str]] = {
    CardType.RESIDENT: " ", CardType.FOREIGN_PERMANENT: TYPE_FOREIGN_PERMANENT,
    CardType.HMT_RESIDENCE: TYPE_HMT_RESIDENCE,
}

_ID18 = re.compile(r"^\d{17}[\dX]$")
_FOREIGN15 = re.compile(r"^[A-Z]{3}\d{12}$")  # nationality, 4-digit office, YYMMDD, 2 digits
_DATE8 = re.compile(r"^\d{8}$")
_FOREIGN_NEW18 = re.compile(r"^9\d{16}[\dX]$")  # 2023 card numbers, should a layout ever carry one


class ParseError(ValueError):
    """A text block that cannot be turned into an identity; the message says which field and why."""


class UnsupportedCardError(ParseError):
    """A well-formed block of a card type whose layout the kiosk does not know; offer manual entry."""

    def __init__(self, type_code: str) -> None:
        shown = type_code.encode("unicode_escape").decode("ascii") or "(none)"
        super().__init__(f"unsupported card type {shown!r}: only resident, 'I' and 'J' layouts are known")
        self.type_code = type_code


def wipe(buffer: bytearray) -> None:
    """Overwrite a buffer that held card data, in place (Python strings cannot be wiped)."""
    buffer[:] = bytes(len(buffer))


def card_type_of(block: bytes | bytearray | memoryview) -> CardType:
    """The layout the type field names; raises UnsupportedCardError for any other type."""
    _check_size(block)
    raw = bytes(block[TYPE_OFFSET:TYPE_OFFSET + 2])
    if raw in (b"\x20\x00", b"\x00\x00"):
        return CardType.RESIDENT
    try:
        char = raw.decode("utf-16-le")
    except UnicodeDecodeError:
        raise UnsupportedCardError(raw.hex()) from None
    if char == TYPE_FOREIGN_PERMANENT:
        return CardType.FOREIGN_PERMANENT
    if char == TYPE_HMT_RESIDENCE:
        return CardType.HMT_RESIDENCE
    raise UnsupportedCardError(char)


def parse_text_block(block: bytes | bytearray | memoryview, photo: bytes = b"") -> Identity:
    """Parse a 256-byte text block; `photo` is the WLT image read with it, kept as bytes for a decoder.

    Raises ParseError (or its subclass UnsupportedCardError); never anything else.
    """
    card_type = card_type_of(block)
    fields = _split(block, LAYOUTS[card_type])
    if fields["sex"] not in SEX_CODES:
        raise ParseError("sex: not a GB/T 2261.1 code (0, 1, 2 or 9)")
    sex = SEX_CODES[fields["sex"]]
    birth = _date(fields["birth_date"], "birth_date")
    valid_from = _date(fields["valid_from"], "valid_from")
    valid_until = _until(fields["valid_until"])
    number = fields["id_number"].upper()
    if card_type == CardType.FOREIGN_PERMANENT:
        if not (_FOREIGN15.match(number) or _FOREIGN_NEW18.match(number)):
            raise ParseError("id_number: not a permanent-residence number (3 letters and 12 digits)")
        if not (fields["english_name"] or fields["name"]):
            raise ParseError("name: both the Chinese and the English name are empty")
        nationality = fields["nationality"].upper()
        if not re.fullmatch(r"[A-Z]{3}", nationality):
            raise ParseError("nationality: not a three-letter country code")
        return Identity(card_type=card_type, name=fields["name"] or fields["english_name"], id_number=number,
                        sex=sex, birth_date=birth, issuing_authority=fields["issuing_authority"],
                        valid_from=valid_from, valid_until=valid_until, english_name=fields["english_name"],
                        nationality=nationality, photo=bytes(photo))
    if not _ID18.match(number):
        raise ParseError("id_number: not 17 digits and a check digit or X")
    if not fields["name"]:
        raise ParseError("name: empty")
    if not fields["address"]:
        raise ParseError("address: empty")
    nation_code = fields.get("nation_code", "")
    if card_type == CardType.RESIDENT and not re.fullmatch(r"\d{2}", nation_code):
        raise ParseError("nation_code: not two digits")
    return Identity(card_type=card_type, name=fields["name"], id_number=number, sex=sex, birth_date=birth,
                    nation_code=nation_code, nation=NATIONS.get(nation_code, ""), address=fields["address"],
                    issuing_authority=fields["issuing_authority"], valid_from=valid_from,
                    valid_until=valid_until, pass_number=fields.get("pass_number", "").upper(),
                    issue_count=fields.get("issue_count", ""), photo=bytes(photo))


def checksum_ok(identity: Identity) -> bool:
    """Whether the card's number is well formed by its own rule.

    18-character numbers (resident, 港澳台, social security, 2023 permanent residence) follow GB 11643:
    format, check character, birth date and region. The 15-character permanent-residence number has no
    publicly verified check-digit rule, so it is checked for format and for the birth date it embeds
    (positions 8-13, YYMMDD) agreeing with the card's birth date.
    """
    number = identity.id_number
    if identity.card_type == CardType.FOREIGN_PERMANENT and _FOREIGN15.match(number):
        born = identity.birth_date
        return born is not None and number[7:13] == born.strftime("%y%m%d")
    return not id_number_problems(number)


def build_text_block(identity: Identity, card_version: str = "01") -> bytes:
    """The block a card of this identity would hold; for simulators and tests. Raises ValueError."""
    if identity.card_type not in LAYOUTS:
        raise ValueError(f"no text-block layout for {identity.card_type.value} cards")
    sex_code = next(code for code, sex in SEX_CODES.items() if sex == identity.sex)
    # A permanent-residence card may carry only the English name; the identity then uses it as its name.
    chinese_name_missing = (identity.card_type == CardType.FOREIGN_PERMANENT
                            and identity.name == identity.english_name)
    values = {
        "name": "" if chinese_name_missing else identity.name,
        "english_name": identity.english_name, "sex": sex_code, "nation_code": identity.nation_code,
        "birth_date": _ymd(identity.birth_date), "address": identity.address, "id_number": identity.id_number,
        "issuing_authority": identity.issuing_authority, "valid_from": _ymd(identity.valid_from),
        "valid_until": identity.valid_until if isinstance(identity.valid_until, str)
        else _ymd(identity.valid_until),
        "nationality": identity.nationality, "pass_number": identity.pass_number,
        "issue_count": identity.issue_count, "_card_version": card_version,
        "_type": _TYPE_CHARS[identity.card_type],
    }
    out = bytearray()
    for name, length in LAYOUTS[identity.card_type]:
        encoded = values.get(name, "").encode("utf-16-le")
        if len(encoded) > length:
            raise ValueError(f"{name} is longer than its {length // 2} characters")
        out += encoded + " ".encode("utf-16-le") * ((length - len(encoded)) // 2)
    return bytes(out)


@dataclass(frozen=True)
class _Shown:
    """How the report shows personal fields: masked by default."""

    reveal: bool

    def name(self, value: str) -> str:
        return value if self.reveal else mask_name(value)

    def number(self, value: str) -> str:
        return value if self.reveal else mask_id_number(value)

    def address(self, value: str) -> str:
        return value if self.reveal else mask_address(value)

    def birth(self, value: date | None) -> str | None:
        if value is None:
            return None
        return value.isoformat() if self.reveal else f"{value.year:04d}-**-**"


def identity_report(identity: Identity, today: date, reveal: bool = False) -> dict[str, object]:
    """The JSON-ready view of a card for `kiosk card parse`: masked unless `reveal`."""
    shown = _Shown(reveal)
    until = identity.valid_until
    report: dict[str, object] = {"card_type": identity.card_type.value, "name": shown.name(identity.name)}
    if identity.card_type == CardType.FOREIGN_PERMANENT:
        report["english_name"] = shown.name(identity.english_name)
    report["sex"] = identity.sex.value
    if identity.card_type == CardType.RESIDENT:
        report["nation_code"] = identity.nation_code
        report["nation"] = identity.nation
    if identity.card_type == CardType.FOREIGN_PERMANENT:
        report["nationality"] = identity.nationality
    report.update({
        "birth_date": shown.birth(identity.birth_date or birth_date_of(identity.id_number)),
        "address": shown.address(identity.address),
        "id_number": shown.number(identity.id_number),
        "issuing_authority": identity.issuing_authority,
        "valid_from": identity.valid_from.isoformat() if identity.valid_from else None,
        "valid_until": until.isoformat() if isinstance(until, date) else until,
    })
    if identity.card_type == CardType.HMT_RESIDENCE:
        report["pass_number"] = shown.number(identity.pass_number)
        report["issue_count"] = identity.issue_count
    report["checksum_ok"] = checksum_ok(identity)
    report["expired"] = identity.expired_on(today)
    return report


# ---- helpers ----

def _check_size(block: bytes | bytearray | memoryview) -> None:
    if len(block) != TEXT_BLOCK_SIZE:
        raise ParseError(f"text block is {len(block)} bytes, not {TEXT_BLOCK_SIZE}")


def _split(block: bytes | bytearray | memoryview, layout: _Layout) -> dict[str, str]:
    fields: dict[str, str] = {}
    offset = 0
    for name, length in layout:
        if not name.startswith("_"):
            fields[name] = _text(bytes(block[offset:offset + length]), name)
        offset += length
    return fields


def _text(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-16-le")
    except UnicodeDecodeError:
        raise ParseError(f"{name}: not UCS-2 text") from None
    text = text.rstrip(" \x00").lstrip(" ")
    # Private-use characters stay: cards encode some rare name characters there.
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Cn") for ch in text):
        raise ParseError(f"{name}: holds control or unassigned characters")
    return text


def _date(text: str, name: str) -> date:
    if not _DATE8.match(text):
        raise ParseError(f"{name}: not a date (YYYYMMDD)")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ParseError(f"{name}: not a calendar date") from None


def _until(text: str) -> date | str:
    return LONG_TERM if text == LONG_TERM else _date(text, "valid_until")


def _ymd(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""

"""The identity model and its checks: ID-number checksum (GB 11643), birth date, age, card validity, masking.

Identities are personal data. They live only inside a session and are never logged; the masking helpers
give the forms allowed on screens and slips.
"""

from __future__ import annotations

import enum
import re
from datetime import date

from kiosk.core.value import Value

CHECK_CHARS = "10X98765432"
_ID18 = re.compile(r"^\d{17}[\dX]$", re.ASCII)  # a card or keypad gives ASCII; "１" is no digit of an ID number
LONG_TERM = "长期"  # a card valid without end date, kept literally as the card says it


class CardType(enum.StrEnum):
    RESIDENT = "resident"  # 居民身份证
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证 (2017 layout, type I)
    HMT_RESIDENCE = "hmt_residence"  # 港澳台居民居住证 (type J)
    SOCIAL_SECURITY = "social_security"  # 社会保障卡 basic data
    MANUAL = "manual"  # typed on the keypad when no card can be read


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"
    UNSPECIFIED = "unspecified"


class IdProblem(enum.StrEnum):
    FORMAT = "format"  # not 17 digits + digit/X
    CHECKSUM = "checksum"
    BIRTH_DATE = "birth_date"  # positions 7-14 are not a real date, or lie in the future
    REGION = "region"  # first two digits are no province code


# First two digits of the administrative division code (GB/T 2260), plus 9x used by the 2023 foreign
# permanent-residence card numbers (which share the checksum rule).
_PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
    "71 81 82 83 91 92 93".split()
)


def iso7064_check_char(digits: str) -> str:
    """ISO 7064 MOD 11-2 over any number of ASCII digits: an ID number's check character over its first 17
    (GB 11643), and a 办件编号's over the rest of it (kiosk.core.receipt_numbers checks, the server makes)."""
    if not (digits.isdigit() and digits.isascii()):
        raise ValueError("digits only")
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2 % 11
    return CHECK_CHARS[total]


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not (first17.isdigit() and first17.isascii()):
        raise ValueError("need exactly 17 digits")
    return iso7064_check_char(first17)


def normalize_id_number(raw: str) -> str:
    """Upper-case the check letter and drop spaces, as citizens type it either way."""
    return raw.replace(" ", "").strip().upper()


def birth_date_of(id_number: str) -> date | None:
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def id_number_problems(id_number: str, today: date | None = None) -> list[IdProblem]:
    """Every problem with an 18-character ID number; empty means valid."""
    if not _ID18.match(id_number):
        return [IdProblem.FORMAT]
    problems = []
    if check_char(id_number[:17]) != id_number[17]:
        problems.append(IdProblem.CHECKSUM)
    born = birth_date_of(id_number)
    if born is None or born.year < 1880 or (today is not None and born > today):
        problems.append(IdProblem.BIRTH_DATE)
    if id_number[:2] not in _PROVINCE_PREFIXES:
        problems.append(IdProblem.REGION)
    return problems


def is_valid_id_number(id_number: str, today: date | None = None) -> bool:
    return not id_number_problems(id_number, today)


def sex_from_id_number(id_number: str) -> Sex:
    """The 17th digit is odd for men and even for women."""
    return Sex.MALE if int(id_number[16]) % 2 else Sex.FEMALE


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def is_expired(valid_until: date | str | None, today: date) -> bool:
    """A card expires after its last valid day; 长期 never expires; unknown is not treated as expired."""
    if valid_until is None or valid_until == LONG_TERM:
        return False
    if isinstance(valid_until, str):
        raise ValueError(f"unknown validity {valid_until!r}")
    return today > valid_until


class Identity(Value, frozen=True):
    """What a card (or the manual fallback) tells about a person. Personal data: never log or persist it."""

    hidden = frozenset({"photo"})

    card_type: CardType
    name: str
    id_number: str
    sex: Sex = Sex.UNKNOWN
    birth_date: date | None = None
    nation_code: str = ""
    nation: str = ""
    address: str = ""
    issuing_authority: str = ""
    valid_from: date | None = None
    valid_until: date | str | None = None  # a date, LONG_TERM, or None when the source has none
    english_name: str = ""
    nationality: str = ""
    pass_number: str = ""
    issue_count: str = ""
    photo: bytes = b""  # WLT bytes, for a vendor decoder only

    def __repr__(self) -> str:  # keep identities out of tracebacks and debug output
        return f"Identity(card_type={self.card_type.value}, <redacted>)"

    __str__ = __repr__

    def age_on(self, today: date) -> int | None:
        born = self.birth_date or birth_date_of(self.id_number)
        return None if born is None else age_on(born, today)

    def expired_on(self, today: date) -> bool:
        return is_expired(self.valid_until, today)


def manual_identity(name: str, id_number: str) -> Identity:
    """An identity typed on the keypad; the caller has validated the number."""
    number = normalize_id_number(id_number)
    return Identity(
        card_type=CardType.MANUAL,
        name=name.strip(),
        id_number=number,
        sex=sex_from_id_number(number) if _ID18.match(number) else Sex.UNKNOWN,
        birth_date=birth_date_of(number) if _ID18.match(number) else None,
    )


# ---- masking: the only forms of personal data allowed on screens and slips ----

def mask_name(name: str) -> str:
    """张三 -> 张*, 张三丰 -> 张*丰, 欧阳娜娜 -> 欧**娜; Latin names keep their first letter per word."""
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(id_number: str) -> str:
    """Keep the first 3 and last 4 characters: 220***********123X."""
    if len(id_number) <= 7:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """138****5678 for mobile numbers; other lengths keep only the last 4 digits."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_address(address: str) -> str:
    """Keep the first 6 characters (province/city) and hide the rest: 吉林省长春市****."""
    address = address.strip()
    return address[:6] + "****" if len(address) > 6 else address

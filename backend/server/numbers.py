"""办件编号 and receipt query codes: what a citizen carries away on the receipt.

An application number is the division code, the Beijing date, ten random digits and a check character
(ISO 7064 MOD 11-2, the scheme of the ID card number), so numbers cannot be walked by counting and a
mistyped one is caught at the kiosk before it is sent. The query code printed beside it is eight random
digits; the server keeps only a keyed digest of it.
"""

from __future__ import annotations

import re
import secrets
from datetime import date

from kiosk.core.identity import iso7064_check_char as check_char  # the one the kiosk checks a typed number with

RANDOM_DIGITS = 10
QUERY_CODE_DIGITS = 8
_NUMBER = re.compile(r"^\d{6}\d{8}\d{10}[0-9X]$", re.ASCII)


def new_application_number(division_code: str, day: date) -> str:
    body = f"{division_code}{day:%Y%m%d}{secrets.randbelow(10 ** RANDOM_DIGITS):0{RANDOM_DIGITS}d}"
    return body + check_char(body)


def is_application_number(text: str) -> bool:
    """Well formed with a matching check character (says nothing about whether it exists)."""
    return bool(_NUMBER.match(text)) and check_char(text[:-1]) == text[-1]


def new_query_code() -> str:
    return f"{secrets.randbelow(10 ** QUERY_CODE_DIGITS):0{QUERY_CODE_DIGITS}d}"

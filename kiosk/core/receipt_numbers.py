"""What a citizen types from a receipt: the 办件编号 and the 查询码 printed beside it, checked before anything is
sent, so a slip of the finger is caught at the kiosk instead of counting as a wrong guess at the backend.

A 办件编号 is the division code, the Beijing date, ten random digits and an ISO 7064 MOD 11-2 check character,
the ID number's scheme (`backend.server.numbers` makes them with the same function). Receipts printed before the
check character carry 22 digits (division, date, a counter): still accepted, without a check. The 查询码 is 8
digits.
"""

from __future__ import annotations

from kiosk.core.identity import CHECK_CHARS
from kiosk.core.identity import iso7064_check_char as check_char

NUMBER_LENGTH = 25
LEGACY_NUMBER_LENGTH = 22
QUERY_CODE_LENGTH = 8


def typed(text: str) -> str:
    """As typed or scanned: spaces (the grouping) dropped, the check letter upper-cased."""
    return "".join(text.split()).upper()


def application_number_problem(number: str, kiosk_id: str = "") -> str | None:
    """Why `number` cannot be a 办件编号: "invalid" (not its shape), "check" (the last character does not match
    the others: a digit mistyped), or None. This kiosk's own local reference (a receipt of an application still
    waiting to be sent) is accepted too."""
    if kiosk_id and number.startswith(f"{kiosk_id}-") and number.isascii() and len(number) <= 64 \
            and number.replace("-", "").isalnum():
        return None
    if len(number) == LEGACY_NUMBER_LENGTH and number.isdigit() and number.isascii():
        return None
    body, last = number[:-1], number[-1:]
    if len(number) != NUMBER_LENGTH or not (body.isdigit() and body.isascii()) or last not in CHECK_CHARS:
        return "invalid"
    return None if check_char(body) == last else "check"


def query_code_problem(code: str) -> str | None:
    """Why `code` cannot be a receipt's 查询码 ("invalid"), or None; no code at all is None too (the application
    was taken at this kiosk)."""
    if not code or (len(code) == QUERY_CODE_LENGTH and code.isdigit() and code.isascii()):
        return None
    return "invalid"

"""Long numbers grouped for reading aloud and copying: a 25-character 办件编号 by its parts, 220102 20260601
00000 000011 (division, date, the random digits in two fives with the check character closing the second), an
ID number as 220102 19560312 0020 (region, birth date, sequence and check), a mobile number as 139 1234 5678.
The grouping is for the eye only: what is stored and sent keeps no spaces.
"""

from __future__ import annotations

from collections.abc import Sequence

THIN_GAP = " "  # a plain space: the keypads and slips count characters, and a space is where a line may wrap


# backend/server/numbers.py: division 6, date 8, random 10, check 1. Fours left the check character alone
# ("... 0001 1"); the check character goes with the last five random digits instead.
APPLICATION_NUMBER_GROUPS = (6, 8, 5, 6)
APPLICATION_NUMBER_LENGTH = sum(APPLICATION_NUMBER_GROUPS)


def grouped(text: str, sizes: Sequence[int], gap: str = THIN_GAP) -> str:
    """`text` cut into groups of the given sizes (the last size repeats), joined by `gap`."""
    parts: list[str] = []
    position = 0
    index = 0
    while position < len(text):
        size = sizes[min(index, len(sizes) - 1)]
        parts.append(text[position:position + size])
        position += size
        index += 1
    return gap.join(parts)


def group_number(number: str) -> str:
    """An application, booking or certificate number: a 办件编号 by its parts, an ID number and a 残疾人证号 by
    theirs, any other in groups of four, the way the hotline reads them back."""
    plain = number.replace(" ", "")
    if len(plain) == APPLICATION_NUMBER_LENGTH and plain[:-1].isdigit():
        return group_application_number(plain)
    if len(plain) == 18 and plain[:17].isdigit():
        return group_id_number(plain)
    if len(plain) == 20 and plain[:17].isdigit():  # 残疾人证号: the ID number, then category and grade
        return f"{group_id_number(plain[:18])} {plain[18:]}"
    return grouped(plain, (4,))


def group_application_number(number: str) -> str:
    """A 办件编号, or the start of one as it is typed (the groups do not move as characters are added)."""
    return grouped(number.replace(" ", ""), APPLICATION_NUMBER_GROUPS)


def application_number_lines(number: str) -> tuple[str, ...]:
    """A 办件编号 on a slip in large print: its groups on two lines, "220102 20260601" over "00000 000011" (15
    characters, which fit double width on a 58 mm printer's 16 columns); any other number on one line, as it is."""
    plain = number.replace(" ", "")
    if len(plain) != APPLICATION_NUMBER_LENGTH:
        return (number,)
    groups = group_application_number(plain).split(THIN_GAP)
    return (THIN_GAP.join(groups[:2]), THIN_GAP.join(groups[2:]))


def group_id_number(number: str) -> str:
    """An 18-character ID number (or its masked form): region 6, birth date 8, sequence and check 4."""
    plain = number.replace(" ", "")
    return grouped(plain, (6, 8, 4)) if len(plain) == 18 else grouped(plain, (4,))


def group_phone(number: str) -> str:
    """A mobile number 3-4-4; a landline with its area code stays as it is written."""
    plain = number.replace(" ", "")
    if len(plain) == 11 and plain.startswith("1"):
        return grouped(plain, (3, 4, 4))
    return number

"""Where a line of Chinese text may not break: closing punctuation never starts a line and opening punctuation
never ends one (GB/T 15834; W3C "Requirements for Chinese Text Layout"); a list marker or step number never
stands alone on its line, apart from what it marks ("2." / "•" / "□" and the text on the next line); a line
never ends on the " · " that separates the parts of a list line ("必需 · 原件": the separator goes down with
the part it introduces); and a paragraph's last line is never a single character left over ("…推送至户籍" /
"地": a character goes down with it). Used by the slips' own wrapping and by the screens, whose text renderer
breaks a run of Chinese wherever the width runs out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…·%,.;:?!)]}")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")
SEPARATOR = " ·"  # between the parts of a line: 必需 · 原件, 受理人 · 受理地 · 3个工作日
# A bullet, check box or step number ("2.", "2、", "（2）", "②") with nothing after it on its line.
_MARKER = re.compile(r"\s*(?:[•·▪◦□■☐✓\-–]|\d{1,2}\s*[.．、)）]|[（(]\d{1,2}[)）]|[\u2460-\u2473])\s*")


def is_lone_marker(line: str) -> bool:
    """A drawn line that is a list marker or step number and nothing else."""
    return bool(line.strip()) and _MARKER.fullmatch(line) is not None


def lone_markers(lines: Sequence[str]) -> list[int]:
    """Indices of the drawn lines that hold only a list marker while what it marks went on to the next line."""
    return [n for n, line in enumerate(lines[:-1]) if is_lone_marker(line) and lines[n + 1].strip()]


def bad_break(before: str, after: str) -> bool:
    """A line ending with `before` and the next beginning with `after`: a break the rules forbid?"""
    return bool((after and after[0] in NO_LINE_START) or (before and before[-1] in NO_LINE_END))


def wrap_starts(text: str, lines: Sequence[str]) -> list[int] | None:
    """Where in `text` each line that wrapping began starts (lines after a newline of the text are not
    counted). `lines` are the laid-out lines in order, with the spaces at wraps possibly dropped. None when
    the lines are not found in the text in order."""
    starts: list[int] = []
    position = 0
    for number, line in enumerate(lines):
        if not line:
            continue
        found = text.find(line, position)
        if found < 0:
            return None
        if number and "\n" not in text[position:found]:
            starts.append(found)
        position = found + len(line)
    return starts


def breaks_to_move(text: str, lines: Sequence[str]) -> list[int]:
    """Where in `text` a newline would move each wrap the rules forbid: a character earlier, so that character
    goes down with the punctuation that followed it (or opening punctuation with what it opens, or the last
    character of a paragraph with the one alone after it); or, for a line ending on the separator, just before
    the separator. Empty when every wrap is allowed, when the lines are not found in `text`, or when a move
    would leave a line with nothing."""
    moves = []
    for start in wrap_starts(text, lines) or []:
        before = text[:start].rstrip(" ")
        separated = before.rstrip("\u00a0")  # the guide glues the separator to what follows it
        if separated.endswith(SEPARATOR) and separated[:-len(SEPARATOR)].strip(" ").rpartition("\n")[2]:
            moves.append(len(separated) - 1)
        elif ((bad_break(before, text[start:]) or is_lone_last_character(text, start))
              and start >= 2 and text[start - 2] != "\n" and not text[start - 1].isspace()):
            moves.append(start - 1)
    return moves


def is_lone_last_character(text: str, start: int) -> bool:
    """The line that wrapping began at `start` is its paragraph's last and holds a single character."""
    end = text.find("\n", start)
    return len(text[start:end if end >= 0 else len(text)].strip()) == 1

"""Where a line of Chinese text may not break: closing punctuation never starts a line and opening punctuation
never ends one (GB/T 15834; W3C "Requirements for Chinese Text Layout"). Used by the slips' own wrapping and
by the screens, whose text renderer breaks a run of Chinese wherever the width runs out.
"""

from __future__ import annotations

from collections.abc import Sequence

NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…·%,.;:?!)]}")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")


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
    """Where in `text` a newline would move each forbidden wrap a character earlier, so that character goes
    down with the punctuation that followed it (or opening punctuation goes down with what it opens). Empty
    when every wrap is allowed, when the lines are not found in `text`, or when a line has one character
    (moving it would leave nothing)."""
    starts = wrap_starts(text, lines) or []
    return [start - 1 for start in starts
            if bad_break(text[:start].rstrip(" "), text[start:])
            and start >= 2 and text[start - 2] != "\n" and not text[start - 1].isspace()]

"""Line breaks that Chinese text layout requires, put into what a Kivy label draws (plain text or markup).

Kivy's renderer breaks a run of Chinese wherever the width runs out; kiosk.core.linebreak finds the wraps the
rules forbid in the lines it laid out, and this puts a newline a character earlier into the label's source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kiosk.core.linebreak import breaks_to_move

_TAG = re.compile(r"(\[.*?\])")  # what Kivy's markup parser takes as a tag
_ENTITIES = (("&bl;", "["), ("&br;", "]"), ("&amp;", "&"))


def plain_of_markup(markup: str) -> tuple[str, list[int]]:
    """The text Kivy draws for `markup`, and for each of its characters the index in `markup` it comes from."""
    plain: list[str] = []
    origin: list[int] = []
    position = 0
    for piece in _TAG.split(markup):
        if not _TAG.fullmatch(piece):
            index = 0
            while index < len(piece):
                for entity, char in _ENTITIES:
                    if piece.startswith(entity, index):
                        plain.append(char)
                        origin.append(position + index)
                        index += len(entity)
                        break
                else:
                    plain.append(piece[index])
                    origin.append(position + index)
                    index += 1
        position += len(piece)
    return "".join(plain), origin


def drawn_lines(label: Any) -> list[str]:
    """The lines a Kivy Label drew its text in, as its renderer laid them out."""
    return ["".join(word.text for word in line.words) for line in label._label._cached_lines]


def rebroken(source: str, markup: bool, lines: Sequence[str]) -> str | None:
    """`source` with a newline before each wrap that has to move, given the `lines` it was laid out in; None
    when no wrap has to."""
    plain, origin = plain_of_markup(source) if markup else (source, list(range(len(source))))
    moves = breaks_to_move(plain, lines)
    if not moves:
        return None
    for index in sorted((origin[move] for move in moves), reverse=True):
        source = source[:index] + "\n" + source[index:]
    return source

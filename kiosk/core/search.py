"""Finding items by what a citizen can type: part of a name in the citizen's language or in Chinese, the
letters of its pinyin (whole syllables or only their first letters: 'jh' or 'jiehun' for 结婚登记), or the name
of its category ('婚姻', '残疾人'), which finds every item of that category.

Pure: the pinyin readings of a character come from the caller (the keypad's dictionary on the kiosk), so any
catalog the backend publishes is searchable without regenerating anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from kiosk.core.catalog import Catalog, Item

Readings = Callable[[str], Sequence[str]]
"""A character's toneless pinyin readings ('结' -> ('jie', 'ji')); () for a character that has none."""

MIN_PINYIN_LETTERS = 2  # one letter would match nearly every item


def normalized(text: str) -> str:
    """Lower case without spaces: '결혼 등기' finds '결혼등기', 'Marriage' finds 'marriage'."""
    return "".join(text.lower().split())


def find_items(catalog: Catalog, query: str, language: str, categories: Mapping[str, Iterable[str]],
               readings: Readings | None = None) -> list[Item]:
    """Items matching `query`, those matched by their own names first, then those of a matching category.

    Args:
        categories: category id -> the texts it is shown with (its name and hint, in the language and in zh).
        readings: pinyin readings of a character; given, a query of Latin letters in zh also matches names by
            their pinyin.
    """
    q = normalized(query)
    if not q:
        return list(catalog.items)
    spell = readings if readings is not None and language == "zh" and _latin(q) else None
    by_name = [item for item in catalog.items if _names_match(item, q, language, spell)]
    matched = {item.id for item in by_name}
    wanted = {category for category, texts in categories.items()
              if any(_text_matches(text, q, spell) for text in texts)}
    return by_name + [item for item in catalog.items if item.category in wanted and item.id not in matched]


def _latin(q: str) -> bool:
    return len(q) >= MIN_PINYIN_LETTERS and q.isascii() and q.isalpha()


def _names_match(item: Item, q: str, language: str, spell: Readings | None) -> bool:
    names = (item.names.get(language), item.short_names.get(language), item.names.zh, item.short_names.zh)
    return any(_text_matches(name, q, spell) for name in names)


def _text_matches(text: str, q: str, spell: Readings | None) -> bool:
    plain = normalized(text)
    return q in plain or (spell is not None and spells(q, plain, spell))


def spells(letters: str, text: str, readings: Readings) -> bool:
    """Whether `letters` spell a run of `text`'s characters, each character by the beginning of one of its
    readings: 'jh', 'jiehun', 'jhdj' and 'jiehdengj' all spell 结婚登记. A character without readings (a digit,
    a Latin letter) spells only itself."""
    options = [tuple(readings(ch)) or (ch,) for ch in text]
    return any(_spells_from(letters, options[start:]) for start in range(len(options)))


def _spells_from(letters: str, options: Sequence[Sequence[str]]) -> bool:
    reached = {0}  # how many letters the characters so far can have spelled
    for choices in options:
        after: set[int] = set()
        for at in reached:
            for reading in choices:
                n = 0
                while n < len(reading) and at + n < len(letters) and reading[n] == letters[at + n]:
                    n += 1
                    after.add(at + n)
        if len(letters) in after:
            return True
        if not after:
            return False
        reached = after
    return False

"""Regenerate screens/data/pinyin_index.json, the pinyin keypad's dictionary. The kiosk only reads the JSON;
tests/unit/test_pinyin.py regenerates it from the installed packages and fails when the shipped file differs.

- `chars`: toneless syllable -> characters, most used with that reading first. Readings come from pypinyin
  (its phrase dictionary decides a polyphone per word: 长 is chang in 长春 and zhang in 长大); how much a
  reading is used is the summed jieba word frequency of the words it occurs in. Characters no jieba word
  uses follow, GB2312 level 1 before level 2 before the rest of GBK (rare name characters stay typeable).
- `phrases`: the letters of a whole word (e.g. changchunshi) -> words, most frequent first: jieba words of
  2-4 characters used at least PHRASE_MIN_FREQUENCY times.
Only characters GBK can encode are offered (the printers' encoding).

Run: .venv/bin/python scripts/gen_pinyin_index.py  (pypinyin and jieba are in the `test` extra)
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "screens" / "data" / "pinyin_index.json"
PHRASE_MIN_FREQUENCY = 50  # keeps 吉林 (89) and 延边 (82); about 45,000 words
MAX_PHRASES_PER_KEY = 8


def toneless(syllable: str) -> str:
    plain = unicodedata.normalize("NFD", syllable)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return plain.replace("ü", "v")


def gb_level(ch: str) -> int:
    try:
        raw = ch.encode("gb2312")
        return 1 if 0xB0 <= raw[0] <= 0xD7 else 2
    except UnicodeEncodeError:
        pass
    try:
        ch.encode("gbk")
        return 3
    except UnicodeEncodeError:
        return 9


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" and gb_level(ch) != 9


def jieba_words() -> list[tuple[str, int]]:
    import jieba

    dictionary = Path(jieba.__file__).parent / "dict.txt"
    words = []
    with dictionary.open(encoding="utf-8") as lines:
        for line in lines:
            word, frequency = line.split()[:2]
            if all(is_han(ch) for ch in word):
                words.append((word, int(frequency)))
    return words


def build() -> dict[str, Any]:
    from pypinyin import Style, lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    usage: Counter[tuple[str, str]] = Counter()  # (syllable, character) -> summed word frequency
    phrases: defaultdict[str, list[tuple[int, str]]] = defaultdict(list)
    for word, frequency in jieba_words():
        syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
        if len(syllables) != len(word) or not all(s.isascii() and s.isalpha() for s in syllables):
            continue
        for ch, syllable in zip(word, syllables, strict=True):
            usage[(syllable, ch)] += frequency
        if 2 <= len(word) <= 4 and frequency >= PHRASE_MIN_FREQUENCY:
            phrases["".join(syllables)].append((frequency, word))
    readings: defaultdict[str, set[str]] = defaultdict(set)
    for code, listed in pinyin_dict.items():
        ch = chr(code)
        if is_han(ch):
            for reading in listed.split(","):
                key = toneless(reading)
                if key.isascii() and key.isalpha():
                    readings[key].add(ch)
    for syllable, ch in usage:
        readings[syllable].add(ch)
    chars = {key: "".join(sorted(found, key=lambda c, k=key: (-usage[(k, c)], gb_level(c), c)))
             for key, found in sorted(readings.items())}
    ranked_phrases = {key: [word for _f, word in sorted(found, key=lambda fw: (-fw[0], fw[1]))][:MAX_PHRASES_PER_KEY]
                      for key, found in sorted(phrases.items())}
    return {"source": {"pypinyin": version("pypinyin"), "jieba": version("jieba"),
                       "phrase_min_frequency": PHRASE_MIN_FREQUENCY},
            "chars": chars, "phrases": ranked_phrases}


def render(index: dict[str, Any]) -> str:
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"))


def main() -> None:
    index = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(render(index), encoding="utf-8")
    print(f"{OUT}: {len(index['chars'])} syllables, {len(index['phrases'])} words")


if __name__ == "__main__":
    main()

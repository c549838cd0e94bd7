"""Regenerate screens/data/pinyin_index.json, the pinyin keypad's dictionary: toneless syllable -> characters,
most common first. Run by a developer (needs `pip install pypinyin`); the kiosk only reads the JSON.

Ranking: characters used in more of pypinyin's common phrases come first; GB2312 level 1 before level 2
before the rest of GBK breaks ties. Only characters GBK can encode are offered (the printers' encoding).
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from pypinyin.phrases_dict import phrases_dict
from pypinyin.pinyin_dict import pinyin_dict

OUT = Path(__file__).resolve().parent.parent / "screens" / "data" / "pinyin_index.json"


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


def main() -> None:
    usage: Counter[str] = Counter()
    for phrase in phrases_dict:
        usage.update(set(phrase))
    index: defaultdict[str, list[str]] = defaultdict(list)
    for code, readings in pinyin_dict.items():
        ch = chr(code)
        if not ("\u4e00" <= ch <= "\u9fff") or gb_level(ch) == 9:
            continue
        for reading in readings.split(","):
            key = toneless(reading)
            if key.isascii() and key.isalpha() and ch not in index[key]:
                index[key].append(ch)
    ranked = {key: "".join(sorted(chars, key=lambda c: (gb_level(c), -usage[c], c)))
              for key, chars in sorted(index.items())}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(ranked, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{OUT}: {len(ranked)} syllables")


if __name__ == "__main__":
    main()

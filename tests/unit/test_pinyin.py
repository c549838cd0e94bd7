"""The pinyin keypad's dictionary: the shipped index is what the generator makes from the installed pypinyin and
jieba, it loads fast, and common names and places are on the first page of candidates."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from screens import pinyin
from screens.pinyin import Candidate, candidates

FIRST_PAGE = 6  # PinyinEditor.PAGE


@pytest.mark.slow
def test_the_shipped_index_matches_the_dictionary_packages() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    try:
        import gen_pinyin_index
    finally:
        sys.path.pop(0)
    shipped = json.loads(pinyin.INDEX.read_text(encoding="utf-8"))
    built = gen_pinyin_index.build()
    assert shipped["source"] == built["source"], "run scripts/gen_pinyin_index.py after a package upgrade"
    assert shipped == built, "screens/data/pinyin_index.json is stale: run scripts/gen_pinyin_index.py"


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def test_the_index_loads_about_as_fast_as_reading_its_json() -> None:
    """A ratio against reading the same file in the same run, so a busy machine does not fail it."""
    def first_lookup() -> None:
        pinyin._index.cache_clear()
        candidates("a")

    baseline = best_of(3, lambda: json.loads(pinyin.INDEX.read_text(encoding="utf-8")))
    assert best_of(3, first_lookup) < 3 * baseline + 0.01


@pytest.mark.parametrize(("letters", "wanted", "pages"), [
    ("zhang", "张", 1), ("san", "三", 1), ("chang", "长", 1), ("chun", "春", 1), ("shi", "市", 1), ("wang", "王", 1),
    ("lin", "林", 1), ("bian", "边", 1), ("li", "李", 2), ("yan", "延", 2), ("ji", "吉", 4)])
def test_common_characters_come_early(letters: str, wanted: str, pages: int) -> None:
    shown = [c.text for c in candidates(letters)[:FIRST_PAGE * pages]]
    assert wanted in shown, shown


def test_a_whole_word_is_one_candidate_and_uses_all_letters() -> None:
    assert candidates("changchunshi")[0] == Candidate("长春市", 12)
    assert Candidate("延边", 7) in candidates("yanbian")[:FIRST_PAGE]
    assert candidates("jilin")[0] == Candidate("吉林", 5)
    after_word = candidates("changchunshi")
    single = next(c for c in after_word if len(c.text) == 1)
    assert single.letters_used == len("chang")  # picking one character keeps "chunshi" for the next pick


def test_a_syllable_beginning_offers_what_it_could_become() -> None:
    found = candidates("zh")
    assert len(found) == 64 and all(c.letters_used == 2 for c in found)
    assert candidates("") == [] and candidates("xyzq") == []


def test_only_characters_the_printer_can_encode() -> None:
    for key, chars in pinyin._index()["chars"].items():
        chars.encode("gbk")
        assert key.isascii() and key.isalpha()

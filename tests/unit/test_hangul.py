"""The Korean keypad's composition (screens.hangul.composed): what a two-set keyboard types."""

from __future__ import annotations

import pytest

from screens.hangul import composed


@pytest.mark.parametrize(("keys", "text"), [
    ("ㄱㅕㄹㅎㅗㄴ", "결혼"),
    ("ㄷㅡㅇㄹㅗㄱ", "등록"),
    ("ㅇㅡㅣ", "의"),  # two vowel keys, one vowel
    ("ㄱㅗㅏㄴ", "관"),
    ("ㄷㅏㄹㄱ", "닭"),  # two consonants end the syllable together ...
    ("ㄷㅏㄹㄱㅏ", "달가"),  # ... until a vowel takes the second into the next one
    ("ㄱㅕㄹ ㅎㅗㄴ", "결 혼"),
    ("ㄱㅕㄹㅎ", "겷"),  # ㄹㅎ ends a syllable too, as the keyboard shows it while typing
])
def test_keys_read_as_syllables(keys: str, text: str) -> None:
    assert composed(keys) == text

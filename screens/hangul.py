"""The Korean keypad: the standard two-set (두벌식) layout, its keys composed into syllables as they are typed
(ㄱㅕㄹㅎㅗㄴ reads 결혼), by hangul-jamo. What the library leaves to the keyboard is done here: two vowel keys
that make one vowel (ㅡ then ㅣ is ㅢ) and two consonants that end a syllable together (ㄹ then ㄱ is ㄺ, until a
vowel follows and takes the ㄱ into the next syllable: 닭 then 달가)."""

from __future__ import annotations

from typing import Any

from hangul_jamo import compose
from kivy.properties import BooleanProperty, StringProperty

from screens.widgets import KButton, TypedEditor

ROWS = ("ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔ", "ㅁㄴㅇㄹㅎㅗㅓㅏㅣ", "ㅋㅌㅊㅍㅠㅜㅡ")
SHIFTED = {"ㅂ": "ㅃ", "ㅈ": "ㅉ", "ㄷ": "ㄸ", "ㄱ": "ㄲ", "ㅅ": "ㅆ", "ㅐ": "ㅒ", "ㅔ": "ㅖ"}
VOWELS = frozenset("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ")
VOWEL_PAIRS = {"ㅗㅏ": "ㅘ", "ㅗㅐ": "ㅙ", "ㅗㅣ": "ㅚ", "ㅜㅓ": "ㅝ", "ㅜㅔ": "ㅞ", "ㅜㅣ": "ㅟ", "ㅡㅣ": "ㅢ"}
FINAL_PAIRS = {"ㄱㅅ": "ㄳ", "ㄴㅈ": "ㄵ", "ㄴㅎ": "ㄶ", "ㄹㄱ": "ㄺ", "ㄹㅁ": "ㄻ", "ㄹㅂ": "ㄼ", "ㄹㅅ": "ㄽ",
               "ㄹㅌ": "ㄾ", "ㄹㅍ": "ㄿ", "ㄹㅎ": "ㅀ", "ㅂㅅ": "ㅄ"}


def composed(keys: str) -> str:
    """What the keys typed so far read as."""
    merged: list[str] = []
    for n, key in enumerate(keys):
        last = merged[-1] if merged else ""
        if key in VOWELS and last + key in VOWEL_PAIRS:
            merged[-1] = VOWEL_PAIRS[last + key]
            continue
        vowel_next = n + 1 < len(keys) and keys[n + 1] in VOWELS
        if (last + key in FINAL_PAIRS and len(merged) >= 2 and merged[-2] in VOWELS and not vowel_next):
            merged[-1] = FINAL_PAIRS[last + key]
            continue
        merged.append(key)
    return str(compose("".join(merged)))


class HangulEditor(TypedEditor):
    """Korean text on the two-set layout; ⇧ gives the doubled consonants and ㅒ ㅖ for the next key."""

    keys = StringProperty("")  # the keys as typed; `value` is what they read as
    shifted = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        self._jamo_keys: dict[str, KButton] = {}
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: object) -> None:
        from kivy.factory import Factory

        for n, row in enumerate(ROWS):
            line = Factory.LetterRow()
            if n == len(ROWS) - 1:
                shift = KButton(text="⇧", kind="secondary", tag="jamo:shift", font_role="title", height_role="key")
                shift.bind(on_release=lambda _b: self.toggle_shift())
                line.add_widget(shift)
            for jamo in row:
                key = KButton(text=jamo, kind="key", tag=f"jamo:{jamo}", font_role="title", height_role="key")
                key.bind(on_release=lambda b: self.type(b.text))
                self._jamo_keys[jamo] = key
                line.add_widget(key)
            self.ids.jamo.add_widget(line)
        self.keys = composed_keys(self.value)

    def toggle_shift(self) -> None:
        self.shifted = not self.shifted

    def on_shifted(self, *_args: object) -> None:
        for jamo, key in self._jamo_keys.items():
            key.text = SHIFTED.get(jamo, jamo) if self.shifted else jamo
            key.tag = f"jamo:{key.text}"

    def type(self, key: str) -> None:
        text = composed(self.keys + key)
        if len(text) <= self.max_length:
            self.keys += key
        self.shifted = False

    def space(self) -> None:
        self.type(" ")

    def backspace(self) -> None:
        self.keys = self.keys[:-1]  # one key back: 닭 becomes 달, as on a phone

    def on_keys(self, *_args: object) -> None:
        self.value = composed(self.keys)

    def wipe(self) -> None:
        super().wipe()
        self.keys = ""
        self.shifted = False


def composed_keys(text: str) -> str:
    """Keys that read as `text`, so an editor opened on earlier text can go on or take keys back."""
    from hangul_jamo import decompose

    return str(decompose(text))

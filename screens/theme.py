"""Colours and the fixed set of text sizes. Two sizes per role only (normal, elder), so label textures are
re-used rather than re-rendered at ever new sizes (Kivy leaks textures when font sizes keep changing)."""

from __future__ import annotations

from dataclasses import dataclass

PRIMARY = (0.118, 0.353, 0.659, 1)  # #1E5AA8, the blue of government service halls
PRIMARY_DARK = (0.09, 0.29, 0.55, 1)
ACCENT = (0.776, 0.157, 0.157, 1)  # errors
SUCCESS = (0.18, 0.49, 0.196, 1)
BACKGROUND = (0.949, 0.961, 0.976, 1)
CARD = (1, 1, 1, 1)
TEXT = (0.1, 0.1, 0.1, 1)
MUTED = (0.33, 0.33, 0.36, 1)
ON_PRIMARY = (1, 1, 1, 1)
SECONDARY = (0.86, 0.9, 0.96, 1)
WARNING_BG = (1, 0.95, 0.8, 1)
ERROR_BG = (0.99, 0.9, 0.9, 1)
DISABLED = (0.78, 0.8, 0.84, 1)

MIN_TARGET_DP = 60  # the smallest touch target anywhere; buttons are taller than this


@dataclass(frozen=True)
class Sizes:
    small: int
    body: int
    button: int
    title: int
    huge: int
    button_height: int  # dp
    key_height: int  # dp


NORMAL = Sizes(small=24, body=30, button=32, title=42, huge=60, button_height=96, key_height=100)
ELDER = Sizes(small=30, body=38, button=40, title=50, huge=72, button_height=116, key_height=116)

_BUTTON_COLORS = {
    "primary": (PRIMARY, PRIMARY_DARK, ON_PRIMARY),
    "danger": (ACCENT, (0.6, 0.1, 0.1, 1), ON_PRIMARY),
    "selected": (PRIMARY, PRIMARY_DARK, ON_PRIMARY),
    "secondary": (SECONDARY, (0.75, 0.82, 0.93, 1), PRIMARY_DARK),
    "choice": (CARD, SECONDARY, TEXT),
    "tile": (CARD, SECONDARY, PRIMARY_DARK),
    "key": (CARD, SECONDARY, TEXT),
    "bar": (PRIMARY_DARK, (0.05, 0.2, 0.42, 1), ON_PRIMARY),
    "bar_selected": (CARD, SECONDARY, PRIMARY_DARK),
}


def button_color(kind: str, state: str, disabled: bool) -> tuple[float, float, float, float]:
    if disabled:
        return DISABLED
    normal, down, _text = _BUTTON_COLORS.get(kind, _BUTTON_COLORS["primary"])
    return down if state == "down" else normal


def button_text_color(kind: str, disabled: bool) -> tuple[float, float, float, float]:
    if disabled:
        return MUTED
    return _BUTTON_COLORS.get(kind, _BUTTON_COLORS["primary"])[2]

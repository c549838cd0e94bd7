"""Colours, text sizes and the arithmetic that checks them: WCAG contrast and points on the physical glass.

Two palettes (normal and elder mode) and two size sets only, so label textures are re-used rather than
re-rendered at ever new sizes (Kivy leaks textures when font sizes keep changing). kv rules read colours
from `app.palette`, which the app swaps when elder mode changes.

Every text colour the screens draw on every background they draw it on is listed in `TEXT_ON_BACKGROUND`;
tests/unit/test_theme.py computes the WCAG 2.x contrast ratio of each pair (at least 4.5:1, 7:1 in elder
mode) and the UI tests measure the same on every screenshot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

Rgba = tuple[float, float, float, float]

MIN_TARGET_DP = 60  # the smallest touch target anywhere; buttons are taller than this
MIN_CONTRAST = 4.5  # WCAG 2.x AA for body text
MIN_CONTRAST_ELDER = 7.0  # WCAG 2.x AAA, in elder mode
MIN_ELDER_TEXT_PT = 18.0  # body text in elder mode, measured on the physical screen


def rgb(hex_colour: str) -> Rgba:
    value = int(hex_colour.lstrip("#"), 16)
    return ((value >> 16 & 255) / 255, (value >> 8 & 255) / 255, (value & 255) / 255, 1.0)


def hex_of(colour: Rgba) -> str:
    return "".join(f"{round(c * 255):02X}" for c in colour[:3])


@dataclass(frozen=True)
class Palette:
    background: Rgba  # the screen
    surface: Rgba  # cards, fields, keys
    panel: Rgba  # the bottom bar
    text: Rgba
    muted: Rgba  # secondary text: hints, labels of fields
    heading: Rgba  # titles on background and surface
    primary: Rgba  # main buttons, the top bar, links
    primary_down: Rgba
    on_primary: Rgba
    bar: Rgba  # buttons in the top bar
    bar_down: Rgba
    secondary: Rgba  # secondary buttons
    secondary_down: Rgba
    on_secondary: Rgba
    accent: Rgba  # errors, the staff call, the take-your-card reminder
    accent_down: Rgba
    on_accent: Rgba
    error_bg: Rgba
    warning_bg: Rgba  # the notice line
    success: Rgba
    disabled: Rgba
    on_disabled: Rgba
    outline: Rgba  # the border of tiles, keys and choices

    def button(self, kind: str, state: str, disabled: bool) -> Rgba:
        if disabled:
            return self.disabled
        normal, down, _text = self._button_roles(kind)
        return down if state == "down" else normal

    def button_text(self, kind: str, disabled: bool) -> Rgba:
        return self.on_disabled if disabled else self._button_roles(kind)[2]

    def _button_roles(self, kind: str) -> tuple[Rgba, Rgba, Rgba]:
        return {
            "primary": (self.primary, self.primary_down, self.on_primary),
            "selected": (self.primary, self.primary_down, self.on_primary),
            "danger": (self.accent, self.accent_down, self.on_accent),
            "secondary": (self.secondary, self.secondary_down, self.on_secondary),
            "choice": (self.surface, self.secondary, self.text),
            "tile": (self.surface, self.secondary, self.heading),
            "key": (self.surface, self.secondary, self.text),
            "bar": (self.bar, self.bar_down, self.on_primary),
            "bar_selected": (self.surface, self.secondary, self.heading),
        }.get(kind, (self.primary, self.primary_down, self.on_primary))

    def hex(self, role: str) -> str:
        """For Kivy markup ([color=...]) inside a text."""
        return hex_of(getattr(self, role))


NORMAL_PALETTE = Palette(
    background=rgb("#F2F5F9"), surface=rgb("#FFFFFF"), panel=rgb("#E6EBF2"),
    text=rgb("#1A1A1A"), muted=rgb("#54545C"), heading=rgb("#174A8C"),
    primary=rgb("#1E5AA8"), primary_down=rgb("#174A8C"), on_primary=rgb("#FFFFFF"),
    bar=rgb("#174A8C"), bar_down=rgb("#0D336B"),
    secondary=rgb("#DBE5F5"), secondary_down=rgb("#BFD1ED"), on_secondary=rgb("#174A8C"),
    accent=rgb("#C62828"), accent_down=rgb("#991A1A"), on_accent=rgb("#FFFFFF"),
    error_bg=rgb("#FDE8E8"), warning_bg=rgb("#FFF2CC"), success=rgb("#2A7030"),
    disabled=rgb("#D5D8DE"), on_disabled=rgb("#4E5058"), outline=rgb("#1E5AA8"),
)

# Elder mode: the same hues, darker where text sits on them or lighter behind text, for 7:1 everywhere.
ELDER_PALETTE = Palette(
    background=rgb("#F7F9FC"), surface=rgb("#FFFFFF"), panel=rgb("#E6EBF2"),
    text=rgb("#000000"), muted=rgb("#3A3A40"), heading=rgb("#0F3A75"),
    primary=rgb("#164A8C"), primary_down=rgb("#0D336B"), on_primary=rgb("#FFFFFF"),
    bar=rgb("#0F3A75"), bar_down=rgb("#0A2A57"),
    secondary=rgb("#E3EBF7"), secondary_down=rgb("#C8D7EF"), on_secondary=rgb("#0F3A75"),
    accent=rgb("#A31515"), accent_down=rgb("#7F1010"), on_accent=rgb("#FFFFFF"),
    error_bg=rgb("#FFF0F0"), warning_bg=rgb("#FFF6DB"), success=rgb("#1B5E20"),
    disabled=rgb("#E1E3E8"), on_disabled=rgb("#3C3E45"), outline=rgb("#0F3A75"),
)

# (text role, background role): every pair the kv rules and screens draw. A new pair goes here first.
TEXT_ON_BACKGROUND: tuple[tuple[str, str], ...] = (
    ("text", "background"), ("text", "surface"), ("text", "warning_bg"), ("text", "error_bg"),
    ("text", "secondary"),  # a pressed key or choice
    ("muted", "background"), ("muted", "surface"), ("muted", "error_bg"),
    ("heading", "background"), ("heading", "surface"), ("heading", "secondary"),
    ("primary", "surface"), ("primary", "background"),  # hints on fields, the party line, status in markup
    ("on_primary", "primary"), ("on_primary", "primary_down"), ("on_primary", "bar"), ("on_primary", "bar_down"),
    ("on_secondary", "secondary"), ("on_secondary", "secondary_down"),
    ("accent", "background"), ("accent", "surface"), ("accent", "error_bg"),
    ("on_accent", "accent"), ("on_accent", "accent_down"),
    ("success", "background"), ("success", "surface"),
    ("on_disabled", "disabled"),
)

ROLES = tuple(f.name for f in fields(Palette))


def relative_luminance(colour: Rgba) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: Rgba, background: Rgba) -> float:
    """WCAG 2.x contrast ratio, 1 to 21. A translucent foreground is composited over the background first."""
    alpha = foreground[3] if len(foreground) > 3 else 1.0
    red, green, blue = (f * alpha + b * (1 - alpha) for f, b in zip(foreground[:3], background[:3], strict=True))
    shown = relative_luminance((red, green, blue, 1.0))
    lighter, darker = sorted((shown, relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# ---- text sizes ----

@dataclass(frozen=True)
class Sizes:
    small: int
    body: int
    button: int
    title: int
    huge: int
    bar: int  # the top bar's buttons and kiosk id
    button_height: int  # dp
    key_height: int  # dp

    def scaled(self, factor: float) -> Sizes:
        """Text sizes times `factor` (heights stay: buttons grow with their text anyway)."""
        if factor <= 1:
            return self
        def up(size: int) -> int:
            return math.ceil(size * factor)
        return Sizes(up(self.small), up(self.body), up(self.button), up(self.title), up(self.huge), up(self.bar),
                     self.button_height, self.key_height)


# Keys fit their digit (a line of `huge` text and the button's inset) so a keypad's rows are even; elder keys
# are larger by more than their digit, as a finger that is less sure needs a larger target.
NORMAL = Sizes(small=24, body=30, button=32, title=42, huge=60, bar=24, button_height=96, key_height=116)
ELDER = Sizes(small=30, body=38, button=40, title=50, huge=72, bar=28, button_height=116, key_height=160)
MAX_KEY_SHARE_OF_HEIGHT = 0.125  # landscape (1080 high): a keypad editor of four rows still fits the screen


def pixels_per_inch(width_px: int, height_px: int, diagonal_inch: float) -> float:
    return math.hypot(width_px, height_px) / diagonal_inch


def points(size_px: float, ppi: float) -> float:
    """A text size in pixels as typographic points (1/72 inch) on the physical screen."""
    return size_px * 72 / ppi


def elder_sizes(ppi: float) -> Sizes:
    """Elder-mode sizes for a screen of `ppi`: the theme's, grown so the smallest text is still 18 pt."""
    smallest = min(ELDER.small, ELDER.bar)
    return ELDER.scaled(MIN_ELDER_TEXT_PT * ppi / 72 / smallest)

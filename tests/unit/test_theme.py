"""The theme's colours and sizes against WCAG 2.x contrast and the elder-mode text size on the physical glass."""

from __future__ import annotations

import pytest

from kiosk.core.settings import ScreenProfile
from screens import theme
from screens.theme import ELDER_PALETTE, NORMAL_PALETTE, TEXT_ON_BACKGROUND, contrast_ratio, rgb

BUTTON_KINDS = ("primary", "selected", "danger", "secondary", "choice", "tile", "key", "bar", "bar_selected")


def test_wcag_ratio_matches_the_reference_values() -> None:
    assert contrast_ratio(rgb("#000000"), rgb("#FFFFFF")) == pytest.approx(21.0)
    assert contrast_ratio(rgb("#FFFFFF"), rgb("#FFFFFF")) == pytest.approx(1.0)
    assert contrast_ratio(rgb("#777777"), rgb("#FFFFFF")) == pytest.approx(4.48, abs=0.01)  # the classic near-miss
    assert contrast_ratio((0, 0, 0, 0.5), rgb("#FFFFFF")) == pytest.approx(contrast_ratio(rgb("#808080"),
                                                                                          rgb("#FFFFFF")), abs=0.05)


def pairs(palette: theme.Palette) -> list[tuple[str, float]]:
    found = [(f"{fg} on {bg}", contrast_ratio(getattr(palette, fg), getattr(palette, bg)))
             for fg, bg in TEXT_ON_BACKGROUND]
    for kind in BUTTON_KINDS:
        for state in ("normal", "down"):
            found.append((f"{kind} button ({state})", contrast_ratio(palette.button_text(kind, False),
                                                                     palette.button(kind, state, False))))
    found.append(("disabled button", contrast_ratio(palette.button_text("primary", True),
                                                    palette.button("primary", "normal", True))))
    return found


@pytest.mark.parametrize(("palette", "least"), [(NORMAL_PALETTE, theme.MIN_CONTRAST),
                                                (ELDER_PALETTE, theme.MIN_CONTRAST_ELDER)], ids=["normal", "elder"])
def test_every_text_colour_on_every_background_it_is_drawn_on(palette: theme.Palette, least: float) -> None:
    weak = [f"{name}: {ratio:.2f}" for name, ratio in pairs(palette) if ratio < least]
    assert not weak, f"below {least}:1: {weak}"


def test_every_pair_names_palette_roles() -> None:
    for fg, bg in TEXT_ON_BACKGROUND:
        assert fg in theme.ROLES and bg in theme.ROLES


def test_elder_text_is_18_points_on_the_default_32_inch_screen() -> None:
    screen = ScreenProfile()  # the default: 32", 1080x1920
    ppi = theme.pixels_per_inch(screen.width_px, screen.height_px, screen.diagonal_inch)
    assert ppi == pytest.approx(68.84, abs=0.01)  # hypot(1080, 1920) = 2202.9 px over 32 in
    sizes = theme.elder_sizes(ppi)
    assert sizes == theme.ELDER  # the theme's sizes already suffice here
    smallest = min(sizes.small, sizes.bar, sizes.body)
    assert theme.points(smallest, ppi) >= 18
    assert theme.points(sizes.body, ppi) == pytest.approx(39.7, abs=0.1)  # 38 px * 72 / 68.84


@pytest.mark.parametrize(("width", "height", "diagonal"), [(1920, 1080, 15.6), (1080, 1920, 21.5), (3840, 2160, 27)])
def test_elder_text_grows_on_denser_screens(width: int, height: int, diagonal: float) -> None:
    ppi = theme.pixels_per_inch(width, height, diagonal)
    sizes = theme.elder_sizes(ppi)
    for size in (sizes.small, sizes.bar, sizes.body, sizes.button, sizes.title):
        assert theme.points(size, ppi) >= 18
    assert sizes.body > sizes.small and sizes.title > sizes.body

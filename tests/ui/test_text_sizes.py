"""Every text keeps its size through a change of mode: a citizen who turns elder mode on and off again, and every
citizen after, sees the sizes of normal mode (the snapshots found the form's field names at body size)."""

from __future__ import annotations

import pytest

from tests.ui.harness import Harness
from tests.ui.test_journeys import reach_form

pytestmark = pytest.mark.slow


def text_sizes(kiosk: Harness) -> dict[str, float]:
    from kivy.uix.label import Label

    sizes: dict[str, float] = {}
    for widget in kiosk.pilot.visible_widgets():
        if isinstance(widget, Label) and widget.text.strip():
            sizes[f"{type(widget).__name__} {widget.text[:12]!r}"] = float(widget.font_size)
    return sizes


def changed(before: dict[str, float], after: dict[str, float]) -> list[str]:
    return [f"{text}: {size:.0f} -> {after[text]:.0f}" for text, size in before.items()
            if text in after and abs(after[text] - size) > 0.5]


@pytest.mark.parametrize("screen", ["home", "form"])
def test_elder_mode_on_and_off_leaves_every_text_its_size(kiosk: Harness, screen: str) -> None:
    p = kiosk.pilot
    p.tap("bar:lang:zh")
    if screen == "form":
        reach_form(kiosk)
    before = text_sizes(kiosk)
    p.tap("bar:elder")
    p.tap("bar:elder")
    problems = changed(before, text_sizes(kiosk))
    assert not problems, "; ".join(problems)

"""Chinese guide texts as drawn: a list marker or step number never stands alone on its line, and a material's
condition stays with the material (the harness checks every screenshot; these look at the guides that broke)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.harness import Harness
from tests.ui.test_journeys import open_item

pytestmark = pytest.mark.slow

GUIDES = [("disability", "disability-subsidies"), ("children", "de-facto-unsupported-child"),
          ("marriage", "marriage-registration"), ("data_sharing", "property-advance-registration")]


@pytest.mark.parametrize(("category", "item_id"), GUIDES)
def test_guide_lists_keep_markers_and_conditions_with_their_text(kiosk: Harness, category: str,
                                                                 item_id: str) -> None:
    p = kiosk.pilot
    open_item(kiosk, category, item_id)
    kiosk.shot(f"guide-{item_id}")  # the harness fails a shot with a marker alone on a line
    guide = kiosk.app.screens["guide"]
    guide.ids.scroll.scroll_to(guide.ids.steps, animate=False)
    p.frames(3)
    kiosk.shot(f"guide-{item_id}-steps")
    p.tap("bar:elder")
    guide.ids.scroll.scroll_to(guide.ids.materials, animate=False)
    p.frames(3)
    kiosk.shot(f"guide-{item_id}-elder-materials")
    item = p.state.item
    body = kiosk.app.screens["guide"].ids.materials.body
    for material in item.materials:
        if material.condition is not None:
            name, condition = material.name.zh, material.condition.zh
            start = body.index(name)
            paragraph = body[start:body.find("\n", start)] if "\n" in body[start:] else body[start:]
            assert condition in paragraph, f"{condition!r} is not in the paragraph of {name!r}"


def wrapped_as_before_issue_15_part_4(text: str, lines: list[str]) -> list[int]:
    """The wraps the screens moved before a line ending on the separator and a lone last character were
    rules: only those before closing or after opening punctuation."""
    from kiosk.core.linebreak import bad_break, breaks_to_move

    return [move for move in breaks_to_move(text, lines) if bad_break(text[:move + 1].rstrip(" "), text[move + 1:])]


def separators_as_before(sections: Callable[..., dict[str, str]]) -> Callable[..., dict[str, str]]:
    """The guide's texts with the separators as plain spaced dots, glued to nothing."""

    def loose(*args: Any) -> dict[str, str]:
        return {name: text.replace("\u00a0·\u00a0", " · ").replace(" ·\u00a0", " · ")
                for name, text in sections(*args).items()}

    return loose


def test_the_checks_find_the_guides_separator_and_lone_character_of_before(
        kiosk: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: the guide of 两项补贴 drawn as it was (its references showed "必需 ·" over "原件" and
    "地" alone under step 2) is found out by the harness's check of every screenshot."""
    from screens.guide_text import guide_sections
    from tests.ui.test_every_screen import set_mode
    from tests.ui.test_snapshots import guide_from_materials

    monkeypatch.setattr("screens.text_breaks.breaks_to_move", wrapped_as_before_issue_15_part_4)
    monkeypatch.setattr("screens.guide.guide_sections", separators_as_before(guide_sections))
    guide = kiosk.app.screens["guide"]
    guide._shown = None  # drawn anew with the breaks of before
    found: list[str] = []
    try:
        open_item(kiosk, "disability", "disability-subsidies")
        for elder in (False, True):
            set_mode(kiosk, "zh", elder, False)
            guide_from_materials(kiosk)
            found += kiosk.forbidden_wraps()
    finally:
        monkeypatch.undo()
        guide._shown = None
        set_mode(kiosk, "zh", False, False)
    assert any("户籍地" in problem for problem in found), found  # "地" alone (normal size)
    assert any("必需 · 原" in problem for problem in found), found  # "必需 ·" over "原件" (elder mode)

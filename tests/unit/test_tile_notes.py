"""The line a tile shows when its item cannot be served now: no paper for items that print a slip, no backend
for appointments; a category counts its paused items."""

from __future__ import annotations

from kiosk.core.catalog import Catalog
from kiosk.core.health import Component, Health, Reason
from kiosk.core.session.model import KioskState, Rules
from kiosk.core.value import replace
from screens.availability_text import category_note, item_note

BACKEND_DOWN = Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE)


def state_with(rules: Rules, *healths: Health) -> KioskState:
    return KioskState(rules=rules, health=healths)


def test_no_paper_pauses_no_item(rules: Rules, catalog: Catalog) -> None:
    item = catalog.item("orphan-support")  # it prints a receipt, but goes through with the QR code on the screen
    state = state_with(rules, Health.problem(Component.PRINTER, Reason.PAPER_OUT))
    assert item_note(state, item, "zh", 24) == ""
    assert item_note(state_with(rules), item, "zh", 24) == ""


def test_a_category_says_whether_all_or_some_of_its_items_are_paused(rules: Rules, catalog: Catalog) -> None:
    assert "暂停办理：暂时连不上办理系统" in category_note(state_with(rules, BACKEND_DOWN), "marriage", "zh", 24)
    assert category_note(state_with(rules, BACKEND_DOWN), "children", "zh", 24) == "", "applications still queue"
    guide_in_marriage = catalog.item("spouse-hukou-transfer").model_copy(update={"category": "marriage"})
    mixed = replace(rules, catalog=Catalog((*catalog.items, guide_in_marriage), catalog.tasks, catalog.sources))
    note = category_note(state_with(mixed, BACKEND_DOWN), "marriage", "zh", 24)
    assert "2 项暂停：暂时连不上办理系统" in note

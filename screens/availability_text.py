"""Why a tile cannot be served now, in a line under its name: an item whose needs are unmet (no paper for an
item that prints a slip, no backend for an appointment) says so on its tile, and a category says how many of
its items are paused, so the citizen knows before tapping."""

from __future__ import annotations

from kiosk.core.catalog import Item
from kiosk.core.session.availability import item_unavailable_reason
from kiosk.core.session.model import KioskState
from screens.i18n import t

ACCENT_HEX = "c62828"


def item_note(state: KioskState, item: Item, language: str, size: int) -> str:
    """Markup for a line under the item's name, or "" when it can be served."""
    reason = item_unavailable_reason(state, item)
    if reason is None:
        return ""
    text = t("tile.unavailable", language, reason=t(f"error.{reason.value}", language))
    return f"\n[size={size}][color={ACCENT_HEX}]{text}[/color][/size]"


def category_note(state: KioskState, category: str, language: str, size: int) -> str:
    items = state.rules.catalog.by_category(category)
    reasons = [r for r in (item_unavailable_reason(state, item) for item in items) if r is not None]
    if not reasons:
        return ""
    reason = t(f"error.{reasons[0].value}", language)
    text = (t("tile.category_unavailable", language, reason=reason) if len(reasons) == len(items)
            else t("tile.category_partly", language, count=len(reasons), reason=reason))
    return f"\n[size={size}][color={ACCENT_HEX}]{text}[/color][/size]"

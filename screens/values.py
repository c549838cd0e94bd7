"""How form values are shown: choices by their label, personal values only in their masked forms."""

from __future__ import annotations

from kiosk.core import divisions
from kiosk.core.catalog import FormField
from kiosk.core.grouping import group_number, group_phone
from kiosk.core.identity import mask_address, mask_id_number, mask_name, mask_phone
from screens.i18n import t


def mask_number(value: str) -> str:
    """Certificate and account numbers: only the last 4 characters stay visible."""
    return "*" * max(len(value) - 4, 0) + value[-4:] if len(value) > 4 else "*" * len(value)


INLINE_CHOICES = 8  # up to this many choices are buttons on the form itself: one tap, no list to open


def shown_inline(spec: FormField) -> bool:
    return spec.input == "choice" and len(spec.choices) <= INLINE_CHOICES


def display_value(spec: FormField, value: str, language: str, full: bool = False) -> str:
    """The value as the form and the review show it: masked where personal, unless `full` (the citizen has
    lifted the privacy shield to check it)."""
    if not value:
        return ""
    if spec.type == "division":
        return divisions.shown_name(value, language) or value
    if spec.type == "choice":
        return next((c.label.get(language) for c in spec.choices if c.value == value), value)
    if spec.type == "boolean":
        return t("choice.yes" if value == "yes" else "choice.no", language)
    if full:  # grouped for reading, as the keypad's own display is not
        if spec.type == "phone":
            return group_phone(value)
        return group_number(value) if value.isascii() and value.isalnum() else value
    if spec.card_attribute == "name":
        return mask_name(value)
    if spec.card_attribute == "address":
        return mask_address(value)
    if spec.type == "id_number" or spec.card_attribute == "id_number":
        return mask_id_number(value)
    if spec.type == "phone":
        return mask_phone(value)
    if spec.input in ("numeric_keypad", "pinyin_keypad") or spec.sensitive:
        return mask_number(value) if value.isalnum() and value.isascii() else mask_name(value)
    return value


def keypad_shape(spec: FormField) -> tuple[int, bool]:
    """(max length, whether the X key is offered) for a numeric field."""
    if spec.type == "id_number":
        return 18, True
    if spec.type == "phone":
        return 11, False
    allow_x = "X" in spec.pattern
    if spec.pattern.startswith(r"^\d{17}[\dX]\d{2}$"):
        return 20, True
    return 30, allow_x

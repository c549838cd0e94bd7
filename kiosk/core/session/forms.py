"""Form filling rules: pre-fill from the card, validate what the citizen entered."""

from __future__ import annotations

import re
from datetime import date

from kiosk.core import divisions
from kiosk.core.catalog import FormField, Item
from kiosk.core.identity import CardType, Identity, id_number_problems, normalize_id_number

WITHOUT_HUKOU = (CardType.HMT_RESIDENCE, CardType.FOREIGN_PERMANENT)


def asked(spec: FormField, card_type: CardType | None) -> bool:
    """Whether the form asks the holder of this card for the field: 户籍所在地 is not asked of Hong Kong, Macao,
    Taiwan and foreign card holders."""
    return spec.asked_of == "everyone" or card_type not in WITHOUT_HUKOU


def card_value(identity: Identity, attribute: str) -> str:
    if attribute == "birth_date":
        return identity.birth_date.isoformat() if identity.birth_date else ""
    if attribute == "sex":
        return identity.sex.value
    return str(getattr(identity, attribute, "") or "")


def suggestion(spec: FormField, identity: Identity) -> str:
    """What the card suggests for a choice the citizen confirms or changes (suggested_by), or ""."""
    if spec.suggested_by == "address_province":
        address = identity.address or ""
        return next((c.value for c in spec.choices if address.startswith(c.label.zh)), "")
    if spec.suggested_by == "address_division":
        return divisions.from_address(identity.address or "")
    return ""


def hint(spec: FormField, values: dict[str, str]) -> str:
    """The county a division field's hinted_by ID number was issued in (its first six digits), when the number is
    well formed and the county is still one today; else "". A hint to offer, never a value to take: the
    holder's hukou may have moved since, and a county merged away since has no office to send the case to."""
    number = normalize_id_number(values.get(spec.hinted_by, "")) if spec.hinted_by else ""
    if not number or id_number_problems(number):
        return ""
    return number[:6] if divisions.is_county(number[:6]) else ""


def prefill(item: Item, identity: Identity) -> tuple[tuple[str, str], ...]:
    values = [(f.id, card_value(identity, f.card_attribute)) for f in item.form_fields if f.source == "card"]
    values += [(f.id, value) for f in item.form_fields
               if f.suggested_by and asked(f, identity.card_type) and (value := suggestion(f, identity))]
    return tuple(values)


def built(item: Item, before: dict[str, str], after: dict[str, str]) -> dict[str, str]:
    """The fields made from others (built_from) that change with `after`: set when all their parts are there and
    the citizen has not typed something else into them (what they hold is empty or was built before)."""
    changes = {}
    for spec in item.form_fields:
        if not spec.built_from:
            continue
        parts = [after.get(part, "") for part in spec.built_from]
        old = "".join(before.get(part, "") for part in spec.built_from)
        current = after.get(spec.id, "")
        if all(parts) and current in ("", old):
            changes[spec.id] = "".join(parts)
    return changes


def field_error(spec: FormField, value: str, today: date | None = None) -> str | None:
    """A stable error id for one field, or None. Staff fields are completed at the window, not here."""
    if spec.source == "staff":
        return None
    if not value:
        return "required" if spec.required else None
    if spec.type == "choice" and value not in {c.value for c in spec.choices}:
        return "not_a_choice"
    if spec.type == "division" and not divisions.is_county(value):
        return "not_a_choice"
    if spec.type == "id_number" and id_number_problems(normalize_id_number(value), today):
        return "id_number_invalid"
    if spec.type == "phone" and not re.fullmatch(r"1\d{10}|0\d{2,3}-?\d{7,8}", value):
        return "phone_invalid"
    if spec.type == "number" and not value.isdigit():
        return "not_a_number"
    if spec.type == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "date_invalid"
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        return "pattern"
    return None


def form_errors(item: Item, values: dict[str, str], today: date | None = None,
                card_type: CardType | None = None) -> tuple[tuple[str, str], ...]:
    errors = []
    # a form filled before the catalog changed (a kiosk's outbox) holds the former field instead
    answered_before = {f.replaced_by for f in item.former_fields if values.get(f.id)}
    for former in item.former_fields:
        value = values.get(former.id, "")
        if value and (values.get(former.replaced_by) or not divisions.province_name(value)):
            errors.append((former.id, "not_a_choice"))
    for spec in item.form_fields:
        if not asked(spec, card_type):
            if values.get(spec.id):
                errors.append((spec.id, "not_asked"))
            continue
        if spec.id in answered_before and not values.get(spec.id):
            continue
        if (error := field_error(spec, values.get(spec.id, ""), today)) is not None:
            errors.append((spec.id, error))
    return tuple(errors)

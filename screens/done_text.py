"""The done screen's texts: the slip on the screen. What to bring or mail, to which office (address, hours), the
time limit, whom to call, and the number grouped for reading. Without Kivy, so the words are testable like the
slips'; the wording comes from the same functions as the receipt (kiosk.core.slip_layouts), so the screen and
the paper say the same.
"""

from __future__ import annotations

from kiosk.core.catalog import Item
from kiosk.core.grouping import group_number
from kiosk.core.settings import KioskSettings
from kiosk.core.slip_layouts import material_how, still_needed, time_limit_text, where_lines
from kiosk.core.slip_texts import label
from screens.i18n import t


def _colon(language: str) -> str:
    return "：" if language == "zh" else ": "


def _bracketed(text: str, language: str) -> str:
    return f"（{text}）" if language == "zh" else f" ({text})"


def materials_text(item: Item, language: str) -> str:
    """One line a material: its name with its condition right after it (never on a line of its own); one line
    after them on the form (originals, checked at the window). How many copies of each is on the slip."""
    lines = []
    for m in still_needed(item):
        name = m.name.get(language)
        if m.condition is not None:
            name += _bracketed(m.condition.get(language), language)
        elif m.required in ("local", "practice"):
            name += _bracketed(material_how(m, language).split("；")[0].split("; ")[0], language)
        lines.append(f"□\u00a0{name}")
    if not lines:
        return label("none_needed", language)
    return "\n".join([*lines, t("done.materials_note", language)])


def site_where_text(settings: KioskSettings, language: str) -> str:
    """This service point's window, where an application made here goes on once the materials arrive."""
    site = settings.site
    c = _colon(language)
    lines = ["，".join(part for part in (site.name, site.window) if part),
             f"{label('office_address', language)}{c}{site.address}"]
    if site.hours:
        lines.append(f"{label('hours', language)}{c}{site.hours}")
    lines.append(t("done.mail", language, address=site.address))
    return "\n".join(lines)


def office_where_text(item: Item, settings: KioskSettings, language: str) -> str:
    """Where an appointment is kept: the item's office with its street address and hours."""
    c = _colon(language)
    return "\n".join(f"{label(key, language)}{c}{value}" for key, value in where_lines(item, settings, language)
                     if key not in ("online", "ask"))


def phone_text(item: Item, settings: KioskSettings, language: str) -> str:
    where = item.where
    owner = where.phone_owner.get(language)
    c = _colon(language)
    return "\n".join((f"{where.phone}{_bracketed(owner, language)}",
                      f"{t('done.site_phone', language)}{c}{settings.site.consult_phone}"))


def time_limit_lines(item: Item, language: str) -> str:
    limit = time_limit_text(item.promised_time_limit, language)
    return f"{limit}\n{t('done.limit_from', language)}"


def application_sections(item: Item, settings: KioskSettings, language: str) -> dict[str, str]:
    return {"materials": materials_text(item, language),
            "where": site_where_text(settings, language),
            "time_limit": time_limit_lines(item, language),
            "phone": phone_text(item, settings, language)}


def booking_sections(item: Item, settings: KioskSettings, language: str) -> dict[str, str]:
    return {"materials": materials_text(item, language),
            "where": office_where_text(item, settings, language),
            "time_limit": time_limit_text(item.promised_time_limit, language),
            "phone": phone_text(item, settings, language)}


__all__ = ["application_sections", "booking_sections", "group_number", "materials_text"]

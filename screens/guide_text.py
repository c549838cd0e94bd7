"""The guide screen's texts, section by section, without Kivy (so the words are testable like the slips').

The where, fee and time-limit lines come from the same functions as the guide slip (kiosk.slip_layouts), so the
screen and the printed guide say the same. Certainty marks in the catalog are for its maintainers: nothing here
shows them.
"""

from __future__ import annotations

from kiosk.core.catalog import Item, TimeLimit
from kiosk.core.settings import KioskSettings
from kiosk.core.slip_layouts import fee_text, guide_heading, time_limit_text, where_lines
from kiosk.core.slip_texts import label
from screens.i18n import t
from screens.i18n_keys import mode_key

# 数据共享 is civil affairs' part in a cooperation item, not a way for the citizen to get it done.
CITIZEN_MODES = ("全程网办", "异地代收代办", "多地联办", "全国通办(现场)")


def escape_markup(text: str) -> str:
    """Kivy's markup escaping (kivy.utils.escape_markup), kept here so this module needs no Kivy."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


def limit_text(limit: TimeLimit, language: str) -> str:
    if limit.unit == "unknown" or limit.amount is None:
        return time_limit_text(limit, language)
    if limit.unit == "on_the_spot":
        return t("unit.on_the_spot", language)
    return t(f"unit.{limit.unit}", language, n=limit.amount)


def guide_sections(item: Item, language: str, settings: KioskSettings) -> dict[str, str]:
    """The guide's texts, section by section, as Kivy markup."""
    esc = escape_markup
    conditions = "\n".join(f"•\u00a0{esc(f.text.get(language))}" for f in item.eligibility)
    materials = []
    for m in item.materials:
        line = (f"•\u00a0[b]{esc(m.name.get(language))}[/b]  "
                f"{t(f'material.{m.required}', language)} · {t(f'material.{m.form}', language)}")
        if m.condition is not None:
            line += f"\n   {esc(m.condition.get(language))}"
        materials.append(line)
    steps = []
    for n, step in enumerate(item.steps, 1):
        line = (f"{n}. [b]{esc(step.name.get(language))}[/b]\n"
                f"   {esc(step.actor.get(language))} · {esc(step.place.get(language))}")
        if step.time_limit is not None:
            line += f" · {esc(limit_text(step.time_limit, language))}"
        steps.append(line)
    separator = "：" if language == "zh" else ": "
    where = "\n".join(f"{esc(label(key, language))}{separator}{esc(value)}"
                      for key, value in where_lines(item, settings, language))
    modes = [m for m in item.kuasheng_modes if m in CITIZEN_MODES]
    return {
        "name": esc(item.names.get(language)),
        "summary_heading": esc(guide_heading(item, language)),
        "summary": esc(item.summary.get(language)),
        "where": where,
        "mode": " · ".join(t(f"mode.{mode_key(m)}", language) for m in modes) or t("guide.none_mode", language),
        "conditions": conditions,
        "materials": "\n".join(materials),
        "steps": "\n".join(steps),
        "time_limit": "\n".join((
            t("guide.legal_limit", language, limit=esc(limit_text(item.legal_time_limit, language))),
            t("guide.promised_limit", language, limit=esc(limit_text(item.promised_time_limit, language))))),
        "fee": esc(fee_text(item, language)),
    }

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
# Between the parts of a list line (必需 · 原件): glued to the part after it, so a wrap never leaves the "·"
# alone on a line, and it goes down with that part (kiosk.core.linebreak) rather than end a line.
SEP = " ·\u00a0"


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
    # A marker is glued to what it marks: a no-break space, and inside the same markup run (Kivy may wrap where a
    # tag begins), so "2." or "•" never stands alone on its line (kiosk.core.linebreak.lone_markers).
    conditions = "\n".join(f"•\u00a0{esc(f.text.get(language))}" for f in item.eligibility)
    materials = []
    for m in item.materials:
        name = esc(m.name.get(language))
        if m.condition is not None:  # the condition belongs to its material: in its paragraph, right after it
            name += esc(f"（{m.condition.get(language)}）" if language == "zh" else f" ({m.condition.get(language)})")
        # one unit (必需 · 原件, 해당 시 · 원본): short enough to go down whole to the next line, never split
        how = f"{t(f'material.{m.required}', language)} · {t(f'material.{m.form}', language)}".replace(" ", "\u00a0")
        materials.append(f"[b]•\u00a0{name}[/b]  {how}")
    steps = []
    for n, step in enumerate(item.steps, 1):
        line = (f"[b]{n}.\u00a0{esc(step.name.get(language))}[/b]\n"
                f"   {esc(step.actor.get(language))}{SEP}{esc(step.place.get(language))}")
        if step.time_limit is not None:
            line += f"{SEP}{esc(limit_text(step.time_limit, language))}"
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
        "mode": SEP.join(t(f"mode.{mode_key(m)}", language) for m in modes) or t("guide.none_mode", language),
        "conditions": conditions,
        "materials": "\n".join(materials),
        "steps": "\n".join(steps),
        "time_limit": "\n".join((
            t("guide.legal_limit", language, limit=esc(limit_text(item.legal_time_limit, language))),
            t("guide.promised_limit", language, limit=esc(limit_text(item.promised_time_limit, language))))),
        "fee": esc(fee_text(item, language)),
    }

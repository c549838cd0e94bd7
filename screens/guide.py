"""The item guide (办事指南): conditions, materials, steps, time limits, fee and the 跨省通办 mode, with
"print this guide" and, for apply and appointment items, the way in."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.utils import escape_markup

from kiosk.core.catalog import Item, TimeLimit
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from screens.base import KioskScreen
from screens.i18n import t
from screens.i18n_keys import mode_key
from screens.widgets import Card, show


class GuideSection(Card):
    heading = StringProperty("")
    body = StringProperty("")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))


def limit_text(limit: TimeLimit, language: str) -> str:
    if limit.unit in ("on_the_spot", "unknown") or limit.amount is None:
        text = t(f"unit.{limit.unit if limit.unit in ('on_the_spot', 'unknown') else 'unknown'}", language)
    else:
        text = t(f"unit.{limit.unit}", language, n=limit.amount)
    if limit.certainty != "confirmed":
        text += t("guide.uncertain", language)
    return text


def guide_sections(item: Item, language: str) -> dict[str, str]:
    """The guide's texts, section by section, as Kivy markup."""
    def esc(text: str) -> str:
        return str(escape_markup(text))

    uncertain = t("guide.uncertain", language)
    conditions = "\n".join(
        f"•\u00a0{esc(f.text.get(language))}{'' if f.certainty == 'confirmed' else uncertain}"
        for f in item.eligibility)
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
            line += f" · {limit_text(step.time_limit, language)}"
        steps.append(line)
    fee = t("guide.free" if item.fee.free else "guide.charged", language)
    if item.fee.note is not None:
        fee += f"  {esc(item.fee.note.get(language))}"
    return {
        "name": esc(item.names.get(language)),
        "summary": esc(item.summary.get(language)),
        "mode": " · ".join(t(f"mode.{mode_key(m)}", language) for m in item.kuasheng_modes)
                or t("guide.none_mode", language),
        "conditions": conditions,
        "materials": "\n".join(materials),
        "steps": "\n".join(steps),
        "time_limit": "\n".join((
            t("guide.legal_limit", language, limit=limit_text(item.legal_time_limit, language)),
            t("guide.promised_limit", language, limit=limit_text(item.promised_time_limit, language)))),
        "fee": fee,
    }


class GuideScreen(KioskScreen):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[str, str] | None = None

    def render(self, state: KioskState) -> None:
        item = state.item
        if item is None:
            return
        key = (item.id, self.app.lang)
        if key != self._shown:
            for section, text in guide_sections(item, self.app.lang).items():
                if section == "name":
                    self.ids.name.text = text
                else:
                    self.ids[section].body = text
            self.ids.scroll.jump_to(1)
            self._shown = key
        action = self.action_button
        show(action, item.kiosk_action != "guide")
        action.text = self.tr("guide.appointment" if item.kiosk_action == "appointment" else "guide.apply")

    def on_kv_post(self, base_widget: object) -> None:
        self.action_button = self.ids.action.__self__

    def start(self) -> None:
        item = self.app.state.item
        if item is not None:
            self.send(ev.AppointmentStarted() if item.kiosk_action == "appointment" else ev.ApplyStarted())

    def print_guide(self) -> None:
        self.send(ev.GuidePrintRequested())

    def back(self) -> None:
        self.send(ev.BackPressed())

"""The item guide (办事指南): conditions, materials, steps, time limits, fee and the 跨省通办 mode, with
"print this guide" and, for apply and appointment items, the way in."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from screens.base import KioskScreen
from screens.guide_text import guide_sections, limit_text  # noqa: F401  (limit_text: the screen's wording)
from screens.widgets import Card, show


class GuideSection(Card):
    heading = StringProperty("")
    body = StringProperty("")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))


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
            for section, text in guide_sections(item, self.app.lang, self.app.kiosk.config.settings).items():
                if section == "name":
                    self.ids.name.text = text
                elif section == "summary_heading":
                    self.ids.summary.heading = text
                else:
                    self.ids[section].body = text
            self.ids.scroll.jump_to(1)
            self._shown = key
        action = self.action_button
        show(action, item.kiosk_action != "guide")
        action.text = self.tr("guide.appointment" if item.kiosk_action == "appointment" else "guide.apply")
        show(self.second_visit_button, item.after_first_visit == "divorce_cooling_off")

    def on_kv_post(self, base_widget: object) -> None:
        self.action_button = self.ids.action.__self__
        self.second_visit_button = self.ids.second_visit.__self__

    def second_visit(self) -> None:
        self.send(ev.SecondVisitStarted())

    def start(self) -> None:
        item = self.app.state.item
        if item is not None:
            self.send(ev.AppointmentStarted() if item.kiosk_action == "appointment" else ev.ApplyStarted())

    def print_guide(self) -> None:
        self.send(ev.GuidePrintRequested())

    def back(self) -> None:
        self.send(ev.BackPressed())

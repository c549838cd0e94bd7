"""The 个人信息保护法 notice, and a separate consent where a minor's, health or disability data is
collected."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from screens.base import KioskScreen
from screens.widgets import show


class ConsentCheck(ButtonBehavior, BoxLayout):
    """A check box and its sentence, one touch target: the box is empty or filled with a tick, and the line
    under the sentence says which, because the error asks the citizen to tick it (勾选), not to press a button."""

    tag = StringProperty("")
    text = StringProperty("")
    checked = BooleanProperty(False)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class ConsentScreen(KioskScreen):
    sensitive_needed = BooleanProperty(False)
    sensitive_ticked = BooleanProperty(False)

    def render(self, state: KioskState) -> None:
        item, session = state.item, state.session
        if item is None or session is None:
            return
        self.ids.item_name.text = item.names.get(self.app.lang)
        self.sensitive_needed = bool(item.sensitive_categories)
        show(self.sensitive_card, self.sensitive_needed)
        categories = "、" if self.app.lang == "zh" else ", "
        self.ids.sensitive_body.text = self.tr(
            "consent.sensitive_body",
            categories=categories.join(self.tr(f"sensitive.{c}") for c in item.sensitive_categories))
        self.ids.error.text = self.tr("consent.error") if session.consent_error else ""

    def on_kv_post(self, base_widget: object) -> None:
        self.sensitive_card = self.ids.sensitive.__self__

    def on_pre_enter(self, *_args: object) -> None:
        self.sensitive_ticked = False
        self.ids.scroll.jump_to(1)

    def tick(self) -> None:
        self.sensitive_ticked = not self.sensitive_ticked
        self.send(ev.SensitiveConsentTicked(self.sensitive_ticked))

    def agree(self) -> None:
        self.send(ev.ConsentGiven(sensitive=self.sensitive_ticked))

    def decline(self) -> None:
        self.send(ev.ConsentDeclined())

    def clear(self) -> None:
        self.sensitive_ticked = False

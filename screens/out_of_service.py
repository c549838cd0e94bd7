"""Out of service, maintenance and start-up: the kiosk id, an error code and what to do."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from kiosk.core.session.states import Lifecycle
from screens.base import KioskScreen
from screens.i18n import reason_text, t
from screens.maintenance_texts import staff_message_text
from screens.widgets import show

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class OutOfServiceScreen(KioskScreen):
    heading = StringProperty("")
    error_title = StringProperty("")
    error_todo = StringProperty("")
    error_code = StringProperty("")
    staff_message = StringProperty("")
    phone = StringProperty("")
    staff_called = StringProperty("")

    def on_kv_post(self, base_widget: object) -> None:
        self.error_panel = self.ids.error.__self__

    def render(self, state: KioskState) -> None:
        reason = None
        if state.lifecycle == Lifecycle.STARTING:
            self.heading = self.tr("oos.starting")
        elif state.lifecycle == Lifecycle.MAINTENANCE:
            self.heading = self.tr("oos.maintenance")
            reason = "maintenance"
        else:
            self.heading = self.tr("oos.title")
            reason = state.out_of_service_reason.value if state.out_of_service_reason else "internal_error"
        show(self.error_panel, reason is not None)
        if reason is not None:
            self.error_title, self.error_todo = reason_text(reason, self.app.lang)
            self.error_code = reason.upper()
        self.staff_message = staff_message_text(state.staff_message, self.app.lang)
        phone = self.app.kiosk.config.settings.site.consult_phone if self.app.kiosk else ""
        self.phone = t("oos.since_phone", self.app.lang, phone=phone) if phone else ""
        call = state.help_call
        self.staff_called = t(f"help.{call.status.value}", self.app.lang) if call is not None else ""

    def choose_language(self, language: str) -> None:
        self.send(ev.KioskLanguageChosen(language))

    def call_staff(self) -> None:
        self.send(ev.KioskStaffCalled())

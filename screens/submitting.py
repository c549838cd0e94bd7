"""Submitting: progress while the application is handed over, or why it failed and a way to retry."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from kiosk.core.session.states import TaskStatus
from screens.base import KioskScreen
from screens.i18n import reason_text
from screens.widgets import show

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class SubmittingScreen(KioskScreen):
    failed = BooleanProperty(False)
    error_title = StringProperty("")
    error_todo = StringProperty("")
    error_code = StringProperty("")

    def render(self, state: KioskState) -> None:
        session = state.session
        if session is None:
            return
        self.failed = session.submit.status == TaskStatus.FAILED
        for widget in (self.error_panel, self.actions):
            show(widget, self.failed)
        show(self.spinner, not self.failed)
        if self.failed:
            reason = session.submit.error.value if session.submit.error else "internal_error"
            self.error_title, self.error_todo = reason_text(reason, self.app.lang)
            self.error_code = reason.upper()
            self.spinner.stop()
        else:
            self.spinner.start()

    def on_kv_post(self, base_widget: object) -> None:
        ids = self.ids
        self.error_panel, self.actions = ids.error.__self__, ids.actions.__self__
        self.spinner = ids.spinner.__self__
        show(self.error_panel, False)
        show(self.actions, False)

    def on_leave(self, *_args: object) -> None:
        self.spinner.stop()

    def retry(self) -> None:
        self.send(ev.SubmitRetried())

    def home(self) -> None:
        self.send(ev.HomePressed())

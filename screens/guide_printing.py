"""Printing a guide slip (the cooperation items and any item's materials list)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from kiosk.core.session.states import TaskStatus
from screens.base import KioskScreen
from screens.i18n import reason_text
from screens.rating import RatingBar  # noqa: F401  (its kv rule, used by this screen's)
from screens.widgets import show

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class GuidePrintingScreen(KioskScreen):
    status_line = StringProperty("")
    printing = BooleanProperty(False)
    error_title = StringProperty("")
    error_todo = StringProperty("")
    error_code = StringProperty("")

    def on_kv_post(self, base_widget: object) -> None:
        ids = self.ids
        self.spinner, self.error_panel = ids.spinner.__self__, ids.error.__self__
        self.retry_button = ids.retry.__self__
        show(self.error_panel, False)
        show(self.retry_button, False)

    def render(self, state: KioskState) -> None:
        session, item = state.session, state.item
        if session is None:
            return
        self.ids.rating.show(state)
        if item is not None:
            self.ids.item_name.text = item.names.get(self.app.lang)
        self.printing = session.printing.busy
        failed = session.printing.status == TaskStatus.FAILED
        uncertain = session.printing.status == TaskStatus.DONE and session.print_uncertain
        show(self.spinner, self.printing)
        if self.printing:
            self.spinner.start()
        else:
            self.spinner.stop()
        show(self.error_panel, failed)
        show(self.retry_button, failed or uncertain)
        self.status_line = {TaskStatus.RUNNING: self.tr("guide_printing.printing"),
                            TaskStatus.DONE: self.tr("done.print_uncertain" if uncertain
                                                     else "guide_printing.printed"),
                            TaskStatus.FAILED: self.tr("guide_printing.failed")}.get(session.printing.status, "")
        if failed:
            reason = session.printing.error.value if session.printing.error else "printer_offline"
            self.error_title, self.error_todo = reason_text(reason, self.app.lang)
            self.error_code = reason.upper()

    def on_leave(self, *_args: object) -> None:
        self.spinner.stop()

    def retry(self) -> None:
        self.send(ev.PrintRetried())

    def back(self) -> None:
        self.send(ev.BackPressed())

    def finish(self) -> None:
        self.send(ev.FinishPressed())

    def clear(self) -> None:
        self.ids.rating.clear()

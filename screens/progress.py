"""Progress query: by the ID card on the reader, or by the receipt: its QR code held to the scanner, or its
办件编号 and 查询码 typed on the keypad."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from kiosk.core.session.states import IdentifyStatus, ProgressBy, TaskStatus
from screens.base import KioskScreen
from screens.i18n import reason_text
from screens.progress_text import record_text
from screens.rating import RatingBar  # noqa: F401  (its kv rule, used by this screen's)
from screens.receipt_editor import ReceiptEditor
from screens.widgets import show

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


# what the machine found wrong in what was typed (field, problem) -> what the citizen reads
FIELD_PROBLEMS = {
    ("application_number", "not_a_receipt"): "progress.not_a_receipt",
    ("application_number", "invalid"): "progress.number_invalid",
    ("application_number", "check"): "progress.number_check",
    ("query_code", "invalid"): "progress.code_invalid",
}
# nothing found: what to check and whom to call depends on what was asked with
NOT_FOUND_HELP: dict[ProgressBy | None, str] = {
    ProgressBy.NUMBER: "progress.none_number_only",  # elsewhere than at the kiosk that took it, the code is needed
    ProgressBy.RECEIPT: "progress.none_receipt",
}


class ProgressScreen(KioskScreen):
    status_line = StringProperty("")
    results = StringProperty("")
    error_title = StringProperty("")
    error_todo = StringProperty("")
    error_code = StringProperty("")

    def on_kv_post(self, base_widget: object) -> None:
        self.card, self.error_panel = self.ids.card.__self__, self.ids.error.__self__
        show(self.card, False)
        show(self.error_panel, False)

    def render(self, state: KioskState) -> None:
        session = state.session
        if session is None:
            return
        self.ids.rating.show(state)
        language = self.app.lang
        reading = session.identification.status == IdentifyStatus.READING
        show(self.card, reading)
        if reading:
            self.card.start()
        else:
            self.card.stop()
        error = None
        if session.identification.status == IdentifyStatus.FAILED and session.identification.error is not None:
            error = session.identification.error.value
        elif session.progress.status == TaskStatus.FAILED and session.progress.error is not None:
            error = session.progress.error.value
        show(self.error_panel, error is not None)
        if error is not None:
            self.error_title, self.error_todo = reason_text(error, language)
            self.error_code = error.upper()
        if reading:
            self.status_line = self.tr("identify.reading" if session.identification.placed else "identify.place")
        elif session.progress.busy:
            self.status_line = self.tr("progress.loading")
        elif session.field_errors:
            self.status_line = "\n".join(self.tr(FIELD_PROBLEMS[error]) for error in session.field_errors
                                         if error in FIELD_PROBLEMS)
        elif session.progress.status == TaskStatus.DONE and not session.records:
            phone = self.app.kiosk.config.settings.site.consult_phone
            help_key = NOT_FOUND_HELP.get(session.progress_by, "progress.none_help")
            self.status_line = self.tr("progress.none") + "\n" + self.tr(help_key, phone=phone)
        else:
            self.status_line = ""
        catalog = state.rules.catalog
        colour = self.app.palette.hex("primary")
        lines = [record_text(record, catalog.get(record.item_id), language, colour) for record in session.records]
        self.results = "\n\n".join(lines)

    def on_leave(self, *_args: object) -> None:
        self.card.stop()

    def by_card(self) -> None:
        self.send(ev.ProgressByCardRequested())

    def by_number(self) -> None:
        editor = ReceiptEditor()
        editor.on_done = lambda number, code: self.send(ev.ProgressByNumberRequested(number, code))
        editor.open()

    def back(self) -> None:
        self.send(ev.BackPressed())

    def finish(self) -> None:
        self.send(ev.FinishPressed())

    def clear(self) -> None:
        self.ids.rating.clear()
        self.results = ""
        self.status_line = ""

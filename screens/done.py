"""Done: the application or booking number, the slip printing (with a retry), and the reminder to take the
ID card and the slip."""

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


def slot_text(day_iso: str, start: str, end: str, office: str, language: str) -> str:
    from datetime import date

    from screens.i18n import t

    day = date.fromisoformat(day_iso)
    weekday = t(f"weekday.{day.weekday()}", language)
    return f"{t('date.short', language, month=day.month, day=day.day)} {weekday} {start}-{end}\n{office}"


class DoneScreen(KioskScreen):
    print_failed = BooleanProperty(False)
    reprint_label = StringProperty("")
    heading = StringProperty("")
    number_label = StringProperty("")
    number = StringProperty("")
    details = StringProperty("")
    print_line = StringProperty("")
    error_title = StringProperty("")
    error_todo = StringProperty("")
    error_code = StringProperty("")

    def render(self, state: KioskState) -> None:
        session, item = state.session, state.item
        if session is None:
            return
        language = self.app.lang
        booking, sub = session.booking.result, session.submit.result
        if booking is not None:
            slot = booking.slot
            self.heading = self.tr("done.booking_title")
            self.number_label = self.tr("done.booking_number")
            self.number = booking.booking_number
            self.details = (self.tr("done.slot") + "\n"
                            + slot_text(slot.day.isoformat(), slot.start, slot.end, slot.office, language))
        elif sub is not None:
            self.heading = self.tr("done.title")
            if sub.application_number:
                self.number_label, self.number = self.tr("done.number"), sub.application_number
                self.details = self.tr("done.next_steps")
            else:
                self.number_label, self.number = self.tr("done.local_reference"), sub.local_reference
                self.details = self.tr("done.queued")
        if item is not None:
            self.ids.item_name.text = item.names.get(language)
        self.print_failed = session.printing.status == TaskStatus.FAILED
        uncertain = session.printing.status == TaskStatus.DONE and session.print_uncertain
        self.print_line = {TaskStatus.RUNNING: self.tr("done.printing"),
                           TaskStatus.DONE: self.tr("done.print_uncertain" if uncertain else "done.printed"),
                           TaskStatus.FAILED: self.tr("done.print_failed")}.get(session.printing.status, "")
        show(self.error_panel, self.print_failed)
        show(self.reprint_button, self.print_failed or uncertain)
        self.reprint_label = self.tr("done.reprint_copy" if uncertain else "done.reprint")
        if self.print_failed:
            reason = session.printing.error.value if session.printing.error else "printer_offline"
            self.error_title, self.error_todo = reason_text(reason, language)
            self.error_code = reason.upper()

    def on_kv_post(self, base_widget: object) -> None:
        self.error_panel, self.reprint_button = self.ids.error.__self__, self.ids.reprint.__self__
        show(self.error_panel, False)
        show(self.reprint_button, False)

    def reprint(self) -> None:
        self.send(ev.PrintRetried())

    def finish(self) -> None:
        self.send(ev.FinishPressed())

    def clear(self) -> None:
        self.number = self.details = self.print_line = ""

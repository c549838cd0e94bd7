"""Done: the slip on the screen. The application (or booking) number grouped for reading, and what comes next:
the materials to bring or mail, to which office with its address and hours, the time limit and whom to call.
The slip prints meanwhile and can be printed again; when it cannot be printed, a QR code to photograph and a
call to staff take its place, and nothing asks the citizen to take a slip that does not exist."""

from __future__ import annotations

from pathlib import Path

from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.image import Image

from kiosk.core.grouping import group_number
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from kiosk.core.session.states import TaskStatus
from kiosk.core.session.table import take_reminder
from kiosk.core.slip_layouts import booking_code
from kiosk.core.slips import progress_url
from screens.base import KioskScreen
from screens.done_text import application_sections, booking_sections
from screens.i18n import reason_text
from screens.rating import RatingBar  # noqa: F401  (its kv rule, used by this screen's)
from screens.widgets import Card


class DoneSection(Card):
    heading = StringProperty("")
    body = StringProperty("")


class QrCode(Image):
    """A QR code drawn from `data`, one texel a module, scaled up without smoothing."""

    data = StringProperty("")

    def on_data(self, _instance: object, data: str) -> None:
        if not data:
            self.texture = None
            return
        import qrcode

        code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(data)
        code.make(fit=True)
        matrix = code.get_matrix()
        size = len(matrix)
        pixels = bytes(0 if dark else 255 for row in reversed(matrix) for dark in row)
        texture = Texture.create(size=(size, size), colorfmt="luminance")
        texture.blit_buffer(pixels, colorfmt="luminance", bufferfmt="ubyte")
        texture.mag_filter = texture.min_filter = "nearest"
        self.texture = texture


Builder.load_file(str(Path(__file__).with_suffix(".kv")))


def slot_text(day_iso: str, start: str, end: str, office: str, language: str) -> str:
    from datetime import date

    from screens.i18n import day_text

    return f"{day_text(date.fromisoformat(day_iso), language)} {start}-{end}\n{office}"


class DoneScreen(KioskScreen):
    print_failed = BooleanProperty(False)
    heading = StringProperty("")
    not_finished = StringProperty("")
    number_label = StringProperty("")
    number = StringProperty("")
    details = StringProperty("")
    print_line = StringProperty("")
    error_title = StringProperty("")
    error_todo = StringProperty("")
    error_code = StringProperty("")
    qr_data = StringProperty("")
    take = StringProperty("")

    def render(self, state: KioskState) -> None:
        session, item = state.session, state.item
        if session is None:
            return
        self.ids.rating.show(state)
        language = self.app.lang
        settings = self.app.kiosk.config.settings
        booking, sub = session.booking.result, session.submit.result
        sections: dict[str, str] = {}
        if booking is not None:
            slot = booking.slot
            self.heading = self.tr("done.booking_title")
            self.not_finished = self.tr("done.booking_next")
            self.number_label = self.tr("done.booking_number")
            self.number = group_number(booking.booking_number)
            self.details = (self.tr("done.slot") + "\n"
                            + slot_text(slot.day.isoformat(), slot.start, slot.end, slot.office, language))
            self.qr_data = booking_code(booking.booking_number)
            if item is not None:
                sections = booking_sections(item, settings, language)
        elif sub is not None:
            self.heading = self.tr("done.title")
            self.not_finished = self.tr("done.not_finished")
            if sub.application_number:
                self.number_label, self.number = self.tr("done.number"), group_number(sub.application_number)
                self.details = ""
                self.qr_data = progress_url(sub.application_number, sub.query_code)
            else:
                self.number_label, self.number = self.tr("done.local_reference"), sub.local_reference
                self.details = self.tr("done.queued")
                self.qr_data = ""
            if item is not None:
                sections = application_sections(item, settings, language)
        for name in ("materials", "where", "time_limit", "phone"):
            self.ids[name].body = sections.get(name, "")
        if item is not None:
            self.ids.item_name.text = item.names.get(language)
        status = session.printing.status
        self.print_failed = status == TaskStatus.FAILED
        uncertain = status == TaskStatus.DONE and session.print_uncertain
        self.print_line = {TaskStatus.RUNNING: self.tr("done.printing"),
                           TaskStatus.DONE: self.tr("done.print_uncertain" if uncertain else "done.printed"),
                           TaskStatus.FAILED: self.tr("done.print_failed")}.get(status, "")
        self._show_slip_part(error=self.print_failed, qr=self.print_failed and bool(self.qr_data),
                             reprint=status in (TaskStatus.DONE, TaskStatus.FAILED))
        self.reprint_button.text = self.tr("done.reprint_failed" if self.print_failed else
                                           "done.reprint_copy" if uncertain else "done.reprint")
        if self.print_failed:
            reason = session.printing.error.value if session.printing.error else "printer_offline"
            self.error_title, self.error_todo = reason_text(reason, language)
            self.error_code = reason.upper()
        reminder = take_reminder(session)
        self.take = self.tr(reminder) if reminder else ""

    def on_kv_post(self, base_widget: object) -> None:
        self.error_panel, self.reprint_button = self.ids.error.__self__, self.ids.reprint.__self__
        self.qr_panel = self.ids.qr_panel.__self__
        self._show_slip_part(error=False, qr=False, reprint=False)

    def _show_slip_part(self, error: bool, qr: bool, reprint: bool) -> None:
        """Below the printing line, in this order: what went wrong, the QR code with the call to staff, and the
        button that prints (again); each only when it applies."""
        box = self.ids.slip_box
        wanted = [w for w, shown in ((self.error_panel, error), (self.qr_panel, qr), (self.reprint_button, reprint))
                  if shown]
        current = [w for w in reversed(box.children) if w in (self.error_panel, self.qr_panel, self.reprint_button)]
        if current == wanted:
            return
        for widget in current:
            box.remove_widget(widget)
        for widget in wanted:
            box.add_widget(widget, index=0)

    def reprint(self) -> None:
        self.send(ev.PrintRetried())

    def call_staff(self) -> None:
        self.send(ev.StaffCalled())

    def finish(self) -> None:
        self.send(ev.FinishPressed())

    def clear(self) -> None:
        self.ids.rating.clear()
        self.number = self.details = self.print_line = self.qr_data = self.take = ""
        for name in ("materials", "where", "time_limit", "phone"):
            self.ids[name].body = ""

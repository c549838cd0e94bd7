"""Appointment booking for 结婚登记 and 离婚登记: both parties identified (masked here), a day and a time
slot, and a mobile number for the registry's reminder. In elder mode these are two pages, one task each:
the time, then the phone number."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kivy.core.text import Label as CoreLabel
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import StringProperty

from kiosk.core.identity import mask_id_number, mask_name, mask_phone
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState, Session
from kiosk.core.session.states import Purpose, TaskStatus
from screens.base import KioskScreen
from screens.i18n import day_text, reason_text
from screens.widgets import ButtonPool, KeypadEditor, show

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
BOOKING_PREFIX = "YY"  # the backend's booking numbers: YY, the visit's day and a serial
DAY_MARGIN_DP = 8


class AppointmentScreen(KioskScreen):
    parties = StringProperty("")
    status_line = StringProperty("")
    slot_error = StringProperty("")
    error_title = StringProperty("")
    error_todo = StringProperty("")
    error_code = StringProperty("")
    window_line = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._days = ButtonPool()
        self._times = ButtonPool()
        self._day: str | None = None  # which day's times are shown: a UI choice, not personal
        self._phone = ""
        self._page = 0  # elder mode: 0 = choose the time, 1 = the phone number

    def on_kv_post(self, base_widget: object) -> None:
        self.error_panel = self.ids.error.__self__
        show(self.error_panel, False)
        self.time_part = [self.ids.time_part.__self__]
        self.phone_part = [self.ids.phone.__self__]
        self.first_part = self.ids.first_part.__self__
        self.ids.days.bind(width=self._fit_day_columns)  # a turned screen fits another number a row

    def render(self, state: KioskState) -> None:
        session, item = state.session, state.item
        if session is None or item is None:
            return
        language = self.app.lang
        self.ids.item_name.text = item.names.get(language)
        self.parties = "\n".join(f"{mask_name(p.name)}  {mask_id_number(p.id_number)}"
                                 for p in session.parties)
        self._phone = session.value("phone")
        errors = dict(session.field_errors)
        row = self.ids.phone
        row.label = self.tr("appointment.phone")
        row.value = mask_phone(self._phone) if self._phone else ""
        row.hint = self.tr("form.tap_to_fill")
        row.error = self.tr(f"field_error.phone.{errors['phone']}") if "phone" in errors else ""
        self.slot_error = self.tr("field_error.slot.required") if "slot" in errors else ""
        paged = self.app.elder
        if "slot" in errors or not paged:
            self._page = 0
        waiting_for_number = self._render_second_visit(session, errors)
        for widget in self.time_part:
            show(widget, not waiting_for_number and (not paged or self._page == 0))
        for widget in self.phone_part:
            show(widget, not waiting_for_number and (not paged or self._page == 1))
        asking_time = paged and self._page == 0
        self.ids.confirm.text = self.tr("button.next" if asking_time else "appointment.confirm")
        self.ids.confirm.tag = "appointment:next" if asking_time else "appointment:confirm"
        self.ids.step.text = self.tr("form.step", n=self._page + 1, total=2) if paged else ""
        failed_task = next((t for t in (session.booking, session.slots, session.second_visit)
                            if t.status == TaskStatus.FAILED), None)
        failed = failed_task is not None
        failure = failed_task.error if failed_task is not None else None
        show(self.error_panel, failed)
        if failed:
            reason = failure.value if failure else "internal_error"
            self.error_title, self.error_todo = reason_text(reason, language)
            self.error_code = reason.upper()
        busy = session.booking.busy or session.slots.busy or session.second_visit.busy
        slots = session.available_slots
        if session.second_visit.busy:
            self.status_line = self.tr("appointment.looking_up")
        elif busy and not slots:
            self.status_line = self.tr("appointment.loading")
        elif waiting_for_number:
            self.status_line = ""
        elif not slots and not failed:
            self.status_line = self.tr("appointment.no_slots")
        else:
            self.status_line = ""
        self.ids.confirm.disabled = busy
        days = sorted({s.day.isoformat() for s in slots})
        chosen = next((s for s in slots if s.slot_id == session.chosen_slot), None)
        if chosen is not None:
            self._day = chosen.day.isoformat()
        if self._day not in days:
            self._day = next((d for d in days if any(s.remaining > 0 for s in slots
                                                     if s.day.isoformat() == d)), days[0] if days else None)
        self._days.show(self.ids.days, [
            (f"day:{d}", self._day_text(d), "selected" if d == self._day else "choice",
             lambda d=d: self._choose_day(d)) for d in days])
        self._fit_day_columns()
        times = [s for s in slots if s.day.isoformat() == self._day]
        buttons = self._times.show(self.ids.times, [
            (f"slot:{s.slot_id}",
             f"{s.start}-{s.end}\n[size={int(self.app.fs_small)}]"
             + (self.tr("appointment.remaining", n=s.remaining) if s.remaining > 0
                else self.tr("appointment.full"))
             + "[/size]",
             "selected" if s.slot_id == session.chosen_slot else "choice",
             lambda sid=s.slot_id: self.send(ev.SlotChosen(sid))) for s in times])
        for button, slot in zip(buttons, times, strict=True):
            button.disabled = slot.remaining <= 0

    def _render_second_visit(self, session: Session, errors: dict[str, str]) -> bool:
        """The first visit's number and the window it gives, for a divorce's second visit; True while the
        number is still wanted (no days to choose yet)."""
        second = session.purpose == Purpose.SECOND_VISIT
        show(self.first_part, second)
        if not second:
            self.window_line = ""
            return False
        window = session.second_visit.result
        row = self.ids.first_booking
        row.label = self.tr("appointment.first_booking")
        row.value = window.first_booking if window is not None else ""
        row.hint = self.tr("appointment.first_booking_hint")
        problem = errors.get("first_booking")
        row.error = self.tr(f"field_error.first_booking.{problem}") if problem else ""
        self.window_line = "" if window is None else self.tr(
            "appointment.window", first=window.first_day.isoformat(), last=window.last_day.isoformat(),
            ends=window.cooling_off_ends.isoformat())
        return window is None

    def edit_first_booking(self) -> None:
        editor = KeypadEditor(title=self.tr("appointment.first_booking_keypad"), max_length=20)
        # the slip's number is YY and digits: the keypad types the digits
        editor.on_done = lambda value: self.send(ev.FirstBookingEntered(
            f"{BOOKING_PREFIX}{value}" if value.isdigit() else value))
        editor.open()

    def _day_text(self, day_iso: str) -> str:
        return day_text(date.fromisoformat(day_iso), self.app.lang)

    def _fit_day_columns(self, *_args: object) -> None:
        """As many day buttons a row as fit with each day on one line (a wrapped "12월 7일 / 월" reads as two
        dates), at most a working week (portrait) or seven days (landscape)."""
        grid = self.ids.days
        buttons = [b for b in grid.children if b.text]
        if not buttons or grid.width <= 1:
            return
        widest = max(CoreLabel(font_size=b.font_size, font_name=b.font_name).get_extents(b.text)[0] for b in buttons)
        needed = widest + dp(20) + DAY_MARGIN_DP * 2  # the button's text inset (KButton) and a margin each side
        gap = grid.spacing[0]
        fitting = int((grid.width + gap) // (needed + gap))
        grid.cols = max(1, min(7 if self.app.landscape else 5, fitting))

    def _choose_day(self, day_iso: str) -> None:
        self._day = day_iso
        self.render(self.app.state)

    def edit_phone(self) -> None:
        editor = KeypadEditor(title=self.tr("appointment.phone"), max_length=11, value=self._phone)
        editor.on_done = lambda value: self.send(ev.FieldChanged("phone", value))
        editor.open()

    def confirm(self) -> None:
        if self.app.elder and self._page == 0:
            session = self.app.state.session
            if session is not None and session.chosen_slot is None:
                self.slot_error = self.tr("field_error.slot.required")
                return
            self._page = 1
            self.render(self.app.state)
            return
        self.send(ev.BookingConfirmed())

    def back(self) -> None:
        if self.app.elder and self._page == 1:
            self._page = 0
            self.render(self.app.state)
            return
        self.send(ev.BackPressed())

    def clear(self) -> None:
        self.parties = ""
        self._phone = ""
        self.window_line = ""
        self._day = None
        self._page = 0
        self.ids.phone.value = ""
        self.ids.phone.error = ""
        self.ids.first_booking.value = ""
        self.ids.first_booking.error = ""

"""Appointments for 结婚登记 and 离婚登记 (全国通办 since 2025-05-10, both parties in person at the office): the
free slots, the chosen one, a phone number, the booking and its slip."""

from __future__ import annotations

from kiosk.core.records import Booking
from kiosk.core.session import events as ev
from kiosk.core.session.application import slip_people, slot_text
from kiosk.core.session.browsing import back
from kiosk.core.session.commands import Book, SlipRequest, Speak
from kiosk.core.session.model import KioskState, Session
from kiosk.core.session.states import Phase
from kiosk.core.session.table import Outcome, Row, print_slip, register, with_session
from kiosk.core.slips import SlipKind
from kiosk.core.value import replace


def _slots(state: KioskState, s: Session, e: ev.SlotsLoaded) -> Outcome:
    return with_session(state, s, slots=s.slots.done(e.slots)), []


def _failed(state: KioskState, s: Session, e: ev.BackendFailed) -> Outcome:
    # The answer to whatever was asked: the slots while they load, otherwise the booking.
    changes = {"slots": s.slots.failed(e.reason)} if s.slots.busy else {"booking": s.booking.failed(e.reason)}
    return with_session(state, s, **changes), [Speak(f"error.{e.reason.value}", s.language)]


def _slot_chosen(state: KioskState, s: Session, e: ev.SlotChosen) -> Outcome:
    if not any(slot.slot_id == e.slot_id and slot.remaining > 0 for slot in s.available_slots):
        return state, []
    return with_session(state, s, chosen_slot=e.slot_id), []


def _book(state: KioskState, s: Session, e: ev.BookingConfirmed) -> Outcome:
    if s.booking.busy or s.slots.busy or s.item_id is None:
        return state, []
    errors = []
    if s.chosen_slot is None:
        errors.append(("slot", "required"))
    phone = s.value("phone")
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        errors.append(("phone", "phone_invalid"))
    if errors:
        return with_session(state, s, field_errors=tuple(errors)), []
    booking = Booking(idempotency_key=f"{s.session_id}:book", item_id=s.item_id, slot_id=s.chosen_slot or "",
                      parties=s.parties, phone=phone)
    new = with_session(state, s, booking=s.booking.running(), field_errors=())
    return new, [Book(s.session_id, booking)]


def _booked(state: KioskState, s: Session, e: ev.BookingSucceeded) -> Outcome:
    if e.result is None or s.item_id is None:
        return state, []
    job_id = f"{s.session_id}-appointment"
    booked = replace(s, booking=s.booking.done(e.result))
    request = SlipRequest(SlipKind.APPOINTMENT, s.item_id, s.language, booking_number=e.result.booking_number,
                          slot_text=slot_text(booked), slot_day=e.result.slot.day.isoformat(), **slip_people(s))
    return print_slip(state, booked, job_id, request, phase=Phase.DONE)


def _back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    if s.booking.busy or s.slots.busy:
        return state, []  # the backend is answering; a booking half made must not be left behind
    return back(state, s, e)


ROWS: list[Row] = [
    ([Phase.APPOINTMENT], ev.SlotsLoaded, _slots),
    ([Phase.APPOINTMENT], ev.BackendFailed, _failed),
    ([Phase.APPOINTMENT], ev.SlotChosen, _slot_chosen),
    ([Phase.APPOINTMENT], ev.BookingConfirmed, _book),
    ([Phase.APPOINTMENT], ev.BookingSucceeded, _booked),
    ([Phase.APPOINTMENT], ev.BackPressed, _back),
]
register(ROWS)

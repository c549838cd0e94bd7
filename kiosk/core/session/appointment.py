"""Appointments for 结婚登记 and 离婚登记 (全国通办 since 2025-05-10, both parties in person at the office): the
free slots, the chosen one, a phone number, the booking and its slip."""

from __future__ import annotations

from typing import Any

from kiosk.core.records import Booking
from kiosk.core.session import events as ev
from kiosk.core.session.application import appointment_request
from kiosk.core.session.browsing import back
from kiosk.core.session.commands import Book, Speak
from kiosk.core.session.model import KioskState, Session
from kiosk.core.session.states import Phase, Purpose
from kiosk.core.session.table import Outcome, Row, print_slip, register, with_session
from kiosk.core.value import replace


def _slots(state: KioskState, s: Session, e: ev.SlotsLoaded) -> Outcome:
    window = s.second_visit.result
    offered = e.slots
    if s.purpose == Purpose.SECOND_VISIT:  # only days both may come for the certificate, whatever was sent
        offered = tuple(slot for slot in e.slots if window is not None
                        and window.first_day <= slot.day <= window.last_day)
    return with_session(state, s, slots=s.slots.done(offered)), []


def _failed(state: KioskState, s: Session, e: ev.BackendFailed) -> Outcome:
    # The answer to whatever was asked: the first visit, the slots while they load, otherwise the booking.
    changes: dict[str, Any]
    if s.second_visit.busy:
        changes = {"second_visit": s.second_visit.failed(e.reason)}
    elif s.slots.busy:
        changes = {"slots": s.slots.failed(e.reason)}
    else:
        changes = {"booking": s.booking.failed(e.reason)}
    return with_session(state, s, **changes), [Speak(f"error.{e.reason.value}", s.language)]


def _slot_chosen(state: KioskState, s: Session, e: ev.SlotChosen) -> Outcome:
    if not any(slot.slot_id == e.slot_id and slot.remaining > 0 for slot in s.available_slots):
        return state, []
    return with_session(state, s, chosen_slot=e.slot_id), []


def _book(state: KioskState, s: Session, e: ev.BookingConfirmed) -> Outcome:
    if s.booking.busy or s.slots.busy or s.second_visit.busy or s.item_id is None:
        return state, []
    window = s.second_visit.result
    if s.purpose == Purpose.SECOND_VISIT and window is None:
        return with_session(state, s, field_errors=(("first_booking", "required"),)), []
    errors = []
    if s.chosen_slot is None:
        errors.append(("slot", "required"))
    phone = s.value("phone")
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        errors.append(("phone", "phone_invalid"))
    if errors:
        return with_session(state, s, field_errors=tuple(errors)), []
    booking = Booking(idempotency_key=f"{s.session_id}:book", item_id=s.item_id, slot_id=s.chosen_slot or "",
                      parties=s.parties, phone=phone, first_booking=window.first_booking if window else "")
    new = with_session(state, s, booking=s.booking.running(), field_errors=())
    return new, [Book(s.session_id, booking)]


def _booked(state: KioskState, s: Session, e: ev.BookingSucceeded) -> Outcome:
    if e.result is None or s.item_id is None:
        return state, []
    job_id = f"{s.session_id}-appointment"
    booked = replace(s, booking=s.booking.done(e.result))
    return print_slip(state, booked, job_id, appointment_request(booked, s.item_id), phase=Phase.DONE)


def _back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    if s.booking.busy or s.slots.busy or s.second_visit.busy:
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

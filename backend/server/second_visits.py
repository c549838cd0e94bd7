"""A divorce's second visit (领证): which first-visit booking it follows and on which days it may be booked.

The checks the kiosk makes are made again here, against the server's own records and calendar: the first
booking exists, is a divorce application visit that was not cancelled, was made for the same two people (their
keyed ID digests, never the numbers), its day has come, and the window after its 冷静期 has not closed (民法典
第一千零七十七条: otherwise the application counts as withdrawn). The window is counted by the same rule as the
kiosk's slip (kiosk.core.divorce_dates) on the server's calendar; a window running into a year that calendar does
not know is refused rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.contract import protocol as p
from backend.server import slots
from backend.server.errors import ApiProblem
from backend.server.models import Booking, BookingParty
from backend.server.state import ServerState
from kiosk.core.divorce_dates import DivorceDates, divorce_dates


def first_visit(session: Session, state: ServerState, number: str, item_id: str, id_numbers: Iterable[str],
                today: date) -> tuple[Booking, DivorceDates]:
    """The first visit's booking and its second visit's window; ApiProblem saying why when there is none."""
    row = session.scalar(select(Booking).where(Booking.number == number))
    if row is None:
        raise ApiProblem(404, p.ProblemCode.BOOKING_NOT_FOUND, "no booking with that number")
    parties = set(session.scalars(select(BookingParty.party_index).where(BookingParty.booking_id == row.id)))
    if {state.person_index(n) for n in id_numbers} != parties:
        raise ApiProblem(409, p.ProblemCode.BOOKING_NOT_YOURS, "the cards read are not the parties of that booking")
    item = state.catalog.get(row.item_id) if state.catalog else None
    applied = _day_of(row.slot_id)
    if (row.item_id != item_id or item is None or item.after_first_visit != "divorce_cooling_off"
            or row.first_booking_id is not None or row.status != "booked" or applied is None):
        raise ApiProblem(422, p.ProblemCode.NOT_A_FIRST_VISIT, "that booking is no divorce application visit")
    if applied > today:
        raise ApiProblem(409, p.ProblemCode.FIRST_VISIT_AHEAD, "the first visit's day has not come")
    dates = divorce_dates(applied, slots.server_calendar())
    if dates.last_certificate_day < today:
        raise ApiProblem(409, p.ProblemCode.SECOND_VISIT_CLOSED, "the days for the certificate are over")
    if not dates.holidays_known:
        raise ApiProblem(409, p.ProblemCode.CALENDAR_UNKNOWN, "the window runs into a year of unknown holidays")
    taken = session.scalar(select(Booking.number).where(Booking.first_booking_id == row.id,
                                                        Booking.status == "booked"))
    if taken is not None:
        raise ApiProblem(409, p.ProblemCode.SECOND_VISIT_TAKEN, "the second visit is booked already")
    return row, dates


def _day_of(slot_id: str) -> date | None:
    """The day of a booked slot, read from its id (item:YYYY-MM-DD:HH:MM) whatever the calendar knows today."""
    try:
        return date.fromisoformat(slot_id.split(":")[1])
    except (IndexError, ValueError):
        return None

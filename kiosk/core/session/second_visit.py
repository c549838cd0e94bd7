"""The second visit of a divorce (领证), booked from the first visit's booking number: 民法典 第一千零七十七条 gives
both 30 days after the 30-day 冷静期 to come back together, or the application counts as withdrawn.

On the divorce guide the couple asks for it, consents and both identify as for the first visit; then the first
visit's number, typed or held to the scanner, is looked up by the backend for these two people, and the kiosk
counts the window from that day on its configured calendar and offers only the slots inside it. A window that
runs into a year whose holidays nobody gave the calendar is refused with its own message, not guessed.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.divorce_dates import divorce_dates
from kiosk.core.records import FirstVisitLookup, SecondVisitWindow
from kiosk.core.session import events as ev
from kiosk.core.session.browsing import start
from kiosk.core.session.commands import FetchSlots, FindFirstVisit
from kiosk.core.session.model import KioskState, Session, Task
from kiosk.core.session.states import Phase, Purpose
from kiosk.core.session.table import Outcome, Row, item_of, register, with_session
from kiosk.core.slips import booking_number_from_code, booking_number_problem


def _started(state: KioskState, s: Session, e: ev.SecondVisitStarted) -> Outcome:
    item = item_of(state, s)
    if item is None or item.after_first_visit != "divorce_cooling_off":
        return state, []
    return start(state, s, Purpose.SECOND_VISIT, "appointment")


def _look_up(state: KioskState, s: Session, number: str) -> Outcome:
    if s.purpose != Purpose.SECOND_VISIT or s.second_visit.busy or s.slots.busy or s.booking.busy:
        return state, []
    if s.item_id is None:
        return state, []
    lookup = FirstVisitLookup(number, s.item_id, tuple(p.id_number for p in s.parties))
    new = with_session(state, s, second_visit=Task[SecondVisitWindow]().running(), slots=Task(), chosen_slot=None,
                       field_errors=())
    return new, [FindFirstVisit(s.session_id, lookup)]


def _entered(state: KioskState, s: Session, e: ev.FirstBookingEntered) -> Outcome:
    number = e.booking_number.strip().upper()
    if (problem := booking_number_problem(number)) is not None:
        return with_session(state, s, field_errors=(("first_booking", problem),)), []
    return _look_up(state, s, number)


def _scanned(state: KioskState, s: Session, e: ev.CodeScanned) -> Outcome:
    if s.purpose != Purpose.SECOND_VISIT:
        return state, []
    number = booking_number_from_code(e.code)
    if number is None:
        return with_session(state, s, field_errors=(("first_booking", "not_a_booking_slip"),)), []
    return _look_up(state, s, number)


def _found(state: KioskState, s: Session, e: ev.FirstVisitFound) -> Outcome:
    found = e.first_visit
    if not s.second_visit.busy or found is None or s.item_id is None:
        return state, []
    if found.problem or found.day is None:
        return _refused(state, s, found.problem or "booking_not_found")
    dates = divorce_dates(found.day, state.rules.calendar)
    if not dates.holidays_known:
        return _refused(state, s, "calendar_unknown")
    window = SecondVisitWindow(found.booking_number, dates.applied, dates.cooling_off_ends,
                               dates.first_certificate_day, dates.last_certificate_day)
    changes: dict[str, Any] = {"second_visit": s.second_visit.done(window),
                               "slots": Task[tuple[Any, ...]]().running()}
    return with_session(state, s, **changes), [
        FetchSlots(s.session_id, s.item_id, days=dates.window_days, first_day=dates.first_certificate_day)]


def _refused(state: KioskState, s: Session, problem: str) -> Outcome:
    """The number cannot be followed by a second visit here: said on its field, the number can be tried again."""
    return with_session(state, s, second_visit=Task(), field_errors=(("first_booking", problem),)), []


ROWS: list[Row] = [
    ([Phase.ITEM_GUIDE], ev.SecondVisitStarted, _started),
    ([Phase.APPOINTMENT], ev.FirstBookingEntered, _entered),
    ([Phase.APPOINTMENT], ev.CodeScanned, _scanned),
    ([Phase.APPOINTMENT], ev.FirstVisitFound, _found),
]
register(ROWS)

"""The second visit of a divorce (领证) in the session machine: from the divorce guide, both cards, then the first
visit's booking number typed or scanned; the window counted on the configured calendar; only its slots offered;
the booking names the first visit and its slip counts the dates from it."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.core.records import BookingResult, FirstVisit, Slot
from kiosk.core.session import Phase
from kiosk.core.session import events as ev
from kiosk.core.session.commands import Book, FetchSlots, FindFirstVisit, PrintSlip
from kiosk.core.session.model import KioskState, Rules
from kiosk.core.session.states import Purpose
from kiosk.core.value import replace
from kiosk.core.working_days import WorkingDays
from kiosk.storage.working_days import library_calendar
from tests.unit.session_helpers import KIM, SID, TODAY, ZHANG, at_guide, commands_of, phase, run

DIVORCE = "divorce-registration"
FIRST = "YY20260803000001"


@pytest.fixture
def counted(rules: Rules) -> Rules:
    return replace(rules, calendar=library_calendar())


def both_identified(rules: Rules) -> KioskState:
    state, commands = run(at_guide(rules, DIVORCE), ev.SecondVisitStarted(), ev.ConsentGiven(sensitive=True),
                          ev.CardRead(SID, ZHANG, TODAY), ev.CardRead(SID, KIM, TODAY))
    assert phase(state) == Phase.APPOINTMENT and state.session is not None
    assert state.session.purpose == Purpose.SECOND_VISIT and len(state.session.parties) == 2
    assert not commands_of(commands, FetchSlots)  # the slots wait for the first visit's number
    return state


def slot(day: date, start: str = "09:00") -> Slot:
    return Slot(f"{DIVORCE}:{day.isoformat()}:{start}", "婚姻登记处", day, start, "10:30", 6)


def test_the_second_visit_is_booked_inside_the_window(counted: Rules) -> None:
    state = both_identified(counted)
    state, commands = run(state, ev.CodeScanned(code=f"JLMZ:BOOKING:{FIRST.lower()}"))
    [find] = commands_of(commands, FindFirstVisit)
    assert find.lookup.booking_number == FIRST and find.lookup.item_id == DIVORCE
    assert set(find.lookup.id_numbers) == {ZHANG.id_number, KIM.id_number}
    state, commands = run(state, ev.FirstVisitFound(SID, FirstVisit(FIRST, date(2026, 8, 3))))
    [fetch] = commands_of(commands, FetchSlots)
    assert (fetch.first_day, fetch.days) == (date(2026, 9, 3), 36)  # 09-03 to 10-08, past 国庆
    assert state.session is not None and state.session.second_visit.result is not None
    inside, after, before = slot(date(2026, 9, 21)), slot(date(2026, 10, 9)), slot(date(2026, 9, 2))
    state, _ = run(state, ev.SlotsLoaded(SID, (before, inside, after)))
    assert state.session is not None and state.session.available_slots == (inside,)
    state, _ = run(state, ev.SlotChosen(after.slot_id))
    assert state.session is not None and state.session.chosen_slot is None
    state, commands = run(state, ev.SlotChosen(inside.slot_id), ev.FieldChanged("phone", "13912345678"),
                          ev.BookingConfirmed())
    [book] = commands_of(commands, Book)
    assert book.booking.first_booking == FIRST and book.booking.slot_id == inside.slot_id
    state, commands = run(state, ev.BookingSucceeded(SID, BookingResult("YY20260921000007", inside)))
    [printing] = commands_of(commands, PrintSlip)
    assert phase(state) == Phase.DONE
    assert (printing.request.first_visit_day, printing.request.slot_day) == ("2026-08-03", "2026-09-21")


def test_a_number_is_checked_and_a_refusal_is_said_beside_it(counted: Rules) -> None:
    state = both_identified(counted)
    state, commands = run(state, ev.FirstBookingEntered("Y1"))
    assert state.session is not None and state.session.field_errors == (("first_booking", "invalid"),)
    assert not commands_of(commands, FindFirstVisit)
    state, _ = run(state, ev.CodeScanned(code="JLMZ:PROGRESS:JL2201022024052000123"))  # a receipt, not a slip
    assert state.session is not None and state.session.field_errors == (("first_booking", "not_a_booking_slip"),)
    state, commands = run(state, ev.FirstBookingEntered(f" {FIRST} "))
    assert commands_of(commands, FindFirstVisit) and state.session is not None and not state.session.field_errors
    state, commands = run(state, ev.BookingConfirmed())  # nothing to book while the number is looked up
    assert not commands_of(commands, Book)
    state, commands = run(state, ev.FirstVisitFound(SID, FirstVisit(FIRST, problem="booking_not_yours")))
    assert state.session is not None and state.session.field_errors == (("first_booking", "booking_not_yours"),)
    assert not commands_of(commands, FetchSlots) and not state.session.second_visit.busy
    state, commands = run(state, ev.FieldChanged("phone", "13912345678"), ev.BookingConfirmed())
    assert not commands_of(commands, Book)  # no first visit found: no booking
    assert state.session is not None and ("first_booking", "required") in state.session.field_errors


def test_a_window_into_a_year_the_calendar_does_not_know_is_refused(rules: Rules) -> None:
    """December 2026 with the installed library (years up to 2026): a first visit of 2026-11-20 has its last day
    in January 2027; the kiosk says so instead of offering days it cannot count."""
    library = library_calendar()
    state = both_identified(replace(rules, calendar=WorkingDays(library.holidays, library.workdays,
                                                                library.known_years - {2027})))
    state, _ = run(state, ev.FirstBookingEntered(FIRST))
    state, commands = run(state, ev.FirstVisitFound(SID, FirstVisit(FIRST, date(2026, 11, 20))))
    assert not commands_of(commands, FetchSlots)
    assert state.session is not None and state.session.field_errors == (("first_booking", "calendar_unknown"),)


def test_only_the_divorce_item_has_a_second_visit(counted: Rules) -> None:
    state, _ = run(at_guide(counted, "marriage-registration"), ev.SecondVisitStarted())
    assert phase(state) == Phase.ITEM_GUIDE

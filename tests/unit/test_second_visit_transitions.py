"""The second visit's handlers (kiosk/core/session/second_visit.py) at their edges: the number looked up is the one
typed, for these two people and this session; one lookup at a time; a new number forgets the old one's slots; a
refusal stays a refusal; an answer nobody waits for changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.core.health import Reason
from kiosk.core.records import FirstVisit, FirstVisitLookup, SecondVisitWindow
from kiosk.core.session import events as ev
from kiosk.core.session.commands import FetchSlots, FindFirstVisit
from kiosk.core.session.model import KioskState, Rules
from kiosk.core.value import replace
from kiosk.storage.working_days import library_calendar
from tests.unit import session_helpers as h
from tests.unit.session_helpers import KIM, SID, ZHANG, commands_of, run
from tests.unit.test_second_visit_machine import DIVORCE, FIRST, both_identified, slot

FOUND = FirstVisit(FIRST, date(2026, 8, 3))
WINDOW_FIRST, WINDOW_LAST = date(2026, 9, 3), date(2026, 10, 8)  # 30 days after the 冷静期, past 国庆


@pytest.fixture
def counted(rules: Rules) -> Rules:
    return replace(rules, calendar=library_calendar())


def found(rules: Rules) -> KioskState:
    """Both identified, the first visit's number typed and found: the window's slots are being fetched."""
    return run(both_identified(rules), ev.FirstBookingEntered(FIRST), ev.FirstVisitFound(SID, FOUND))[0]


def test_the_number_typed_is_looked_up_as_printed_for_both_people_of_this_session(counted: Rules) -> None:
    _, commands = run(both_identified(counted), ev.FirstBookingEntered(f"  {FIRST.lower()} "))
    assert commands_of(commands, FindFirstVisit) == [
        FindFirstVisit(SID, FirstVisitLookup(FIRST, DIVORCE, (ZHANG.id_number, KIM.id_number)))]


def test_the_window_found_is_shown_and_only_its_days_are_asked_for(counted: Rules) -> None:
    state, commands = run(both_identified(counted), ev.FirstBookingEntered(FIRST), ev.FirstVisitFound(SID, FOUND))
    assert state.session is not None
    # the appointment screen shows the day the 冷静期 ends and the days the certificate may be collected on
    assert state.session.second_visit.result == SecondVisitWindow(FIRST, date(2026, 8, 3), date(2026, 9, 2),
                                                                  WINDOW_FIRST, WINDOW_LAST)
    assert commands_of(commands, FetchSlots) == [FetchSlots(SID, DIVORCE, days=36, first_day=WINDOW_FIRST)]


def test_one_lookup_at_a_time_and_none_while_the_slots_load_or_a_booking_is_made(counted: Rules) -> None:
    looking, _ = run(both_identified(counted), ev.FirstBookingEntered(FIRST))
    again, commands = run(looking, ev.FirstBookingEntered(FIRST))
    assert not commands_of(commands, FindFirstVisit) and again.session == looking.session
    loading = found(counted)
    again, commands = run(loading, ev.FirstBookingEntered(FIRST))
    assert not commands_of(commands, FindFirstVisit) and again.session == loading.session
    day = slot(date(2026, 9, 21))
    booking, _ = run(loading, ev.SlotsLoaded(SID, (day,)), ev.SlotChosen(day.slot_id),
                     ev.FieldChanged("phone", "13912345678"), ev.BookingConfirmed())
    assert booking.session is not None and booking.session.booking.busy
    again, commands = run(booking, ev.CodeScanned(code=f"JLMZ:BOOKING:{FIRST}"))
    assert not commands_of(commands, FindFirstVisit) and again.session == booking.session  # the booking stays


def test_a_marriage_appointment_never_looks_up_a_first_visit(rules: Rules) -> None:
    """Looking up a first visit sends both ID numbers to the backend: only a divorce's second visit does."""
    state = h.at_appointment(rules)
    after, commands = run(state, ev.FirstBookingEntered(FIRST), ev.CodeScanned(code=f"JLMZ:BOOKING:{FIRST}"))
    assert not commands_of(commands, FindFirstVisit) and after.session == state.session


def test_a_new_number_forgets_the_slots_and_the_choice_made_for_the_old_one(counted: Rules) -> None:
    day = slot(date(2026, 9, 21))
    chosen, _ = run(found(counted), ev.SlotsLoaded(SID, (day,)), ev.SlotChosen(day.slot_id))
    assert chosen.session is not None and chosen.session.chosen_slot == day.slot_id
    state, commands = run(chosen, ev.FirstBookingEntered("YY20260805000002"))
    assert commands_of(commands, FindFirstVisit) and state.session is not None
    assert state.session.available_slots == () and state.session.chosen_slot is None


def test_a_refusal_stands_even_with_a_day_and_an_empty_answer_means_not_found(counted: Rules) -> None:
    looking, _ = run(both_identified(counted), ev.FirstBookingEntered(FIRST))
    refused, commands = run(looking, ev.FirstVisitFound(SID, FirstVisit(FIRST, date(2026, 8, 3),
                                                                        problem="second_visit_taken")))
    assert not commands_of(commands, FetchSlots) and refused.session is not None
    assert refused.session.field_errors == (("first_booking", "second_visit_taken"),)
    assert refused.session.second_visit.result is None
    nothing, commands = run(looking, ev.FirstVisitFound(SID, FirstVisit(FIRST)))
    assert not commands_of(commands, FetchSlots) and nothing.session is not None
    assert nothing.session.field_errors == (("first_booking", "booking_not_found"),)


def test_an_answer_nobody_waits_for_changes_nothing(counted: Rules) -> None:
    looking, _ = run(both_identified(counted), ev.FirstBookingEntered(FIRST))
    assert run(looking, ev.FirstVisitFound(SID)) == (looking, [])  # an answer without a first visit
    timed_out, _ = run(looking, ev.BackendFailed(SID, Reason.BACKEND_TIMEOUT))
    late, commands = run(timed_out, ev.FirstVisitFound(SID, FOUND))  # the citizen was told it failed: type again
    assert late == timed_out and commands == []

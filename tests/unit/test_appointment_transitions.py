"""The appointment's handlers (kiosk/core/session/appointment.py) at their edges: a second visit offers the first
and the last day of its window; a failed lookup of the first visit is said as such and can be tried again;
nothing is booked and no error is said while the number is looked up; Back waits while the backend answers."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.core.health import Reason
from kiosk.core.records import FirstVisit
from kiosk.core.session import Phase, TaskStatus
from kiosk.core.session import events as ev
from kiosk.core.session.commands import Book, FindFirstVisit, Speak
from kiosk.core.session.model import Rules
from kiosk.core.value import replace
from kiosk.storage.working_days import library_calendar
from tests.unit import session_helpers as h
from tests.unit.session_helpers import APPOINTMENT_ITEM, KIM, SID, TODAY, ZHANG, commands_of, phase, run
from tests.unit.test_second_visit_machine import FIRST, both_identified, slot


@pytest.fixture
def counted(rules: Rules) -> Rules:
    return replace(rules, calendar=library_calendar())


def test_the_first_and_the_last_day_of_the_second_visits_window_are_offered(counted: Rules) -> None:
    """A first visit on 2026-08-03: the certificate may be collected from 09-03 to 10-08, both days included."""
    state, _ = run(both_identified(counted), ev.FirstBookingEntered(FIRST),
                   ev.FirstVisitFound(SID, FirstVisit(FIRST, date(2026, 8, 3))))
    first, last = slot(date(2026, 9, 3)), slot(date(2026, 10, 8))
    state, _ = run(state, ev.SlotsLoaded(SID, (slot(date(2026, 9, 2)), first, last, slot(date(2026, 10, 9)))))
    assert state.session is not None and state.session.available_slots == (first, last)


def test_a_failed_lookup_of_the_first_visit_is_said_and_the_number_can_be_tried_again(counted: Rules) -> None:
    looking, _ = run(both_identified(counted), ev.FirstBookingEntered(FIRST))
    state, commands = run(looking, ev.BackendFailed(SID, Reason.BACKEND_TIMEOUT))
    session = state.session
    assert session is not None
    assert (session.second_visit.status, session.second_visit.error) == (TaskStatus.FAILED, Reason.BACKEND_TIMEOUT)
    assert session.booking.status == TaskStatus.NONE and session.slots.status == TaskStatus.NONE  # nor tried
    assert [c.prompt_id for c in commands_of(commands, Speak)] == ["error.backend_timeout"]
    _, commands = run(state, ev.FirstBookingEntered(FIRST))
    assert commands_of(commands, FindFirstVisit)


def test_nothing_is_booked_and_no_error_is_said_while_the_first_visit_is_looked_up(counted: Rules) -> None:
    looking, _ = run(both_identified(counted), ev.FieldChanged("phone", "13912345678"),
                     ev.FirstBookingEntered(FIRST))
    state, commands = run(looking, ev.BookingConfirmed())
    assert not commands_of(commands, Book) and state.session == looking.session


def test_back_waits_while_the_slots_load_or_the_first_visit_is_looked_up(rules: Rules, counted: Rules) -> None:
    loading, _ = run(h.at_identify(rules, APPOINTMENT_ITEM), ev.CardRead(SID, ZHANG, TODAY),
                     ev.CardRead(SID, KIM, TODAY))
    assert loading.session is not None and loading.session.slots.busy
    assert phase(run(loading, ev.BackPressed())[0]) == Phase.APPOINTMENT
    looking, _ = run(both_identified(counted), ev.FirstBookingEntered(FIRST))
    assert phase(run(looking, ev.BackPressed())[0]) == Phase.APPOINTMENT

"""Booking a divorce's second visit (领证) from the first visit's booking number: the server finds the first
visit only for its own two parties (by keyed digests), counts the window after the 冷静期 on its calendar, books
only inside it, and says why when it cannot (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from backend.server import db, slots
from backend.server.models import Booking as BookingRow
from backend.server.models import BookingParty
from backend.server.state import CHINA
from kiosk.core.divorce_dates import certificate_days, divorce_dates
from kiosk.core.identity import Identity
from kiosk.core.records import Booking, FirstVisitLookup
from kiosk.core.working_days import WorkingDays, merge
from kiosk.remote.client import HttpBackend
from kiosk.remote.transport import TransportError
from kiosk.storage.working_days import library_calendar
from tests.backend.conftest import KIOSK_ID, Served, person

DIVORCE = "divorce-registration"
COUPLE = (person(31), person(32))


def years_known_from(last_year: int) -> WorkingDays:
    """The library's years and, past them, years with only 元旦 as a holiday: enough to count windows today."""
    library = library_calendar()
    extra = [(year, [date(year, 1, 1)], []) for year in range(max(library.known_years) + 1, last_year + 1)]
    return merge(library, extra, "test years")


@pytest.fixture
def calendar(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkingDays]:
    known = years_known_from(datetime.now(CHINA).year + 2)
    monkeypatch.setattr(slots, "server_calendar", lambda: known)
    yield known


def today() -> date:
    return datetime.now(CHINA).date()


def working_day_before(calendar: WorkingDays, day: date) -> date:
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def booked_before(served: Served, day: date, parties: tuple[Identity, ...] = COUPLE, item_id: str = DIVORCE,
                  status: str = "booked") -> str:
    """A first visit as the backend keeps it, on a day already past (no slot can be booked in the past)."""
    with served.state.sessions() as session, session.begin():
        row = BookingRow(kiosk_id=KIOSK_ID, item_id=item_id, slot_id=f"{item_id}:{day.isoformat()}:09:00",
                         status=status, parties_sealed=b"", created_at=db.now())
        session.add(row)
        session.flush()
        row.number = f"YY{day:%Y%m%d}{row.id:06d}"
        for party in parties:
            session.add(BookingParty(booking_id=row.id, party_index=served.state.person_index(party.id_number)))
        return row.number


def lookup(number: str, parties: tuple[Identity, ...] = COUPLE, item_id: str = DIVORCE) -> FirstVisitLookup:
    return FirstVisitLookup(number, item_id, tuple(p.id_number for p in parties))


def test_the_second_visit_is_booked_inside_the_window_once(served: Served, client: HttpBackend,
                                                           calendar: WorkingDays) -> None:
    applied = working_day_before(calendar, today() - timedelta(days=35))
    number = booked_before(served, applied)
    found = client.first_visit(lookup(number))
    assert (found.day, found.problem) == (applied, "")
    dates = divorce_dates(applied, calendar)
    offered = client.appointment_slots(DIVORCE, dates.first_certificate_day, dates.window_days)
    assert offered and {s.day for s in offered} <= set(certificate_days(dates, calendar))
    slot = offered[0]
    result = client.book(Booking("second-1:book", DIVORCE, slot.slot_id, COUPLE, "13912345678", first_booking=number))
    with served.state.sessions() as session:
        second = session.scalar(select(BookingRow).where(BookingRow.number == result.booking_number))
        first = session.scalar(select(BookingRow).where(BookingRow.number == number))
        assert second is not None and first is not None and second.first_booking_id == first.id
    # booked once: the same number again is refused, on the look-up and on a booking
    assert client.first_visit(lookup(number)).problem == "second_visit_taken"
    with pytest.raises(TransportError) as caught:
        client.book(Booking("second-2:book", DIVORCE, slot.slot_id, COUPLE, first_booking=number))
    assert (caught.value.http_status, caught.value.code) == (409, "second_visit_taken")


def test_a_number_that_cannot_be_followed_says_why(served: Served, client: HttpBackend,
                                                   calendar: WorkingDays) -> None:
    applied = working_day_before(calendar, today() - timedelta(days=35))
    divorce = booked_before(served, applied)
    marriage = booked_before(served, applied, item_id="marriage-registration")
    cancelled = booked_before(served, applied, status="cancelled")
    closed = booked_before(served, working_day_before(calendar, today() - timedelta(days=75)))
    ahead = booked_before(served, today() + timedelta(days=3))
    ahead_day = today() + timedelta(days=3)
    if not calendar.is_working_day(ahead_day):
        ahead = "YY-NOT-A-VISIT"  # a weekend: no such visit could be booked, the number is simply unknown
    cases = [
        (lookup("YY2099010100000"), "booking_not_found"),
        (lookup(divorce, (COUPLE[0], person(33))), "booking_not_yours"),  # one of the two is someone else
        (lookup(divorce, (COUPLE[0],)), "booking_not_yours"),
        (lookup(marriage, item_id="marriage-registration"), "not_a_first_visit"),
        (lookup(cancelled), "not_a_first_visit"),
        (lookup(closed), "second_visit_closed"),
        (lookup(ahead), "first_visit_ahead" if ahead != "YY-NOT-A-VISIT" else "booking_not_found"),
    ]
    for asked, problem in cases:
        answer = client.first_visit(asked)
        assert (answer.day, answer.problem) == (None, problem), asked.booking_number


def test_a_booking_outside_the_window_or_for_others_is_refused(served: Served, client: HttpBackend,
                                                              calendar: WorkingDays) -> None:
    applied = working_day_before(calendar, today() - timedelta(days=35))
    number = booked_before(served, applied)
    dates = divorce_dates(applied, calendar)
    after = client.appointment_slots(DIVORCE, dates.last_certificate_day + timedelta(days=1), 14)
    before = [s for s in client.appointment_slots(DIVORCE, today(), 14) if s.day < dates.first_certificate_day]
    inside = client.appointment_slots(DIVORCE, dates.first_certificate_day, dates.window_days)[0]
    refused = [
        (Booking("o-1:book", DIVORCE, after[0].slot_id, COUPLE, first_booking=number), 422, "outside_window"),
        (Booking("o-2:book", DIVORCE, inside.slot_id, (COUPLE[0], person(34)), first_booking=number), 409,
         "booking_not_yours"),
    ]
    if before:  # a window already open has no days before it that are still ahead
        refused.append((Booking("o-3:book", DIVORCE, before[0].slot_id, COUPLE, first_booking=number), 422,
                        "outside_window"))
    for booking, status, code in refused:
        with pytest.raises(TransportError) as caught:
            client.book(booking)
        assert (caught.value.http_status, caught.value.code) == (status, code)


def test_a_window_into_a_year_without_holidays_is_refused(served: Served, client: HttpBackend,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Until the operator adds the next year's holidays, the server does not book by a guessed calendar."""
    known = years_known_from(datetime.now(CHINA).year + 2)
    applied = working_day_before(known, today() - timedelta(days=35))
    last = divorce_dates(applied, known).last_certificate_day
    number = booked_before(served, applied)
    monkeypatch.setattr(slots, "server_calendar", lambda: known)
    assert client.first_visit(lookup(number)).problem == ""
    # the year of the window's last day left out, as 2027 is until holidays.toml has it
    short = WorkingDays(known.holidays, known.workdays, known.known_years - {last.year})
    monkeypatch.setattr(slots, "server_calendar", lambda: short)
    assert client.first_visit(lookup(number)).problem == "calendar_unknown"

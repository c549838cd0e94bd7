"""By touch: a divorcing couple books the second visit (领证) with the first appointment's number. The kiosk and
its in-process backend both count the window on a calendar the test gives them (it is December 2026 and the
installed calendar stops at 2026); without the year the window runs into, the citizen is told to book at the
window instead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from backend.server import db, slots
from backend.server.models import Booking as BookingRow
from backend.server.models import BookingParty
from backend.server.state import CHINA
from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.core.divorce_dates import divorce_dates
from kiosk.core.session.states import TaskStatus
from kiosk.core.value import replace
from kiosk.core.working_days import WorkingDays, merge
from kiosk.storage.working_days import library_calendar
from tests.ui.harness import Harness
from tests.ui.test_journeys import PHONE, ZHANG, open_item

KIM = "resident-rare-char"


def calendar_to(last_year: int) -> WorkingDays:
    library = library_calendar()
    extra = [(y, [date(y, 1, 1)], []) for y in range(max(library.known_years) + 1, last_year + 1)]
    return merge(library, extra, "test years")


@pytest.fixture
def counting(kiosk: Harness, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Set the calendar both sides count by: the kiosk's rules and the server's; the kiosk's is put back after."""
    runner = kiosk.app.runner
    before = runner.state.rules.calendar

    def use(calendar: WorkingDays) -> None:
        runner.state = replace(runner.state, rules=replace(runner.state.rules, calendar=calendar))
        monkeypatch.setattr(slots, "server_calendar", lambda: calendar)

    yield use
    runner.state = replace(runner.state, rules=replace(runner.state.rules, calendar=before))


def first_visit_booked(kiosk: Harness, day: date) -> str:
    """The couple's first visit, kept by the backend as a booking made on an earlier day."""
    state = kiosk.backend.started().server.state
    with state.sessions() as session, session.begin():
        row = BookingRow(kiosk_id=kiosk.app.kiosk.config.settings.kiosk_id, item_id="divorce-registration",
                         slot_id=f"divorce-registration:{day.isoformat()}:09:00", status="booked",
                         parties_sealed=b"", created_at=db.now())
        session.add(row)
        session.flush()
        row.number = f"YY{day:%Y%m%d}{row.id:06d}"
        for name in (ZHANG, KIM):
            session.add(BookingParty(booking_id=row.id,
                                     party_index=state.person_index(TEST_IDENTITIES[name].id_number)))
        return row.number


def working_day_before(calendar: WorkingDays, day: date) -> date:
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def identify_both(kiosk: Harness) -> None:
    p = kiosk.pilot
    open_item(kiosk, "marriage", "divorce-registration")
    kiosk.shot("guide")
    p.tap("guide:second_visit")
    p.wait_for_screen("consent")
    p.tap("consent:agree")
    p.wait_for_screen("identify")
    kiosk.reader.insert(ZHANG)
    p.wait_until(lambda: len(p.state.session.parties) == 1, what="the first party")
    kiosk.take_card_back()
    kiosk.reader.insert(KIM)
    p.wait_for_screen("appointment")
    p.wait_until(lambda: len(p.state.session.parties) == 2, what="both parties")


def type_first_booking(kiosk: Harness, number: str) -> None:
    p = kiosk.pilot
    p.tap("field:first_booking")
    p.type_keys(number.removeprefix("YY"))
    p.tap("editor:ok")


def test_second_visit_booked_with_the_first_number(kiosk: Harness, counting: object) -> None:
    p = kiosk.pilot
    today = datetime.now(CHINA).date()
    calendar = calendar_to(today.year + 2)
    counting(calendar)  # type: ignore[operator]
    applied = working_day_before(calendar, today - timedelta(days=35))
    number = first_visit_booked(kiosk, applied)
    dates = divorce_dates(applied, calendar)
    identify_both(kiosk)
    kiosk.shot("second-visit-number")
    assert not p.state.session.available_slots
    type_first_booking(kiosk, number)
    p.wait_until(lambda: p.state.session.available_slots, what="the slots of the window")
    assert all(dates.admits(s.day) for s in p.state.session.available_slots)
    assert any(dates.last_certificate_day.isoformat() in t for t in p.texts())
    kiosk.shot("second-visit-window")
    slot = next(s for s in p.state.session.available_slots if s.remaining > 0)
    p.tap(f"day:{slot.day.isoformat()}")
    p.tap(f"slot:{slot.slot_id}")
    p.tap("field:phone")
    p.type_keys(PHONE)
    p.tap("editor:ok")
    p.tap("appointment:confirm")
    p.wait_for_screen("done")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the appointment slip")
    kiosk.shot("second-visit-done")
    assert p.state.session.booking.result is not None
    assert kiosk.printer.printed[p.state.session.printing.job].exists()  # the slip's picture, for a look
    kiosk.reader.remove()
    p.tap("done:finish")
    p.wait_for_screen("home")


def test_a_window_into_a_year_without_holidays_is_said_clearly(kiosk: Harness, counting: object) -> None:
    p = kiosk.pilot
    today = datetime.now(CHINA).date()
    full = calendar_to(today.year + 2)
    applied = working_day_before(full, today - timedelta(days=35))
    last = divorce_dates(applied, full).last_certificate_day
    counting(WorkingDays(full.holidays, full.workdays, full.known_years - {last.year}))  # type: ignore[operator]
    number = first_visit_booked(kiosk, applied)
    identify_both(kiosk)
    type_first_booking(kiosk, number)
    p.wait_until(lambda: p.state.session.field_errors, what="the refusal")
    assert p.state.session.field_errors == (("first_booking", "calendar_unknown"),)
    assert any("节假日安排尚未录入本机" in t for t in p.texts())
    kiosk.shot("second-visit-calendar-unknown")
    kiosk.reader.remove()

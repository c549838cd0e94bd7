"""Appointment slots and time limits on the mainland calendar: 法定节假日 are not bookable, 调休 Saturdays are,
the operator's holidays.toml takes precedence over the library, and a year nobody told the calendar about is
never taken for all working days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from backend.server import slots
from backend.server.state import CHINA
from kiosk.core.problems import ConfigError
from kiosk.core.records import Booking
from kiosk.core.working_days import UnknownYear
from kiosk.remote.client import HttpBackend
from kiosk.remote.transport import TransportError
from kiosk.storage.working_days import library_calendar, load_working_days
from tests.backend.conftest import person

ITEM = "marriage-registration"


def test_slots_around_guoqing_2026_skip_the_holiday_and_open_the_tiaoxiu_saturday() -> None:
    calendar = library_calendar()
    now = datetime(2026, 9, 27, 12, 0, tzinfo=CHINA)  # a Sunday that is itself a 调休 workday (2026-09-20 is)
    days = sorted({s.day for s in slots.schedule(ITEM, date(2026, 9, 28), 16, now, calendar)})
    assert days == [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30),  # 国庆 is 10-01 to 10-07
                    date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10),  # 10-10: 调休 Saturday
                    date(2026, 10, 12), date(2026, 10, 13)]
    assert slots.parse_slot_id(f"{ITEM}:2026-10-01:09:00", calendar) is None
    assert slots.parse_slot_id(f"{ITEM}:2026-10-10:09:00", calendar) is not None
    assert slots.parse_slot_id(f"{ITEM}:2026-10-11:09:00", calendar) is None  # an ordinary Sunday
    assert calendar.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # 3个工作日 across 国庆


def test_a_year_the_calendar_does_not_know_has_no_slots_and_warns(tmp_path: Path) -> None:
    calendar = library_calendar()
    unknown = max(calendar.known_years) + 1
    now = datetime(unknown - 1, 12, 20, 12, 0, tzinfo=CHINA)
    days = {s.day for s in slots.schedule(ITEM, now.date(), 20, now, calendar)}
    assert days and max(days) <= date(unknown - 1, 12, 31)  # not one slot in the unknown year
    assert slots.parse_slot_id(f"{ITEM}:{unknown}-01-05:09:00", calendar) is None
    with pytest.raises(UnknownYear):
        calendar.is_working_day(date(unknown, 1, 5))
    assert calendar.warning(date(unknown - 1, 11, 1)) is not None  # 60 days before the end
    assert calendar.warning(date(unknown - 1, 9, 1)) is None
    assert "does not know" in (calendar.warning(date(unknown, 1, 2)) or "")


def write_year(path: Path, year: int, holidays: list[date], workdays: list[date]) -> Path:
    text = "".join(f'[[year]]\nyear = {year}\nsource = "test data, not a real notice"\n'
                   f"holidays = [{', '.join(repr(d.isoformat()) for d in holidays)}]\n"
                   f"workdays = [{', '.join(repr(d.isoformat()) for d in workdays)}]\n" for _ in [0])
    path.write_text(text.replace("'", '"'), encoding="utf-8")
    return path


def test_the_operator_file_takes_precedence_and_is_checked(tmp_path: Path) -> None:
    # A correction of 2026: 10-10 worked no more, 10-12 off.
    calendar = load_working_days(write_year(tmp_path / "h.toml", 2026, [date(2026, 1, 1), date(2026, 10, 12)], []))
    assert not calendar.is_working_day(date(2026, 10, 10)) and not calendar.is_working_day(date(2026, 10, 12))
    assert calendar.is_working_day(date(2026, 10, 1))  # the whole year is the operator's now
    assert str(tmp_path / "h.toml") in calendar.sources[-1]
    nxt = max(library_calendar().known_years) + 1
    added = load_working_days(write_year(tmp_path / "n.toml", nxt, [date(nxt, 1, 1)], []))
    assert added.knows(date(nxt, 6, 1)) and added.known_until() == date(nxt, 12, 31)
    bad = write_year(tmp_path / "bad.toml", 2027, [date(2027, 1, 1), date(2028, 1, 3)], [date(2027, 3, 3)])
    with pytest.raises(ConfigError) as caught:
        load_working_days(bad)
    text = " ".join(str(p) for p in caught.value.problems)
    assert "days outside 2027: 2028-01-03" in text


@pytest.fixture
def operator_year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[date, date]]:
    """An operator's file for the coming days (test data): a weekday made a holiday, a Saturday made a 调休 day."""
    today = datetime.now(CHINA).date()
    holiday = next(today + timedelta(days=n) for n in range(3, 10) if (today + timedelta(days=n)).weekday() < 5)
    saturday = next(today + timedelta(days=n) for n in range(2, 10) if (today + timedelta(days=n)).weekday() == 5)
    years = sorted({holiday.year, saturday.year})
    text = ""
    for year in years:
        off = sorted({date(year, 1, 1), *([holiday] if holiday.year == year else [])})
        worked = [saturday] if saturday.year == year else []
        text += (f'[[year]]\nyear = {year}\nsource = "test data, not a real notice"\n'
                 f"holidays = {[d.isoformat() for d in off]}\nworkdays = {[d.isoformat() for d in worked]}\n")
    path = tmp_path / "holidays.toml"
    path.write_text(text.replace("'", '"'), encoding="utf-8")
    monkeypatch.setenv("KIOSK_HOLIDAYS", str(path))
    slots.server_calendar.cache_clear()
    yield holiday, saturday
    slots.server_calendar.cache_clear()


def test_booking_through_the_api_follows_the_calendar(operator_year: tuple[date, date], client: HttpBackend) -> None:
    holiday, saturday = operator_year
    today = datetime.now(CHINA).date()
    offered = client.appointment_slots(ITEM, today, 14)
    days = {s.day for s in offered}
    assert holiday not in days and saturday in days
    slot = next(s for s in offered if s.day == saturday)
    booked = client.book(Booking("cal-1:book", ITEM, slot.slot_id, (person(20), person(21))))
    assert booked.slot.day == saturday
    with pytest.raises(TransportError) as caught:
        client.book(Booking("cal-2:book", ITEM, f"{ITEM}:{holiday.isoformat()}:09:00", (person(22), person(23))))
    assert (caught.value.http_status, caught.value.code) == (404, "slot_not_found")

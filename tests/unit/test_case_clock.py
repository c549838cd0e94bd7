"""Case clocks in working days across 国庆 2025 and 春节 2026: holidays do not count, 调休 weekend days do, a 补正
stops the office's clock, and a year the calendar does not know gives no answer rather than a guess.

The days are written out from the 国务院办公厅 notices (2025: 10-01..10-08 off, Sunday 09-28 and Saturday 10-11
worked; 2026: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked), so a calendar that forgot either shows here."""

from __future__ import annotations

from datetime import date

import pytest

from backend.server.case_clock import deadline_clock, step_clock, working_days_after
from kiosk.core.working_days import WorkingDays
from kiosk.storage.working_days import library_calendar


@pytest.fixture(scope="module")
def calendar() -> WorkingDays:
    return library_calendar()


def test_the_huji_office_s_ten_days_run_across_guoqing_2025_and_count_its_tiaoxiu_saturday(
        calendar: WorkingDays) -> None:
    forwarded = date(2025, 9, 29)  # 两项补贴: 10 working days at the 户籍地 from receiving the case
    # 09-30, 10-09, 10-10, 10-11 (调休 Saturday), 10-13 .. 10-17, 10-20
    assert step_clock(calendar, 10, forwarded, 0, date(2025, 10, 8)).used == 1  # the whole break is off
    assert step_clock(calendar, 10, forwarded, 0, date(2025, 10, 11)).used == 4
    clock = step_clock(calendar, 10, forwarded, 0, date(2025, 10, 17))
    assert (clock.due, clock.used, clock.left, clock.flag) == (date(2025, 10, 20), 9, 1, "near")
    assert step_clock(calendar, 10, forwarded, 0, date(2025, 10, 20)).flag == "near"  # due today
    late = step_clock(calendar, 10, forwarded, 0, date(2025, 10, 21))
    assert (late.left, late.flag) == (-1, "overdue")


def test_the_receiving_office_s_three_days_before_guoqing_count_the_tiaoxiu_sunday(calendar: WorkingDays) -> None:
    accepted = date(2025, 9, 26)  # a Friday; Sunday 09-28 is worked
    clock = step_clock(calendar, 3, accepted, 0, date(2025, 9, 28))
    assert (clock.due, clock.used, clock.flag) == (date(2025, 9, 30), 1, "ok")
    assert step_clock(calendar, 3, accepted, 0, date(2025, 10, 5)).flag == "overdue"  # the holiday is past due


def test_three_days_across_chunjie_2026(calendar: WorkingDays) -> None:
    accepted = date(2026, 2, 12)  # 02-13, 02-14 (调休 Saturday), then nine days off, 02-24
    clock = step_clock(calendar, 3, accepted, 0, date(2026, 2, 20))
    assert (clock.due, clock.used, clock.left, clock.flag) == (date(2026, 2, 24), 2, 1, "near")
    assert working_days_after(calendar, date(2026, 2, 14), date(2026, 2, 23)) == 0


def test_a_correction_over_chunjie_stops_the_office_s_clock(calendar: WorkingDays) -> None:
    """Accepted 02-12, 补正 asked 02-13 after one working day used; the materials come 02-27: the two days left
    are 02-28 (调休 Saturday) and 03-02, not the days the citizen took."""
    used_before = working_days_after(calendar, date(2026, 2, 12), date(2026, 2, 13))
    assert used_before == 1
    resumed = step_clock(calendar, 3, date(2026, 2, 27), used_before, date(2026, 2, 28))
    assert (resumed.due, resumed.used, resumed.left, resumed.flag) == (date(2026, 3, 2), 2, 1, "near")
    without_pause = step_clock(calendar, 3, date(2026, 2, 12), 0, date(2026, 2, 28))
    assert without_pause.flag == "overdue"  # what the office would wrongly be blamed for


def test_the_citizen_s_correction_deadline_across_chunjie(calendar: WorkingDays) -> None:
    asked = date(2026, 2, 13)
    due = calendar.add_working_days(asked, 10)  # 02-14, 02-24 .. 02-28, 03-02 .. 03-05
    assert due == date(2026, 3, 5)
    clock = deadline_clock(calendar, 10, due, date(2026, 2, 20))
    assert (clock.left, clock.flag) == (9, "ok")
    assert deadline_clock(calendar, 10, due, date(2026, 3, 4)).flag == "near"
    assert deadline_clock(calendar, 10, due, date(2026, 3, 6)).flag == "overdue"


def test_a_weekend_after_the_due_friday_is_already_overdue(calendar: WorkingDays) -> None:
    clock = step_clock(calendar, 1, date(2026, 3, 12), 0, date(2026, 3, 14))  # due Friday 03-13, seen Saturday
    assert (clock.used, clock.left, clock.flag) == (1, 0, "overdue")


def test_a_limit_running_into_an_unknown_year_has_no_answer(calendar: WorkingDays) -> None:
    unknown = max(calendar.known_years) + 1
    clock = step_clock(calendar, 10, date(unknown - 1, 12, 28), 0, date(unknown - 1, 12, 29))
    assert (clock.due, clock.left, clock.flag) == (None, None, "no_calendar")

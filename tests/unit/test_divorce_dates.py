"""The divorce dates a slip prints: 30 days of 冷静期 from the day after the application, then 30 days to go back
together; a period ending on a weekend or 法定节假日 ends on the next working day (民法典 第二百零一、二百零三条).
The holidays come from the configured calendar (chinesecalendar with holidays.toml over it): these expectations
are checked against the published 2026 schedule; the second visit's bookable days follow the same calendar."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.core.catalog import Catalog
from kiosk.core.divorce_dates import certificate_days, divorce_dates
from kiosk.core.session.commands import SlipRequest
from kiosk.core.slip_layouts import SlipComposer
from kiosk.core.slips import SlipKind, Text
from kiosk.core.working_days import WorkingDays, merge
from kiosk.storage.config import load_config
from kiosk.storage.working_days import library_calendar
from tests.conftest import CONFIG_DIR


@pytest.mark.parametrize(("applied", "cooling_off_ends", "first", "last"), [
    # across a month end into February, and a last day on a Sunday (2026-03-01) moved to Monday
    (date(2026, 1, 30), date(2026, 3, 2), date(2026, 3, 3), date(2026, 4, 1)),
    # the cooling-off period ends on 2026-10-01, 国庆节: it ends after the holiday (10-01 to 10-07)
    (date(2026, 9, 1), date(2026, 10, 8), date(2026, 10, 9), date(2026, 11, 9)),
    # ends on a working day just before 国庆节: the certificate can only be asked for after the holiday
    (date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 30)),
    # ends on 2026-05-03 inside 劳动节 (05-01 to 05-05)
    (date(2026, 4, 3), date(2026, 5, 6), date(2026, 5, 7), date(2026, 6, 5)),
])
def test_dates_across_month_ends_and_holidays(applied: date, cooling_off_ends: date, first: date,
                                              last: date) -> None:
    dates = divorce_dates(applied, library_calendar())
    assert (dates.cooling_off_ends, dates.first_certificate_day, dates.last_certificate_day) == (
        cooling_off_ends, first, last)
    assert dates.holidays_known


def test_a_year_without_a_published_schedule_is_said_so() -> None:
    calendar = WorkingDays(library_calendar().holidays, library_calendar().workdays, frozenset({2026}))
    dates = divorce_dates(date(2026, 12, 10), calendar)  # 2027's holidays not given to the calendar
    assert dates.cooling_off_ends == date(2027, 1, 11)  # 2027-01-09 is a Saturday: moved past the weekend
    assert not dates.holidays_known
    assert certificate_days(dates, calendar) == []  # nothing is booked by a guessed calendar


def test_the_divorce_slip_prints_the_dates(catalog: Catalog) -> None:
    settings = load_config(CONFIG_DIR / "kiosk.toml").settings
    compose = SlipComposer(settings, catalog, lambda: datetime(2026, 8, 20, 9, 0), library_calendar())
    slip = compose(SlipRequest(SlipKind.APPOINTMENT, "divorce-registration", booking_number="YY-2",
                               slot_text="2026-09-01 09:00-10:00 婚姻登记处", slot_day="2026-09-01"))
    text = "\n".join(b.text for b in slip.blocks if isinstance(b, Text))
    for expected in ("冷静期", "申请日：2026-09-01", "冷静期届满日：2026-10-08", "可申请发证：2026-10-09",
                     "申请发证最后一日：2026-11-09", "同一婚姻登记机关"):
        assert expected in text, expected
    marriage = compose(SlipRequest(SlipKind.APPOINTMENT, "marriage-registration", booking_number="YY-3",
                                   slot_day="2026-09-01"))
    assert "冷静期" not in "\n".join(b.text for b in marriage.blocks if isinstance(b, Text))


def test_the_operators_holidays_count_for_a_year_the_library_does_not_know(catalog: Catalog) -> None:
    """Operators add a year's 法定节假日 and 调休 days to holidays.toml before the library learns them (issue #19):
    the divorce dates follow that calendar, and the slip no longer says the schedule is unpublished."""
    new_year = [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
    calendar = merge(library_calendar(), [(2027, new_year, [])], "holidays.toml (2027)")
    assert isinstance(calendar, WorkingDays) and calendar.knows(date(2027, 1, 1))
    # applied 2026-12-02: the 冷静期 would end on 2027-01-01, 元旦, and ends on the first day after the holiday
    without = divorce_dates(date(2026, 12, 2), WorkingDays(frozenset(), frozenset(), frozenset({2026})))
    with_operator = divorce_dates(date(2026, 12, 2), calendar)
    assert with_operator.cooling_off_ends == date(2027, 1, 4) and with_operator.holidays_known
    assert without.cooling_off_ends != with_operator.cooling_off_ends or not without.holidays_known
    settings = load_config(CONFIG_DIR / "kiosk.toml").settings
    compose = SlipComposer(settings, catalog, lambda: datetime(2026, 11, 20, 9, 0), calendar=calendar)
    slip = compose(SlipRequest(SlipKind.APPOINTMENT, "divorce-registration", booking_number="YY-4",
                               slot_text="2026-12-02 09:00-10:00 婚姻登记处", slot_day="2026-12-02"))
    text = "\n".join(b.text for b in slip.blocks if isinstance(b, Text))
    assert "冷静期届满日：2027-01-04" in text


# ---- the second visit (领证): the working days of the window, with 调休 ----

def test_the_window_skips_chunjie_and_keeps_its_tiaoxiu_saturday() -> None:
    """Applied 2026-01-15: the 冷静期 ends on 2026-02-14, a 调休 Saturday that is worked (not a rest day, so the
    period does not move); the certificate can be asked for after 春节 (02-15 to 02-23), 调休 Saturday 02-28
    included, until 03-16."""
    calendar = library_calendar()
    dates = divorce_dates(date(2026, 1, 15), calendar)
    assert (dates.cooling_off_ends, dates.first_certificate_day, dates.last_certificate_day) == (
        date(2026, 2, 14), date(2026, 2, 24), date(2026, 3, 16))
    days = certificate_days(dates, calendar)
    assert days[0] == date(2026, 2, 24) and days[-1] == date(2026, 3, 16)
    assert date(2026, 2, 28) in days  # 调休: a Saturday worked
    assert date(2026, 3, 1) not in days and date(2026, 3, 7) not in days  # ordinary weekend days
    assert not any(date(2026, 2, 15) <= d <= date(2026, 2, 23) for d in days)


def test_the_window_over_guoqing_moves_its_last_day_and_keeps_the_tiaoxiu_sunday() -> None:
    """Applied 2026-08-03: the window runs 09-03 to 10-02, whose last day falls in 国庆 (10-01 to 10-07) and moves
    to 10-08; 调休 Sunday 09-20 is bookable, 中秋 (09-25) is not, and the window is longer than 31 days."""
    calendar = library_calendar()
    dates = divorce_dates(date(2026, 8, 3), calendar)
    assert (dates.cooling_off_ends, dates.first_certificate_day, dates.last_certificate_day) == (
        date(2026, 9, 2), date(2026, 9, 3), date(2026, 10, 8))
    assert dates.window_days == 36
    days = certificate_days(dates, calendar)
    assert date(2026, 9, 20) in days and date(2026, 9, 25) not in days
    assert days[-1] == date(2026, 10, 8) and not any(date(2026, 10, 1) <= d <= date(2026, 10, 7) for d in days)
    assert all(dates.admits(d) for d in days) and not dates.admits(date(2026, 10, 9))


def test_a_window_into_2027_is_booked_only_once_2027_is_in_holidays_toml() -> None:
    """It is December 2026 and the installed library knows years up to 2026: a first visit of 2026-11-20 has its
    window in December and January. Without 2027 nothing is offered; with the operator's 2027 (元旦 01-01 to
    01-03 here) the days are counted."""
    library = library_calendar()
    before = WorkingDays(library.holidays, library.workdays, library.known_years - {2027})
    dates = divorce_dates(date(2026, 11, 20), before)
    assert not dates.holidays_known and certificate_days(dates, before) == []
    with_2027 = merge(before, [(2027, [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)], [])], "holidays.toml")
    dates = divorce_dates(date(2026, 11, 20), with_2027)
    assert dates.holidays_known
    assert (dates.cooling_off_ends, dates.last_certificate_day) == (date(2026, 12, 21), date(2027, 1, 20))
    days = certificate_days(dates, with_2027)
    assert date(2027, 1, 4) in days and date(2027, 1, 1) not in days


def test_the_second_visit_slip_says_the_dates_and_what_happens_if_nobody_comes(catalog: Catalog) -> None:
    settings = load_config(CONFIG_DIR / "kiosk.toml").settings
    compose = SlipComposer(settings, catalog, lambda: datetime(2026, 9, 10, 9, 0), library_calendar())
    for language, expected in (("zh", ("第二次到场", "申请日：2026-08-03", "冷静期届满日：2026-09-02",
                                       "申请发证最后一日：2026-10-08", "视为撤回离婚登记申请")),
                               ("en", ("Second visit", "counts as withdrawn"))):
        slip = compose(SlipRequest(SlipKind.APPOINTMENT, "divorce-registration", language, booking_number="YY-9",
                                   slot_text="2026-09-21 09:00-10:30 婚姻登记处", slot_day="2026-09-21",
                                   first_visit_day="2026-08-03"))
        text = "\n".join(b.text for b in slip.blocks if isinstance(b, Text))
        for phrase in expected:
            assert phrase in text, (language, phrase)
        assert "如在预约日提出申请" not in text  # the first visit's dates are not counted from the 领证 day

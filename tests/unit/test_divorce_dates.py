"""The divorce dates a slip prints: 30 days of 冷静期 from the day after the application, then 30 days to go back
together; a period ending on a weekend or 法定节假日 ends on the next working day (民法典 第二百零一、二百零三条).
The holidays come from chinese_calendar, so these expectations are checked against the published 2026 schedule."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.core.catalog import Catalog
from kiosk.core.divorce_dates import divorce_dates
from kiosk.core.session.commands import SlipRequest
from kiosk.core.slip_layouts import SlipComposer
from kiosk.core.slips import SlipKind, Text
from kiosk.storage.config import load_config
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
    dates = divorce_dates(applied)
    assert (dates.cooling_off_ends, dates.first_certificate_day, dates.last_certificate_day) == (
        cooling_off_ends, first, last)
    assert dates.holidays_known


def test_a_year_without_a_published_schedule_is_said_so() -> None:
    dates = divorce_dates(date(2026, 12, 10))  # the 2027 holidays are not in the installed calendar
    assert dates.cooling_off_ends == date(2027, 1, 11)  # 2027-01-09 is a Saturday: moved past the weekend
    if not dates.holidays_known:
        assert dates.cooling_off_ends.weekday() < 5


def test_the_divorce_slip_prints_the_dates(catalog: Catalog) -> None:
    settings = load_config(CONFIG_DIR / "kiosk.toml").settings
    compose = SlipComposer(settings, catalog, lambda: datetime(2026, 8, 20, 9, 0))
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
    from kiosk.core.working_days import WorkingDays, merge
    from kiosk.storage.working_days import library_calendar

    new_year = [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
    calendar = merge(library_calendar(), [(2027, new_year, [])], "holidays.toml (2027)")
    assert isinstance(calendar, WorkingDays) and calendar.knows(date(2027, 1, 1))
    # applied 2026-12-02: the 冷静期 would end on 2027-01-01, 元旦, and ends on the first day after the holiday
    without = divorce_dates(date(2026, 12, 2))
    with_operator = divorce_dates(date(2026, 12, 2), calendar)
    assert with_operator.cooling_off_ends == date(2027, 1, 4) and with_operator.holidays_known
    assert without.cooling_off_ends != with_operator.cooling_off_ends or not without.holidays_known
    settings = load_config(CONFIG_DIR / "kiosk.toml").settings
    compose = SlipComposer(settings, catalog, lambda: datetime(2026, 11, 20, 9, 0), calendar=calendar)
    slip = compose(SlipRequest(SlipKind.APPOINTMENT, "divorce-registration", booking_number="YY-4",
                               slot_text="2026-12-02 09:00-10:00 婚姻登记处", slot_day="2026-12-02"))
    text = "\n".join(b.text for b in slip.blocks if isinstance(b, Text))
    assert "冷静期届满日：2027-01-04" in text

"""The dates of a divorce registration after the first visit (民法典 第一千零七十七条):

- 冷静期: 30 days from the day after the office receives the application (第二百零一条: a period counted in days
  starts the next day);
- then 30 days in which both must go back together, to the same office, to ask for the certificate; otherwise
  the application counts as withdrawn.

A period whose last day is a 法定休假日 (weekends and public holidays) ends on the first day after the holiday
(第二百零三条). Holidays come from the configured calendar (kiosk.storage.working_days: the maintained
`chinesecalendar` with the operator's holidays.toml over it), never from a list kept here and never from the
library alone, which would ignore the operator's corrections. The schedule for a year is published late in the
year before: for a day beyond it, only weekends are known, and `holidays_known` says so, so the slip tells the
citizen to check, and the second visit is not booked until the operator adds that year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.core.working_days import WorkingDays

COOLING_OFF_DAYS = 30
CERTIFICATE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class RestDay:
    rest: bool
    known: bool
    """False when the holiday schedule of that year is not published yet (only the weekend is known)."""


def rest_day(day: date, calendar: WorkingDays) -> RestDay:
    """A 法定休假日 (a weekend day not worked by 调休, or a public holiday) or not."""
    if calendar.knows(day):
        return RestDay(not calendar.is_working_day(day), True)
    return RestDay(day.weekday() >= 5, False)


def last_day_of(start: date, days: int, calendar: WorkingDays) -> tuple[date, bool]:
    """The last day of a period of `days` days counted from the day after `start`, moved past a rest day;
    and whether every day looked at was in the published schedule."""
    return _past_rest_days(start + timedelta(days=days), calendar)


def first_working_day(after: date, calendar: WorkingDays) -> tuple[date, bool]:
    return _past_rest_days(after + timedelta(days=1), calendar)


def _past_rest_days(day: date, calendar: WorkingDays) -> tuple[date, bool]:
    """`day`, or the first day after it that is no rest day; and whether every day looked at was known."""
    known = True
    while True:
        rest = rest_day(day, calendar)
        known = known and rest.known
        if not rest.rest:
            return day, known
        day += timedelta(days=1)


@dataclass(frozen=True)
class DivorceDates:
    applied: date
    """申请日: the day the office receives the application (the first visit)."""
    cooling_off_ends: date
    """冷静期届满日: until the end of this day either party may withdraw."""
    first_certificate_day: date
    """The first working day on which both may go back for the certificate."""
    last_certificate_day: date
    """The last day to ask for the certificate together, at the same office."""
    holidays_known: bool

    def admits(self, day: date) -> bool:
        """Whether both may come for the certificate on `day` (a working day is the calendar's business)."""
        return self.first_certificate_day <= day <= self.last_certificate_day

    @property
    def window_days(self) -> int:
        """Calendar days from the first to the last day of the second visit, both counted."""
        return (self.last_certificate_day - self.first_certificate_day).days + 1


def divorce_dates(applied: date, calendar: WorkingDays) -> DivorceDates:
    cooling_off_ends, known_1 = last_day_of(applied, COOLING_OFF_DAYS, calendar)
    first, known_2 = first_working_day(cooling_off_ends, calendar)
    last, known_3 = last_day_of(cooling_off_ends, CERTIFICATE_WINDOW_DAYS, calendar)
    return DivorceDates(applied, cooling_off_ends, first, last, known_1 and known_2 and known_3)


def certificate_days(dates: DivorceDates, calendar: WorkingDays) -> list[date]:
    """The working days on which the second visit can be booked: none unless every day of the window is in the
    calendar, since a weekday of an unpublished year may be a holiday and the last day may move."""
    if not dates.holidays_known:
        return []
    return calendar.working_days_from(dates.first_certificate_day, dates.window_days)

"""Working days of the mainland calendar: weekends and 法定节假日 are off, 调休 weekend days are worked.

The facts come from the 国务院办公厅 notice of each year, published some weeks before the year begins; the
maintained library (`chinesecalendar`) learns them some weeks after that, and an installed kiosk may run an
older release. So the calendar knows a set of years, and a day of a year it does not know has no answer
(UnknownYear): it is never taken to be a working day because it is a weekday. kiosk.storage.working_days builds
it from the library and the operator's file, which takes precedence year by year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

WARN_DAYS_BEFORE_END = 60


class UnknownYear(LookupError):
    """The calendar does not know this year's holidays: add them to the operator's holidays file."""

    def __init__(self, year: int) -> None:
        super().__init__(f"the holidays of {year} are not known: add the 国务院办公厅 notice's days to holidays.toml")
        self.year = year


@dataclass(frozen=True)
class WorkingDays:
    holidays: frozenset[date]
    """法定节假日: the days off of the notice, weekend days inside a holiday break included."""
    workdays: frozenset[date]
    """调休: weekend days that are worked."""
    known_years: frozenset[int]
    sources: tuple[str, ...] = ()
    """Where the facts came from (the library's version, the operator's file), for the readiness slip."""

    def knows(self, day: date) -> bool:
        return day.year in self.known_years

    def is_working_day(self, day: date) -> bool:
        if not self.knows(day):
            raise UnknownYear(day.year)
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def known_until(self) -> date | None:
        """The last day of the unbroken run of known years: a gap year ends the calendar's knowledge there."""
        if not self.known_years:
            return None
        year = min(self.known_years)
        while year + 1 in self.known_years:
            year += 1
        return date(year, 12, 31)

    def warning(self, today: date) -> str | None:
        """A warning from WARN_DAYS_BEFORE_END days before the known calendar ends (or when today is unknown)."""
        end = self.known_until()
        if end is None or not self.knows(today):
            return f"the holiday calendar does not know {today.year}: add it to holidays.toml"
        left = (end - today).days
        if left <= WARN_DAYS_BEFORE_END:
            return (f"the holiday calendar ends {end.isoformat()} ({left} days): add {end.year + 1}'s holidays and "
                    "调休 days from the 国务院办公厅 notice to holidays.toml")
        return None

    def working_days_from(self, first: date, days: int) -> list[date]:
        """The working days among `days` calendar days from `first`; stops at the first unknown year."""
        found = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            if not self.knows(day):
                break
            if self.is_working_day(day):
                found.append(day)
        return found

    def add_working_days(self, start: date, count: int) -> date:
        """The day `count` working days after `start` (a time limit of N个工作日); UnknownYear past the calendar."""
        day = start
        left = count
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day


def merge(library: WorkingDays, operator_years: Iterable[tuple[int, Iterable[date], Iterable[date]]],
          source: str = "") -> WorkingDays:
    """The library's calendar with whole years replaced or added by the operator's file (year, holidays,
    workdays): the operator's word for a year wins over the library's."""
    holidays = set(library.holidays)
    workdays = set(library.workdays)
    years = set(library.known_years)
    for year, off, worked in operator_years:
        holidays = {d for d in holidays if d.year != year} | set(off)
        workdays = {d for d in workdays if d.year != year} | set(worked)
        years.add(year)
    sources = (*library.sources, source) if source else library.sources
    return WorkingDays(frozenset(holidays), frozenset(workdays), frozenset(years), sources)

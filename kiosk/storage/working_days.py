"""The working-day calendar from its files: the maintained library (`chinesecalendar`) and the operator's
`holidays.toml`, which adds a year the library does not know yet, or corrects one, and takes precedence.

The operator's file is `$KIOSK_HOLIDAYS`, else `/etc/kiosk/holidays.toml`, else the shipped `holidays.toml`
(kiosk.storage.config's lookup). Its form, one table a year, copied from the 国务院办公厅 notice:

    [[year]]
    year = 2027
    source = "国务院办公厅关于2027年部分节假日安排的通知"
    holidays = ["2027-01-01", "2027-01-02", ...]   # every day off of the breaks, weekends inside them included
    workdays = ["2027-02-07", ...]                 # 调休: weekend days that are worked
"""

from __future__ import annotations

import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kiosk.core.problems import ConfigError, Problem, problems_from_validation
from kiosk.core.working_days import WorkingDays, merge
from kiosk.storage.config import etc_config_dir, shipped_config_dir
from kiosk.storage.toml_cache import read_toml


class HolidayYear(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    year: Annotated[int, Field(ge=2004, le=2100)]
    source: Annotated[str, Field(min_length=4)]
    """The notice the days were copied from, so a reviewer can check them."""
    holidays: list[date]
    workdays: list[date] = []

    @model_validator(mode="after")
    def _days_of_the_year(self) -> HolidayYear:
        wrong = [d.isoformat() for d in (*self.holidays, *self.workdays) if d.year != self.year]
        if wrong:
            raise ValueError(f"days outside {self.year}: {', '.join(wrong)}")
        weekday_workdays = [d.isoformat() for d in self.workdays if d.weekday() < 5]
        if weekday_workdays:
            raise ValueError(f"调休 workdays must be weekend days: {', '.join(weekday_workdays)}")
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise ValueError(f"both a holiday and a workday: {', '.join(d.isoformat() for d in both)}")
        if not self.holidays:
            raise ValueError("no holidays: copy the notice's days off (every year has 元旦 and 春节)")
        return self


class HolidayFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    year: list[HolidayYear] = []


def holidays_file() -> Path:
    if os.environ.get("KIOSK_HOLIDAYS"):
        return Path(os.environ["KIOSK_HOLIDAYS"])
    operator = etc_config_dir() / "holidays.toml"
    return operator if operator.is_file() else shipped_config_dir() / "holidays.toml"


@lru_cache(maxsize=1)
def library_calendar() -> WorkingDays:
    """What the installed `chinesecalendar` knows (nothing, if it is not installed)."""
    try:
        import chinese_calendar
        from chinese_calendar import constants
    except ImportError:
        return WorkingDays(frozenset(), frozenset(), frozenset(), ("chinesecalendar not installed",))
    holidays = frozenset(constants.holidays)
    workdays = frozenset(constants.workdays)
    years = frozenset(range(min(holidays).year, max(holidays).year + 1))
    return WorkingDays(holidays, workdays, years, (f"chinesecalendar {chinese_calendar.__version__}",))


def load_working_days(path: Path | None = None) -> WorkingDays:
    """The library's calendar with the operator's years over it; ConfigError lists every problem of the file."""
    path = path or holidays_file()
    library = library_calendar()
    if not path.exists():
        return library
    data, problems = read_toml(path, str(path))
    if data is None:
        raise ConfigError(problems)
    try:
        parsed = HolidayFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(str(path), exc)) from None
    years = [y.year for y in parsed.year]
    if len(set(years)) != len(years):
        raise ConfigError([Problem(str(path), "year", "a year is listed twice")])
    if not parsed.year:
        return library
    return merge(library, [(y.year, y.holidays, y.workdays) for y in parsed.year],
                 f"{path} ({', '.join(str(y) for y in years)})")


def configured_calendar() -> WorkingDays:
    """The calendar slips and bookings follow: the operator's holidays.toml over the library. A file that cannot
    be used (`kiosk config check` says why before the kiosk starts) leaves the library's own years, so a broken
    file makes the next year unknown rather than stopping the kiosk."""
    try:
        return load_working_days()
    except ConfigError:
        return library_calendar()

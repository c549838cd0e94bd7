"""How much of a step's time limit a case has used, in working days of the mainland calendar.

A limit of N个工作日 counts from the day after the step began (民法典 第二百零一条: the first day is not
counted) and only working days: weekends and 法定节假日 are off, 调休 weekend days count. A year the calendar
does not know gives no answer rather than a guess (kiosk.core.working_days.UnknownYear).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from kiosk.core.working_days import UnknownYear, WorkingDays

NEAR_LEFT = 1
"""A case with this many working days left, or fewer, is flagged: due tomorrow or today."""

Flag = Literal["ok", "near", "overdue", "no_calendar"]


@dataclass(frozen=True)
class Clock:
    limit: int
    """Working days the step allows (for a 补正: the citizen's days)."""
    used: int | None
    left: int | None
    """Negative once the limit has passed."""
    due: date | None
    """The last day within the limit."""
    flag: Flag


def working_days_after(calendar: WorkingDays, first: date, last: date) -> int:
    """Working days after `first`, up to and including `last`; 0 when `last` is not after `first`."""
    count = 0
    day = first + timedelta(days=1)
    while day <= last:
        count += calendar.is_working_day(day)
        day += timedelta(days=1)
    return count


def _flag(left: int, due: date, today: date) -> Flag:
    # past the due day is overdue even when no working day has passed since (a weekend after a Friday limit)
    return "overdue" if today > due else "near" if left <= NEAR_LEFT else "ok"


def step_clock(calendar: WorkingDays, limit: int, started: date, used_before: int, today: date) -> Clock:
    """The clock of a step begun (or begun again after a 补正) on `started`, which had used `used_before`
    working days before it stopped."""
    try:
        used = used_before + working_days_after(calendar, started, today)
        due = calendar.add_working_days(started, max(limit - used_before, 0))
    except UnknownYear:
        return Clock(limit, None, None, None, "no_calendar")
    return Clock(limit, used, limit - used, due, _flag(limit - used, due, today))


def deadline_clock(calendar: WorkingDays, limit: int, due: date, today: date) -> Clock:
    """The citizen's clock of a 补正: working days left until `due`, negative once it has passed."""
    try:
        left = (working_days_after(calendar, today, due) if due >= today
                else -working_days_after(calendar, due, today))
    except UnknownYear:
        return Clock(limit, None, None, due, "no_calendar")
    return Clock(limit, limit - left, left, due, _flag(left, due, today))

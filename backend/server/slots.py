"""The appointment schedule of the reference server: working days, four sessions a day, a fixed capacity.

Working days are the mainland calendar's (kiosk.core.working_days): no slots on 法定节假日, slots on 调休
Saturdays and Sundays, and none on a day of a year whose holidays nobody told the calendar yet.
Slot ids are `item:YYYY-MM-DD:HH:MM`, so a booking names its slot without a slot table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from backend.server.state import CHINA
from kiosk.core.working_days import WorkingDays
from kiosk.storage.working_days import load_working_days

SESSIONS = (("09:00", "10:30"), ("10:30", "12:00"), ("13:30", "15:00"), ("15:00", "16:30"))


@dataclass(frozen=True, slots=True)
class SlotTime:
    item_id: str
    day: date
    start: str
    end: str

    @property
    def slot_id(self) -> str:
        return f"{self.item_id}:{self.day.isoformat()}:{self.start}"

    @property
    def starts_at(self) -> datetime:
        hour, minute = map(int, self.start.split(":"))
        return datetime.combine(self.day, time(hour, minute), CHINA)


@lru_cache(maxsize=1)
def server_calendar() -> WorkingDays:
    """The calendar the server books by: chinesecalendar with the operator's holidays.toml over it."""
    return load_working_days()


def schedule(item_id: str, first_day: date, days: int, now: datetime,
             calendar: WorkingDays | None = None) -> list[SlotTime]:
    """Future sessions on working days from first_day for `days` days (none past the known calendar)."""
    calendar = calendar or server_calendar()
    slots = []
    for day in calendar.working_days_from(first_day, days):
        for start, end in SESSIONS:
            slot = SlotTime(item_id, day, start, end)
            if slot.starts_at > now:
                slots.append(slot)
    return slots


def parse_slot_id(slot_id: str, calendar: WorkingDays | None = None) -> SlotTime | None:
    """The session a slot id names, or None when it names none (bad form, a day that is not a working day or
    of a year the calendar does not know, no such session)."""
    calendar = calendar or server_calendar()
    item_id, _, rest = slot_id.partition(":")
    day_text, _, start = rest.partition(":")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return None
    end = dict(SESSIONS).get(start)
    if not item_id or end is None or not calendar.knows(day) or not calendar.is_working_day(day):
        return None
    return SlotTime(item_id, day, start, end)

"""The appointment schedule of the reference server: working days, four sessions a day, a fixed capacity.

Slot ids are `item:YYYY-MM-DD:HH:MM`, so a booking names its slot without a slot table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from backend.server.state import CHINA

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


def schedule(item_id: str, first_day: date, days: int, now: datetime) -> list[SlotTime]:
    """Future sessions on working days from first_day for `days` days."""
    slots = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for start, end in SESSIONS:
            slot = SlotTime(item_id, day, start, end)
            if slot.starts_at > now:
                slots.append(slot)
    return slots


def parse_slot_id(slot_id: str) -> SlotTime | None:
    """The session a slot id names, or None when it names none (bad form, weekend, no such session)."""
    item_id, _, rest = slot_id.partition(":")
    day_text, _, start = rest.partition(":")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return None
    end = dict(SESSIONS).get(start)
    if not item_id or end is None or day.weekday() >= 5:
        return None
    return SlotTime(item_id, day, start, end)

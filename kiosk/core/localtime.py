"""The kiosk's local time: every time a citizen reads (progress updates, slips) is China Standard Time
(Asia/Shanghai, UTC+8 all year), whatever zone the backend or the database answered in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")  # Asia/Shanghai: no daylight saving since 1991


def local(moment: datetime) -> datetime:
    """`moment` in China Standard Time; a time without a zone is taken as UTC (how the backend stores it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA_STANDARD_TIME)


def local_text(moment: datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return local(moment).strftime(pattern)

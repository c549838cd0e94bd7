"""The usage report: per item, applications, progress lookups, appointments and guide prints in one month
across the kiosks. Applications and bookings are the server's own rows; lookups and guide prints are what
the kiosks counted and sent (POST /v1/usage). Months are calendar months in Beijing time."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from backend.contract import schemas as s
from backend.server.models import Application, Booking, Kiosk, UsageCount
from backend.server.state import CHINA, ServerState


def month_bounds(month: str) -> tuple[date, date, datetime, datetime]:
    """First and last day of `YYYY-MM`, and the instants (UTC-aware) it starts and ends in Beijing time."""
    year, number = int(month[:4]), int(month[5:7])
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    # in UTC: SQLite keeps times as UTC text and compares text, PostgreSQL compares instants either way
    start = datetime(first.year, first.month, 1, tzinfo=CHINA).astimezone(UTC)
    end = datetime(following.year, following.month, 1, tzinfo=CHINA).astimezone(UTC)
    return first, following - timedelta(days=1), start, end


def usage_report(state: ServerState, month: str, kiosk_id: str | None = None) -> s.UsageReport:
    first, last, start, end = month_bounds(month)
    totals: Counter[tuple[str, s.UsageKind]] = Counter()
    active: set[str] = set()
    with state.sessions() as session:
        when = func.coalesce(Application.submitted_at, Application.received_at)
        applications = select(Application.item_id, Application.kiosk_id, func.count()).where(
            when >= start, when < end).group_by(Application.item_id, Application.kiosk_id)
        bookings = select(Booking.item_id, Booking.kiosk_id, func.count()).where(
            Booking.created_at >= start, Booking.created_at < end).group_by(Booking.item_id, Booking.kiosk_id)
        counted = select(UsageCount.item_id, UsageCount.kind, UsageCount.kiosk_id, func.sum(UsageCount.count)).where(
            UsageCount.day >= first, UsageCount.day <= last).group_by(
            UsageCount.item_id, UsageCount.kind, UsageCount.kiosk_id)
        if kiosk_id is not None:
            applications = applications.where(Application.kiosk_id == kiosk_id)
            bookings = bookings.where(Booking.kiosk_id == kiosk_id)
            counted = counted.where(UsageCount.kiosk_id == kiosk_id)
        for item, kiosk, n in session.execute(applications):
            totals[(item, s.UsageKind.APPLICATION)] += int(n)
            active.add(kiosk)
        for item, kiosk, n in session.execute(bookings):
            totals[(item, s.UsageKind.APPOINTMENT)] += int(n)
            active.add(kiosk)
        for item, kind, kiosk, n in session.execute(counted):
            totals[(item, s.UsageKind(kind))] += int(n or 0)
            if n:
                active.add(kiosk)
        enrolled = select(func.count()).select_from(Kiosk).where(Kiosk.revoked_at.is_(None))
        if kiosk_id is not None:
            enrolled = enrolled.where(Kiosk.kiosk_id == kiosk_id)
        kiosks = session.scalar(enrolled) or 0
    rows = [s.UsageTotal(item_id=item, kind=kind, count=n) for (item, kind), n in sorted(totals.items()) if n]
    return s.UsageReport(month=month, kiosks=kiosks, active_kiosks=len(active), totals=rows)

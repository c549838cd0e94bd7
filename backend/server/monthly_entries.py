"""What the monthly 汇总表 is built from, on the server: the reporting period an administrator sets, what the
divisions enter per task (window and online counts, progress, 存在问题, 下步措施), the kiosks' sites and test
flags, and each kiosk's counts in the period. The console's pages, the staff API and `kiosk-backend report`
call these functions; the table itself is built by kiosk.core.report.

Clerks (and administrators) enter a task's values; only an administrator sets the period.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, or_, select

from backend.contract import schemas as s
from backend.server import db
from backend.server.models import Application, Booking, Kiosk, Rating, ReportEntry, ReportPeriod, UsageCount
from backend.server.staff import Principal, StaffError
from backend.server.state import CHINA, ServerState
from kiosk.core.catalog import Catalog
from kiosk.core.report import (
    Period,
    ReportError,
    ReportSettings,
    TaskEntry,
    check_entry,
    check_period,
    counted_with,
    default_period,
    parse_month,
    task_keys,
)

MAX_SITE = 100


def period_of(state: ServerState, month: str) -> s.ReportPeriodOut:
    default = default_period(month)
    with state.sessions() as session:
        row = session.get(ReportPeriod, month)
    if row is None:
        return s.ReportPeriodOut(month=month, start=default.start, end=default.end)
    return s.ReportPeriodOut(month=month, start=row.start, end=row.end, set_by=row.set_by)


def set_period(state: ServerState, by: Principal, month: str, start: date, end: date) -> s.ReportPeriodOut:
    _needs(by, "administrator", "setting the reporting period")
    check_period(month, start, end)
    with state.sessions() as session, session.begin():
        row = session.get(ReportPeriod, month)
        if row is None:
            session.add(ReportPeriod(month=month, start=start, end=end, set_by=by.name, set_at=db.now()))
        else:
            row.start, row.end, row.set_by, row.set_at = start, end, by.name, db.now()
    return period_of(state, month)


def reset_period(state: ServerState, by: Principal, month: str) -> s.ReportPeriodOut:
    """Back to the default period (the 21st of the month before to the 20th)."""
    _needs(by, "administrator", "setting the reporting period")
    parse_month(month)
    with state.sessions() as session, session.begin():
        row = session.get(ReportPeriod, month)
        if row is not None:
            session.delete(row)
    return period_of(state, month)


def entries_of(state: ServerState, month: str) -> list[s.ReportEntryOut]:
    parse_month(month)
    with state.sessions() as session:
        rows = session.scalars(select(ReportEntry).where(ReportEntry.month == month)).all()
        return [_entry_out(row) for row in rows]


def entry_of(state: ServerState, month: str, task: str) -> TaskEntry:
    """A task's entry as it stands (all empty when nothing was entered yet)."""
    parse_month(month)
    with state.sessions() as session:
        row = session.get(ReportEntry, (month, task))
    if row is None:
        return TaskEntry()
    return TaskEntry(row.window_count, row.online_count, row.progress, row.problems, row.next_steps)


def set_entry(state: ServerState, by: Principal, catalog: Catalog, settings: ReportSettings, month: str, task: str,
              entry: TaskEntry) -> s.ReportEntryOut:
    """Replace what was entered for `task` in `month`; ReportError says what is wrong with it."""
    _needs(by, "clerk", "entering the report's values")
    parse_month(month)
    keys = task_keys(catalog, settings)
    if task not in keys:
        raise ReportError(f"no task {task!r}: one of {', '.join(keys)}")
    entry = check_entry(entry)
    carrier = counted_with(catalog, int(task)) if task.isdigit() else None
    if carrier is not None and (entry.window is not None or entry.online is not None):
        raise ReportError(f"task {task} is the same item as task {carrier}: enter its counts on task {carrier}, "
                          "so they are counted once")
    if not task.isdigit() and (entry.window is not None or entry.online is not None):
        raise ReportError(f"task {task!r} is no service item and has no counts of its own")
    with state.sessions() as session, session.begin():
        row = session.get(ReportEntry, (month, task))
        if row is None:
            row = ReportEntry(month=month, task=task)
            session.add(row)
        row.window_count, row.online_count = entry.window, entry.online
        row.progress, row.problems, row.next_steps = entry.progress, entry.problems, entry.next_steps
        row.updated_by, row.updated_at = by.name, db.now()
    return _entry_out(row)


def set_kiosk_site(state: ServerState, kiosk_id: str, site: str | None = None, test: bool | None = None) -> bool:
    """Record where a kiosk stands and whether it is a test kiosk; False when no such kiosk is enrolled."""
    if site is not None and (len(site) > MAX_SITE or any(ord(c) < 32 for c in site)):
        raise ReportError(f"a site name is one line of at most {MAX_SITE} characters")
    with state.sessions() as session, session.begin():
        kiosk = session.get(Kiosk, kiosk_id)
        if kiosk is None:
            return False
        if site is not None:
            kiosk.site = site.strip()
        if test is not None:
            kiosk.test = test
    return True


def monthly_inputs(state: ServerState, month: str, preparer: str = "") -> s.MonthlyInputs:
    period = period_of(state, month)
    counts = kiosk_counts(state, Period(month, period.start, period.end))
    counted = {c.kiosk_id for c in counts}
    with state.sessions() as session:
        kiosks = session.execute(select(Kiosk.kiosk_id, Kiosk.site, Kiosk.test).where(
            or_(Kiosk.revoked_at.is_(None), Kiosk.kiosk_id.in_(counted))).order_by(Kiosk.kiosk_id)).all()
    return s.MonthlyInputs(period=period, entries=entries_of(state, month), preparer=preparer[:64], counts=counts,
                           kiosks=[s.KioskSiteOut(kiosk_id=k, site=site, test=test) for k, site, test in kiosks],
                           ratings=rating_counts(state, Period(month, period.start, period.end)))


def rating_counts(state: ServerState, period: Period) -> list[s.RatingCountOut]:
    """好差评 per kiosk and level received in the period's Beijing days."""
    start, end = _instants(period.start, period.end)
    with state.sessions() as session:
        rows = session.execute(select(Rating.kiosk_id, Rating.satisfaction, func.count()).where(
            Rating.at >= start, Rating.at < end).group_by(Rating.kiosk_id, Rating.satisfaction).order_by(
            Rating.kiosk_id, Rating.satisfaction)).all()
    return [s.RatingCountOut(kiosk_id=kiosk, satisfaction=level, count=int(n)) for kiosk, level, n in rows]


def kiosk_counts(state: ServerState, period: Period) -> list[s.KioskCountOut]:
    """Per kiosk, item and kind, in the period's Beijing days: applications (by when the citizen submitted),
    bookings made, and what the kiosks counted themselves (guide prints, look-ups)."""
    start, end = _instants(period.start, period.end)
    totals: Counter[tuple[str, str, s.UsageKind]] = Counter()
    with state.sessions() as session:
        when = func.coalesce(Application.submitted_at, Application.received_at)
        for kiosk, item, n in session.execute(select(Application.kiosk_id, Application.item_id, func.count()).where(
                when >= start, when < end).group_by(Application.kiosk_id, Application.item_id)):
            totals[(kiosk, item, s.UsageKind.APPLICATION)] += int(n)
        for kiosk, item, n in session.execute(select(Booking.kiosk_id, Booking.item_id, func.count()).where(
                Booking.created_at >= start, Booking.created_at < end).group_by(Booking.kiosk_id, Booking.item_id)):
            totals[(kiosk, item, s.UsageKind.APPOINTMENT)] += int(n)
        for kiosk, item, kind, n in session.execute(
                select(UsageCount.kiosk_id, UsageCount.item_id, UsageCount.kind, func.sum(UsageCount.count)).where(
                    UsageCount.day >= period.start, UsageCount.day <= period.end).group_by(
                    UsageCount.kiosk_id, UsageCount.item_id, UsageCount.kind)):
            totals[(kiosk, item, s.UsageKind(kind))] += int(n or 0)
    return [s.KioskCountOut(kiosk_id=kiosk, item_id=item, kind=kind, count=n)
            for (kiosk, item, kind), n in sorted(totals.items()) if n]


def _instants(first: date, last: date) -> tuple[datetime, datetime]:
    # in UTC, as reports.month_bounds: SQLite compares the stored UTC text
    start = datetime(first.year, first.month, first.day, tzinfo=CHINA).astimezone(UTC)
    following = last + timedelta(days=1)
    return start, datetime(following.year, following.month, following.day, tzinfo=CHINA).astimezone(UTC)


def _needs(by: Principal, role: str, what: str) -> None:
    if not by.may(role):
        raise StaffError(f"{what} needs the {role} role ({by.name} is {by.role})")


def _entry_out(row: ReportEntry) -> s.ReportEntryOut:
    return s.ReportEntryOut(task=row.task, window=row.window_count, online=row.online_count, progress=row.progress,
                            problems=row.problems, next_steps=row.next_steps, updated_by=row.updated_by,
                            updated_at=db.as_utc(row.updated_at))

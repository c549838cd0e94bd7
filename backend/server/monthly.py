"""The monthly 汇总表 from what the server holds (backend.server.monthly_entries): shared by `kiosk report
monthly` (through the staff API, or the local backend's own database) and `kiosk-backend report` (on the
server), so both write the same table from the same inputs."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

from backend.contract.schemas import MonthlyInputs
from backend.server.state import CHINA
from kiosk.core.catalog import Catalog
from kiosk.core.problems import ConfigError
from kiosk.core.report import (
    KioskCount,
    KioskSite,
    Period,
    RatingCount,
    ReportError,
    ReportSettings,
    SummaryInputs,
    SummaryTable,
    TaskEntry,
    build_summary,
    check_period,
    check_request,
)
from kiosk.storage.report_file import write_report
from kiosk.storage.report_settings import load_report_settings


def summary_from(catalog: Catalog, settings: ReportSettings, inputs: MonthlyInputs, today: date,
                 preparer: str | None = None) -> SummaryTable:
    """The table for the inputs; `preparer` (制表人) replaces the one the inputs name (the asking account)."""
    period = inputs.period
    entries = {e.task: TaskEntry(e.window, e.online, e.progress, e.problems, e.next_steps) for e in inputs.entries}
    check_period(period.month, period.start, period.end)
    return build_summary(catalog, settings, SummaryInputs(
        period=Period(period.month, period.start, period.end), entries=entries,
        kiosks=[KioskSite(k.kiosk_id, k.site, k.test) for k in inputs.kiosks],
        counts=[KioskCount(c.kiosk_id, c.item_id, c.kind.value, c.count) for c in inputs.counts],
        preparer=inputs.preparer if preparer is None else preparer, prepared_on=today,
        ratings=[RatingCount(r.kiosk_id, r.satisfaction, r.count) for r in inputs.ratings]))


def write_summary(table: SummaryTable, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".html":
        from backend.server.monthly_print import write_print_view

        return write_print_view(table, out)
    return write_report(table, out)


def report_settings(command: str, catalog: Catalog, directory: Path | None) -> ReportSettings | None:
    try:
        return load_report_settings(catalog, directory)
    except ConfigError as exc:
        print(f"{command}: the report settings are invalid:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


def checked_request(command: str, month: str, out: Path) -> bool:
    """The month and file format are usable; otherwise says why, as `command`, on stderr."""
    try:
        check_request(month, out)
    except ReportError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return False
    return True


def write_and_report(command: str, catalog: Catalog, settings: ReportSettings, inputs: MonthlyInputs, out: Path,
                     preparer: str | None = None) -> int:
    """Write the report file and tell the operator what it holds; the exit status of the commands. Dated in
    Beijing time on either side, so the kiosk's and the server's table of one day are the same."""
    try:
        table = summary_from(catalog, settings, inputs, datetime.now(CHINA).date(), preparer)
    except ReportError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return 2
    write_summary(table, out)
    kiosks = ", ".join(f"{n} {label}" for n, label in zip(table.sites[-1][2:], KIOSK_LABELS, strict=True))
    print(f"汇总表 {inputs.period.month} ({table.period.shown}): {len(table.rows)} tasks, "
          f"{sum(1 for e in inputs.entries if e.progress)} with progress entered; "
          f"{len([k for k in inputs.kiosks if not k.test])} kiosks: {kiosks}"
          f" (test kiosks left out: {sum(1 for k in inputs.kiosks if k.test)}) -> {out}")
    return 0


KIOSK_LABELS = ("applications", "appointments", "guide prints", "progress lookups")  # as KIOSK_KINDS

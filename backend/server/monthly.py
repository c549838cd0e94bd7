"""The monthly report file from the backend's usage figures: shared by `kiosk report monthly` (through the
staff API, or the local backend's own database) and `kiosk-backend report` (on the server)."""

from __future__ import annotations

import sys
from pathlib import Path

from backend.contract.schemas import UsageReport
from kiosk.core.catalog import Catalog
from kiosk.core.report import MonthlyReport, ReportError, build_report, check_request
from kiosk.storage.report_file import write_report


def write_monthly(catalog: Catalog, usage: UsageReport, out: Path) -> tuple[MonthlyReport, list[str]]:
    """Write the report; returns it and the item ids that were counted but are not in this catalog (left out,
    e.g. items a newer catalog on the server has)."""
    known = {item.id for item in catalog.items}
    counts = {(t.item_id, t.kind.value): t.count for t in usage.totals if t.item_id in known}
    ignored = sorted({t.item_id for t in usage.totals if t.item_id not in known})
    report = build_report(catalog, usage.month, counts, usage.kiosks)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_report(report, out)
    return report, ignored


def checked_request(command: str, month: str, out: Path) -> bool:
    """The month and file format are usable; otherwise says why, as `command`, on stderr."""
    try:
        check_request(month, out)
    except ReportError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return False
    return True


def write_and_report(catalog: Catalog, usage: UsageReport, out: Path) -> int:
    """Write the report file and tell the operator what it holds; the exit status of the commands."""
    report, ignored = write_monthly(catalog, usage, out)
    if ignored:
        print(f"note: counts for items not in this catalog were left out: {', '.join(ignored)}", file=sys.stderr)
    print(f"monthly report {summary_line(usage)}; {len(report.usage)} items, {len(report.tasks)} tasks -> {out}")
    return 0


def summary_line(usage: UsageReport) -> str:
    by_kind: dict[str, int] = {}
    for total in usage.totals:
        by_kind[total.kind.value] = by_kind.get(total.kind.value, 0) + total.count
    labels = {"application": "applications", "query": "progress lookups", "appointment": "appointments",
              "guide_print": "guide prints"}
    figures = ", ".join(f"{by_kind.get(kind, 0)} {label}" for kind, label in labels.items())
    return f"{usage.month}: {usage.kiosks} kiosks ({usage.active_kiosks} active); {figures}"

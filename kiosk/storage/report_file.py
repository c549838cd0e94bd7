"""The monthly report written to a file: CSV (with a BOM, so Excel reads the Chinese) or an xlsx workbook."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from kiosk.core.report import TASK_HEADERS, USAGE_HEADERS, MonthlyReport, ReportError


def write_report(report: MonthlyReport, out: Path) -> Path:
    suffix = out.suffix.lower()
    if suffix == ".csv":
        with out.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM so Excel reads the Chinese
            writer = csv.writer(handle)
            writer.writerow([f"跨省通办实施计划及进度情况汇总表 {report.month}", f"终端数 {report.kiosks}"])
            writer.writerow([])
            writer.writerow(USAGE_HEADERS)
            writer.writerows(report.usage)
            writer.writerow([])
            writer.writerow(TASK_HEADERS)
            writer.writerows(report.tasks)
        return out
    if suffix == ".xlsx":
        _write_xlsx(report, out)
        return out
    raise ReportError(f"unknown report format {out.suffix!r}: use .csv or .xlsx")


def _write_xlsx(report: MonthlyReport, out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheets: Sequence[tuple[str, list[str], list[list[str | int]]]] = (
        ("事项办件统计", USAGE_HEADERS, report.usage), ("任务进度汇总", TASK_HEADERS, report.tasks))
    for n, (title, headers, rows) in enumerate(sheets):
        sheet = book.active if n == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        sheet.append([f"跨省通办实施计划及进度情况汇总表 {report.month}（终端数 {report.kiosks}）"])
        sheet.append(headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True)
        for row in rows:
            sheet.append(row)
        for column, width in zip("ABCDEFGHIJKL", (10, 40, 8, 22, 12, 12, 12, 12, 30, 28, 12, 30), strict=False):
            sheet.column_dimensions[column].width = width
    book.save(out)

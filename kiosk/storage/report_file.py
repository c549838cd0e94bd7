"""The monthly 汇总表 written to a file: an xlsx workbook laid out for A4, or CSV (with a BOM, so Excel reads the
Chinese). The print view (HTML) is the server's (backend.server.monthly_print)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.core.report import (
    COUNT_COLUMNS,
    COUNTED_ELSEWHERE,
    FIRST_COUNT,
    HEADER_GROUPS,
    HEADERS,
    RATING_HEADERS,
    RATINGS_TITLE,
    SITE_HEADERS,
    ReportError,
    SummaryTable,
    chinese_date,
)

SUMMARY_SHEET = "汇总表"
SITES_SHEET = "自助终端明细（按站点）"
RATINGS_SHEET = "好差评"
NOTES_SHEET = "填表说明"
SIGNATURES = ("处室负责人（签字）：", "单位负责人（签字）：", "（单位盖章）")
WIDTHS = (  # the print view's columns are as wide, in proportion (monthly_summary.css)
    5, 28, 14, 7, 12, 12, 18, 30, 9, 9, 9, 8, 9, 9, 26, 26)
TEXT_COLUMNS = {HEADERS.index(h) for h in ("任务名称", "工作进展", "存在问题", "下步措施")}


def write_report(table: SummaryTable, out: Path) -> Path:
    suffix = out.suffix.lower()
    if suffix == ".csv":
        _write_csv(table, out)
    elif suffix == ".xlsx":
        _write_xlsx(table, out)
    else:
        raise ReportError(f"unknown report format {out.suffix!r}: use .xlsx or .csv (the print view is .html)")
    return out


def header_lines(table: SummaryTable) -> tuple[str, str]:
    return (f"填报单位：{table.reporting_unit}", f"统计起止日期：{table.period.shown}")


def footer_line(table: SummaryTable) -> str:
    made = chinese_date(table.prepared_on) if table.prepared_on else ""
    return f"制表人：{table.preparer or '　' * 6}　　制表日期：{made or '　' * 6}"


def _write_csv(table: SummaryTable, out: Path) -> None:
    with out.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM so Excel reads the Chinese
        writer = csv.writer(handle)
        writer.writerow([table.title])
        writer.writerow(header_lines(table))
        writer.writerow(_upper_header())
        writer.writerow(HEADERS)
        writer.writerows(table.rows)
        writer.writerow(table.totals)
        writer.writerow([footer_line(table)])
        writer.writerow([])
        writer.writerow([SITES_SHEET])
        writer.writerow(SITE_HEADERS)
        writer.writerows(table.sites)
        writer.writerows(table.test_kiosks)
        writer.writerow([])
        writer.writerow([RATINGS_TITLE])
        writer.writerow(RATING_HEADERS)
        writer.writerows(table.ratings)


def _upper_header() -> list[str]:
    cells: list[str] = []
    for label, span in HEADER_GROUPS:
        cells += [label] + [""] * (span - 1)
    return cells


def _write_xlsx(table: SummaryTable, out: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    _summary_sheet(summary, table)
    _sites_sheet(book.create_sheet(SITES_SHEET), table)
    _ratings_sheet(book.create_sheet(RATINGS_SHEET), table)
    notes = book.create_sheet(NOTES_SHEET)
    notes.append([f"{table.title}：填表说明"])
    for n, note in enumerate(table.notes, start=1):
        notes.append([f"{n}. {note}"])
    notes.column_dimensions["A"].width = 110
    book.save(out)


def _summary_sheet(sheet: Any, table: SummaryTable) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    width = len(HEADERS)
    sheet.append([table.title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    unit, period = header_lines(table)
    sheet.append([unit] + [""] * 7 + [period])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=8)
    sheet.merge_cells(start_row=2, start_column=9, end_row=2, end_column=width)
    # two header rows: the groups of count columns above, each column's own label below
    sheet.append(_upper_header())
    sheet.append(list(HEADERS))
    column = 1
    for label, span in HEADER_GROUPS:
        if label:
            sheet.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + span - 1)
        else:
            for n in range(column, column + span):
                sheet.cell(row=3, column=n).value = HEADERS[n - 1]
                sheet.merge_cells(start_row=3, start_column=n, end_row=4, end_column=n)
        column += span
    first_data = 5
    for row in table.rows:
        sheet.append(list(row))
    sheet.append(list(table.totals))
    last = sheet.max_row
    _merge_counted_elsewhere(sheet, first_data, last)
    _grid(sheet, 3, last, width, header_rows=(3, 4), bold_rows=(last,))
    for n in range(first_data, last + 1):
        for c in TEXT_COLUMNS:
            sheet.cell(row=n, column=c + 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append([])
    sheet.append([footer_line(table)])
    sheet.append([])
    sheet.append(["　　　　　　　".join(SIGNATURES)])
    for n, size in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = size
    sheet.freeze_panes = sheet.cell(row=first_data, column=3)  # the header and the task's number and name stay
    _a4(sheet, title_rows="3:4")


def _merge_counted_elsewhere(sheet: Any, first: int, last: int) -> None:
    """A task whose counts are on another task's row says so once, across its count columns."""
    count_columns = range(FIRST_COUNT + 1, FIRST_COUNT + len(COUNT_COLUMNS) + 1)
    for n in range(first, last + 1):
        value = sheet.cell(row=n, column=count_columns[0]).value
        if isinstance(value, str) and value.startswith(COUNTED_ELSEWHERE):
            sheet.merge_cells(start_row=n, start_column=count_columns[0], end_row=n, end_column=count_columns[-1])


def _sites_sheet(sheet: Any, table: SummaryTable) -> None:
    from openpyxl.styles import Font

    width = len(SITE_HEADERS)
    sheet.append([f"{table.title}：自助终端明细（按站点）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"统计起止日期：{table.period.shown}"])
    sheet.append(list(SITE_HEADERS))
    start = sheet.max_row
    for row in table.sites:
        sheet.append(list(row))
    _grid(sheet, start, sheet.max_row, width, header_rows=(start,), bold_rows=_label_rows(sheet, start, "小计"))
    sheet.append([])
    sheet.append(["测试终端（不计入汇总表）"])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append(list(SITE_HEADERS))
    start = sheet.max_row
    for row in table.test_kiosks:
        sheet.append(list(row))
    _grid(sheet, start, sheet.max_row, width, header_rows=(start,), bold_rows=(sheet.max_row,))
    for letter, size in zip("ABCDEF", (34, 18, 18, 12, 14, 14), strict=True):
        sheet.column_dimensions[letter].width = size
    sheet.freeze_panes = "A4"
    _a4(sheet, title_rows="3:3")


def _ratings_sheet(sheet: Any, table: SummaryTable) -> None:
    """好差评 on a sheet of its own: ratings are not usage and are never added to it."""
    from openpyxl.styles import Font

    sheet.append([f"{table.title}：{RATINGS_TITLE}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"统计起止日期：{table.period.shown}"])
    sheet.append(list(RATING_HEADERS))
    start = sheet.max_row
    for row in table.ratings:
        sheet.append(list(row))
    _grid(sheet, start, sheet.max_row, len(RATING_HEADERS), header_rows=(start,), bold_rows=(sheet.max_row,))
    for letter, size in zip("ABCDEFGH", (34, 18, 12, 10, 12, 10, 12, 16), strict=True):
        sheet.column_dimensions[letter].width = size
    sheet.freeze_panes = "A4"
    _a4(sheet, title_rows="3:3")


def _label_rows(sheet: Any, start: int, label: str) -> tuple[int, ...]:
    return tuple(n for n in range(start, sheet.max_row + 1)
                 if sheet.cell(row=n, column=2).value == label or n == sheet.max_row)


def _grid(sheet: Any, top: int, bottom: int, width: int, header_rows: Sequence[int],
          bold_rows: Sequence[int]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin")
    fill = PatternFill("solid", fgColor="E8EEF4")
    for row in sheet.iter_rows(min_row=top, max_row=bottom, max_col=width):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if cell.row in header_rows:
                cell.font = Font(bold=True)
                cell.fill = fill
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            elif cell.row in bold_rows:
                cell.font = Font(bold=True)
            if isinstance(cell.value, int):
                cell.alignment = Alignment(horizontal="right", vertical="top")


def _a4(sheet: Any, title_rows: str) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.print_options.horizontalCentered = True

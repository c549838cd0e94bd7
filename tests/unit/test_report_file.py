"""The 汇总表 as files: the workbook's layout (sheet titles, merged two-row header, borders, frozen header, A4
landscape with the header repeated on each page), the print view and the CSV."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from backend.server.monthly import write_summary
from backend.server.monthly_print import print_view
from kiosk.core.catalog import Catalog
from kiosk.core.report import (
    KioskCount,
    KioskSite,
    SummaryInputs,
    SummaryTable,
    TaskEntry,
    build_summary,
    default_period,
)
from kiosk.storage.report_file import write_report
from kiosk.storage.report_settings import load_report_settings

CATALOG_DIR = Path(__file__).resolve().parents[2] / "config" / "catalog"


@pytest.fixture(scope="module")
def table(catalog: Catalog) -> SummaryTable:
    inputs = SummaryInputs(default_period("2026-12"), {"1": TaskEntry(3, 1, "已开通\n本期受理3件", "<b>无</b>")},
                           [KioskSite("JL-A-001", "甲中心", False), KioskSite("JL-T-001", "测试间", True)],
                           [KioskCount("JL-A-001", "orphan-support", "application", 2),
                            KioskCount("JL-T-001", "orphan-support", "application", 9)], "张三", date(2026, 12, 21))
    return build_summary(catalog, load_report_settings(catalog, CATALOG_DIR), inputs)


def test_the_workbook_is_laid_out_for_filing(table: SummaryTable, tmp_path: Path) -> None:
    book = load_workbook(write_summary(table, tmp_path / "out" / "汇总表.xlsx"))
    assert book.sheetnames == ["汇总表", "自助终端明细（按站点）", "好差评", "填表说明"]
    sheet = book["汇总表"]
    assert sheet["A1"].value == "跨省通办实施计划及进度情况汇总表"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:P1", "I3:K3", "L3:N3", "A3:A4", "P3:P4", "I10:N10"} <= merged  # title, groups, 序号, task 6's counts
    assert [sheet.cell(row=4, column=n).value for n in range(9, 15)] == ["窗口", "网上", "自助终端", "预约", "指南打印",
                                                                       "进度查询"]
    assert sheet.freeze_panes == "C5"
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "landscape"  # 9: A4
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$4"
    totals_row = 5 + len(table.rows)
    assert sheet.cell(row=totals_row, column=2).value == "合计"
    for row in (3, 5, totals_row):
        for column in (1, 9, 16):
            cell = sheet.cell(row=row, column=column)
            assert cell.border.left.style == cell.border.bottom.style == "thin", cell.coordinate
    assert sheet.cell(row=totals_row + 1, column=1).border.left.style is None, "the grid ends with the totals"
    sites = book["自助终端明细（按站点）"]
    assert sites.freeze_panes == "A4" and sites.page_setup.orientation == "landscape"
    assert "测试终端（不计入汇总表）" in [c.value for c in sites["A"]]


def test_the_print_view_is_one_a4_page_set_with_the_header_repeated(table: SummaryTable, tmp_path: Path) -> None:
    page = print_view(table)
    assert "@page { size: A4 landscape;" in page and "display: table-header-group" in page
    assert 'colspan="3" rowspan="1">本期受理件数（件）' in page and 'rowspan="2">序号' in page
    assert 'colspan="6">计入第11项' in page
    assert "&lt;b&gt;无&lt;/b&gt;" in page and "<b>无</b>" not in page, "entered text is escaped"
    assert "制表人：张三" in page and "2026年11月21日至2026年12月20日" in page and "单位负责人（签字）" in page
    assert write_summary(table, tmp_path / "print.html").read_text(encoding="utf-8") == page


def test_csv_keeps_the_table_and_other_formats_are_refused(table: SummaryTable, tmp_path: Path) -> None:
    rows = list(csv.reader(write_report(table, tmp_path / "r.csv").open(encoding="utf-8-sig")))
    assert rows[0] == ["跨省通办实施计划及进度情况汇总表"] and rows[3][0] == "序号"
    assert rows[4][:3] == ["1", "孤儿救助资格认定", "未设置"] and rows[4][10] == "2"
    with pytest.raises(ValueError, match=r"use \.xlsx or \.csv"):
        write_report(table, tmp_path / "r.pdf")

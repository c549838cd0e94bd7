from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.core.catalog import Catalog
from kiosk.core.report import ReportError, build_report, parse_month
from kiosk.storage.report_file import write_report


def test_report_counts_items_and_lists_the_17_tasks(catalog: Catalog, tmp_path: Path) -> None:
    counts = {("disability-subsidies", "application"): 7, ("disability-subsidies", "query"): 3,
              ("marriage-registration", "appointment"): 2, ("property-records-query", "guide_print"): 5}
    report = build_report(catalog, "2026-11", counts, kiosks=3)
    usage = {row[1]: row for row in report.usage}
    assert usage["困难残疾人生活补贴和重度残疾人护理补贴资格认定"][4:] == [7, 3, 0, 0, 10]
    assert len(report.tasks) == 17 and [row[0] for row in report.tasks] == list(range(1, 18))
    property_rows = [row for row in report.tasks if row[1].startswith("不动产登记资料查询")]
    assert [row[10] for row in property_rows] == [5, 5]  # the item serves both the 2020 and the 2021 task
    out = write_report(report, tmp_path / "report.csv")
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][0] == "跨省通办实施计划及进度情况汇总表 2026-11" and rows[2][0] == "事项编码"
    book = load_workbook(write_report(report, tmp_path / "report.xlsx"))
    assert book.sheetnames == ["事项办件统计", "任务进度汇总"]
    assert book["任务进度汇总"].cell(row=3, column=1).value == 1


def test_bad_month_format_and_unknown_items(catalog: Catalog, tmp_path: Path) -> None:
    for month in ("2026-13", "202611", "Nov 2026"):
        with pytest.raises(ReportError):
            parse_month(month)
    with pytest.raises(ReportError, match="ghost"):
        build_report(catalog, "2026-11", {("ghost", "query"): 1}, kiosks=1)
    with pytest.raises(ReportError, match=r"use \.csv or \.xlsx"):
        write_report(build_report(catalog, "2026-11", {}, 1), tmp_path / "report.pdf")

"""The monthly 汇总表 in the console: the table for a month's period, the form a division fills in for one task,
the period an administrator sets, the workbook to download and the print view. The table is the one
`kiosk-backend report` writes (backend.server.monthly); what is entered goes through
backend.server.monthly_entries, which checks the roles again."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from backend.server.console import web
from backend.server.monthly import summary_from
from backend.server.monthly_entries import (
    entry_of,
    monthly_inputs,
    period_of,
    reset_period,
    set_entry,
    set_period,
)
from backend.server.monthly_print import STYLESHEET, print_view
from backend.server.staff import Principal
from backend.server.state import CHINA
from kiosk.core.catalog import Catalog
from kiosk.core.problems import ConfigError
from kiosk.core.report import (
    FIRST_COUNT,
    HEADER_GROUPS,
    HEADERS,
    MAX_COUNT,
    MAX_PERIOD_DAYS,
    MAX_TEXT,
    ReportError,
    ReportSettings,
    SummaryTable,
    TaskEntry,
    counted_with,
    milestone,
    parse_month,
    report_month,
)
from kiosk.storage.report_file import write_report
from kiosk.storage.report_settings import load_report_settings

router = APIRouter(prefix=f"{web.PREFIX}/monthly", include_in_schema=False)
HERE = f"{web.PREFIX}/monthly"
MonthQuery = Annotated[str, Query(max_length=7)]
TEXT_FIELDS = (("progress", "工作进展"), ("problems", "存在问题"), ("next_steps", "下步措施"))
COUNT_FIELDS = (("window", "窗口受理件数"), ("online", "网上受理件数"))


class FormProblem(ValueError):
    """What is wrong with a form, in the words shown above it."""


@dataclass(frozen=True)
class Task:
    key: str
    number: int
    name: str
    division: str
    milestone: str
    counts_on: int | None
    """The task whose row carries this one's counts (the same item), None when it has its own."""
    has_counts: bool


def _month(month: str | None) -> str:
    if not month:
        return report_month(datetime.now(CHINA).date())
    try:
        parse_month(month)
    except ReportError:
        raise FormProblem(f"月份“{month}”的格式应为 YYYY-MM，例如 2026-12。") from None
    return month


def _sources(request: Request) -> tuple[Catalog, ReportSettings]:
    catalog = web.server(request).catalog
    if catalog is None:
        raise FormProblem("服务器没有可用的事项目录，无法生成汇总表（`kiosk catalog check` 列出问题）。")
    try:
        return catalog, load_report_settings(catalog, web.server(request).settings.catalog_dir)
    except ConfigError as exc:
        raise FormProblem(f"月报设置 monthly_report.toml 有误：{'；'.join(map(str, exc.problems))}") from None


def _table(request: Request, month: str, staff: Principal) -> SummaryTable:
    catalog, settings = _sources(request)
    inputs = monthly_inputs(web.server(request), month, preparer=staff.name)
    return summary_from(catalog, settings, inputs, datetime.now(CHINA).date())


def _tasks(request: Request) -> list[Task]:
    catalog, settings = _sources(request)
    table_rows = sorted(catalog.tasks, key=lambda t: t.number)
    tasks = [Task(str(t.number), t.number, t.name, "、".join(t.responsible_divisions), milestone(t),
                  counted_with(catalog, t.number), True) for t in table_rows]
    tasks += [Task(s.key, len(table_rows) + n, s.name, s.responsible_division, s.milestone, None, False)
              for n, s in enumerate(settings.support_tasks, start=1)]
    return tasks


def _refused(request: Request, staff: Principal, problem: FormProblem, status_code: int = 422) -> HTMLResponse:
    return web.page(request, "refused.html", staff, status_code=status_code, message=str(problem))


@router.get("", response_class=HTMLResponse)
def summary_page(request: Request, staff: web.Viewer, month: MonthQuery = "", saved: str = "") -> HTMLResponse:
    try:
        month = _month(month)
        table = _table(request, month, staff)
        tasks = _tasks(request)
    except FormProblem as problem:
        return _refused(request, staff, problem)
    period = period_of(web.server(request), month)
    notice = next((f"第{t.number}项“{t.name}”已保存。" for t in tasks if t.key == saved), "")
    return web.page(request, "monthly.html", staff, table=table, month=month, period=period, tasks=tasks,
                    header_groups=HEADER_GROUPS, headers=HEADERS, first_count=FIRST_COUNT, notice=notice,
                    max_days=MAX_PERIOD_DAYS)


@router.get("/entry", response_class=HTMLResponse)
def entry_form(request: Request, staff: web.Clerk, task: Annotated[str, Query(max_length=32)],
               month: MonthQuery = "") -> HTMLResponse:
    try:
        month = _month(month)
        found = _task(request, task)
    except FormProblem as problem:
        return _refused(request, staff, problem, 404)
    entry = entry_of(web.server(request), month, found.key)
    return _entry_page(request, staff, month, found, _shown(entry))


@router.post("/entry", response_model=None)
def entry_submit(request: Request, staff: web.Clerk, form: web.CheckedForm) -> Response:
    try:
        month = _month(form.get("month", ""))
        found = _task(request, form.get("task", ""))
    except FormProblem as problem:
        return _refused(request, staff, problem, 404)
    try:
        entry = _entry_from(form, found)
        catalog, settings = _sources(request)
        set_entry(web.server(request), staff, catalog, settings, month, found.key, entry)
    except (FormProblem, ReportError) as problem:
        return _entry_page(request, staff, month, found, form, error=str(problem), status_code=422)
    return web.see_other(f"{HERE}?month={month}&saved={quote(found.key)}#task-{found.key}")


@router.post("/period", response_model=None)
def period_submit(request: Request, staff: web.Administrator, form: web.CheckedForm) -> Response:
    try:
        month = _month(form.get("month", ""))
        if form.get("reset"):
            reset_period(web.server(request), staff, month)
        else:
            start, end = _day(form.get("start", ""), "开始日期"), _day(form.get("end", ""), "结束日期")
            if end < start:
                raise FormProblem("结束日期早于开始日期，未做更改。")
            if (end - start).days + 1 > MAX_PERIOD_DAYS:
                raise FormProblem(f"统计期最长 {MAX_PERIOD_DAYS} 天，未做更改。")
            set_period(web.server(request), staff, month, start, end)
    except (FormProblem, ReportError) as problem:
        return _refused(request, staff, FormProblem(str(problem)))
    return web.see_other(f"{HERE}?month={month}")


@router.get("/report.xlsx", response_model=None)
def workbook(request: Request, staff: web.Viewer, month: MonthQuery = "") -> Response:
    try:
        month = _month(month)
        table = _table(request, month, staff)
    except FormProblem as problem:
        return _refused(request, staff, problem)
    with tempfile.TemporaryDirectory() as scratch:
        body = write_report(table, Path(scratch) / "report.xlsx").read_bytes()
    name = quote(f"跨省通办实施计划及进度情况汇总表-{month}.xlsx")
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=\"report-{month}.xlsx\"; "
                                                    f"filename*=UTF-8''{name}"})


@router.get("/print", response_class=HTMLResponse)
def print_page(request: Request, staff: web.Viewer, month: MonthQuery = "") -> HTMLResponse:
    try:
        month = _month(month)
        table = _table(request, month, staff)
    except FormProblem as problem:
        return _refused(request, staff, problem)
    return HTMLResponse(print_view(table, stylesheet=f"{HERE}/print.css"))


@router.get("/print.css", response_model=None)
def print_styles(_staff: web.Viewer) -> Response:
    return FileResponse(STYLESHEET, media_type="text/css")


def _task(request: Request, key: str) -> Task:
    found = next((t for t in _tasks(request) if t.key == key), None)
    if found is None:
        raise FormProblem(f"没有任务“{key}”。")
    return found


def _entry_page(request: Request, staff: Principal, month: str, task: Task, values: dict[str, str],
                error: str = "", status_code: int = 200) -> HTMLResponse:
    return web.page(request, "monthly_entry.html", staff, status_code=status_code, month=month, task=task,
                    values=values, error=error, period=period_of(web.server(request), month),
                    text_fields=TEXT_FIELDS, count_fields=COUNT_FIELDS, max_text=MAX_TEXT, max_count=MAX_COUNT)


def _shown(entry: TaskEntry) -> dict[str, str]:
    return {"window": "" if entry.window is None else str(entry.window),
            "online": "" if entry.online is None else str(entry.online),
            "progress": entry.progress, "problems": entry.problems, "next_steps": entry.next_steps}


def _entry_from(form: dict[str, str], task: Task) -> TaskEntry:
    texts = {}
    for key, label in TEXT_FIELDS:
        text = form.get(key, "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if len(text) > MAX_TEXT:
            raise FormProblem(f"{label}最多 {MAX_TEXT} 字，现有 {len(text)} 字。")
        texts[key] = text
    counts: dict[str, int | None] = {"window": None, "online": None}
    if task.has_counts and task.counts_on is None:
        counts = {key: _count(form.get(key, ""), label) for key, label in COUNT_FIELDS}
    return TaskEntry(counts["window"], counts["online"], texts["progress"], texts["problems"], texts["next_steps"])


def _count(text: str, label: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_COUNT:
        raise FormProblem(f"{label}应为 0 到 {MAX_COUNT} 的整数；不知道时留空（表中显示“未填报”）。")
    return int(text)


def _day(text: str, label: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FormProblem(f"{label}应为日期，例如 2026-11-21。") from None

"""The monthly 《跨省通办实施计划及进度情况汇总表》 of 吉民发〔2021〕10号 (二(五)): one row per task of the plan and
the information centre's online-channel task, for a reporting period, built from plain inputs.

The divisions file it by the 22nd, so the default period runs from the 21st of the month before to the 20th of
the report's month. The kiosk's own counts come from its telemetry; window and online counts, progress,
存在问题 and 下步措施 are what the divisions enter. Counts of different things (cases, appointments, printed
guides, look-ups) stay in their own columns and only columns are totalled. No official template was found
(items.md §6): the layout follows the plan's wording and needs confirming against its attachment 2.

Counts hold no personal data. Pure: the callers fetch the inputs and write the files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from kiosk.core.catalog import Catalog, Item, Task

TITLE = "跨省通办实施计划及进度情况汇总表"
MISSING_CODE = "未设置"
NOT_ENTERED = "未填报"
NOT_OFFERED = "—"
UNSET_SITE = "未登记站点"
COUNTED_ELSEWHERE = "计入第"
MAX_PERIOD_DAYS = 62
MAX_COUNT = 1_000_000
MAX_TEXT = 500
REPORT_FORMATS = (".xlsx", ".html", ".csv")

ROLE = {"lead": "牵头", "cooperate": "配合", "special": "特色"}
SUPPORT_ROLE = "支撑"
MILESTONE = {"by_2020_end": "2020年底前", "by_2021_end": "2021年底前", "after_2021": "2021年后按国务院、省政府统一部署",
             "special": "按国家总体部署推进"}

KIOSK_KINDS = ("application", "appointment", "guide_print", "query")
"""The kiosk's own counts, each its own column: cases submitted, appointments booked, guides printed, look-ups."""
ENTERED_KINDS = ("window", "online")

HEADER_GROUPS: tuple[tuple[str, int], ...] = (
    ("", 8), ("本期受理件数（件）", 3), ("自助终端其他服务（次）", 3), ("", 2))
"""The header's upper row: (label, columns it spans); "" where the lower row's label stands alone."""
HEADERS = ("序号", "任务名称", "事项编码", "任务类型", "牵头单位", "责任处室", "计划完成时限", "工作进展",
           "窗口", "网上", "自助终端", "预约", "指南打印", "进度查询", "存在问题", "下步措施")
COUNT_COLUMNS = ("window", "online", "application", "appointment", "guide_print", "query")
FIRST_COUNT = HEADERS.index("窗口")
SITE_HEADERS = ("站点", "终端编号", "自助终端受理（件）", "预约（次）", "指南打印（次）", "进度查询（次）")
RATING_LEVELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
"""GB/T 39046 A.8, satisfaction 1 to 5."""
RATING_HEADERS = ("站点", "终端编号", *RATING_LEVELS, "评价合计（次）")
RATINGS_TITLE = "自助终端“好差评”（政务大厅其他终端渠道，次）"

Cell = int | str


class ReportError(ValueError):
    """A request the report cannot be made for, said in words an office worker can act on."""


# ---------------------------------------------------------------- settings (config/monthly_report.toml)

OneLine = Annotated[str, StringConstraints(min_length=2, max_length=200, pattern=r"^[^\x00-\x1f]+$")]
BasicCode = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z\-]{4,40}$")]


class SupportTask(BaseModel):
    """A task of the plan that is no service item, e.g. 二(四): 省民政信息中心 builds the online channel."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9\-]{1,31}$")]
    name: OneLine
    lead_department: OneLine
    responsible_division: OneLine
    milestone: OneLine
    """The plan's deadline in its words; where it sets none, say so rather than inventing one."""


class ReportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    reporting_unit: OneLine = "吉林省民政厅"
    """填报单位 printed above the table."""
    basic_codes: dict[str, BasicCode] = {}
    """Item id → its 基本编码 in the 吉林省政务服务事项库; an item left out shows 未设置, never a made-up code."""
    support_tasks: list[SupportTask] = []


def settings_problems(settings: ReportSettings, catalog: Catalog) -> list[tuple[str, str]]:
    """(field, why) for what the model alone cannot check: codes of items the catalog lacks, duplicate keys."""
    known = {item.id for item in catalog.items}
    problems = [(f"basic_codes.{item_id}", "no such item in the catalog") for item_id in settings.basic_codes
                if item_id not in known]
    keys = [task.key for task in settings.support_tasks]
    problems += [("support_tasks", f"key {key!r} is used twice") for key in sorted(set(keys)) if keys.count(key) > 1]
    return problems


# ---------------------------------------------------------------- the period

def parse_month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ReportError(f"month must be YYYY-MM, got {text!r}")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class Period:
    month: str
    """The month the report is filed in (by its 22nd)."""
    start: date
    end: date
    """Both days included, in Beijing time."""

    @property
    def shown(self) -> str:
        return f"{chinese_date(self.start)}至{chinese_date(self.end)}"


def default_period(month: str) -> Period:
    """The 21st of the month before to the 20th of `month`: what was done by the time the report is due."""
    year, number = parse_month(month)
    end = date(year, number, 20)
    return Period(month, (end.replace(day=1) - timedelta(days=1)).replace(day=21), end)


def report_month(day: date) -> str:
    """The month whose default period holds `day`: after the 20th, the next month's report."""
    if day.day <= 20:
        return f"{day.year}-{day.month:02d}"
    following = day.replace(day=1) + timedelta(days=32)
    return f"{following.year}-{following.month:02d}"


def check_period(month: str, start: date, end: date) -> Period:
    parse_month(month)
    if end < start:
        raise ReportError(f"the period ends ({end}) before it starts ({start})")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ReportError(f"a reporting period is at most {MAX_PERIOD_DAYS} days; {start} to {end} is longer")
    return Period(month, start, end)


def check_request(month: str, out: Path) -> None:
    """A month and an output file the report can be made for, checked before any data is fetched."""
    parse_month(month)
    if out.suffix.lower() not in REPORT_FORMATS:
        raise ReportError(f"unknown report format {out.suffix or '(none)'!r}: use .xlsx, .html (print view) or .csv")


def chinese_date(day: date) -> str:
    """2026年12月6日, as dates are written on forms."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------- what the divisions enter

@dataclass(frozen=True)
class TaskEntry:
    """One task's entries for one period; None counts are not entered yet."""

    window: int | None = None
    online: int | None = None
    progress: str = ""
    problems: str = ""
    next_steps: str = ""


def check_entry(entry: TaskEntry) -> TaskEntry:
    for label, count in (("window count", entry.window), ("online count", entry.online)):
        if count is not None and not 0 <= count <= MAX_COUNT:
            raise ReportError(f"the {label} must be a whole number from 0 to {MAX_COUNT}, got {count}")
    texts = {"progress": entry.progress, "problems": entry.problems, "next steps": entry.next_steps}
    for label, text in texts.items():
        if len(text) > MAX_TEXT:
            raise ReportError(f"{label}: at most {MAX_TEXT} characters ({len(text)} given)")
        if any(ord(c) < 32 and c not in "\n\t" for c in text):
            raise ReportError(f"{label}: control characters are not allowed")
    return TaskEntry(entry.window, entry.online, *(text.strip() for text in texts.values()))


def task_keys(catalog: Catalog, settings: ReportSettings) -> list[str]:
    return [str(t.number) for t in _tasks(catalog)] + [t.key for t in settings.support_tasks]


def counted_with(catalog: Catalog, number: int) -> int | None:
    """The task whose row carries the counts of task `number`'s item when a later task has the same item
    (the 2020 不动产 tasks 6-8 and their nationwide 2021 tasks 11-13), None when it carries them itself."""
    task = next((t for t in catalog.tasks if t.number == number), None)
    if task is None:
        raise ReportError(f"no task {number} in the plan")
    carrier = max(t.number for t in catalog.tasks if t.item_id == task.item_id)
    return None if carrier == number else carrier


# ---------------------------------------------------------------- kiosk telemetry

@dataclass(frozen=True)
class KioskSite:
    kiosk_id: str
    site: str
    test: bool


@dataclass(frozen=True)
class KioskCount:
    kiosk_id: str
    item_id: str
    kind: str
    count: int


@dataclass(frozen=True)
class RatingCount:
    kiosk_id: str
    satisfaction: int
    count: int


@dataclass(frozen=True)
class SummaryInputs:
    period: Period
    entries: Mapping[str, TaskEntry]
    """By task key: the task number ("1".."17") or a support task's key."""
    kiosks: Sequence[KioskSite]
    counts: Sequence[KioskCount]
    preparer: str = ""
    prepared_on: date | None = None
    ratings: Sequence[RatingCount] = ()


# ---------------------------------------------------------------- the table

@dataclass(frozen=True)
class SummaryTable:
    title: str
    reporting_unit: str
    period: Period
    preparer: str
    prepared_on: date | None
    rows: list[list[Cell]]
    totals: list[Cell]
    sites: list[list[Cell]]
    """Production kiosks by site: a row per kiosk, 小计 per site, 合计 at the end (equals the summary's kiosk
    columns)."""
    test_kiosks: list[list[Cell]]
    """Test kiosks, kept out of the summary: a row per kiosk and their 合计."""
    notes: list[str] = field(default_factory=list)
    ratings: list[list[Cell]] = field(default_factory=list)
    """好差评 of production kiosks: a row per kiosk with ratings, by level, and the 合计 row (ratings are counted
    on their own: never added to cases, appointments, prints or look-ups)."""


def build_summary(catalog: Catalog, settings: ReportSettings, inputs: SummaryInputs) -> SummaryTable:
    known_items = {item.id for item in catalog.items}
    unknown = sorted({c.item_id for c in inputs.counts} - known_items)
    kinds = sorted({c.kind for c in inputs.counts} - set(KIOSK_KINDS))
    if kinds:
        raise ReportError(f"unknown kinds of kiosk counts: {', '.join(kinds)}")
    test_ids = {k.kiosk_id for k in inputs.kiosks if k.test}
    by_item: dict[tuple[str, str], int] = {}
    for c in inputs.counts:
        if c.kiosk_id not in test_ids and c.item_id in known_items:
            by_item[(c.item_id, c.kind)] = by_item.get((c.item_id, c.kind), 0) + c.count
    rows = [_task_row(catalog, settings, task, inputs.entries.get(str(task.number), TaskEntry()), by_item)
            for task in _tasks(catalog)]
    rows += [_support_row(n, task, inputs.entries.get(task.key, TaskEntry()))
             for n, task in enumerate(settings.support_tasks, start=len(rows) + 1)]
    notes = _notes(inputs, unknown)
    sites, tests = _by_site(inputs.kiosks, inputs.counts, known_items)
    return SummaryTable(TITLE, settings.reporting_unit, inputs.period, inputs.preparer, inputs.prepared_on, rows,
                        _totals(rows), sites, tests, notes, _ratings(inputs.kiosks, inputs.ratings))


def _tasks(catalog: Catalog) -> list[Task]:
    return sorted(catalog.tasks, key=lambda t: t.number)


def _task_row(catalog: Catalog, settings: ReportSettings, task: Task, entry: TaskEntry,
              by_item: Mapping[tuple[str, str], int]) -> list[Cell]:
    item = catalog.item(task.item_id)
    carrier = counted_with(catalog, task.number)
    if carrier is not None:
        counts: list[Cell] = [f"{COUNTED_ELSEWHERE}{carrier}项"] * len(COUNT_COLUMNS)
    else:
        entered: list[Cell] = [NOT_ENTERED if n is None else n for n in (entry.window, entry.online)]
        counts = entered + [_kiosk_cell(item, kind, by_item.get((item.id, kind), 0)) for kind in KIOSK_KINDS]
    return [task.number, task.name, settings.basic_codes.get(item.id, MISSING_CODE), ROLE[task.role],
            task.lead_department, "、".join(task.responsible_divisions), milestone(task),
            entry.progress or NOT_ENTERED, *counts, entry.problems or NOT_ENTERED, entry.next_steps or NOT_ENTERED]


def _kiosk_cell(item: Item, kind: str, count: int) -> Cell:
    offered = {"application": item.kiosk_action == "apply", "appointment": item.kiosk_action == "appointment",
               "guide_print": True, "query": item.kiosk_action == "apply"}[kind]
    return count if offered or count else NOT_OFFERED


def milestone(task: Task) -> str:
    if task.phase in ("by_2020_end", "by_2021_end"):
        where = "全国各地" if task.scope == "全国" else task.scope
        return f"{MILESTONE[task.phase]}实现{where}“跨省通办”"
    return MILESTONE[task.phase]


def _support_row(number: int, task: SupportTask, entry: TaskEntry) -> list[Cell]:
    # not a service item: no item code and no cases of its own (the online cases are on each item's row)
    return [number, task.name, NOT_OFFERED, SUPPORT_ROLE, task.lead_department, task.responsible_division,
            task.milestone, entry.progress or NOT_ENTERED, *[NOT_OFFERED] * len(COUNT_COLUMNS),
            entry.problems or NOT_ENTERED, entry.next_steps or NOT_ENTERED]


def _totals(rows: Sequence[Sequence[Cell]]) -> list[Cell]:
    totals: list[Cell] = ["", "合计", *[""] * (FIRST_COUNT - 2)]
    for n, kind in enumerate(COUNT_COLUMNS, start=FIRST_COUNT):
        cells = [row[n] for row in rows]
        total = sum(c for c in cells if isinstance(c, int))
        missing = sum(1 for c in cells if c == NOT_ENTERED)
        totals.append(f"{total}（{missing}项未填）" if kind in ENTERED_KINDS and missing else total)
    return [*totals, "", ""]


def _by_site(kiosks: Sequence[KioskSite], counts: Sequence[KioskCount],
             known_items: set[str]) -> tuple[list[list[Cell]], list[list[Cell]]]:
    listed = {k.kiosk_id: k for k in kiosks}
    for c in counts:  # a kiosk that counted but is not listed (revoked since) still counts
        listed.setdefault(c.kiosk_id, KioskSite(c.kiosk_id, "", False))
    per_kiosk: dict[str, list[int]] = {kiosk_id: [0] * len(KIOSK_KINDS) for kiosk_id in listed}
    for c in counts:
        if c.item_id in known_items:
            per_kiosk[c.kiosk_id][KIOSK_KINDS.index(c.kind)] += c.count
    production: list[list[Cell]] = []
    ordered = sorted(listed.values(), key=lambda k: (k.site or "\uffff", k.kiosk_id))
    for site in dict.fromkeys(k.site for k in ordered if not k.test):
        members = [k for k in ordered if not k.test and k.site == site]
        production += [[site or UNSET_SITE, k.kiosk_id, *per_kiosk[k.kiosk_id]] for k in members]
        production.append([site or UNSET_SITE, "小计", *_sum(per_kiosk[k.kiosk_id] for k in members)])
    production.append(["正式终端合计", "", *_sum(per_kiosk[k.kiosk_id] for k in ordered if not k.test)])
    tests: list[list[Cell]] = [[k.site or UNSET_SITE, k.kiosk_id, *per_kiosk[k.kiosk_id]] for k in ordered if k.test]
    tests.append(["测试终端合计（未计入汇总表）", "", *_sum(per_kiosk[k.kiosk_id] for k in ordered if k.test)])
    return production, tests


def _ratings(kiosks: Sequence[KioskSite], ratings: Sequence[RatingCount]) -> list[list[Cell]]:
    listed = {k.kiosk_id: k for k in kiosks}
    per_kiosk: dict[str, list[int]] = {}
    for r in ratings:
        kiosk = listed.get(r.kiosk_id, KioskSite(r.kiosk_id, "", False))
        if not kiosk.test and 1 <= r.satisfaction <= len(RATING_LEVELS):
            per_kiosk.setdefault(r.kiosk_id, [0] * len(RATING_LEVELS))[r.satisfaction - 1] += r.count
    ordered = sorted(per_kiosk, key=lambda k: ((listed[k].site if k in listed else "") or "\uffff", k))
    rows: list[list[Cell]] = [[(listed[k].site if k in listed else "") or UNSET_SITE, k, *per_kiosk[k],
                               sum(per_kiosk[k])] for k in ordered]
    total = [sum(levels) for levels in zip(*per_kiosk.values(), strict=True)] if per_kiosk else [0] * 5
    return [*rows, ["正式终端合计", "", *total, sum(total)]]


def _sum(counts: Iterable[list[int]]) -> list[Cell]:
    total = [0] * len(KIOSK_KINDS)
    for row in counts:
        total = [a + b for a, b in zip(total, row, strict=True)]
    return list(total)


def _notes(inputs: SummaryInputs, unknown: Sequence[str]) -> list[str]:
    notes = ["窗口、网上受理件数由各责任处室填报；自助终端各项为终端上报的统计数，测试终端不计入。"
             "合计栏中“（N项未填）”表示尚有N项任务未填报该栏，合计不完整。",
             "同一事项的2020年任务与2021年任务，件数只计入2021年任务一行。",
             f"事项编码取自吉林省政务服务事项库基本编码，尚未配置的显示“{MISSING_CODE}”。"]
    if unknown:
        notes.append(f"本期有终端统计的事项不在当前事项目录中，未计入：{'、'.join(unknown)}。")
    return notes


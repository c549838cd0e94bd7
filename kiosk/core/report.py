"""The monthly 跨省通办实施计划及进度情况汇总表: usage per item and the plan's 17 tasks, as CSV or XLSX.

No official template was found (items.md §6); the columns follow the proposed set there and must be
confirmed against the form attached to 吉民发〔2021〕10号. Counts hold no personal data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.catalog import Catalog, Item

USAGE_KINDS = ("application", "query", "appointment", "guide_print")
USAGE_HEADERS = ["事项编码", "事项名称", "任务类型", "自助终端办理方式", "申请件数", "进度查询次数", "预约次数",
                 "指南打印次数", "合计"]
TASK_HEADERS = ["序号", "事项名称", "任务类型", "牵头单位", "责任处室", "实现阶段", "通办范围", "实现方式",
                "共享数据", "自助终端支持", "本月办件量", "备注"]
ROLE = {"lead": "牵头", "cooperate": "配合", "special": "特色"}
PHASE = {"by_2020_end": "2020年底前", "by_2021_end": "2021年底前", "after_2021": "2021年后", "special": "特色任务"}
ACTION = {"apply": "自助申请（异地代收代办）", "appointment": "预约及材料预审（须双方到场）", "guide": "办事指南打印"}


class ReportError(ValueError):
    pass


def parse_month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ReportError(f"month must be YYYY-MM, got {text!r}")
    return int(match.group(1)), int(match.group(2))


REPORT_FORMATS = (".csv", ".xlsx")


def check_request(month: str, out: Path) -> None:
    """A month and an output file the report can be made for, checked before any data is fetched."""
    parse_month(month)
    if out.suffix.lower() not in REPORT_FORMATS:
        raise ReportError(f"unknown report format {out.suffix or '(none)'!r}: use .csv or .xlsx")


@dataclass(frozen=True)
class MonthlyReport:
    month: str
    kiosks: int
    usage: list[list[str | int]]
    tasks: list[list[str | int]]


def build_report(catalog: Catalog, month: str, counts: Mapping[tuple[str, str], int], kiosks: int) -> MonthlyReport:
    """`counts` maps (item_id, usage kind) to the number of events in the month across all kiosks."""
    parse_month(month)
    unknown = sorted({item for item, _ in counts} - {i.id for i in catalog.items})
    if unknown:
        raise ReportError(f"usage counted for items not in the catalog: {', '.join(unknown)}")
    usage: list[list[str | int]] = []
    for item in catalog.items:
        row = [counts.get((item.id, kind), 0) for kind in USAGE_KINDS]
        usage.append([item.code, item.names.zh, ROLE[item.task_role], ACTION[item.kiosk_action], *row, sum(row)])
    tasks: list[list[str | int]] = []
    for task in sorted(catalog.tasks, key=lambda t: t.number):
        item = catalog.item(task.item_id)
        served = sum(counts.get((item.id, kind), 0) for kind in USAGE_KINDS)
        tasks.append([task.number, task.name, ROLE[task.role], task.lead_department,
                      "、".join(task.responsible_divisions), PHASE[task.phase], task.scope,
                      "、".join(item.kuasheng_modes) or "待定", task.via or "-", ACTION[item.kiosk_action], served,
                      _note(item)])
    return MonthlyReport(month, kiosks, usage, tasks)


def _note(item: Item) -> str:
    if item.kiosk_action == "appointment":
        return "2025-05-10起全国通办，须双方本人到场"
    if item.task_role == "cooperate":
        return "民政数据共享；办理以牵头部门为准"
    return ""

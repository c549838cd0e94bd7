"""The case pages: the receiving office's queue (masked, most urgent first, flags), one case with its steps, clock
and a form for each move open from its stage, and the applicant's record in full behind one deliberate, audited
click (a POST with the session's CSRF token, so no prefetch or pasted link opens it).

The moves are backend.server.cases's, as the JSON API's: the same checks, the same audit.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import TypeAdapter, ValidationError

from backend.contract import schemas as s
from backend.server import cases
from backend.server.api_staff import application_detail
from backend.server.console import web
from backend.server.errors import ApiProblem
from backend.server.staff import Principal, record_opening
from kiosk.core import divisions
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend.console")
router = APIRouter(prefix=f"{web.PREFIX}/cases", include_in_schema=False)
NumberInPath = Path(pattern=r"^[A-Za-z0-9\-]{4,64}$")
MOVE_BODY: TypeAdapter[Any] = TypeAdapter(s.CaseMoveIn)

STAGE_NAMES = {"received": "已收件（待核验材料）", "correction": "待补正", "accepted": "已受理（待推送）",
               "forwarded": "已推送户籍地", "result_received": "结果已返回（待办结）", "completed": "已办结（待告知）",
               "rejected": "不予受理（待告知）", "notified": "已告知申请人（结案）"}
STATUS_NAMES = {"received": "已提交", "accepted": "已受理", "forwarded": "已推送户籍地", "completed": "已办结",
                "rejected": "不予受理"}
MOVE_NAMES = {"accept": "材料收齐，原件已核验：受理", "ask_correction": "一次性告知补正",
              "correction_met": "补正材料已收到", "forward": "推送户籍地并邮寄材料",
              "result_received": "户籍地结果已返回", "complete": "办结",
              "reject": "不予受理 / 不予认定", "notify": "已告知申请人", "": "状态变更"}
CLOCK_NAMES = {"receiving": "受理地录入推送", "domicile": "户籍地审核认定", "notify": "受理地告知申请人",
               "correction": "申请人补正期限"}
FLAG_NAMES = {"ok": "", "near": "临期", "overdue": "已超期", "no_calendar": "节假日表缺年份"}
FLAGS_SHOWN: dict[str, s.ClockFlag] = {"near": "near", "overdue": "overdue", "no_calendar": "no_calendar"}
HOW_NAMES = {"phone": "电话", "sms": "短信", "in_person": "当面", "mail": "邮寄", "other": "其他"}
OUTCOME_NAMES = {"granted": "准予（认定）", "refused": "不予认定", "": ""}
FIELD_NAMES = {"tracking_number": "寄递单号", "place": "送达地点", "reason": "原因", "working_days": "补正期限",
               "how": "告知方式", "outcome": "结果", "other": "其他材料", "note": "备注", "move": "操作"}
ERROR_WORDS = {"missing": "未填写", "string_too_short": "未填写", "string_too_long": "太长",
               "string_pattern_mismatch": "格式不对（6至40位字母、数字或连字符）", "int_parsing": "须为数字",
               "greater_than_equal": "超出范围", "less_than_equal": "超出范围", "literal_error": "请选择一项",
               "value_error": "含有不可见或控制字符"}

for name, table in (("STAGE_NAMES", STAGE_NAMES), ("STATUS_NAMES", STATUS_NAMES), ("MOVE_NAMES", MOVE_NAMES),
                    ("CLOCK_NAMES", CLOCK_NAMES), ("FLAG_NAMES", FLAG_NAMES), ("HOW_NAMES", HOW_NAMES),
                    ("OUTCOME_NAMES", OUTCOME_NAMES)):
    web.templates.env.globals[name] = table


def _item_names(request: Request) -> dict[str, str]:
    catalog = web.server(request).catalog
    return {i.id: i.short_names.zh for i in catalog.items} if catalog is not None else {}


@router.get("", response_class=HTMLResponse)
def queue_page(request: Request, staff: web.Viewer, stage: str = "", flag: str = "") -> HTMLResponse:
    chosen_stage = s.CaseStage(stage) if stage in STAGE_NAMES else None
    found = cases.queue(web.server(request), chosen_stage, FLAGS_SHOWN.get(flag), limit=200)
    return web.page(request, "cases.html", staff, found=found, stage=stage, flag=flag, items=_item_names(request))


def _case_page(request: Request, staff: Principal, number: str, error: str = "", done: str = "",
               status_code: int = 200) -> HTMLResponse:
    state = web.server(request)
    try:
        case = cases.detail(state, number, with_notes=staff.may("clerk"))
    except ApiProblem:
        return web.page(request, "refused.html", staff, status_code=404, message="没有这个办件编号。")
    item = state.catalog.get(case.item_id) if state.catalog is not None else None
    return web.page(request, "case.html", staff, status_code=status_code, case=case, item=item, error=error,
                    done=done, items=_item_names(request), may_move=staff.may("clerk"))


@router.get("/{number}", response_class=HTMLResponse)
def case_page(request: Request, staff: web.Viewer, number: str = NumberInPath, done: str = "") -> HTMLResponse:
    return _case_page(request, staff, number, done=MOVE_NAMES.get(done, ""))


def move_body(form: dict[str, str]) -> Any:
    """The move a form asks for, checked like the JSON API's body; ValidationError when a field is wrong."""
    data: dict[str, object] = {"move": form.get("move", ""), "note": form.get("note", "")}
    fields = {"ask_correction": ("other", "place", "working_days"), "forward": ("tracking_number",),
              "result_received": ("outcome",), "reject": ("reason",), "notify": ("how",)}
    for field in fields.get(str(data["move"]), ()):
        value = form.get(field, "").strip()
        if field == "working_days":
            data[field] = value or None
        elif value or field not in ("other",):
            data[field] = value
    if data["move"] == "ask_correction":
        data["materials"] = [key.removeprefix("material:") for key in form if key.startswith("material:")]
    return MOVE_BODY.validate_python(data)


def _mistakes(exc: ValidationError) -> str:
    said = []
    for error in exc.errors():
        field = next((str(part) for part in reversed(error["loc"]) if str(part) in FIELD_NAMES), "")
        said.append(f"{FIELD_NAMES.get(field, '内容')}{ERROR_WORDS.get(error['type'], '填写有误')}")
    return "；".join(dict.fromkeys(said)) + "。未做任何更改。"


@router.post("/{number}/moves", response_model=None)
def move_submit(request: Request, staff: web.Clerk, form: web.CheckedForm, number: str = NumberInPath) -> Response:
    try:
        body = move_body(form)
    except ValidationError as exc:
        return _case_page(request, staff, number, error=_mistakes(exc), status_code=422)
    try:
        cases.move(web.server(request), staff, number, body)
    except ApiProblem as problem:
        message = {409: "这个办件的当前阶段不能做这一步（可能已被其他人处理）。",
                   404: "没有这个办件编号。"}.get(problem.status, problem.detail)
        return _case_page(request, staff, number, error=f"{message}未做任何更改。", status_code=problem.status)
    return web.see_other(f"{web.PREFIX}/cases/{number}?done={body.move}")


@router.post("/{number}/record", response_class=HTMLResponse)
def record_page(request: Request, staff: web.Clerk, _form: web.CheckedForm,
                number: str = NumberInPath) -> HTMLResponse:
    """The applicant's identity and form in full: recorded (who, when, which) before anything is shown."""
    state = web.server(request)
    with state.sessions() as session:
        try:
            cases.find(session, number)
        except ApiProblem:
            return web.page(request, "refused.html", staff, status_code=404, message="没有这个办件编号。")
    record_opening(state, staff, number, "opened")
    with state.sessions() as session:
        row = cases.find(session, number)
        log_event(log, "application_opened", kiosk_id=row.kiosk_id, item_id=row.item_id, status=row.status)
        detail = application_detail(state, session, row)
    item = state.catalog.get(detail.item_id) if state.catalog is not None else None
    fields = item.form_fields if item is not None else []
    former = item.former_fields if item is not None else []
    labels = {f.id: f.label.zh for f in fields} | {f.id: f.label.zh for f in former}
    choices = {f.id: {c.value: c.label.zh for c in f.choices} for f in fields}  # guardian → 监护人
    for old in former:  # 儿童户籍所在省份 as asked before the county was: 吉林省（22）
        choices[old.id] = {given.value: f"{divisions.province_name(given.value)}（{given.value}）"
                           for given in detail.fields if given.id == old.id and divisions.province_name(given.value)}
    divisions_named = {f.id for f in fields if f.type == "division"}
    for given in detail.fields:  # 户籍所在地 by name with its code, the code that decides the receiving office
        if given.id in divisions_named:
            name = divisions.full_name(given.value)  # "" for a code the table no longer has: the bare code
            choices[given.id] = {given.value: f"{name}（{given.value}）" if name else given.value}
    applicant = json.loads(detail.applicant.model_dump_json())
    return web.page(request, "record.html", staff, detail=detail, applicant=applicant, labels=labels,
                    choices=choices, items=_item_names(request))

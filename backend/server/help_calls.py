"""Citizens' calls for staff ('呼叫工作人员'): stored when a kiosk sends one, listed for staff (the console, the
staff API, `kiosk-backend help-calls`), acknowledged by a named member of staff, and announced to the hall's
messaging group where a webhook is configured.

A call says where the citizen was and what the screen showed, never who they are: the kiosk, its site, the
screen, the error shown and the time. The webhook is posted off the request path, with a timeout and a few
tries; how it went is kept on the call and shown to staff, and a failure never reaches the kiosk.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from backend.contract import schemas as s
from backend.server import db
from backend.server.models import HelpCall, KioskAlert
from backend.server.state import CHINA, ServerState
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend")

SCREENS_ZH = {
    "home": "首页", "browsing": "事项列表", "item_guide": "办事指南", "consent": "告知同意", "identify": "读取身份证",
    "form": "填写表单", "review": "核对信息", "submitting": "提交申请", "printing": "打印凭条", "done": "办理完成",
    "guide_printing": "打印指南", "progress_query": "进度查询", "appointment": "预约", "out_of_service": "暂停服务",
}
PROBLEMS_ZH = {
    "paper_out": "打印纸用完", "paper_low": "打印纸将尽", "cover_open": "打印机盖未关", "printer_offline": "打印机离线",
    "paper_jam": "卡纸", "no_card": "未读到身份证", "card_unreadable": "身份证无法读取",
    "backend_unreachable": "网络不通", "backend_timeout": "网络超时",
}


class HelpCallError(Exception):
    """No such call."""


def view(row: HelpCall) -> s.HelpCallView:
    return s.HelpCallView(
        call_id=row.id, status="acknowledged" if row.acknowledged_at is not None else "open",
        called_at=db.as_utc(row.called_at), received_at=db.as_utc(row.received_at),
        acknowledged_at=db.as_utc(row.acknowledged_at) if row.acknowledged_at else None, kiosk_id=row.kiosk_id,
        reason=row.reason, screen=row.screen, problem=row.problem, site=row.site,
        acknowledged_by=row.acknowledged_by, webhook=row.webhook)


def kiosk_view(row: HelpCall) -> s.HelpCallOut:
    """What the kiosk that made the call may know of it: whether it was acknowledged, not by whom."""
    return s.HelpCallOut.model_validate(view(row).model_dump(include=set(s.HelpCallOut.model_fields)))


def record(session: Session, state: ServerState, kiosk_id: str, body: s.HelpCallIn) -> HelpCall:
    """Store a call and put it among the kiosk alerts, in the caller's transaction."""
    now = db.now()
    row = HelpCall(kiosk_id=kiosk_id, reason=body.reason, screen=body.screen, problem=body.problem,
                   site=body.site, called_at=body.called_at, received_at=now, acknowledged_by="",
                   webhook="pending" if state.settings.help_webhook_url else "")
    session.add(row)
    session.flush()
    detail = f"call {row.id}: {body.reason} on {body.screen}" + (f" ({body.problem})" if body.problem else "")
    session.execute(insert(KioskAlert).values(kiosk_id=kiosk_id, kind="help_call", detail=detail[:200], at=now))
    log_event(log, "help_call_received", kiosk_id=kiosk_id, reason=body.reason, phase=body.screen,
              code=body.problem or None)
    return row


def of_kiosk(state: ServerState, kiosk_id: str, call_id: int) -> HelpCall | None:
    with state.sessions() as session:
        row = session.get(HelpCall, call_id)
        return row if row is not None and row.kiosk_id == kiosk_id else None


def calls(state: ServerState, open_only: bool = False, limit: int = 100) -> list[s.HelpCallView]:
    """Newest first; `open_only`: those no one has acknowledged yet."""
    query = select(HelpCall)
    if open_only:
        query = query.where(HelpCall.acknowledged_at.is_(None))
    with state.sessions() as session:
        return [view(r) for r in session.scalars(query.order_by(HelpCall.id.desc()).limit(limit))]


def open_calls(state: ServerState) -> list[s.HelpCallView]:
    return calls(state, open_only=True)


def acknowledge(state: ServerState, call_id: int, staff_name: str) -> s.HelpCallView:
    """Staff are on their way: recorded with their name and the time, and among the kiosk alerts. A call that
    was acknowledged before keeps its first acknowledgement."""
    with state.sessions() as session, session.begin():
        row = session.get(HelpCall, call_id)
        if row is None:
            raise HelpCallError(f"no help call {call_id}")
        if row.acknowledged_at is None:
            row.acknowledged_at, row.acknowledged_by = db.now(), staff_name[:64]
            session.add(KioskAlert(kiosk_id=row.kiosk_id, kind="help_acknowledged",
                                   detail=f"call {row.id} by {staff_name}"[:200], at=row.acknowledged_at))
            log_event(log, "help_call_acknowledged", kiosk_id=row.kiosk_id)
        session.flush()
        return view(row)


def message(call: s.HelpCallView) -> str:
    """The text for the hall's messaging group: where, which kiosk, what the citizen was doing."""
    where = f"{call.site} " if call.site else ""
    screen = SCREENS_ZH.get(call.screen, call.screen)
    problem = PROBLEMS_ZH.get(call.problem, call.problem)
    doing = "暂停服务页面" if call.reason == "out_of_service" else f"“{screen}”页面"
    text = f"【呼叫工作人员】{where}{call.kiosk_id} 有群众在{doing}呼叫工作人员"
    if problem:
        text += f"，屏幕提示：{problem}"
    called = call.called_at.astimezone(CHINA)
    return f"{text}。呼叫时间 {called:%H:%M:%S}，编号 {call.call_id}。"


Post = Callable[[str, bytes, float], int]


def post_json(url: str, body: bytes, timeout_s: float) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=timeout_s) as answer:
        return int(answer.status)


@dataclass(frozen=True)
class WebhookPolicy:
    timeout_s: float = 5.0
    delays_s: Sequence[float] = (2.0, 10.0, 30.0)
    """Waits before the second, third and fourth tries."""


class HelpWebhook:
    """Posts each stored call to the hall's messaging group on its own thread. The body is the text message
    that WeCom (企业微信) and DingTalk group robots take: {"msgtype": "text", "text": {"content": ...}}."""

    def __init__(self, state: ServerState, url: str, policy: WebhookPolicy | None = None,
                 post: Post = post_json) -> None:
        self._state = state
        self._url = url
        self._policy = policy or WebhookPolicy()
        self._post = post
        self._calls: queue.Queue[int | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="help-call-webhook", daemon=True)
        self._thread.start()

    def announce(self, call_id: int) -> None:
        self._calls.put(call_id)

    def close(self) -> None:
        self._calls.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while (call_id := self._calls.get()) is not None:
            try:
                self._deliver(call_id)
            except Exception:  # the sender must outlive a bug or a database hiccup: the next call still goes
                log.exception("help webhook failed", extra={"kiosk_event": "help_webhook_error", "kiosk_fields": {}})

    def _deliver(self, call_id: int) -> None:
        with self._state.sessions() as session:
            row = session.get(HelpCall, call_id)
            if row is None:
                return
            call = view(row)
        body = json.dumps({"msgtype": "text", "text": {"content": message(call)}}, ensure_ascii=False).encode()
        outcome = ""
        for attempt, delay in enumerate((0.0, *self._policy.delays_s), start=1):
            time.sleep(delay)
            try:
                status = self._post(self._url, body, self._policy.timeout_s)
            except urllib.error.HTTPError as exc:
                outcome = f"failed: HTTP {exc.code}"
            except (urllib.error.URLError, OSError, ValueError) as exc:
                outcome = f"failed: {type(exc).__name__}"
            else:
                outcome = "sent" if 200 <= status < 300 else f"failed: HTTP {status}"
            if outcome == "sent":
                break
            log_event(log, "help_webhook_failed", logging.WARNING, kiosk_id=call.kiosk_id, attempt=attempt,
                      detail_code=outcome)
        self._record(call_id, outcome)

    def _record(self, call_id: int, outcome: str) -> None:
        with self._state.sessions() as session, session.begin():
            row = session.get(HelpCall, call_id)
            if row is not None:
                row.webhook = outcome[:200]


def webhook_of(state: ServerState) -> HelpWebhook | None:
    """The server's webhook sender, started on first use; None when no URL is configured."""
    if not state.settings.help_webhook_url:
        return None
    with _starting:
        if state.help_webhook is None:
            state.help_webhook = HelpWebhook(state, state.settings.help_webhook_url)
        webhook: HelpWebhook = state.help_webhook
    return webhook


_starting = threading.Lock()


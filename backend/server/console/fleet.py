"""The fleet pages: every kiosk at a glance with the alerts that need someone (refreshed every few seconds), and
one kiosk's page with the commands staff send it through its next heartbeat. Viewers look; clerks and
administrators acknowledge alerts and send commands (the forms carry the session's CSRF token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from backend.contract.protocol import KIOSK_ID_PATTERN
from backend.server import fleet
from backend.server.console import web
from backend.server.fleet_texts import COMMANDS
from backend.server.staff import Principal

router = APIRouter(prefix=web.PREFIX, include_in_schema=False)
REFRESH_S = 15
KioskIdInPath = Annotated[str, Path(pattern=KIOSK_ID_PATTERN)]
NOTICES = {"acknowledged": "已确认告警。", "queued": "已发出，终端下次心跳（约一分钟内）会收到并执行。"}


def _may_act(staff: Principal) -> bool:
    return staff.may("clerk")


@router.get("/fleet", response_class=HTMLResponse)
def fleet_page(request: Request, staff: web.Viewer, notice: str = "") -> HTMLResponse:
    state = web.server(request)
    return web.page(request, "fleet.html", staff, kiosks=fleet.kiosk_rows(state), alerts=fleet.alerts(state),
                    may_act=_may_act(staff), refresh_s=REFRESH_S, notice=NOTICES.get(notice, ""),
                    silent_min=state.settings.silent_after_s // 60)


@router.post("/fleet/alerts/acknowledge", response_model=None)
def acknowledge_alert(request: Request, staff: web.Clerk, form: web.CheckedForm) -> Response:
    try:
        fleet.acknowledge(web.server(request), form.get("key", ""), staff.name)
    except fleet.FleetError as exc:
        return web.page(request, "refused.html", staff, status_code=409, message=str(exc))
    return web.see_other(f"{web.PREFIX}/fleet?notice=acknowledged")


@router.get("/fleet/{kiosk_id}", response_class=HTMLResponse)
def kiosk_page(request: Request, staff: web.Viewer, kiosk_id: KioskIdInPath, notice: str = "") -> HTMLResponse:
    return _kiosk_page(request, staff, kiosk_id, notice=NOTICES.get(notice, ""))


def _kiosk_page(request: Request, staff: Principal, kiosk_id: str, status_code: int = 200, notice: str = "",
                error: str = "", message: str = "") -> HTMLResponse:
    rows = fleet.kiosk_rows(web.server(request), kiosk_id=kiosk_id)
    if not rows:
        return web.page(request, "refused.html", staff, status_code=404, message=f"没有编号为 {kiosk_id} 的终端。")
    return web.page(request, "kiosk.html", staff, status_code=status_code, kiosk=rows[0], may_act=_may_act(staff),
                    commands=COMMANDS, notice=notice, error=error, message=message)


@router.post("/fleet/{kiosk_id}/commands", response_model=None)
def send_command(request: Request, staff: web.Clerk, form: web.CheckedForm, kiosk_id: KioskIdInPath) -> Response:
    message = form.get("message", "")
    try:
        fleet.queue_command(web.server(request), kiosk_id, form.get("kind", ""), staff.name, message)
    except fleet.FleetError as exc:
        return _kiosk_page(request, staff, kiosk_id, status_code=422, error=str(exc), message=message)
    return web.see_other(f"{web.PREFIX}/fleet/{kiosk_id}?notice=queued")

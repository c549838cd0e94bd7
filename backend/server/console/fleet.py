"""The fleet page: every kiosk with its last heartbeat, what of it needs attention, and since when."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from backend.server.api_staff import kiosk_list
from backend.server.console import web

router = APIRouter(prefix=web.PREFIX, include_in_schema=False)


@router.get("/fleet", response_class=HTMLResponse)
def fleet_page(request: Request, staff: web.Viewer) -> HTMLResponse:
    return web.page(request, "fleet.html", staff, kiosks=kiosk_list(web.server(request)).kiosks)

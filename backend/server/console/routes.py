"""Mount the console on the backend's application: its routes, its error pages and its security headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from backend.server.console import cases, fleet, login, monthly, web

STATIC = Path(__file__).resolve().parent / "static"
NAV = [("/fleet", "终端"), ("/cases", "办件"), ("/monthly", "月报汇总表")]
"""The console's parts in the header, in this order: (path under /console, label)."""


def install(app: FastAPI) -> None:
    web.templates.env.globals["NAV"] = NAV
    app.include_router(login.router)
    app.include_router(fleet.router)
    app.include_router(cases.router)
    app.include_router(monthly.router)
    app.mount(f"{web.PREFIX}/static", StaticFiles(directory=STATIC), name="console-static")

    @app.exception_handler(web.SignInRequired)
    async def _sign_in(_request: Request, exc: web.SignInRequired) -> Response:
        return web.secure(web.sign_in_redirect(exc.next_path))

    @app.exception_handler(web.NotAllowed)
    async def _not_allowed(request: Request, exc: web.NotAllowed) -> Response:
        principal = web.current_staff(request)
        return web.secure(web.page(request, "refused.html", principal, status_code=403,
                                   message=f"这一操作需要“{web.ROLE_NAMES[exc.role]}”及以上权限。"))

    @app.exception_handler(web.CsrfRefused)
    async def _csrf(request: Request, _exc: web.CsrfRefused) -> Response:
        principal = web.current_staff(request)
        return web.secure(web.page(request, "refused.html", principal, status_code=403,
                                   message="表单已过期或不是从本控制台提交的，未做任何更改。请刷新页面后重试。"))

    app.add_middleware(ConsoleHeaders)


class ConsoleHeaders:
    """The console's security headers on every answer under /console, the error pages and static files too.

    A pure ASGI middleware that passes everything else straight on: the kiosks' API pays nothing for it (the
    BaseHTTPMiddleware of `@app.middleware` cost every API request most of a millisecond)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.headers = [(name.lower().encode(), value.encode()) for name, value in web.SECURITY_HEADERS.items()]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(web.PREFIX):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _value in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in self.headers if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)

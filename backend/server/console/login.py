"""Signing in and out of the console. The sign-in form has its own CSRF pair (a random value in a cookie and in
the form), since there is no session yet to bind one to; wrong passwords count against the same per-name limit
as the API's log-in, so guessing through the console is no faster."""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.server.console import web
from backend.server.staff import StaffError, log_in, revoke_token
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend.console")
router = APIRouter(prefix=web.PREFIX, include_in_schema=False)
LOGIN_CSRF_COOKIE = "console_login_csrf"
HOME = f"{web.PREFIX}/fleet"


def _safe_next(next_path: str) -> str:
    """Only a path of this console: a link to the sign-in page cannot send staff elsewhere afterwards."""
    if next_path.startswith(web.PREFIX + "/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return HOME


def _login_page(request: Request, next_path: str, error: str = "", status_code: int = 200) -> HTMLResponse:
    pair = secrets.token_urlsafe(24)
    response = web.page(request, "login.html", None, status_code=status_code, next_path=_safe_next(next_path),
                        error=error, login_csrf=pair)
    response.set_cookie(LOGIN_CSRF_COOKIE, pair, httponly=True, samesite="strict", path=web.PREFIX,
                        secure=request.url.scheme == "https", max_age=3600)
    return response


@router.get("", response_class=RedirectResponse)
@router.get("/", response_class=RedirectResponse)
def console_home() -> RedirectResponse:
    return web.see_other(HOME)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = HOME) -> HTMLResponse:
    return _login_page(request, next)


@router.post("/login", response_model=None)
def login_submit(request: Request, name: Annotated[str, Form(max_length=64)],
                 password: Annotated[str, Form(max_length=256)], csrf_token: Annotated[str, Form(max_length=64)],
                 next_path: Annotated[str, Form(max_length=500)] = HOME) -> Response:
    state = web.server(request)
    pair = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not pair or not hmac.compare_digest(pair, csrf_token):
        return _login_page(request, next_path, "页面已过期，请重新输入用户名和密码。", status_code=403)
    refusal = state.limiter.hit("login", name)
    if refusal is not None:
        minutes = max(1, -(-refusal.retry_after_s // 60))
        log_event(log, "console_log_in_limited", logging.WARNING)
        return _login_page(request, next_path, f"该用户名尝试次数过多，请 {minutes} 分钟后再试，或联系管理员。",
                           status_code=429)
    try:
        token, _expires, _role = log_in(state, name, password, hours=web.IDLE_MINUTES / 60)
    except StaffError:
        log_event(log, "console_log_in_refused", logging.WARNING)
        return _login_page(request, next_path, "用户名或密码不正确。", status_code=401)
    response = web.see_other(_safe_next(next_path))
    response.set_cookie(web.COOKIE, token, httponly=True, samesite="strict", path=web.PREFIX,
                        secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=web.PREFIX)
    return response


@router.post("/logout", response_model=None)
def logout(request: Request, _staff: web.Viewer, _form: web.CheckedForm) -> Response:
    revoke_token(web.server(request), request.cookies.get(web.COOKIE, ""))
    response = web.see_other(f"{web.PREFIX}/login")
    response.delete_cookie(web.COOKIE, path=web.PREFIX)
    return response

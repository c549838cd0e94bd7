"""What every console page shares: the signed-in member of staff, their role, CSRF and rendering.

Sign-in issues an ordinary staff token (backend.server.staff) and keeps it in a cookie that scripts cannot read
(HttpOnly), that other sites' pages never send (SameSite=Strict) and that travels only over TLS when the server
has it. The token's expiry slides with use up to an absolute limit, so a console left open at a counter closes
itself. Every form carries a CSRF token bound to the session (a keyed digest of the session's token), checked
before the form's fields are read for anything else.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from backend.contract import crypto
from backend.server import db
from backend.server.models import StaffToken
from backend.server.staff import Principal, principal_for, token_digest
from backend.server.state import ServerState
from kiosk.core.localtime import local_text

PREFIX = "/console"
COOKIE = "console_session"
IDLE_MINUTES = 30
"""A console nobody touched for this long is signed out (a counter PC left open)."""
SESSION_HOURS = 8.0
"""However busy, a sign-in lasts one working day."""
ROLE_NAMES = {"viewer": "查看员", "clerk": "经办人", "administrator": "管理员"}

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.globals["ROLE_NAMES"] = ROLE_NAMES
templates.env.globals["PREFIX"] = PREFIX


def beijing(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Times on the console are Beijing time, as at the counter and on the slips."""
    return "—" if value is None else local_text(value, pattern)


templates.env.filters["beijing"] = beijing


class SignInRequired(Exception):
    """No live console session: the exception handler sends the browser to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class NotAllowed(Exception):
    """Signed in, but the role does not allow this: a page saying so (403), never a silent redirect."""

    def __init__(self, role: str) -> None:
        super().__init__(role)
        self.role = role


def server(request: Request) -> ServerState:
    state: ServerState = request.app.state.server
    return state


def _session_token(request: Request) -> str:
    return request.cookies.get(COOKIE, "")


def current_staff(request: Request) -> Principal:
    """The member of staff signed in on this browser; each use moves the idle expiry on."""
    state = server(request)
    token = _session_token(request)
    principal = principal_for(state, token) if token else None
    if principal is None:
        raise SignInRequired(request.url.path)
    _slide_expiry(state, token)
    request.state.console_token = token
    return principal


def _slide_expiry(state: ServerState, token: str) -> None:
    digest = token_digest(state, token)
    with state.sessions() as session, session.begin():
        row = session.scalar(select(StaffToken).where(StaffToken.token_digest == digest))
        if row is not None:
            row.expires_at = session_expiry(db.as_utc(row.created_at), db.now())


def session_expiry(signed_in_at: datetime, now: datetime) -> datetime:
    """Idle for IDLE_MINUTES, or SESSION_HOURS after signing in, whichever comes first."""
    return min(now + timedelta(minutes=IDLE_MINUTES), signed_in_at + timedelta(hours=SESSION_HOURS))


def staff_with(role: str) -> Any:
    def dependency(request: Request) -> Principal:
        principal = current_staff(request)
        if not principal.may(role):
            raise NotAllowed(role)
        return principal

    return Depends(dependency)


Viewer = Annotated[Principal, staff_with("viewer")]
Clerk = Annotated[Principal, staff_with("clerk")]
Administrator = Annotated[Principal, staff_with("administrator")]


def csrf_token(state: ServerState, session_token: str) -> str:
    return crypto.mac(state.keys.profile, state.keys.index_key, b"console-csrf:" + session_token.encode()).hex()


async def checked_form(request: Request) -> dict[str, str]:
    """The fields of a POSTed form whose CSRF token belongs to this browser's session; refused (403) otherwise.

    Use as a dependency *after* the role dependency, which has found the session."""
    form = await request.form()
    sent = str(form.get("csrf_token", ""))
    token = getattr(request.state, "console_token", "") or _session_token(request)
    expected = csrf_token(server(request), token) if token else ""
    if not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused()
    return {key: str(value) for key, value in form.items() if key != "csrf_token" and isinstance(value, str)}


CheckedForm = Annotated[dict[str, str], Depends(checked_form)]


class CsrfRefused(Exception):
    """A form without this session's CSRF token: another site's page, or a page from before a new sign-in."""


def page(request: Request, template: str, principal: Principal | None, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    """Render one page; the signed-in member of staff, their CSRF token and the clock come with it."""
    token = getattr(request.state, "console_token", "")
    context.update(request=request, staff=principal, now=datetime.now(UTC),
                   csrf_token=csrf_token(server(request), token) if token else "")
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    return response


def see_other(path: str) -> RedirectResponse:
    """After a POST: the browser GETs the result, so a reload does not send the form again."""
    return RedirectResponse(path, status_code=303)


def sign_in_redirect(next_path: str) -> RedirectResponse:
    return see_other(f"{PREFIX}/login?next={quote(next_path, safe='/')}")


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages carry masked personal data: not in the browser's cache
}


def secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response

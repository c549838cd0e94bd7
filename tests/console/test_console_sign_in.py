"""Signing in to the console over real HTTP: the cookie's flags, CSRF, expiry, lockout, roles and redirects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import update

from backend.server.console.web import IDLE_MINUTES, SESSION_HOURS, session_expiry
from backend.server.models import StaffToken
from tests.backend.samples import KIOSK_ID
from tests.console.conftest import PASSWORD, Console, csrf_of


def test_a_page_without_sign_in_goes_to_the_sign_in_form_and_back(console: Console) -> None:
    response = requests.get(f"{console.url}/fleet", allow_redirects=False, timeout=10)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=/console/fleet"
    session = requests.Session()
    form = session.get(console.server.url + response.headers["location"], timeout=10)
    signed = session.post(f"{console.url}/login", timeout=10, allow_redirects=False, data={
        "name": "viewer", "password": PASSWORD, "csrf_token": csrf_of(form.text), "next_path": "/console/fleet"})
    assert signed.headers["location"] == "/console/fleet"


def test_the_session_cookie_is_out_of_reach_of_scripts_and_other_sites(console: Console) -> None:
    session = requests.Session()
    form = session.get(f"{console.url}/login", timeout=10)
    response = session.post(f"{console.url}/login", allow_redirects=False, timeout=10, data={
        "name": "clerk", "password": PASSWORD, "csrf_token": csrf_of(form.text)})
    cookie = response.headers["set-cookie"]
    assert "console_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie


def test_the_fleet_page_lists_the_enrolled_kiosk_with_the_signed_in_name(console: Console) -> None:
    page = console.signed_in("viewer").get(f"{console.url}/fleet", timeout=10)
    assert page.status_code == 200
    assert KIOSK_ID in page.text
    assert "viewer（查看员）" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_a_wrong_password_is_refused_with_a_message_and_no_cookie(console: Console) -> None:
    session = requests.Session()
    form = session.get(f"{console.url}/login", timeout=10)
    response = session.post(f"{console.url}/login", allow_redirects=False, timeout=10, data={
        "name": "clerk", "password": "not-the-password", "csrf_token": csrf_of(form.text)})
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.text
    assert "console_session" not in response.headers.get("set-cookie", "")


def test_the_sign_in_form_without_its_csrf_pair_is_refused(console: Console) -> None:
    response = requests.post(f"{console.url}/login", allow_redirects=False, timeout=10, data={
        "name": "clerk", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 403
    assert "console_session" not in response.headers.get("set-cookie", "")


def test_repeated_wrong_passwords_lock_the_name_even_for_the_right_one(console: Console) -> None:
    session = requests.Session()
    statuses = []
    for attempt in range(7):
        form = session.get(f"{console.url}/login", timeout=10)
        password = PASSWORD if attempt == 6 else "wrong-password-x"
        statuses.append(session.post(f"{console.url}/login", allow_redirects=False, timeout=10, data={
            "name": "admin", "password": password, "csrf_token": csrf_of(form.text)}).status_code)
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429], "the sixth attempt within a minute, even right, is locked out"


def test_signing_out_needs_the_csrf_token_and_ends_the_session(console: Console) -> None:
    session = console.signed_in("clerk")
    refused = session.post(f"{console.url}/logout", data={"csrf_token": "forged"}, allow_redirects=False,
                           timeout=10)
    assert refused.status_code == 403
    assert "未做任何更改" in refused.text
    page = session.get(f"{console.url}/fleet", timeout=10)
    assert page.status_code == 200, "a refused form changed nothing: still signed in"
    session.post(f"{console.url}/logout", data={"csrf_token": csrf_of(page.text)}, timeout=10)
    cookie = session.cookies.get("console_session", path="/console")
    assert cookie is None
    replayed = requests.get(f"{console.url}/fleet", cookies={"console_session": _token_of(console, page)},
                            allow_redirects=False, timeout=10)
    assert replayed.status_code == 303, "the signed-out session's cookie no longer opens a page"


def _token_of(console: Console, page: requests.Response) -> str:
    cookie = page.request.headers["cookie"]
    return cookie.split("console_session=")[1].split(";")[0]


def test_an_expired_session_is_sent_to_sign_in(console: Console) -> None:
    session = console.signed_in("clerk")
    with console.server.state.sessions() as db_session, db_session.begin():
        db_session.execute(update(StaffToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    response = session.get(f"{console.url}/fleet", allow_redirects=False, timeout=10)
    assert response.status_code == 303 and "/console/login" in response.headers["location"]


def test_a_session_expires_when_idle_and_at_the_end_of_the_working_day() -> None:
    signed_in = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    assert session_expiry(signed_in, signed_in) == signed_in + timedelta(minutes=IDLE_MINUTES)
    late = signed_in + timedelta(hours=SESSION_HOURS, minutes=-5)
    assert session_expiry(signed_in, late) == signed_in + timedelta(hours=SESSION_HOURS)


def test_after_sign_in_the_browser_is_never_sent_off_the_console(console: Console) -> None:
    session = requests.Session()
    for target in ("https://evil.example/", "//evil.example/console/", "/v1/staff/applications"):
        form = session.get(f"{console.url}/login", timeout=10)
        response = session.post(f"{console.url}/login", allow_redirects=False, timeout=10, data={
            "name": "viewer", "password": PASSWORD, "csrf_token": csrf_of(form.text), "next_path": target})
        assert response.headers["location"] == "/console/fleet", target

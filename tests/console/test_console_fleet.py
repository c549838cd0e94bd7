"""The fleet pages over real HTTP: what each role sees and may do, CSRF on every action, and bad input answered
with a page that says what is wrong."""

from __future__ import annotations

import requests
from sqlalchemy import select

from backend.server.models import KioskCommand
from tests.backend.samples import KIOSK_ID
from tests.console.conftest import Console, csrf_of


def commands(console: Console) -> list[KioskCommand]:
    with console.server.state.sessions() as session:
        return list(session.scalars(select(KioskCommand)))


def test_a_clerk_sends_a_command_from_the_kiosk_page(console: Console) -> None:
    clerk = console.signed_in("clerk")
    page = clerk.get(f"{console.url}/fleet/{KIOSK_ID}", timeout=10)
    assert page.status_code == 200 and 'id="out-of-service-on"' in page.text
    sent = clerk.post(f"{console.url}/fleet/{KIOSK_ID}/commands", allow_redirects=False, timeout=10,
                      data={"csrf_token": csrf_of(page.text), "kind": "out_of_service_on", "message": "系统升级"})
    assert sent.status_code == 303 and sent.headers["location"].endswith("?notice=queued")
    [row] = commands(console)
    assert (row.kind, row.message, row.queued_by) == ("out_of_service_on", "系统升级", "clerk")
    after = clerk.get(console.server.url + sent.headers["location"], timeout=10).text
    assert "已发出" in after and "等待终端下次心跳" in after


def test_a_viewer_sees_no_actions_and_is_refused_by_the_server(console: Console) -> None:
    viewer = console.signed_in("viewer")
    page = viewer.get(f"{console.url}/fleet/{KIOSK_ID}", timeout=10)
    assert page.status_code == 200 and "<button type=\"submit\" id=" not in page.text
    assert "查看员只能查看" in page.text
    token = csrf_of(page.text)  # the sign-out form's: a valid token of this session
    refused = viewer.post(f"{console.url}/fleet/{KIOSK_ID}/commands", timeout=10,
                          data={"csrf_token": token, "kind": "restart"})
    assert refused.status_code == 403 and "经办人" in refused.text
    assert commands(console) == []


def test_an_action_without_the_sessions_csrf_token_changes_nothing(console: Console) -> None:
    clerk = console.signed_in("clerk")
    refused = clerk.post(f"{console.url}/fleet/{KIOSK_ID}/commands", timeout=10,
                         data={"csrf_token": "0" * 64, "kind": "restart"})
    assert refused.status_code == 403 and "未做任何更改" in refused.text
    assert commands(console) == []


def test_a_message_too_long_or_an_unknown_kiosk_is_answered_with_what_is_wrong(console: Console) -> None:
    clerk = console.signed_in("clerk")
    token = csrf_of(clerk.get(f"{console.url}/fleet/{KIOSK_ID}", timeout=10).text)
    long = clerk.post(f"{console.url}/fleet/{KIOSK_ID}/commands", timeout=10,
                      data={"csrf_token": token, "kind": "out_of_service_on", "message": "停" * 81})
    assert long.status_code == 422 and "最多 80 个字" in long.text and "Traceback" not in long.text
    unknown = clerk.get(f"{console.url}/fleet/JL-NOBODY-9", timeout=10)
    assert unknown.status_code == 404 and "没有编号为 JL-NOBODY-9 的终端" in unknown.text
    assert commands(console) == []


def test_the_fleet_page_refreshes_itself_and_shows_no_buttons_to_a_viewer(console: Console) -> None:
    page = console.signed_in("viewer").get(f"{console.url}/fleet", timeout=10).text
    assert '<meta http-equiv="refresh" content="15">' in page
    assert "确认已知" not in page
    anonymous = requests.post(f"{console.url}/fleet/alerts/acknowledge", data={"key": "x"}, allow_redirects=False,
                              timeout=10)
    assert anonymous.status_code == 303 and "/console/login" in anonymous.headers["location"]

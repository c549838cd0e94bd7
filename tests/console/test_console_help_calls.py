"""A citizen's call for staff in the console (issues #17 and #20): it is the first alert on the fleet page, a
clerk acknowledges it there, and the kiosk that called learns that someone is coming."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.server.admin import enroll
from kiosk.core.help_calls import HelpRequest, HelpStatus
from kiosk.remote.client import HttpBackend
from tests.backend.samples import KIOSK_ID, make_client
from tests.console.conftest import Console, csrf_of


@pytest.fixture
def kiosk(console: Console, tmp_path: Path) -> Iterator[HttpBackend]:
    backend = make_client(console.server.url, enroll(console.server.state, KIOSK_ID), tmp_path / "kiosk")
    yield backend
    backend.close()


def test_a_call_is_the_first_alert_and_its_acknowledgement_reaches_the_kiosk(console: Console,
                                                                               kiosk: HttpBackend) -> None:
    request = HelpRequest("help-console-0001", "citizen_request", "done", "paper_out", datetime.now(UTC))
    assert kiosk.call_for_help(request) == HelpStatus.STORED
    clerk = console.signed_in("clerk")
    page = clerk.get(f"{console.url}/fleet", timeout=10).text
    first_alert = page.split('data-alert="', 1)[1]
    assert first_alert.startswith("help_call"), "a citizen waiting comes before the machines' conditions"
    assert "群众呼叫工作人员" in page and "屏幕提示：打印纸用完" in page
    key = page.split('name="key" value="', 1)[1].split('"', 1)[0]
    assert key.startswith("help:")
    assert kiosk.help_call_status(request.key) == HelpStatus.STORED
    done = clerk.post(f"{console.url}/fleet/alerts/acknowledge", timeout=10,
                      data={"csrf_token": csrf_of(page), "key": key})
    assert done.status_code == 200 and "已确认告警" in done.text
    assert "clerk 于" in done.text, "the page says who went"
    assert kiosk.help_call_status(request.key) == HelpStatus.ACKNOWLEDGED


def test_a_viewer_cannot_acknowledge_a_call(console: Console, kiosk: HttpBackend) -> None:
    request = HelpRequest("help-console-0002", "out_of_service", "out_of_service", "", datetime.now(UTC))
    kiosk.call_for_help(request)
    viewer = console.signed_in("viewer")
    page = viewer.get(f"{console.url}/fleet", timeout=10).text
    assert "暂停服务页面呼叫" in page and "确认已知" not in page
    refused = viewer.post(f"{console.url}/fleet/alerts/acknowledge", timeout=10,
                          data={"csrf_token": csrf_of(page), "key": "help:1"})
    assert refused.status_code == 403
    assert kiosk.help_call_status(request.key) == HelpStatus.STORED

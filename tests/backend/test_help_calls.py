"""Calls for help that reach someone (issue #20): a kiosk's call is stored by the backend (or queued while it
is away), shows among the alerts and the staff's open calls, goes to the hall's messaging group through the
webhook, and the staff's acknowledgement reaches the kiosk."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from backend.server import help_calls
from backend.server.admin import alerts
from backend.server.cli import main as backend_main
from backend.server.help_calls import HelpWebhook, WebhookPolicy
from kiosk.core.health import DeviceError, Reason
from kiosk.core.help_calls import HelpRequest, HelpStatus
from kiosk.remote.client import HttpBackend
from tests.backend.conftest import KIOSK_ID, Served, make_client
from tests.backend.test_offline import free_port

CALLED_AT = datetime.now(UTC)


def request(key: str = "help-0001-test", screen: str = "done", problem: str = "paper_out") -> HelpRequest:
    return HelpRequest(key, "citizen_request", screen, problem, CALLED_AT)


def staff(served: Served) -> dict[str, str]:
    return {"Authorization": f"Bearer {served.staff_token}"}


class Receiver:
    """The hall's messaging-group robot: a local HTTP server that keeps what it is sent and answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.bodies: list[dict[str, object]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(receiver.status)
                self.end_headers()
                receiver.arrived.set()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?key=test"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    robot = Receiver()
    yield robot
    robot.close()


def with_webhook(served: Served, url: str, policy: WebhookPolicy | None = None) -> None:
    served.state.settings = dataclasses.replace(served.state.settings, help_webhook_url=url)
    if policy is not None:
        served.state.help_webhook = HelpWebhook(served.state, url, policy)


def wait_for_webhook(served: Served, call_id: int, timeout_s: float = 10.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = next(c.webhook for c in help_calls.calls(served.state) if c.call_id == call_id)
        if state != "pending":
            return state
        time.sleep(0.05)
    raise AssertionError("the webhook's outcome was never recorded")


def test_a_call_reaches_the_backend_and_staff_acknowledgement_reaches_the_kiosk(
        served: Served, client: HttpBackend) -> None:
    assert client.call_for_help(request()) == HelpStatus.STORED
    [call] = help_calls.open_calls(served.state)
    assert (call.kiosk_id, call.reason, call.screen, call.problem) == (KIOSK_ID, "citizen_request", "done", "paper_out")
    assert any(a.kind == "help_call" and a.kiosk_id == KIOSK_ID for a in alerts(served.state))
    listed = requests.get(f"{served.url}/v1/staff/help-calls?open=true", headers=staff(served), timeout=5).json()
    assert [c["call_id"] for c in listed["calls"]] == [call.call_id]
    assert client.help_call_status("help-0001-test") == HelpStatus.STORED

    answer = requests.post(f"{served.url}/v1/staff/help-calls/{call.call_id}/acknowledgement", headers=staff(served),
                           timeout=5)
    assert answer.status_code == 200 and answer.json()["acknowledged_by"] == "窗口一"
    assert client.help_call_status("help-0001-test") == HelpStatus.ACKNOWLEDGED
    assert help_calls.open_calls(served.state) == []
    assert any(a.kind == "help_acknowledged" and "窗口一" in a.detail for a in alerts(served.state))


def test_a_call_sent_twice_is_one_call(served: Served, client: HttpBackend, tmp_path: Path) -> None:
    assert client.call_for_help(request()) == HelpStatus.STORED
    assert client.call_for_help(request()) == HelpStatus.STORED  # the outbox has it delivered: not sent again
    other = make_client(served.url, served.credential, tmp_path / "second-outbox")
    try:  # the same call from a second outbox (a resend after a lost answer) is the server's replay
        assert other.call_for_help(request()) == HelpStatus.STORED
    finally:
        other.close()
    assert len(help_calls.calls(served.state)) == 1
    third = make_client(served.url, served.credential, tmp_path / "third-outbox")
    try:  # the key again for another call: refused, and the kiosk says so rather than "queued"
        with pytest.raises(DeviceError) as refused:
            third.call_for_help(request(screen="identify"))
    finally:
        third.close()
    assert refused.value.reason == Reason.BACKEND_REJECTED


def test_a_call_queues_while_the_backend_is_away_and_arrives_later(served: Served, tmp_path: Path) -> None:
    away = make_client(f"http://127.0.0.1:{free_port()}", served.credential, tmp_path / "kiosk", quick_s=0.5,
                       timeout_s=0.5)
    try:
        assert away.call_for_help(request()) == HelpStatus.QUEUED
        assert away.help_call_status("help-0001-test") == HelpStatus.QUEUED
    finally:
        away.close()
    assert help_calls.calls(served.state) == []
    back = make_client(served.url, served.credential, tmp_path / "kiosk")  # the same outbox, the backend is back
    try:
        assert back.flush(timeout_s=10).delivered == 1
        assert back.help_call_status("help-0001-test") == HelpStatus.STORED
    finally:
        back.close()
    assert [c.problem for c in help_calls.open_calls(served.state)] == ["paper_out"]


def test_a_kiosk_cannot_see_calls_of_another_and_staff_need_a_clerk(served: Served, client: HttpBackend) -> None:
    client.call_for_help(request())
    [call] = help_calls.calls(served.state)
    with pytest.raises(help_calls.HelpCallError):
        help_calls.acknowledge(served.state, call.call_id + 1, "窗口一")
    assert help_calls.of_kiosk(served.state, "JL-OTHER-001", call.call_id) is None
    missing = requests.post(f"{served.url}/v1/staff/help-calls/{call.call_id + 1}/acknowledgement",
                            headers=staff(served), timeout=5)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert requests.get(f"{served.url}/v1/staff/help-calls", timeout=5).status_code == 401


def test_the_webhook_tells_the_hall_group_where_and_what_but_nothing_personal(
        served: Served, client: HttpBackend, receiver: Receiver) -> None:
    with_webhook(served, receiver.url)
    client.site = "长春市南关区政务服务中心"
    client.call_for_help(request())
    assert receiver.arrived.wait(10)
    [body] = receiver.bodies
    assert body["msgtype"] == "text"
    text = body["text"]["content"]  # type: ignore[index]
    assert "长春市南关区政务服务中心" in text and KIOSK_ID in text and "办理完成" in text and "打印纸用完" in text
    [call] = help_calls.calls(served.state)
    assert wait_for_webhook(served, call.call_id) == "sent"


def test_a_failing_webhook_is_retried_shown_to_staff_and_never_blocks_the_kiosk(
        served: Served, client: HttpBackend, receiver: Receiver) -> None:
    receiver.status = 500
    with_webhook(served, receiver.url, WebhookPolicy(timeout_s=1.0, delays_s=(0.05, 0.05)))
    started = time.monotonic()
    assert client.call_for_help(request()) == HelpStatus.STORED
    assert time.monotonic() - started < 2.0
    [call] = help_calls.calls(served.state)
    assert wait_for_webhook(served, call.call_id) == "failed: HTTP 500"
    assert len(receiver.bodies) == 3  # the first try and two more
    with_webhook(served, f"http://127.0.0.1:{free_port()}/nobody", WebhookPolicy(timeout_s=0.5, delays_s=()))
    client.call_for_help(request("help-0002-test"))
    second = max(c.call_id for c in help_calls.calls(served.state))
    assert wait_for_webhook(served, second).startswith("failed: ")


def test_the_help_calls_command_lists_and_acknowledges_as_a_named_account(
        served: Served, client: HttpBackend, capsys: pytest.CaptureFixture[str]) -> None:
    client.call_for_help(request())
    [call] = help_calls.calls(served.state)
    settings = served.state.settings
    common = ["--database", settings.database_url, "--key-dir", str(settings.key_dir)]
    assert backend_main(["help-calls", *common]) == 0
    out = capsys.readouterr().out
    assert f"{call.call_id:>6}" in out and KIOSK_ID in out and "done (paper_out)" in out and "1 call open" in out
    assert backend_main(["help-calls", *common, "--ack", str(call.call_id), "--as", "nobody"]) == 2
    assert "active staff account" in capsys.readouterr().err
    assert backend_main(["help-calls", *common, "--ack", str(call.call_id), "--as", "窗口一"]) == 0
    assert client.help_call_status("help-0001-test") == HelpStatus.ACKNOWLEDGED
    assert backend_main(["help-calls", *common]) == 0
    assert "0 calls open" in capsys.readouterr().out
    assert backend_main(["help-calls", *common, "--all", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["acknowledged_by"] == "窗口一"

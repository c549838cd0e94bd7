"""Issue #20 by touch, with the kiosk's own backend: a call for staff is stored and said so, staff acknowledge it
through the staff API and the kiosk says they are coming; the buzzer or light follows; an error panel (paper
out) carries the call button and the call names what the screen showed."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from backend.server.admin import new_staff_token
from kiosk.core.health import Reason
from kiosk.core.help_calls import HelpStatus
from kiosk.core.session.states import TaskStatus
from tests.ui.harness import Harness
from tests.ui.test_journeys import open_item

pytestmark = pytest.mark.slow


def status_is(kiosk: Harness, status: HelpStatus) -> bool:
    call = kiosk.pilot.state.help_call
    return call is not None and call.status == status


def staff_api(kiosk: Harness) -> tuple[str, dict[str, str]]:
    local: Any = kiosk.backend.started()
    return local.server.url, {"Authorization": f"Bearer {new_staff_token(local.server.state, '窗口一')}"}


def open_calls(kiosk: Harness) -> list[dict[str, Any]]:
    url, headers = staff_api(kiosk)
    calls: list[dict[str, Any]] = requests.get(f"{url}/v1/staff/help-calls?open=true", headers=headers,
                                               timeout=5).json()["calls"]
    return calls


def test_a_call_is_stored_then_staff_acknowledge_it(kiosk: Harness) -> None:
    p = kiosk.pilot
    signal = kiosk.app.kiosk.ports.signal
    p.tap("bar:staff")
    p.wait_until(lambda: status_is(kiosk, HelpStatus.STORED), what="the call stored by the backend")
    p.frames(2)
    assert "已通知工作人员，请稍候" in p.texts()
    assert signal.wait_for(True, 5)
    kiosk.shot("stored")
    call = open_calls(kiosk)[0]  # the newest: earlier tests' calls may stand unanswered
    assert (call["kiosk_id"], call["screen"], call["reason"]) == (kiosk.app.kiosk_id, "home", "citizen_request")

    standing = len(open_calls(kiosk))
    p.tap("bar:staff")  # pressed again while staff are on their way: no second call
    assert len(open_calls(kiosk)) == standing
    url, headers = staff_api(kiosk)
    answer = requests.post(f"{url}/v1/staff/help-calls/{call['call_id']}/acknowledgement", headers=headers, timeout=5)
    assert answer.status_code == 200
    p.wait_until(lambda: status_is(kiosk, HelpStatus.ACKNOWLEDGED), timeout_s=15, what="the acknowledgement")
    p.frames(2)
    assert "工作人员已收到，马上过来" in p.texts()
    assert signal.wait_for(False, 5)
    kiosk.shot("acknowledged")
    p.tap("bar:lang:en")
    assert "Staff have received your call and are on their way" in p.texts()
    kiosk.shot("acknowledged-en")


def test_a_failed_guide_print_offers_the_call_and_names_paper_out(kiosk: Harness) -> None:
    p = kiosk.pilot
    open_item(kiosk, "data_sharing", "spouse-hukou-transfer")
    kiosk.printer.fail_next(Reason.PAPER_OUT)
    p.tap("guide:print")
    p.wait_for_screen("guide_printing")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.FAILED, what="the print failing")
    p.frames(2)
    kiosk.shot("paper-out")
    p.tap("error:call_staff")
    p.wait_until(lambda: status_is(kiosk, HelpStatus.STORED), what="the call stored by the backend")
    call = open_calls(kiosk)[0]
    assert (call["screen"], call["problem"]) == ("guide_printing", "paper_out")
    p.frames(2)
    kiosk.shot("paper-out-called")

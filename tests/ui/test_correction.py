"""A 补正 as the citizen meets it: the office asks for more materials through the staff API of the kiosk's own
backend, and the progress query shows what to bring, where and by when, in Chinese, English and Korean, and says
so aloud; once the case is finished the same query shows 已办结."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import requests

from backend.server.admin import new_staff_token
from kiosk.core.session.states import TaskStatus
from screens import i18n
from tests.ui.harness import Harness
from tests.ui.test_accessibility import wait_for_speech
from tests.ui.test_next_steps import joined

pytestmark = pytest.mark.slow
PLACE = "长春市南关区民政局跨省通办窗口（人民大街1号）"
STAFF_NOTE = "内部备注：监护人电话未接"


def staff_move(kiosk: Harness, number: str, body: dict[str, Any]) -> dict[str, Any]:
    server = kiosk.backend.started().server
    token = new_staff_token(server.state, "窗口一")
    answer = requests.post(f"{server.url}/v1/staff/cases/{number}/moves", json=body, timeout=10,
                           headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    case: dict[str, Any] = answer.json()
    return case


def query(kiosk: Harness, number: str) -> None:
    p = kiosk.pilot
    p.tap("progress:number")
    p.type_keys(number)
    p.tap("editor:ok")
    p.wait_until(lambda: p.state.session.progress.status == TaskStatus.DONE and p.state.session.records,
                 what="the record")


def test_a_correction_shows_what_to_bring_where_and_by_when_then_banjie(kiosk: Harness) -> None:
    p = kiosk.pilot
    number = kiosk.submit_application("correction-ui", "BZ").application_number
    case = staff_move(kiosk, number, {"move": "ask_correction", "materials": ["child-hukou", "child-photo"],
                                      "other": "监护关系证明原件", "place": PLACE, "note": STAFF_NOTE})
    due = date.fromisoformat(case["correction"]["due"])
    kiosk.app.kiosk.ports.speech.clear()
    p.tap("home:progress")
    p.wait_for_screen("progress")
    query(kiosk, number)
    wait_for_speech(kiosk, i18n.t("notice.correction", "zh"))
    kiosk.shot("correction-zh")
    text = joined(kiosk)
    assert "需补正材料" in text and "孤儿本人户口簿" in text and "儿童近期免冠照片" in text
    assert "监护关系证明原件" in text and PLACE in text and f"{due.year}年{due.month}月{due.day}日" in text
    assert STAFF_NOTE not in text

    p.tap("bar:lang:en")
    kiosk.shot("correction-en")
    text = joined(kiosk)
    assert "Documents to bring" in text and "The child's household register (hukou book)" in text
    assert f"Deadline: {due.month}/{due.day}/{due.year}" in text and PLACE in text
    p.tap("bar:lang:ko")
    kiosk.shot("correction-ko")
    assert "가져올 자료" in joined(kiosk)
    p.tap("bar:lang:zh")

    for body in ({"move": "correction_met"}, {"move": "forward", "tracking_number": "EMS1180231234567"},
                 {"move": "result_received", "outcome": "granted"}, {"move": "complete"}):
        staff_move(kiosk, number, body)
    query(kiosk, number)
    p.wait_until(lambda: "已办结" in joined(kiosk), what="已办结")
    kiosk.shot("banjie-zh")
    assert "需补充的材料" not in joined(kiosk)
    p.tap("progress:finish")

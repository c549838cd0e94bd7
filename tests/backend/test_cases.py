"""The receiving office's cases over real HTTP (SQLite and PostgreSQL): the 异地代收代办 steps with 补正, what a
kiosk's progress query shows of them, step clocks from the catalog, the queue's flags, roles and the audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import select, text, update

from backend.server import db
from backend.server.models import Application as ApplicationRow
from backend.server.models import ApplicationEvent
from backend.server.staff import add_account, issue_token
from kiosk.core.catalog import Item
from kiosk.core.records import ApplicationStatus, ProgressQuery
from kiosk.remote.client import HttpBackend
from tests.backend.conftest import Served, application

PLACE = "长春市南关区民政局跨省通办窗口"
TRACKING = "EMS1180231234567"


def call(served: Served, method: str, path: str, body: object = None, token: str = "") -> requests.Response:
    return requests.request(method, served.url + path, json=body, timeout=10,
                            headers={"Authorization": f"Bearer {token or served.staff_token}"})


def move(served: Served, number: str, body: dict[str, Any], token: str = "") -> requests.Response:
    return call(served, "POST", f"/v1/staff/cases/{number}/moves", body, token)


def moved(served: Served, number: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = move(served, number, body)
    assert answer.status_code == 200, answer.text
    case: dict[str, Any] = answer.json()
    return case


def test_a_case_through_correction_shows_the_kiosk_what_to_bring_and_then_banjie(
        served: Served, client: HttpBackend, apply_item: Item) -> None:
    number = client.submit(application(apply_item, 11)).application_number or ""
    material = apply_item.materials[0]
    case = moved(served, number, {"move": "ask_correction", "materials": [material.id], "other": "户口簿首页复印件",
                                  "place": PLACE, "note": "内部：原件核验时发现缺页"})
    assert case["stage"] == "correction" and case["status"] == "received"  # a kiosk of before sees 已提交
    assert case["clock"]["kind"] == "correction" and case["clock"]["limit_working_days"] == 10

    record = client.progress(ProgressQuery(application_number=number))[0]
    assert record.status == ApplicationStatus.CORRECTION and record.correction is not None
    assert record.correction.materials == ((material.id, material.name.zh), ("", "户口簿首页复印件"))
    assert record.correction.place == PLACE and record.correction.due.isoformat() == case["clock"]["due"]
    assert "内部" not in repr(record) + record.note  # the staff note never reaches the citizen

    case = moved(served, number, {"move": "correction_met"})
    assert case["stage"] == "accepted" and case["status"] == "accepted" and case["correction"] is None
    assert case["clock"]["kind"] == "receiving" and case["clock"]["limit_working_days"] == 3  # 自材料收齐之日起
    assert client.progress(ProgressQuery(application_number=number))[0].correction is None

    case = moved(served, number, {"move": "forward", "tracking_number": TRACKING})
    assert (case["stage"], case["clock"]["kind"]) == ("forwarded", "domicile")
    assert case["clock"]["limit_working_days"] == apply_item.case_clock_limit("domicile")
    case = moved(served, number, {"move": "result_received", "outcome": "granted"})
    assert (case["stage"], case["status"], case["clock"]["kind"]) == ("result_received", "forwarded", "notify")
    case = moved(served, number, {"move": "complete"})
    assert (case["stage"], case["status"], case["clock"]["kind"]) == ("completed", "completed", "notify")
    assert client.progress(ProgressQuery(application_number=number))[0].status == ApplicationStatus.COMPLETED
    case = moved(served, number, {"move": "notify", "how": "phone"})
    assert case["stage"] == "notified" and case["clock"] is None and case["moves"] == []

    assert [e["move"] for e in case["history"]] == ["ask_correction", "correction_met", "forward", "result_received",
                                                    "complete", "notify"]
    assert case["history"][2]["tracking_number"] == TRACKING
    assert case["history"][0]["note"] == "内部：原件核验时发现缺页"  # to a clerk
    open_cases = call(served, "GET", "/v1/staff/cases").json()
    assert number not in [c["application_number"] for c in open_cases["cases"]]  # closed
    assert call(served, "GET", "/v1/staff/cases?stage=notified").json()["total"] == 1


def test_a_correction_at_the_huji_office_stops_its_clock_and_resumes_where_it_was(
        served: Served, client: HttpBackend, apply_item: Item) -> None:
    number = client.submit(application(apply_item, 12)).application_number or ""
    moved(served, number, {"move": "accept"})
    moved(served, number, {"move": "forward", "tracking_number": TRACKING})
    with served.state.sessions() as session, session.begin():  # the 户籍地 has had the case for a while
        session.execute(update(ApplicationRow).where(ApplicationRow.number == number)
                        .values(clock_started_at=db.now() - timedelta(days=21)))
    before = call(served, "GET", f"/v1/staff/cases/{number}").json()["clock"]
    assert before["used_working_days"] >= 13  # three weeks hold at least 13 working days, 调休 or not
    case = moved(served, number, {"move": "ask_correction", "materials": [apply_item.materials[1].id],
                                  "place": PLACE, "working_days": 5})
    assert case["status"] == "forwarded" and case["clock"]["limit_working_days"] == 5
    case = moved(served, number, {"move": "correction_met"})
    assert case["stage"] == "forwarded"
    assert case["clock"]["used_working_days"] == before["used_working_days"]  # the citizen's days did not count


def test_the_queue_flags_cases_near_and_past_their_limit(served: Served, client: HttpBackend,
                                                       apply_item: Item) -> None:
    late, due, fresh = (client.submit(application(apply_item, n)).application_number or "" for n in (21, 22, 23))
    for number in (late, due, fresh):
        moved(served, number, {"move": "accept"})
    with served.state.sessions() as session, session.begin():
        for number, days in ((late, 30), (due, 0)):
            session.execute(update(ApplicationRow).where(ApplicationRow.number == number)
                            .values(clock_started_at=db.now() - timedelta(days=days)))
    queue = call(served, "GET", "/v1/staff/cases").json()
    assert queue["cases"][0]["application_number"] == late  # most urgent first
    assert queue["cases"][0]["clock"]["flag"] == "overdue" and queue["cases"][0]["clock"]["left_working_days"] < 0
    overdue = call(served, "GET", "/v1/staff/cases?flag=overdue").json()
    assert [c["application_number"] for c in overdue["cases"]] == [late]
    assert all(c["applicant_name_masked"].count("*") for c in queue["cases"])  # masked in lists
    assert "测试申请人" not in str(queue)


def test_a_viewer_reads_cases_without_notes_and_cannot_move_one(served: Served, client: HttpBackend,
                                                               apply_item: Item) -> None:
    number = client.submit(application(apply_item, 31)).application_number or ""
    moved(served, number, {"move": "accept", "note": "原件已核验，王某某代办"})
    add_account(served.state, "统计员", "viewer", None)
    viewer = issue_token(served.state, "统计员")[0]
    assert call(served, "GET", "/v1/staff/cases", token=viewer).status_code == 200
    seen = call(served, "GET", f"/v1/staff/cases/{number}", token=viewer).json()
    assert seen["history"][0]["note"] == "" and seen["stage"] == "accepted"
    refused = move(served, number, {"move": "forward", "tracking_number": TRACKING}, token=viewer)
    assert refused.status_code == 403 and refused.json()["code"] == "staff_role"
    assert call(served, "GET", f"/v1/staff/cases/{number}").json()["stage"] == "accepted"  # unchanged


def test_every_move_is_audited_and_what_it_recorded_is_sealed(served: Served, client: HttpBackend,
                                                             apply_item: Item) -> None:
    number = client.submit(application(apply_item, 41)).application_number or ""
    moved(served, number, {"move": "ask_correction", "other": "补充近期照片", "place": PLACE})
    moved(served, number, {"move": "correction_met"})
    moved(served, number, {"move": "forward", "tracking_number": TRACKING, "note": "寄往户籍地县民政局"})
    assert move(served, number, {"move": "accept"}).status_code == 409  # refused, and still recorded
    with served.state.engine.connect() as connection:
        actions = connection.execute(text("SELECT action FROM record_openings WHERE application_number = :n "
                                          "ORDER BY id"), {"n": number}).scalars().all()
    assert actions == ["moved"] * 4
    with served.state.sessions() as session:
        row = session.scalar(select(ApplicationRow).where(ApplicationRow.number == number))
        assert row is not None
        events = session.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == row.id)).all()
        stored = b"".join(bytes(e.detail_sealed or b"") + bytes(e.note_sealed or b"") for e in events)
    assert stored and TRACKING.encode() not in stored and "寄往".encode() not in stored
    assert PLACE.encode() not in stored and all(e.note == "" for e in events)


def test_moves_that_cannot_be_made_say_why(served: Served, client: HttpBackend, apply_item: Item) -> None:
    number = client.submit(application(apply_item, 51)).application_number or ""
    wrong = move(served, number, {"move": "forward", "tracking_number": TRACKING})
    assert wrong.status_code == 409 and wrong.json()["code"] == "invalid_transition"
    assert "cannot forward a case that is received" in wrong.json()["detail"]
    unknown = move(served, number, {"move": "ask_correction", "materials": ["no-such-paper"], "place": PLACE})
    assert unknown.status_code == 422 and "no-such-paper" in unknown.json()["detail"]
    nothing = move(served, number, {"move": "ask_correction", "place": PLACE})
    assert nothing.status_code == 422 and "at least one material" in nothing.json()["detail"]
    blank = move(served, number, {"move": "reject", "reason": "   "})
    assert blank.status_code == 422 and blank.json()["code"] == "reason_required"
    assert move(served, number, {"move": "accept"}).status_code == 200
    odd = move(served, number, {"move": "forward", "tracking_number": "EMS 118<script>"})
    assert odd.status_code == 422 and odd.json()["code"] == "validation_failed"
    assert move(served, "220102209901010000", {"move": "accept"}).status_code == 404
    assert call(served, "GET", f"/v1/staff/cases/{number}").json()["stage"] == "accepted"

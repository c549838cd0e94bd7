"""The case pages over real HTTP: the masked queue with its flags, moves by form (CSRF, roles, clear refusals),
and the applicant's record in full only behind an audited POST."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import text, update

from backend.server import db
from backend.server.admin import enroll
from backend.server.models import Application as ApplicationRow
from kiosk.core.catalog import Catalog
from kiosk.core.records import ApplicationStatus, ProgressQuery
from kiosk.core.value import replace
from kiosk.remote.client import HttpBackend
from tests.backend.samples import KIOSK_ID, application, make_client
from tests.console.conftest import Console, csrf_of

PLACE = "长春市南关区民政局跨省通办窗口"


@pytest.fixture
def kiosk(console: Console, tmp_path: Path) -> Iterator[HttpBackend]:
    backend = make_client(console.server.url, enroll(console.server.state, KIOSK_ID), tmp_path / "kiosk")
    yield backend
    backend.close()


def submitted(kiosk: HttpBackend, catalog: Catalog, n: int) -> str:
    return kiosk.submit(application(catalog.items[0], n)).application_number or ""


def post_move(session: requests.Session, console: Console, number: str, fields: dict[str, str],
              csrf: str = "") -> requests.Response:
    page = session.get(f"{console.url}/cases/{number}", timeout=10)
    return session.post(f"{console.url}/cases/{number}/moves", data={"csrf_token": csrf or csrf_of(page.text),
                                                                     **fields}, allow_redirects=False, timeout=10)


def stage_of(console: Console, number: str) -> str:
    with console.server.state.engine.connect() as connection:
        return str(connection.execute(text("SELECT stage FROM applications WHERE number = :n"), {"n": number})
                   .scalar_one())


def test_the_queue_is_masked_and_puts_the_late_case_first_with_its_flag(
        console: Console, kiosk: HttpBackend, console_catalog: Catalog) -> None:
    fresh, late = submitted(kiosk, console_catalog, 1), submitted(kiosk, console_catalog, 2)
    clerk = console.signed_in("clerk")
    for number in (fresh, late):
        assert post_move(clerk, console, number, {"move": "accept"}).status_code == 303
    with console.server.state.sessions() as session, session.begin():
        session.execute(update(ApplicationRow).where(ApplicationRow.number == late)
                        .values(clock_started_at=db.now() - timedelta(days=14)))
    page = console.signed_in("viewer").get(f"{console.url}/cases", timeout=10).text
    assert page.index(late) < page.index(fresh) and "已超期" in page
    assert "测试申请人1" not in page and "测试申请人2" not in page  # masked
    overdue = console.signed_in("viewer").get(f"{console.url}/cases?flag=overdue", timeout=10).text
    assert late in overdue and fresh not in overdue


def test_a_clerk_asks_for_a_correction_by_form_and_the_kiosk_shows_it(
        console: Console, kiosk: HttpBackend, console_catalog: Catalog) -> None:
    number = submitted(kiosk, console_catalog, 3)
    material = console_catalog.items[0].materials[0]
    clerk = console.signed_in("clerk")
    missing_place = post_move(clerk, console, number, {"move": "ask_correction", f"material:{material.id}": "on"})
    assert missing_place.status_code == 422 and "送达地点未填写" in missing_place.text
    answer = post_move(clerk, console, number, {"move": "ask_correction", f"material:{material.id}": "on",
                                                "place": PLACE, "note": "内部备注"})
    assert answer.status_code == 303 and answer.headers["location"].endswith("?done=ask_correction")
    page = clerk.get(console.server.url + answer.headers["location"], timeout=10).text
    assert "已记录：一次性告知补正" in page and "待补正" in page and material.name.zh in page
    record = kiosk.progress(ProgressQuery(application_number=number))[0]
    assert record.status == ApplicationStatus.CORRECTION and record.correction is not None
    wrong = post_move(clerk, console, number, {"move": "forward", "tracking_number": "EMS1180231234567"})
    assert wrong.status_code == 409 and "不能做这一步" in wrong.text and stage_of(console, number) == "correction"


def test_a_form_without_the_session_csrf_token_changes_nothing(console: Console, kiosk: HttpBackend,
                                                               console_catalog: Catalog) -> None:
    number = submitted(kiosk, console_catalog, 4)
    refused = post_move(console.signed_in("clerk"), console, number, {"move": "accept"}, csrf="forged")
    assert refused.status_code == 403 and stage_of(console, number) == "received"


def test_a_viewer_sees_the_case_without_forms_and_cannot_move_it(console: Console, kiosk: HttpBackend,
                                                                 console_catalog: Catalog) -> None:
    number = submitted(kiosk, console_catalog, 5)
    viewer = console.signed_in("viewer")
    page = viewer.get(f"{console.url}/cases/{number}", timeout=10).text
    assert 'name="move"' not in page and "查看员只能查看" in page and "/record" not in page
    refused = viewer.post(f"{console.url}/cases/{number}/moves", timeout=10, allow_redirects=False,
                          data={"csrf_token": csrf_of(page), "move": "accept"})
    assert refused.status_code == 403 and "经办人" in refused.text and stage_of(console, number) == "received"


def test_the_full_record_opens_only_by_an_audited_post(console: Console, kiosk: HttpBackend,
                                                       console_catalog: Catalog) -> None:
    number = submitted(kiosk, console_catalog, 6)
    clerk = console.signed_in("clerk")
    page = clerk.get(f"{console.url}/cases/{number}", timeout=10).text
    assert "测试申请人6" not in page
    assert clerk.get(f"{console.url}/cases/{number}/record", timeout=10).status_code == 405  # no link opens it
    record = clerk.post(f"{console.url}/cases/{number}/record", data={"csrf_token": csrf_of(page)}, timeout=10)
    assert record.status_code == 200 and "测试申请人6" in record.text and "本次查看已记录" in record.text
    with console.server.state.engine.connect() as connection:
        actions = connection.execute(text("SELECT staff_name, action FROM record_openings WHERE "
                                          "application_number = :n"), {"n": number}).all()
    assert [tuple(a) for a in actions] == [("clerk", "opened")]


def test_the_record_names_the_child_s_county_and_a_province_stored_before_it(
        console: Console, kiosk: HttpBackend, console_catalog: Catalog) -> None:
    item = console_catalog.items[0]
    assert item.field("child_hukou_division") is not None
    now = application(item, 7)
    before = application(item, 8)  # kept in an outbox while the catalog asked the province only
    before = replace(before, fields=tuple((("child_hukou_province", "22") if k == "child_hukou_division" else (k, v))
                                          for k, v in before.fields))
    numbers = [kiosk.submit(a).application_number or "" for a in (now, before)]
    clerk = console.signed_in("clerk")
    shown = []
    for number in numbers:
        page = clerk.get(f"{console.url}/cases/{number}", timeout=10).text
        shown.append(clerk.post(f"{console.url}/cases/{number}/record", data={"csrf_token": csrf_of(page)},
                                timeout=10).text)
    assert "<th>儿童户籍所在地</th><td>吉林省 长春市 南关区（220102）</td>" in shown[0]
    assert "<th>儿童户籍所在省份</th><td>吉林省（22）</td>" in shown[1]

"""Progress by the receipt typed by hand (issue #13): an application taken at kiosk A is found at kiosk B (the
app under test) by its 办件编号 and the 查询码 printed beside it, typed on the screen's keypad, and not by the
number alone or with a wrong code; each time the screen says what to check and whom to call. The backend is
the real one the app talks to; kiosk A is a second kiosk enrolled on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.core.records import SubmitResult
from kiosk.core.session.states import TaskStatus
from tests.ui.harness import Harness

pytestmark = pytest.mark.slow

KIOSK_A = "JL-220581-001"  # another hall's kiosk: 梅河口


def submitted_at_kiosk_a(kiosk: Harness, folder: Path) -> SubmitResult:
    from backend.server.admin import enroll
    from tests.backend.samples import make_client
    from tests.support.applications import orphan_application

    server = kiosk.backend.started().server
    client = make_client(server.url, enroll(server.state, KIOSK_A), folder)
    try:
        result = client.submit(orphan_application(kiosk.app.kiosk.catalog, KIOSK_A, f"kiosk-a:{folder.name}", "A1"))
    finally:
        client.close()
    assert result.application_number and len(result.query_code) == 8
    return result


def type_receipt(kiosk: Harness, number: str, code: str) -> None:
    p = kiosk.pilot
    p.tap("progress:number")
    p.type_keys(number)
    assert p.find("receipt:code").active  # the number is complete: the code follows without a tap
    p.type_keys(code)


def answer(kiosk: Harness) -> str:
    p = kiosk.pilot
    p.tap("editor:ok")
    p.wait_until(lambda: p.state.session.progress.status == TaskStatus.DONE, what="the answer")
    return "\n".join(p.texts())


def lookups(kiosk: Harness, number: str) -> list[str]:
    """How the backend's audit saw the look-ups of this number: what reached it, and how each ended."""
    from backend.server.models import LookupAudit

    state = kiosk.backend.started().server.state
    with state.sessions() as session:
        return list(session.scalars(select(LookupAudit.outcome).where(LookupAudit.application_number == number)
                                    .order_by(LookupAudit.id)))


def test_an_application_from_another_kiosk_is_found_by_number_and_query_code(kiosk: Harness, tmp_path: Path) -> None:
    p = kiosk.pilot
    receipt = submitted_at_kiosk_a(kiosk, tmp_path)
    number, code = receipt.application_number or "", receipt.query_code
    phone = kiosk.app.kiosk.config.settings.site.consult_phone
    p.tap("home:progress")
    p.wait_for_screen("progress")

    # the number alone: kiosk B did not take it, so the screen asks for the code or the QR code
    type_receipt(kiosk, number, "")
    kiosk.shot("number-typed")
    assert p.find("receipt:number").text.replace(" ", "") == number and " " in p.find("receipt:number").text
    text = answer(kiosk)
    kiosk.shot("number-alone-not-found")
    assert not p.state.session.records
    assert "查询码" in text and "二维码" in text and phone in text

    # a wrong code: not found, and the screen says to check both against the slip
    wrong = f"{(int(code) + 1) % 10 ** 8:08d}"
    type_receipt(kiosk, number, wrong)
    text = answer(kiosk)
    kiosk.shot("wrong-code")
    assert not p.state.session.records and "对不上" in text and phone in text

    # a digit mistyped in the number is caught on the screen: nothing is sent to count against the number
    mistyped = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    type_receipt(kiosk, mistyped, code)
    p.tap("editor:ok")
    kiosk.shot("number-mistyped")
    assert "有一位不对" in "\n".join(p.texts()) and not p.state.session.progress.busy

    # the number and the code from the receipt, typed on the keypad
    type_receipt(kiosk, number, code)
    kiosk.shot("receipt-typed")
    text = answer(kiosk)
    kiosk.shot("found")
    assert [r.application_number for r in p.state.session.records] == [number]
    assert number in text.replace(" ", "") and "已提交" in text
    assert lookups(kiosk, number) == ["not_found", "answered"]  # the wrong code, then the right one
    p.tap("progress:finish")
    p.wait_for_screen("home")


def test_the_query_code_is_forgotten_when_the_editor_closes(kiosk: Harness) -> None:
    from tests.ui.test_every_screen import set_mode

    p = kiosk.pilot
    p.tap("home:progress")
    p.wait_for_screen("progress")
    try:
        for language in ("ko", "en"):  # the editor in every language goes through the harness's checks
            set_mode(kiosk, language, True, False)
            type_receipt(kiosk, "2201022026120601234567897", "4072")
            kiosk.shot(f"editor-{language}-elder")
            p.tap("editor:cancel")
    finally:
        set_mode(kiosk, "zh", False, False)
    type_receipt(kiosk, "2201022026120601234567897", "40721935")
    p.tap("editor:cancel")
    p.frames(3)
    assert not any("40721935" in s.replace(" ", "") for s in kiosk.widget_strings())
    assert p.state.session.progress.status == TaskStatus.NONE  # cancel sends nothing
    p.tap("progress:finish")
    p.wait_for_screen("home")

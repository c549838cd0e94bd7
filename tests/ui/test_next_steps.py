"""Issue #15 by touch: the citizen leaves knowing what comes next. Each test here failed on the code before the
change it covers (the done screen that was only a number, the card wiped on lifting, ...)."""

from __future__ import annotations

import pytest

from kiosk.core.grouping import group_number
from kiosk.core.health import Reason
from kiosk.core.session.states import TaskStatus
from tests.ui.harness import Harness
from tests.ui.test_journeys import (
    PHONE,
    ZHANG,
    fill_disability_form,
    first_party_read,
    key_in,
    open_item,
    reach_form,
    to_identify,
)

pytestmark = pytest.mark.slow


def submit_disability_application(kiosk: Harness) -> None:
    p = kiosk.pilot
    reach_form(kiosk)
    fill_disability_form(kiosk)
    p.tap("form:next")
    p.wait_for_screen("review")
    p.tap("review:confirm")
    p.wait_for_screen("done")


def joined(kiosk: Harness) -> str:
    return "\n".join(kiosk.pilot.texts())


def test_the_done_screen_is_the_slip_on_the_screen(kiosk: Harness) -> None:
    p = kiosk.pilot
    submit_disability_application(kiosk)
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the receipt")
    kiosk.shot("done")
    text = joined(kiosk)
    number = p.state.session.submit.result.application_number
    site = p.app.kiosk.config.settings.site
    assert "还差一步" in text  # not the end: the window needs the materials
    assert "残疾人证" in text and "低保证或低收入认定材料（申请生活补贴时）" in text  # what to bring, condition with it
    assert site.address in text and site.hours in text  # where, with the address and hours
    assert "16个工作日" in text and "12345" in text and site.consult_phone in text  # time limit and phones
    assert group_number(number) in text and min(map(len, group_number(number).split())) > 1  # grouped for reading
    assert "请取走您的身份证和凭条" in text or "请取走回执" in text
    assert "读取成功" not in text  # one prompt about the card: the done screen's own
    printed = len(kiosk.printer.printed)
    p.tap("done:reprint")  # another copy of a slip that printed
    p.wait_until(lambda: len(kiosk.printer.printed) > printed, what="the second copy")


def test_a_slip_that_did_not_print_is_replaced_by_a_qr_code_and_staff(kiosk: Harness) -> None:
    import zxingcpp

    p = kiosk.pilot
    kiosk.printer.inject(Reason.PAPER_OUT)
    submit_disability_application(kiosk)
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.FAILED, what="the failure")
    p.find("done:call_staff")  # scrolled into view by the tap below
    p._scroll_into_view(p.find("done:call_staff"))
    shot = kiosk.shot("done-print-failed")
    from PIL import Image

    result = p.state.session.submit.result
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(shot))]
    # the receipt's number and query code: photographed, it opens the case at any kiosk's scanner
    assert f"JLMZ:PROGRESS:{result.application_number}:{result.query_code}" in decoded
    assert "凭条" not in "".join(t for t in p.texts() if "取走" in t)  # never "take your slip"
    p.tap("done:call_staff")
    p.wait_until(lambda: p.state.help_call is not None and p.state.help_call.status.value == "stored",
                 what="the call for staff stored")
    kiosk.reader.remove()
    p.tap("done:finish")
    p.wait_for_screen("home")
    assert not any("凭条" in t for t in p.texts())


def test_cancelling_without_a_slip_does_not_ask_to_take_one(kiosk: Harness) -> None:
    p = kiosk.pilot
    to_identify(kiosk, "disability", "disability-subsidies")
    p.tap("bar:home")
    p.wait_for_screen("home")
    kiosk.shot("cancelled-at-identify")
    assert any("请取走您的身份证" in t for t in p.texts())
    assert not any("凭条" in t for t in p.texts())


def test_the_card_is_read_then_given_back_and_lifting_it_wipes_nothing(kiosk: Harness) -> None:
    p = kiosk.pilot
    to_identify(kiosk, "disability", "disability-subsidies")
    kiosk.shot("waiting-for-a-card")
    assert any("请将身份证放在下方感应区" in t for t in p.texts())
    assert not any("请不要移动" in t for t in p.texts())  # nothing is being read yet
    kiosk.reader.insert(ZHANG)
    p.wait_for_screen("form")
    kiosk.shot("card-read")
    assert any("读取成功，请取回身份证" in t for t in p.texts())
    key_in(kiosk, "phone", PHONE)
    kiosk.reader.remove()  # most citizens pick the card up as soon as it is read
    p.wait_until(lambda: p.state.session.card_taken, what="the card to be seen taken")
    assert p.screen == "form" and p.state.session.value("phone") == PHONE
    assert not any("读取成功" in t for t in p.texts())
    kiosk.shot("card-taken-form-kept")
    p.tap("bar:home")  # cancel still wipes
    p.wait_until(lambda: p.state.session is None, what="the end of the session")
    assert "139****5678" not in kiosk.widget_strings() and PHONE not in kiosk.widget_strings()
    assert not any("身份证" in t for t in p.texts() if "取走" in t)  # the card went home already


def test_two_parties_are_told_who_is_next_and_same_person_only_for_the_same_card(kiosk: Harness) -> None:
    p = kiosk.pilot
    first_party_read(kiosk)
    p.frames(20)  # party 1's card still lies on the reader: no "same person"
    kiosk.shot("first-party-checked")
    assert any("第1位已核验 ✓" in t for t in p.texts())
    assert not any("同一个人" in t or "第1位当事人的身份证" in t for t in p.texts())
    kiosk.take_card_back()
    kiosk.reader.insert(ZHANG)  # the same card laid down again as party 2
    p.wait_until(lambda: p.state.session.notice == "same_person", what="the same card noticed")
    kiosk.shot("same-card-again")
    assert any("第1位当事人的身份证" in t for t in p.texts())
    kiosk.take_card_back()
    kiosk.reader.insert("resident-rare-char")
    p.wait_for_screen("appointment")
    assert len(p.state.session.parties) == 2


def test_an_expired_card_is_not_offered_a_reread_but_another_card_or_staff(kiosk: Harness) -> None:
    p = kiosk.pilot
    to_identify(kiosk, "disability", "disability-subsidies")
    from devices.readers.test_identities import TEST_IDENTITIES

    kiosk.reader.identities.setdefault("resident-expired", TEST_IDENTITIES["resident-expired"])
    kiosk.reader.insert("resident-expired")
    p.wait_until(lambda: p.state.session.identification.error == Reason.CARD_EXPIRED, what="the expired card")
    kiosk.shot("expired-card")
    assert not p.has("identify:retry") and p.has("identify:other_card") and p.has("identify:call_staff")
    p.tap("identify:other_card")
    kiosk.take_card_back()
    kiosk.reader.insert(ZHANG)
    p.wait_for_screen("form")


def test_paper_out_blocks_only_printing(kiosk: Harness) -> None:
    p = kiosk.pilot
    kiosk.printer.inject(Reason.PAPER_OUT)
    kiosk.report_health()
    p.wait_until(lambda: p.screen == "home", what="home, not out of service")
    open_item(kiosk, "data_sharing", "spouse-hukou-transfer")  # a guide stays readable
    p.tap("guide:print")
    assert p.screen == "guide" and any("打印机暂不能用" in t for t in p.texts())
    kiosk.shot("guide-without-paper")
    p.tap("bar:home")
    p.wait_for_screen("home")
    submit_disability_application(kiosk)  # an application goes through, with the QR code on the screen
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.FAILED, what="the slip given up")
    assert p.has("done:call_staff")
    kiosk.shot("done-without-paper")


def test_out_of_service_keeps_the_language_and_the_call_to_staff(kiosk: Harness) -> None:
    from kiosk.core.session import events as ev

    p = kiosk.pilot
    open_item(kiosk, "disability", "disability-subsidies")
    p.tap("bar:lang:ko")
    kiosk.app.runner.dispatch(ev.OutOfServiceSet(""))  # staff switch it off while a Korean citizen reads
    try:
        p.wait_for_screen("out_of_service")
        kiosk.shot("out-of-service-ko")
        assert any("일시" in t or "중지" in t or "서비스" in t for t in p.texts())
        assert not any("暂停服务" in t for t in p.texts())
        p.tap("oos:lang:en")
        assert p.app.lang == "en"
        p.tap("oos:staff")
        p.wait_until(lambda: p.state.help_call is not None and p.state.help_call.status.value == "stored",
                     what="the call for staff stored")
        p.frames(2)
        kiosk.shot("out-of-service-staff-called")
        assert "Staff have been notified; please wait here" in p.texts()
    finally:
        kiosk.app.runner.dispatch(ev.OutOfServiceCleared())
        p.wait_for_screen("home")


def test_progress_explains_in_local_time_and_helps_when_nothing_is_found(kiosk: Harness) -> None:
    from kiosk.core.localtime import local_text

    p = kiosk.pilot
    result = kiosk.submit_application("progress-local", "Y")
    p.tap("home:progress")
    p.wait_for_screen("progress")
    p.tap("progress:number")
    p.type_keys("2201022026120601234567897")  # well formed, but no application has it
    p.tap("editor:ok")
    p.wait_until(lambda: p.state.session.progress.status == TaskStatus.DONE, what="the empty answer")
    kiosk.shot("progress-not-found")
    text = joined(kiosk)
    assert "查询码" in text and "二维码" in text and p.app.kiosk.config.settings.site.consult_phone in text
    p.tap("progress:number")
    p.type_keys(result.application_number)
    p.tap("editor:ok")
    p.wait_until(lambda: p.state.session.records, what="the record")
    kiosk.shot("progress-explained")
    record = p.state.session.records[0]
    text = joined(kiosk)
    assert local_text(record.updated_at) in text  # China Standard Time, not the backend's UTC
    assert record.updated_at.strftime("%H:%M") not in text or record.updated_at.utcoffset().total_seconds() == 28800
    assert "下一步" in text


def body_lines_in_view(kiosk: Harness) -> float:
    """How many lines of body text the done screen's scrolling part shows at once."""
    from kivy.core.text import Label as CoreLabel

    done = kiosk.app.screens["done"]
    body = done.ids.item_name  # a label at body size
    assert body.font_size == kiosk.app.fs_body
    line = CoreLabel(font_size=body.font_size, font_name=body.font_name).get_extents("国")[1]
    return float(done.ids.scroll.height / line)


@pytest.mark.parametrize(("language", "landscape", "lines"),
                         [("zh", False, 20), ("ko", False, 20), ("en", False, 20), ("zh", True, 8), ("en", True, 8)])
def test_the_done_screen_in_elder_mode_leaves_room_to_read_the_slip(
        kiosk: Harness, language: str, landscape: bool, lines: int) -> None:
    """Only the take-away reminder and 完成 stay fixed under the slip; 好差评 scrolls at its end (it had a fixed
    block of its own that left elder mode two and a half lines of the slip in view)."""
    from tests.ui.test_every_screen import set_mode

    p = kiosk.pilot
    submit_disability_application(kiosk)
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the receipt")
    try:
        set_mode(kiosk, language, True, landscape)
        p.frames(2)
        kiosk.shot(f"done-elder-{language}{'-landscape' if landscape else ''}")
        assert body_lines_in_view(kiosk) >= lines
        p.find("rate:5")  # still offered, at the end of what scrolls
    finally:
        set_mode(kiosk, "zh", False, False)

"""Maintenance mode on the real app, by touch: the hidden way in, the PIN and its lockout, staff cards, every
staff action and its audit entry, and devices unplugged and plugged back during a citizen's session."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk import __version__
from kiosk.core.health import Reason
from kiosk.core.session import events as ev
from kiosk.core.session.commands import SlipRequest
from kiosk.core.session.states import IdentifyStatus, Lifecycle, TaskStatus
from kiosk.core.slips import SlipKind
from kiosk.shell.maintenance import LOCKOUT_S, hash_pin
from kiosk.shell.maintenance_desk import card_hash
from tests.ui.harness import Harness
from tests.ui.test_journeys import ZHANG, open_item, reach_form

pytestmark = pytest.mark.slow

PIN = "246810"
STAFF_UID = "04A1B2C3D4E5F6"


class FakeTime:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        import time

        return time.time() + self.offset


def hidden(widget: Any) -> bool:
    """Whether the widget or one of the boxes holding it is made invisible."""
    while widget is not None:
        if not widget.opacity:
            return True
        widget = widget.parent
    return False


@pytest.fixture
def staff(kiosk: Harness, tmp_path: Path) -> Iterator[Harness]:
    desk = kiosk.app.desk
    saved = desk.pin_hash, desk.staff_cards, desk.now, desk.usb_dir
    desk.pin_hash = _PIN_HASH
    desk.staff_cards = frozenset({card_hash(STAFF_UID)})
    desk.now = FakeTime()
    desk._gate_path.unlink(missing_ok=True)
    desk._gate = desk._load_gate()
    desk.usb_dir = tmp_path / "usb"
    yield kiosk
    for overlay in list(kiosk.app.overlays):
        overlay.dismiss()
    if desk.actor is not None:
        desk.leave()
    if kiosk.app.state.out_of_service_reason == Reason.STAFF_OUT_OF_SERVICE:
        desk.clear_out_of_service()
    kiosk.pilot.wait_until(lambda: kiosk.app.state.lifecycle != Lifecycle.MAINTENANCE, what="maintenance closed")
    desk.pin_hash, desk.staff_cards, desk.now, desk.usb_dir = saved
    desk._gate_path.unlink(missing_ok=True)
    desk._gate = desk._load_gate()


_PIN_HASH = hash_pin(PIN)


def corner_taps(kiosk: Harness, count: int = 5) -> None:
    from kivy.metrics import dp

    window = kiosk.pilot.window
    for _ in range(count):
        kiosk.pilot.tap_at(window.width - dp(60), window.height - dp(30), frames=1)
    kiosk.pilot.frames(3)


def enter_with_pin(kiosk: Harness, pin: str = PIN) -> None:
    p = kiosk.pilot
    corner_taps(kiosk)
    p.wait_until(lambda: p.has("pin:ok"), what="the PIN pad")
    p.type_keys(pin)
    p.tap("pin:ok")


def in_maintenance(kiosk: Harness) -> None:
    kiosk.pilot.wait_for_screen("maintenance")
    screen = kiosk.app.screens["maintenance"]
    kiosk.pilot.wait_until(lambda: not screen.busy, what="the first device check")


def audit(kiosk: Harness) -> list[dict[str, object]]:
    return kiosk.app.desk.audit.entries()


SECTION_OF = {"test_print": "printing", "readiness": "printing", "paper": "printing", "reprint": "printing",
              "flush": "outbox", "oos_set": "service", "oos_clear": "service", "export": "system",
              "restart": "system", "reboot": "system", "refresh": "devices", "engineer": "devices"}


def outcome_at(kiosk: Harness, button: str) -> str:
    """The outcome of the tapped `maint:<button>`, as staff see it: in the line under that button's row, wholly
    on the screen (not scrolled away), and spoken."""
    from kivy.metrics import dp

    from tests.ui.harness import _visible_rect

    p = kiosk.pilot
    screen = kiosk.app.screens["maintenance"]
    p.wait_until(lambda: not screen.busy, timeout_s=30, what="the staff action")
    p.frames(3)
    line = p.find(f"maint:result:{SECTION_OF[button]}")
    tapped = p.find(f"maint:{button}")
    assert line.text, f"nothing shown under maint:{button}"
    left, bottom, right, top = _visible_rect(line)
    assert top - bottom >= line.height - 1 and right > left, (
        f"{line.text!r} is not wholly on the screen: {(left, bottom, right, top)} of {line.height}, "
        f"scroll_y {screen.ids.scroller.scroll_y}")
    gap = tapped.to_window(tapped.x, tapped.y)[1] - line.to_window(line.x, line.top)[1]
    assert 0 <= gap < dp(260), f"{line.text!r} is {gap:.0f} px from maint:{button}"
    speech = kiosk.app.kiosk.ports.speech
    p.wait_until(lambda: (kiosk.app.lang, line.text) in speech.spoken, what="the outcome spoken")
    return str(line.text)


def test_hidden_gesture_and_pin_open_maintenance_and_wipe_the_session(staff: Harness) -> None:
    p = staff.pilot
    reach_form(staff)
    assert p.state.session.parties
    corner_taps(staff, 4)
    assert not p.has("pin:ok"), "four taps are not the gesture"
    p.tap("form:next")  # a touch elsewhere starts the count again
    corner_taps(staff, 4)
    assert not p.has("pin:ok")
    corner_taps(staff, 5)
    p.wait_until(lambda: p.has("pin:ok"), what="the PIN pad")
    staff.shot("pin-pad")
    p.type_keys("1357")
    assert "1357" not in " ".join(p.texts()), "the PIN is shown as dots"
    p.tap("pin:cancel")
    assert p.state.session is not None and p.screen == "form", "cancelling leaves the citizen where they were"
    assert "1357" not in staff.widget_strings()
    enter_with_pin(staff)
    in_maintenance(staff)
    assert p.state.session is None and p.state.lifecycle == Lifecycle.MAINTENANCE
    assert hidden(p.find("bar:home")), "no citizen controls in maintenance"
    staff.shot("maintenance")
    text = " ".join(p.texts())
    assert "读卡器" in text and "打印机" in text and "办理系统" in text and __version__ in text
    assert [e["action"] for e in audit(staff)][-1] == "enter"
    assert audit(staff)[-1]["actor"] == "pin"
    staff.reader.remove()
    p.tap("maint:exit")
    p.wait_for_screen("home")
    assert audit(staff)[-1]["action"] == "exit"


def test_five_wrong_pins_lock_the_pad_for_five_minutes(staff: Harness) -> None:
    p = staff.pilot
    corner_taps(staff)
    p.wait_until(lambda: p.has("pin:ok"), what="the PIN pad")
    for attempt in range(5):
        p.type_keys("000000")
        p.tap("pin:ok")
        if attempt < 4:
            assert f"还可尝试 {4 - attempt} 次" in " ".join(p.texts())
    assert "秒后再试" in " ".join(p.texts())
    assert p.find("pin:ok").disabled and p.find("key:1").disabled
    staff.shot("pin-locked")
    p.tap("pin:cancel")
    enter_with_pin(staff)  # the right PIN, but still locked: a new pad opens locked too
    assert p.screen == "home" and p.find("pin:ok").disabled
    assert staff.app.desk.locked_s() > 290
    p.tap("pin:cancel")
    staff.app.desk.now.offset = LOCKOUT_S + 1
    enter_with_pin(staff)
    in_maintenance(staff)
    actions = [e["action"] for e in audit(staff)]
    assert actions[-6:] == ["pin_refused"] * 4 + ["pin_locked", "enter"]
    assert actions[-1] == "enter" and "pin_locked" in actions
    p.tap("maint:exit")
    p.wait_for_screen("home")


def test_wrong_pins_from_the_public_corner_never_lock_out_a_staff_card(staff: Harness) -> None:
    p = staff.pilot
    staff.app.desk.now.offset += LOCKOUT_S + 1  # no lockout left over from an earlier test
    corner_taps(staff)
    p.wait_until(lambda: p.has("pin:ok"), what="the PIN pad")
    for _ in range(5):
        p.type_keys("000000")
        p.tap("pin:ok")
    assert "秒后再试" in " ".join(p.texts()) and p.find("pin:ok").disabled
    assert not p.find("pin:card").disabled, "the staff card button must stay usable"
    p.tap("pin:card")
    staff.reader.present_staff_card(STAFF_UID)
    in_maintenance(staff)
    staff.reader.remove()
    p.tap("maint:exit")
    p.wait_for_screen("home")


def test_lockout_survives_a_restart(staff: Harness) -> None:
    desk = staff.app.desk
    for _ in range(5):
        desk.try_pin("999999")
    assert desk.locked_s() > 0
    desk._gate = desk._load_gate()  # what a restarted app reads
    assert desk.locked_s() > 0 and desk.try_pin(PIN).code == "locked"


def test_an_attendants_own_pin_opens_maintenance_in_their_name(staff: Harness) -> None:
    desk, p = staff.app.desk, staff.pilot
    desk.staff_pins = {"王丽": hash_pin("90517362")}
    try:
        enter_with_pin(staff, "90517362")
        in_maintenance(staff)
        staff.shot("attendant")
        assert "王丽" in " ".join(p.texts()), "the screen says who is at the desk"
        assert audit(staff)[-1]["action"] == "enter" and audit(staff)[-1]["actor"] == "王丽"
    finally:
        desk.staff_pins = {}


def test_a_staff_card_opens_maintenance_an_unknown_card_does_not(staff: Harness) -> None:
    p = staff.pilot
    corner_taps(staff)
    p.wait_until(lambda: p.has("pin:card"), what="the PIN pad")
    p.tap("pin:card")
    staff.reader.present_staff_card("DEADBEEF")
    p.wait_until(lambda: "不是授权的工作证" in " ".join(p.texts()), what="the refusal")
    assert p.state.lifecycle != Lifecycle.MAINTENANCE
    staff.reader.remove()
    p.tap("pin:card")
    staff.reader.present_staff_card(STAFF_UID)
    in_maintenance(staff)
    entries = audit(staff)
    assert entries[-2]["action"] == "card_refused" and entries[-1]["action"] == "enter"
    actor = str(entries[-1]["actor"])
    assert actor.startswith("card:") and STAFF_UID.lower() not in actor.lower()
    staff.reader.remove()
    p.tap("maint:exit")
    p.wait_for_screen("home")


def receipt_on_record(kiosk: Harness) -> str:
    """A receipt as a finished application leaves it in the print journal (origin only, no applicant)."""
    composer = kiosk.app.desk.composer
    request = SlipRequest(SlipKind.RECEIPT, "disability-subsidies", "zh", application_number="22010220260101000042",
                          local_reference="JL-220102-001-ABCDEF0123", masked_names=("张*兰",))
    job_id = "maint-test-receipt"
    kiosk.printer.print_slip(job_id, composer(request))
    return job_id


def slip_text(path: Path) -> str:
    return path.with_suffix(".bin").read_bytes().decode("gb18030", errors="ignore")


def reprints_today(summary: str) -> int:
    """The 补打 count of the summary's "今天已打印 … 补打 N" line."""
    found = re.search(r"补打 (\d+)", summary)
    assert found is not None, summary
    return int(found.group(1))


def test_staff_actions_print_report_reprint_flush_and_are_audited(staff: Harness) -> None:
    p = staff.pilot
    job_id = receipt_on_record(staff)
    enter_with_pin(staff)
    in_maintenance(staff)
    printer = staff.printer
    before = set(printer.printed)

    p.tap("maint:test_print")
    assert "测试页已打印" in outcome_at(staff, "test_print")
    assert any(j.startswith("test-") for j in set(printer.printed) - before)

    printer.inject(Reason.PAPER_NEAR_END)
    p.tap("maint:readiness")
    assert outcome_at(staff, "readiness") == "就绪报告已打印：可以开放服务"
    readiness = next(path for j, path in printer.printed.items() if j.startswith("readiness-"))
    text = slip_text(readiness)
    assert "打印机" in text and "paper_near_end" in text and "JL-220102-001" in text and "软件版本" in text
    staff.shot("readiness-printed")

    printer.inject(Reason.PAPER_OUT)
    p.tap("maint:paper")
    said = outcome_at(staff, "paper")
    assert said.startswith("打印机仍不可用：打印纸已用完。请装入新纸卷") and "PAPER_OUT" not in said
    p.wait_until(lambda: "打印纸已用完" in " ".join(p.texts()), what="the device list")
    assert "PAPER_OUT" not in " ".join(p.visible_texts()), "no reason ids in staff's view"
    staff.shot("paper-out")
    printer.inject(None)
    p.tap("maint:paper")
    assert "打印机正常" in outcome_at(staff, "paper")
    p.wait_until(lambda: "今天换纸 1 次" in p.find("maint:today").text, what="the paper change in the summary")

    reprints_before = reprints_today(p.find("maint:today").text)  # the harness's journal outlives one test
    p.tap("maint:reprint")
    p.tap(f"choice:{job_id}")
    assert outcome_at(staff, "reprint") == "已补打办件编号 22010220260101000042 的凭条"
    reprint = printer.printed[f"{job_id}-reprint-1"]
    assert "补打" in slip_text(reprint) and "22010220260101000042" in slip_text(reprint)
    assert "张*兰" not in slip_text(reprint), "a reprint never carries the applicant"
    p.wait_until(lambda: reprints_today(p.find("maint:today").text) == reprints_before + 1,
                 what="today's reprint counted")

    p.tap("maint:flush")
    assert outcome_at(staff, "flush").startswith("上传完成：已送达")
    p.wait_until(lambda: "待上传 0 件" in " ".join(p.texts()), what="the outbox counts")

    p.tap("maint:refresh")
    assert "已重新检测" in outcome_at(staff, "refresh")
    actions = [e["action"] for e in audit(staff)]
    for action in ("test_print", "readiness", "paper_replaced", "reprint", "outbox_flush", "device_status"):
        assert action in actions, action
    assert all(e["actor"] == "pin" for e in audit(staff)[-8:])
    p.tap("maint:exit")
    p.wait_for_screen("home")


def test_reprint_found_by_the_last_digits_of_the_number(staff: Harness) -> None:
    p = staff.pilot
    job_id = receipt_on_record(staff)
    enter_with_pin(staff)
    in_maintenance(staff)
    p.tap("maint:reprint")
    p.tap("choice:search")
    p.type_keys("9999")
    p.tap("editor:ok")
    assert "没有找到办件编号以 9999 结尾的凭条" in outcome_at(staff, "reprint")
    p.tap("maint:reprint")
    p.tap("choice:search")
    p.type_keys("0042")
    p.tap("editor:ok")
    p.wait_until(lambda: p.has(f"choice:{job_id}"), what="the receipt found")
    staff.shot("reprint-found")
    p.tap(f"choice:{job_id}")
    assert "22010220260101000042" in outcome_at(staff, "reprint")
    assert "reprint_search" in [e["action"] for e in audit(staff)]
    p.tap("maint:exit")
    p.wait_for_screen("home")


def test_a_stuck_outbox_says_what_arrived_and_what_waits(staff: Harness) -> None:
    """The backend's address made unreachable for real (a closed port): the upload must not say complete."""
    p = staff.pilot
    client = staff.backend.started()
    address = client.transport.base_url
    client.transport.base_url = "http://127.0.0.1:9"  # the discard port: nothing listens
    try:
        staff.submit_application("stuck-outbox-1", "JL-220102-001-STUCK00001")
        enter_with_pin(staff)
        in_maintenance(staff)
        p.tap("maint:flush")
        said = outcome_at(staff, "flush")
        assert said.startswith("已送达 0，仍待上传 1（网络不通）") and "上传完成" not in said
        staff.shot("outbox-stuck")
    finally:
        client.transport.base_url = address
    p.tap("maint:flush")
    assert outcome_at(staff, "flush").endswith("仍待上传 0")
    p.tap("maint:exit")
    p.wait_for_screen("home")


def test_the_engineer_contact_or_what_to_do_without_one(staff: Harness) -> None:
    from kiosk.shell.maintenance_desk import Contact

    p = staff.pilot
    desk = staff.app.desk
    saved = desk.engineer
    enter_with_pin(staff)
    in_maintenance(staff)
    try:
        desk.engineer = Contact("", "")
        p.tap("maint:engineer")
        assert outcome_at(staff, "engineer").startswith("未配置技术人员电话，请联系")
        desk.engineer = Contact("省民政信息中心运维组", "0431-88886666")
        p.tap("maint:engineer")
        assert outcome_at(staff, "engineer") == "技术人员：省民政信息中心运维组　电话 0431-88886666"
        staff.shot("engineer-contact")
    finally:
        desk.engineer = saved
    assert "engineer_contact" in [e["action"] for e in audit(staff)]
    p.tap("maint:exit")
    p.wait_for_screen("home")


def test_the_summary_says_what_the_kiosk_serves_with_the_backend_away(staff: Harness) -> None:
    from kiosk.core.health import Component, Health

    p = staff.pilot
    enter_with_pin(staff)
    in_maintenance(staff)
    desk = staff.app.desk
    checks = desk.check_health
    desk.check_health = lambda: [Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE)]
    try:
        staff.app.post(ev.HealthReported(Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE)))
        p.wait_until(lambda: "暂时连不上办理系统" in " ".join(p.texts()), what="the backend's row")
        p.tap("maint:readiness")
        said = outcome_at(staff, "readiness")
        assert said.startswith("就绪报告已打印：可以开放服务，但申请先保存在本机") and "暂不能" not in said
        state = p.find("maint:service_state").text
        assert state.startswith("正在服务，但申请先保存在本机") and "个事项暂停办理" in state
        staff.shot("backend-away")
    finally:
        desk.check_health = checks
    p.tap("maint:exit")
    p.wait_for_screen("home")


def test_out_of_service_toggle_restart_reboot_and_log_export(staff: Harness) -> None:
    p = staff.pilot
    desk = staff.app.desk
    logs = desk.config.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "kiosk.jsonl").write_text(
        json.dumps({"t": "2026-01-01T09:00:00", "event": "submitted", "item_id": "orphan-support"}) + "\n"
        + json.dumps({"t": "2026-01-01T09:00:01", "event": "oops", "name": "张桂兰"}) + "\n"
        + "a library said: 220102195603120020 13912345678\n", encoding="utf-8")
    enter_with_pin(staff)
    in_maintenance(staff)

    p.tap("maint:oos_set")
    p.tap("choice:repair")
    p.wait_until(lambda: p.has("maint:oos_clear"), what="the switch")
    assert outcome_at(staff, "oos_clear") == "已暂停服务"
    assert staff.app.state.out_of_service_reason == Reason.STAFF_OUT_OF_SERVICE
    p.tap("maint:exit")
    p.wait_for_screen("out_of_service")
    staff.shot("staff-out-of-service")
    text = " ".join(p.texts())
    assert "设备检修中" in text and "JL-220102-001" in text and "STAFF_OUT_OF_SERVICE" in text
    assert desk.restore_out_of_service(), "the switch survives a restart"
    enter_with_pin(staff)
    in_maintenance(staff)
    p.tap("maint:oos_clear")
    p.wait_until(lambda: p.has("maint:oos_set"), what="the switch")
    assert outcome_at(staff, "oos_set") == "已恢复服务"

    p.tap("maint:restart")
    p.tap("choice:confirm")
    assert "演示环境" in outcome_at(staff, "restart")
    p.tap("maint:reboot")
    p.tap("choice:confirm")
    assert "演示环境" in outcome_at(staff, "reboot") and "systemctl reboot" in outcome_at(staff, "reboot")
    assert desk.system.requested[-2:] == ["restart_app", "reboot"]

    p.tap("maint:export")
    assert "没有找到可写的U盘" in outcome_at(staff, "export")
    staff.shot("no-usb")
    desk.usb_dir.mkdir()
    p.tap("maint:export")
    assert "日志已导出到U盘" in outcome_at(staff, "export")
    staff.shot("logs-exported")
    folder = next(desk.usb_dir.glob("kiosk-logs-JL-220102-001-*"))
    exported = (folder / "kiosk.jsonl").read_text(encoding="utf-8")
    assert "orphan-support" in exported
    for secret in ("张桂兰", "220102195603120020", "13912345678"):
        assert secret not in exported
    assert "out_of_service_set" in (folder / "maintenance-audit.jsonl").read_text(encoding="utf-8")
    actions = [e["action"] for e in audit(staff)]
    for action in ("out_of_service_set", "out_of_service_cleared", "restart_app", "reboot", "export_logs"):
        assert action in actions, action
    p.tap("maint:exit")
    p.wait_for_screen("home")


def test_staff_who_walk_away_are_signed_out(staff: Harness) -> None:
    p = staff.pilot
    enter_with_pin(staff)
    in_maintenance(staff)
    p.skip(601)
    p.wait_for_screen("home", timeout_s=5)
    assert audit(staff)[-1]["action"] == "timeout"


def test_printer_unplugged_and_plugged_back_during_a_session(staff: Harness) -> None:
    p = staff.pilot
    monitor = staff.app.monitor
    open_item(staff, "elderly", "elderly-care-cooperation")
    staff.printer.inject(Reason.PRINTER_OFFLINE)  # the cable is pulled
    monitor.check_now()  # what the health thread does every few seconds, through the app's one hop
    p.frames(3)
    p.tap("guide:print")  # the kiosk knows the printer is off: the guide stays on the screen and says why
    p.wait_until(lambda: p.state.session.notice == "print_unavailable.printer_offline", what="the notice")
    assert p.screen == "guide" and p.state.session.printing.status == TaskStatus.NONE
    staff.printer.inject(None)  # plugged back: no restart, the next poll sees it
    monitor.check_now()
    p.frames(3)
    p.tap("guide:print")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the guide slip")


def test_reader_unplugged_and_plugged_back_during_a_session(staff: Harness) -> None:
    p = staff.pilot
    monitor = staff.app.monitor
    open_item(staff, "disability", "disability-subsidies")
    p.tap("guide:start")
    p.tap("consent:sensitive")
    staff.reader.unplug()
    monitor.check_now()
    p.tap("consent:agree")
    p.wait_until(lambda: p.state.session.identification.status == IdentifyStatus.FAILED, what="the reader error")
    assert "NO_READER" in " ".join(p.texts())
    staff.reader.unplug(False)
    monitor.check_now()
    p.frames(3)
    p.tap("identify:retry")
    staff.reader.insert(ZHANG)
    p.wait_for_screen("form")
    staff.app.send(ev.HomePressed())


def test_tiles_say_why_an_item_cannot_be_served(staff: Harness) -> None:
    from kiosk.core.health import Component, Health

    p = staff.pilot
    staff.app.post(ev.HealthReported(Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE)))
    p.wait_until(lambda: "暂停办理" in p.find("category:marriage").text, what="the category's note")
    assert "暂时连不上办理系统" in p.find("category:marriage").text
    assert "暂停" not in p.find("category:children").text, "applications still queue in the outbox"
    staff.shot("home-appointments-paused")
    p.tap("category:marriage")
    p.wait_for_screen("browse")
    tile = p.find("item:marriage-registration")
    assert "暂停办理：暂时连不上办理系统" in tile.text
    staff.shot("browse-appointments-paused")
    p.tap(tile)
    assert p.screen == "browse" and "暂时连不上办理系统" in staff.app.notice
    staff.app.post(ev.HealthReported(Health.ok(Component.BACKEND)))
    p.wait_until(lambda: "暂停" not in p.find("item:marriage-registration").text, what="the tile to clear")
    p.tap("item:marriage-registration")
    p.wait_for_screen("guide")

"""Citizen journeys on the real app, by touch, with the simulated reader and printer and the local backend."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.core.health import Reason
from kiosk.core.session.states import IdentifyStatus, TaskStatus
from kiosk.shell.demo_journey import child_id_number
from tests.ui.harness import Harness

pytestmark = pytest.mark.slow

ZHANG = "resident-zhang"  # 张桂兰 220102195603120020
PHONE = "13912345678"


def open_item(kiosk: Harness, category: str, item_id: str) -> None:
    p = kiosk.pilot
    p.tap(f"category:{category}")
    p.wait_for_screen("browse")
    p.tap(f"item:{item_id}")
    p.wait_for_screen("guide")


def to_identify(kiosk: Harness, category: str, item_id: str) -> None:
    """From home to the card screen: the item, its guide, the consent (and the separate one where the item
    holds sensitive data)."""
    p = kiosk.pilot
    open_item(kiosk, category, item_id)
    p.tap("guide:start")
    p.wait_for_screen("consent")
    if p.state.item is not None and p.state.item.sensitive_categories:
        p.tap("consent:sensitive")
    p.tap("consent:agree")
    p.wait_for_screen("identify")


def reader_missing_at_identify(kiosk: Harness) -> None:
    """The reader unplugged, then 孤儿救助 started: the card screen says so and offers typing the number."""
    p = kiosk.pilot
    kiosk.reader.unplug()
    kiosk.report_health()
    to_identify(kiosk, "children", "orphan-support")
    p.wait_until(lambda: p.state.session.identification.status == IdentifyStatus.FAILED, what="the reader error")


def first_party_read(kiosk: Harness) -> None:
    """A marriage appointment with the first party's card read; it still lies on the reader."""
    to_identify(kiosk, "marriage", "marriage-registration")
    kiosk.reader.insert(ZHANG)
    kiosk.pilot.wait_until(lambda: len(kiosk.pilot.state.session.parties) == 1, what="the first party")


def to_slots(kiosk: Harness) -> None:
    """A marriage appointment with both parties' cards read and the free times shown."""
    p = kiosk.pilot
    first_party_read(kiosk)
    kiosk.take_card_back()  # the first card leaves the reader before the second is laid down (the reader waits)
    kiosk.reader.insert("resident-rare-char")
    p.wait_for_screen("appointment")
    p.wait_until(lambda: p.state.session.available_slots, what="the slots")


def reach_form(kiosk: Harness, item_id: str = "disability-subsidies", category: str = "disability",
               card: str = ZHANG) -> None:
    to_identify(kiosk, category, item_id)
    kiosk.reader.insert(card)
    kiosk.pilot.wait_for_screen("form")


def choose(kiosk: Harness, field_id: str, value: str) -> None:
    """A short choice is buttons on the form: one tap."""
    kiosk.pilot.tap(f"pick:{field_id}:{value}")
    kiosk.pilot.wait_until(lambda: kiosk.pilot.state.session.value(field_id) == value, what=field_id)


def key_in(kiosk: Harness, field_id: str, digits: str) -> None:
    kiosk.pilot.tap(f"field:{field_id}")
    kiosk.pilot.type_keys(digits)
    kiosk.pilot.tap("editor:ok")
    kiosk.pilot.wait_until(lambda: kiosk.pilot.state.session.value(field_id) == digits, what=field_id)


def fill_disability_form(kiosk: Harness) -> None:
    assert kiosk.pilot.state.session.value("hukou_division") == "220102"  # the county the card's address names
    choose(kiosk, "subsidy_type", "both")
    choose(kiosk, "disability_category", "1")
    choose(kiosk, "disability_grade", "1")  # the certificate number is built from the ID number and these two
    assert kiosk.pilot.state.session.value("disability_certificate_number") == "22010219560312002011"
    choose(kiosk, "dibao_status", "dibao")
    key_in(kiosk, "phone", PHONE)


def test_apply_journey_from_home_to_done(kiosk: Harness) -> None:
    p = kiosk.pilot
    kiosk.shot("home")
    open_item(kiosk, "disability", "disability-subsidies")
    kiosk.shot("guide")
    p.tap("guide:start")
    p.wait_for_screen("consent")
    p.tap("consent:agree")  # without the separate consent the kiosk must not go on
    assert p.screen == "consent" and p.state.session.consent_error
    kiosk.shot("consent-refused")
    p.tap("consent:sensitive")
    p.tap("consent:agree")
    p.wait_for_screen("identify")
    kiosk.shot("identify")
    kiosk.reader.insert(ZHANG)
    p.wait_for_screen("form")
    kiosk.shot("form-prefilled")
    assert "张*兰" in p.texts() and "220***********0020" in p.texts()
    p.tap("form:next")  # nothing filled in: the red hints say what is missing
    assert p.screen == "form" and p.state.session.field_errors
    kiosk.shot("form-errors")
    fill_disability_form(kiosk)
    kiosk.shot("form-filled")
    p.tap("form:next")
    p.wait_for_screen("review")
    kiosk.shot("review")
    assert "139****5678" in " ".join(p.texts()) and PHONE not in " ".join(p.texts())
    p.tap("review:confirm")
    p.wait_for_screen("done")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the receipt")
    kiosk.shot("done")
    number = p.state.session.submit.result.application_number
    assert number and number in [t.replace(" ", "") for t in p.texts()]  # shown grouped for reading
    assert any(path.name.startswith("receipt-") and path.exists() for path in kiosk.printer.printed.values())
    kiosk.reader.remove()
    p.tap("done:finish")
    p.wait_until(lambda: p.state.session is None, what="the end of the session")
    p.wait_for_screen("home")
    kiosk.shot("home-finished")


def test_progress_query_by_number_and_by_card(kiosk: Harness) -> None:
    p = kiosk.pilot
    result = kiosk.submit_application("progress-test", "X")
    p.tap("home:progress")
    p.wait_for_screen("progress")
    kiosk.shot("progress")
    p.tap("progress:number")
    p.type_keys(result.application_number)
    kiosk.shot("progress-keypad")
    p.tap("editor:ok")
    p.wait_until(lambda: p.state.session.progress.status == TaskStatus.DONE, what="the query")
    kiosk.shot("progress-by-number")
    assert any(result.application_number in text.replace(" ", "") for text in p.texts())  # grouped for reading
    p.tap("progress:card")
    p.wait_until(lambda: p.state.session.identification.status == IdentifyStatus.READING, what="the reader")
    kiosk.shot("progress-place-card")
    kiosk.reader.insert(ZHANG)
    p.wait_until(lambda: p.state.session.progress.status == TaskStatus.DONE and p.state.session.records,
                 what="the query by card")
    kiosk.shot("progress-by-card")
    assert any("已提交" in text for text in p.texts())
    kiosk.reader.remove()
    p.tap("progress:finish")
    p.wait_for_screen("home")


def test_marriage_appointment_for_two_parties(kiosk: Harness) -> None:
    p = kiosk.pilot
    open_item(kiosk, "marriage", "marriage-registration")
    p.tap("guide:start")
    p.wait_for_screen("consent")
    p.tap("consent:agree")
    p.wait_for_screen("identify")
    assert any("第1位当事人" in t for t in p.texts())
    kiosk.reader.insert(ZHANG)
    p.wait_until(lambda: len(p.state.session.parties) == 1, what="the first party")
    kiosk.take_card_back()
    kiosk.shot("identify-second-party")
    assert any("第2位当事人" in t for t in p.texts())
    kiosk.reader.insert("resident-rare-char")
    p.wait_for_screen("appointment")
    p.wait_until(lambda: p.state.session.available_slots, what="the slots")
    kiosk.shot("appointment")
    slot = next(s for s in p.state.session.available_slots if s.remaining > 0)
    p.tap(f"day:{slot.day.isoformat()}")
    p.tap(f"slot:{slot.slot_id}")
    assert p.state.session.chosen_slot == slot.slot_id
    p.tap("field:phone")
    p.type_keys(PHONE)
    p.tap("editor:ok")
    kiosk.shot("appointment-chosen")
    p.tap("appointment:confirm")
    p.wait_for_screen("done")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the appointment slip")
    kiosk.shot("appointment-done")
    assert p.state.session.booking.result.booking_number in [t.replace(" ", "") for t in p.texts()]
    kiosk.reader.remove()
    p.tap("done:finish")
    p.wait_for_screen("home")


def test_guide_slip_for_a_cooperation_item(kiosk: Harness) -> None:
    p = kiosk.pilot
    open_item(kiosk, "data_sharing", "spouse-hukou-transfer")
    assert not p.has("guide:start")  # a cooperation item is only guided here
    kiosk.shot("cooperation-guide")
    p.tap("guide:print")
    p.wait_for_screen("guide_printing")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the guide slip")
    kiosk.shot("guide-printed")
    assert any(path.name.startswith("guide-") for path in kiosk.printer.printed.values())
    p.tap("guide_printing:finish")
    p.wait_for_screen("home")


def test_print_failure_offers_a_retry(kiosk: Harness) -> None:
    p = kiosk.pilot
    open_item(kiosk, "elderly", "elderly-care-cooperation")
    kiosk.printer.inject(Reason.COVER_OPEN)
    p.tap("guide:print")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.FAILED, what="the failure")
    kiosk.shot("guide-print-failed")
    assert "COVER_OPEN" in " ".join(p.texts())
    kiosk.printer.inject(None)
    p.tap("guide_printing:retry")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the reprint")


def test_an_unconfirmed_slip_offers_a_copy_marked_reprint(kiosk: Harness) -> None:
    p = kiosk.pilot
    open_item(kiosk, "elderly", "elderly-care-cooperation")
    kiosk.printer.lose_next_confirmation()  # every byte went out, the printer's answer did not come back
    p.tap("guide:print")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the slip")
    job_id = p.state.session.printing.job
    ours = lambda: [job for job in kiosk.printer.printed if job.startswith(job_id)]  # noqa: E731
    assert p.state.session.print_uncertain and ours() == [job_id]  # printed once, nothing more by itself
    p.wait_until(lambda: any("如未出纸，请点击「补打」" in text for text in p.texts()), what="the 补打 offer")
    kiosk.shot("guide-print-uncertain")
    p.tap("guide_printing:retry")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE and not p.state.session.print_uncertain,
                 what="the copy")
    assert ours() == [job_id, f"{job_id}-reprint-1"]
    record = kiosk.printer.journal.get(job_id) if kiosk.printer.journal else None
    assert record is not None and record.uncertain


def test_reader_missing_then_manual_entry_with_checksum(kiosk: Harness) -> None:
    p = kiosk.pilot
    reader_missing_at_identify(kiosk)
    kiosk.shot("no-reader")
    assert "NO_READER" in " ".join(p.texts())
    p.tap("identify:manual")
    p.wait_until(lambda: p.state.session.identification.status == IdentifyStatus.MANUAL, what="manual entry")
    p.tap("manual:id_number")
    p.type_keys("220102195603120021")  # one digit off: the check character no longer fits
    p.tap("editor:ok")
    p.tap("manual:name")
    p.type_pinyin("zhang", "张")
    p.type_pinyin("gui", "桂")
    p.type_pinyin("lan", "兰")
    kiosk.shot("manual-name")
    p.tap("editor:ok")
    p.tap("manual:confirm")
    assert p.state.session.identification.manual_problems == ("checksum",)
    kiosk.shot("manual-checksum")
    p.tap("manual:id_number")
    p.type_keys("<0")
    p.tap("editor:ok")
    p.tap("manual:confirm")
    p.wait_for_screen("form")
    assert p.state.session.parties[0].name == "张桂兰"
    choose(kiosk, "guardian_relation", "grandparent")
    key_in(kiosk, "child_id_number", child_id_number())
    kiosk.shot("orphan-form")


def test_idle_warning_then_timeout_wipes_everything(kiosk: Harness) -> None:
    p = kiosk.pilot
    rules = p.state.rules
    reach_form(kiosk)
    key_in(kiosk, "disability_certificate_number", "22010219560312002011")
    key_in(kiosk, "phone", PHONE)
    p.skip(rules.session_s - rules.idle_warning_s + 1)
    p.wait_until(lambda: p.has("idle:extend"), what="the idle warning")
    assert rules.idle_warning_s >= 20
    kiosk.shot("idle-warning")
    p.tap("idle:extend")
    assert not p.has("idle:extend") and p.state.session is not None
    p.skip(rules.session_s + 1)
    p.wait_until(lambda: p.state.session is None, what="the timeout")
    p.wait_for_screen("home")
    kiosk.shot("timed-out")
    assert any("已自动退出" in t for t in p.texts())
    secrets = ["张桂兰", "220102195603120020", PHONE, "张*兰", "220***********0020", "139****5678",
               "22010219560312002011", "***2011"]
    shown = kiosk.widget_strings()
    assert [s for s in secrets if any(s in text for text in shown)] == []
    from kivy.app import App

    from kiosk.composition.root import Kiosk
    from tests.ui.harness import reachable_strings
    from tests.unit.reachable import leaked

    assert leaked(p.state, secrets) == []
    # Kivy's text layout may keep the last masked forms in caches; the full values must be gone entirely.
    unmasked = ["张桂兰", "220102195603120020", PHONE, "22010219560312002011"]
    held = reachable_strings(kiosk.app.screens, stop=(App, Kiosk))
    assert [s for s in unmasked if any(s in text for text in held)] == []


def test_out_of_service_shows_code_kiosk_id_and_what_to_do(kiosk: Harness) -> None:
    from kiosk.core.health import Component, Health
    from kiosk.core.session import events as ev

    p = kiosk.pilot
    kiosk.app.post(ev.HealthReported(Health.problem(Component.DISK, Reason.DISK_FULL)))  # paper out no longer does
    p.wait_for_screen("out_of_service")
    kiosk.shot("out-of-service")
    text = " ".join(p.texts())
    assert "DISK_FULL" in text and "JL-220102-001" in text
    assert p.find("bar:lang:en").disabled  # the top bar has nothing to start now ...
    assert p.has("oos:lang:en") and p.has("oos:staff")  # ... but the screen keeps language and staff
    kiosk.app.post(ev.HealthReported(Health.ok(Component.DISK)))
    p.wait_for_screen("home")


def test_languages_elder_mode_and_landscape(kiosk: Harness) -> None:
    p = kiosk.pilot
    p.tap("bar:lang:ko")
    kiosk.shot("home-ko")
    assert any("처리 진행 조회" in t for t in p.texts())
    p.tap("bar:lang:en")
    open_item(kiosk, "disability", "disability-subsidies")
    kiosk.shot("guide-en")
    p.tap("bar:elder")
    assert kiosk.app.elder
    kiosk.shot("guide-en-elder")
    p.tap("bar:home")
    p.wait_for_screen("home")
    window = p.window
    portrait = tuple(window.size)
    try:
        window.size = (portrait[1], portrait[0])
        p.frames(5)
        kiosk.shot("home-landscape")
        open_item(kiosk, "marriage", "divorce-registration")
        kiosk.shot("guide-landscape")
    finally:
        window.size = portrait
        p.frames(5)


def test_no_way_out_for_a_citizen(kiosk: Harness) -> None:
    p = kiosk.pilot
    assert p.window.dispatch("on_request_close") is True  # closing the window is refused
    assert p.window.dispatch("on_keyboard", 27, 0, None, []) is True  # Escape does nothing
    assert kiosk.app.open_settings() is False


def test_screenshots_were_saved(kiosk: Harness) -> None:
    shots = sorted(Path(kiosk.shots[0].parent).glob("*.png")) if kiosk.shots else []
    names = " ".join(s.name for s in shots)
    for screen in ("home", "guide", "consent", "identify", "form", "review", "done", "progress",
                   "appointment", "guide-printed", "out-of-service", "idle-warning"):
        assert screen in names, f"no screenshot of {screen}"


def test_browsing_back_and_forth_leaves_no_bindings_behind(kiosk: Harness) -> None:
    from screens.widgets import Scroller

    p = kiosk.pilot

    def bindings() -> int:
        scrollers = [w for screen in kiosk.app.screens.values() for w in screen.walk() if isinstance(w, Scroller)]
        assert scrollers
        return sum(len(s.get_property_observers("bar_color")) for s in scrollers)

    def round_trip() -> None:
        open_item(kiosk, "elderly", "elderly-care-cooperation")
        p.tap("nav:back")
        p.wait_for_screen("browse")
        p.tap("bar:home")
        p.wait_until(lambda: p.state.session is None and p.screen == "home", what="home")
        settled = time.monotonic() + 0.8
        while time.monotonic() < settled:  # the scroll bars' fade (after half a second) has run
            p.frames(1)

    round_trip()
    before = bindings()
    for _ in range(4):
        round_trip()
    assert bindings() <= before

"""Every screen and overlay in elder mode in Chinese, Korean and English, and in elder mode in landscape; the
densest screens in Korean at normal size too; switched by touch on the top bar. Each screenshot goes through
the harness's checks (contrast measured in the picture, overlapping text, words split across lines, 18 pt
elder text, touch targets, glyphs); the PNGs are kept in var/ui-screenshots for a person to look at."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.core.health import DeviceError, Reason
from kiosk.core.session.states import IdentifyStatus, Phase, TaskStatus
from tests.ui.harness import PORTRAIT, Harness
from tests.ui.test_journeys import ZHANG, fill_disability_form, open_item, reader_missing_at_identify, to_slots

pytestmark = pytest.mark.slow

# (language, elder, landscape)
SCREEN_VARIANTS = (("zh", True, False), ("ko", True, False), ("en", True, False), ("en", True, True))
# Korean at normal size too where the layout is densest (normal size is what most Korean speakers see)
WITH_KOREAN = (*SCREEN_VARIANTS, ("ko", False, False))
OVERLAY_VARIANTS = (("zh", True, False), ("ko", True, False), ("en", True, False))


def refuse(_application: object) -> None:
    raise DeviceError(Reason.BACKEND_REJECTED, "refused by the test")


def set_mode(kiosk: Harness, language: str, elder: bool, landscape: bool) -> None:
    p = kiosk.pilot
    size = (PORTRAIT[1], PORTRAIT[0]) if landscape else PORTRAIT
    if tuple(p.window.size) != size:
        p.window.size = size
        p.frames(4)
    if kiosk.app.lang != language:
        p.tap(f"bar:lang:{language}")
    if kiosk.app.elder != elder:
        p.tap("bar:elder")
    assert (kiosk.app.lang, kiosk.app.elder) == (language, elder)


def look(kiosk: Harness, name: str, variants: tuple[tuple[str, bool, bool], ...] = SCREEN_VARIANTS) -> None:
    for language, elder, landscape in variants:
        set_mode(kiosk, language, elder, landscape)
        kiosk.shot(f"{name}-{language}{'-elder' if elder else ''}{'-landscape' if landscape else ''}")
    set_mode(kiosk, "zh", False, False)


def look_at_overlay(kiosk: Harness, name: str, open_it: Callable[[], None], close_tag: str = "editor:cancel") -> None:
    for language, elder, landscape in OVERLAY_VARIANTS:
        set_mode(kiosk, language, elder, landscape)
        open_it()
        kiosk.shot(f"{name}-{language}{'-elder' if elder else ''}")
        kiosk.pilot.tap(close_tag)
    set_mode(kiosk, "zh", False, False)


def test_home_browse_guide_and_the_voice_panel(kiosk: Harness) -> None:
    p = kiosk.pilot
    p.tap("bar:lang:zh")  # the first touch starts a session
    look(kiosk, "home", WITH_KOREAN)
    look_at_overlay(kiosk, "voice", lambda: p.tap("bar:voice"), "voice:close")
    look_at_overlay(kiosk, "search", lambda: p.tap("home:search"))
    p.tap("category:disability")
    p.wait_for_screen("browse")
    look(kiosk, "browse")
    p.tap("item:disability-subsidies")
    p.wait_for_screen("guide")
    look(kiosk, "guide", WITH_KOREAN)


def test_apply_screens(kiosk: Harness) -> None:
    p = kiosk.pilot
    open_item(kiosk, "disability", "disability-subsidies")
    p.tap("guide:start")
    p.wait_for_screen("consent")
    look(kiosk, "consent")
    p.tap("consent:sensitive")
    p.tap("consent:agree")
    p.wait_for_screen("identify")
    look(kiosk, "identify")
    kiosk.reader.insert(ZHANG)
    p.wait_for_screen("form")
    look(kiosk, "form", WITH_KOREAN)
    set_mode(kiosk, "zh", True, False)
    p.tap("form:next")  # elder mode: the card's data first, then one field a page
    kiosk.shot("form-field-page-zh-elder")
    look_at_overlay(kiosk, "division-provinces", lambda: p.tap("field:hukou_division"))
    p.tap("nav:back")  # out of elder mode the form has no pages: back to identification, the card read again
    set_mode(kiosk, "zh", False, False)
    p.wait_until(lambda: p.state.session.phase == Phase.FORM and p.screen == "form" and not p.app.overlays,
                 what="the form again")
    p.frames(5)
    fill_disability_form(kiosk)
    p.tap("form:next")
    p.wait_for_screen("review")
    look(kiosk, "review")
    kiosk.backend.submit = refuse  # a backend that turns the application down (an offline one queues it)
    try:
        p.tap("review:confirm")
        p.wait_until(lambda: p.state.session.submit.status == TaskStatus.FAILED, what="the failed submission")
        look(kiosk, "submitting-failed")
    finally:
        del kiosk.backend.submit
    p.tap("submitting:retry")
    p.wait_for_screen("done")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the receipt")
    look(kiosk, "done", WITH_KOREAN)


def test_identify_errors_and_manual_entry(kiosk: Harness) -> None:
    p = kiosk.pilot
    reader_missing_at_identify(kiosk)
    look(kiosk, "identify-error")
    p.tap("identify:manual")
    p.wait_until(lambda: p.state.session.identification.status == IdentifyStatus.MANUAL, what="manual entry")
    look(kiosk, "identify-manual", WITH_KOREAN)
    look_at_overlay(kiosk, "keypad", lambda: p.tap("manual:id_number"))
    look_at_overlay(kiosk, "pinyin", lambda: p.tap("manual:name"))


def test_progress_appointment_guide_printing_and_idle(kiosk: Harness) -> None:
    p = kiosk.pilot
    p.tap("home:progress")
    p.wait_for_screen("progress")
    look(kiosk, "progress")
    p.tap("progress:finish")
    p.wait_for_screen("home")
    to_slots(kiosk)
    look(kiosk, "appointment", WITH_KOREAN)
    set_mode(kiosk, "ko", True, False)
    slot = next(s for s in p.state.session.available_slots if s.remaining > 0)
    p.tap(f"day:{slot.day.isoformat()}")
    p.tap(f"slot:{slot.slot_id}")
    p.tap("appointment:next")  # elder mode: the time, then the phone number on its own page
    kiosk.shot("appointment-phone-ko-elder")
    assert p.has("field:phone") and not p.has(f"slot:{slot.slot_id}")
    kiosk.reader.remove()
    p.tap("bar:home")
    p.wait_for_screen("home")
    open_item(kiosk, "elderly", "elderly-care-cooperation")
    kiosk.printer.inject(Reason.PAPER_OUT)
    p.tap("guide:print")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.FAILED, what="the print failure")
    look(kiosk, "guide-printing-failed")
    rules = p.state.rules
    for language, elder, _landscape in OVERLAY_VARIANTS:
        set_mode(kiosk, language, elder, False)
        p.skip(rules.session_s - rules.idle_warning_s + 1)
        p.wait_until(lambda: p.has("idle:extend"), what="the idle warning")
        kiosk.shot(f"idle-{language}-elder")
        p.tap("idle:extend")
    set_mode(kiosk, "zh", False, False)


def test_out_of_service(kiosk: Harness) -> None:
    from kiosk.core.health import Component, Health
    from kiosk.core.session import events as ev

    p = kiosk.pilot
    # a full disk takes the kiosk out of service (paper out blocks only printing: issue #15)
    kiosk.app.post(ev.HealthReported(Health.problem(Component.DISK, Reason.DISK_FULL)))
    p.wait_for_screen("out_of_service")
    kiosk.shot("out-of-service-zh")
    p.window.size = (PORTRAIT[1], PORTRAIT[0])
    p.frames(4)
    try:
        kiosk.shot("out-of-service-zh-landscape")
    finally:
        p.window.size = PORTRAIT
        p.frames(4)
        kiosk.app.post(ev.HealthReported(Health.ok(Component.DISK)))
        p.wait_for_screen("home")

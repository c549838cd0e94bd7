"""The done screen read out whole (issue #15): what is still to do, the materials, the office with its address, the
time limit and the phone, in zh, ko and en; the machine says it about the item when the done screen appears
and again when the language changes there."""

from __future__ import annotations

import pytest

from kiosk.core.catalog import Catalog
from kiosk.core.session import events as ev
from kiosk.core.session.commands import Speak
from kiosk.core.session.model import Rules
from kiosk.core.settings import KioskSettings
from kiosk.storage.config import load_config
from screens.done_speech import done_speech, for_the_ear
from screens.i18n import t
from tests.conftest import CONFIG_DIR
from tests.unit import session_helpers as h


@pytest.fixture(scope="module")
def settings() -> KioskSettings:
    return load_config(CONFIG_DIR / "kiosk.toml").settings


@pytest.mark.parametrize("language", ["zh", "ko", "en"])
def test_the_application_done_screen_is_said_whole(catalog: Catalog, settings: KioskSettings, language: str) -> None:
    item = catalog.item("disability-subsidies")
    said = done_speech(catalog, settings, "application:disability-subsidies", language)
    assert said.startswith(t("done.title", language)) and t("done.not_finished", language)[:6] in said
    for material in item.materials:
        assert material.name.get(language) in said
    assert settings.site.address in said  # the office: where the materials go
    assert t("done.time_limit", language) in said and "16" in said
    assert "1 2 3 4 5" in said  # the hotline, digit by digit
    assert "□" not in said and "\n" not in said


def test_a_booking_is_said_as_a_booking(catalog: Catalog, settings: KioskSettings) -> None:
    said = done_speech(catalog, settings, "booking:marriage-registration", "zh")
    assert said.startswith("预约成功") and "申请已提交" not in said
    assert done_speech(catalog, settings, "booking:no-such-item", "zh") == ""
    assert done_speech(catalog, settings, "what:marriage-registration", "zh") == ""


def test_numbers_are_read_digit_by_digit_and_lines_become_sentences() -> None:
    assert for_the_ear("电话：12345\n□\u00a0身份证", "zh") == "电话：1 2 3 4 5。身份证。"
    assert for_the_ear("Call 0431-88886666;\nHours: 8:30-11:30", "en") == (
        "Call 0 4 3 1-8 8 8 8 6 6 6 6. Hours: 8:30-11:30.")


def test_the_machine_says_the_done_screen_about_its_item(rules: Rules) -> None:
    state, commands = h.run(h.at_submitting(rules), ev.SubmitSucceeded(h.SID, h.RESULT))
    said = h.commands_of(commands, Speak)
    assert [(s.prompt_id, s.subject) for s in said] == [("screen.done", "application:disability-subsidies")]
    state, commands = h.run(state, ev.LanguageChosen("ko"))
    assert h.commands_of(commands, Speak) == [Speak("screen.done", "ko", 80, "application:disability-subsidies")]
    state, commands = h.run(h.at_appointment(rules), ev.SlotChosen(h.SLOT.slot_id),
                            ev.FieldChanged("phone", "13912345678"), ev.BookingConfirmed(),
                            ev.BookingSucceeded(h.SID, h.BOOKED))
    assert [s.subject for s in h.commands_of(commands, Speak) if s.prompt_id == "screen.done"] == [
        "booking:marriage-registration"]
    state, commands = h.run(h.at_form(rules), ev.LanguageChosen("en"))
    assert h.commands_of(commands, Speak) == [Speak("screen.form", "en", 80)]  # other screens: their prompt

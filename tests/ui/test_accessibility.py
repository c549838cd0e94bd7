"""Voice guidance, Chinese typing on the pinyin keypad and the reset after a session, by touch on the real app
(the simulated kiosk speaks through the silent driver, which records what it was asked to say)."""

from __future__ import annotations

import pytest

from kiosk.core.session.states import TaskStatus
from screens import i18n
from tests.ui.harness import Harness
from tests.ui.test_journeys import ZHANG, open_item

pytestmark = pytest.mark.slow


def spoken(kiosk: Harness) -> list[tuple[str, str]]:
    kiosk.pilot.frames(2)
    return list(kiosk.app.kiosk.ports.speech.spoken)


def wait_for_speech(kiosk: Harness, text: str) -> None:
    kiosk.pilot.wait_until(lambda: any(said == text for _lang, said in spoken(kiosk)), what=f"saying {text!r}")


def test_every_screen_is_spoken_and_voice_can_be_turned_off_and_louder(kiosk: Harness) -> None:
    p = kiosk.pilot
    speech = kiosk.app.kiosk.ports.speech
    speech.clear()
    p.tap("category:disability")
    p.wait_for_screen("browse")
    wait_for_speech(kiosk, i18n.t("screen.browsing", "zh"))
    p.tap("bar:lang:ko")
    wait_for_speech(kiosk, i18n.t("screen.browsing", "ko"))  # the screen again, in the new language
    p.tap("bar:voice")
    kiosk.shot("voice-panel-ko")
    p.tap("voice:louder")
    wait_for_speech(kiosk, i18n.t("voice.volume", "ko"))
    assert speech.volumes[-1] == 100 and kiosk.app.volume == 100
    p.tap("voice:off")
    assert not kiosk.app.voice
    p.tap("voice:close")
    assert kiosk.pilot.find("bar:voice").text == i18n.t("button.voice_off", "ko")
    speech.clear()
    p.tap("item:disability-subsidies")
    p.wait_for_screen("guide")
    p.frames(5)
    assert spoken(kiosk) == []  # voice off: the new screen is shown, not said
    p.tap("bar:voice")
    p.tap("voice:on")
    wait_for_speech(kiosk, i18n.t("voice.on", "ko"))
    p.tap("voice:close")


def test_errors_are_spoken_with_what_to_do(kiosk: Harness) -> None:
    p = kiosk.pilot
    kiosk.reader.unplug()
    kiosk.report_health()
    open_item(kiosk, "children", "orphan-support")
    p.tap("bar:lang:en")
    p.tap("guide:start")
    p.tap("consent:sensitive")
    p.tap("consent:agree")
    wait_for_speech(kiosk, i18n.prompt_text("error.no_reader", "en"))
    assert "Type the ID number instead" in i18n.prompt_text("error.no_reader", "en")


def test_typing_a_name_and_a_place_on_the_pinyin_keypad(kiosk: Harness) -> None:
    p = kiosk.pilot
    p.tap("home:search")
    p.type_pinyin("zhang", "张")
    p.type_pinyin("san", "三")
    kiosk.shot("pinyin-zhangsan")
    assert p.find("editor:ok") and "张三" in p.texts()
    for _ in range(2):
        p.tap("key:back")
    p.type_pinyin("changchunshi", "长春市")  # a whole word is one candidate
    kiosk.shot("pinyin-changchunshi")
    p.tap("editor:ok")
    p.wait_for_screen("browse")
    assert p.state.session.search == "长春市"
    p.tap("nav:back")
    p.wait_for_screen("home")
    p.tap("home:search")
    for syllable, character in (("chang", "长"), ("chun", "春"), ("shi", "市")):
        p.type_pinyin(syllable, character)  # or one character at a time
    p.tap("editor:ok")
    p.wait_until(lambda: p.state.session.search == "长春市", what="the search")


def test_after_a_session_language_text_size_and_voice_are_reset_and_the_slip_remembered(
        kiosk: Harness) -> None:
    p = kiosk.pilot
    speech = kiosk.app.kiosk.ports.speech
    p.tap("bar:lang:ko")
    p.tap("bar:elder")
    p.tap("bar:voice")
    p.tap("voice:quieter")
    p.tap("voice:close")
    open_item(kiosk, "data_sharing", "spouse-hukou-transfer")
    p.tap("guide:print")
    p.wait_for_screen("guide_printing")
    p.wait_until(lambda: p.state.session.printing.status == TaskStatus.DONE, what="the guide slip")
    speech.clear()
    p.tap("guide_printing:finish")
    p.wait_for_screen("home")
    reminder = i18n.t("notice.take_slip", "ko")  # a guide slip and no card: only the slip is named (issue #15)
    wait_for_speech(kiosk, reminder)
    assert speech.volumes[-1] == 60  # said at the volume the citizen had chosen
    assert reminder in kiosk.app.notice  # and shown, in the language the citizen used
    kiosk.shot("home-after-session")
    assert (kiosk.app.lang, kiosk.app.elder, kiosk.app.voice, kiosk.app.volume) == ("zh", False, True, 80)
    assert p.find("bar:lang:zh").kind == "bar_selected"
    kiosk.reader.insert(ZHANG)
    p.tap("category:marriage")  # the next citizen's first touch starts afresh
    p.wait_for_screen("browse")
    assert kiosk.app.notice == "" and p.state.session.language == "zh"
    kiosk.reader.remove()

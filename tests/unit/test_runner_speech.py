"""The runner hands Speak commands to the speech port with the prompt's text, language and the session's
volume, off the calling thread, and StopSpeech cuts the voice off."""

from __future__ import annotations

import time
from pathlib import Path

from kiosk.composition.root import build_kiosk
from kiosk.core.session import events as ev
from screens import i18n
from tests.conftest import CONFIG_DIR


def wait(predicate, timeout_s: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_prompts_reach_the_speech_port_at_the_session_volume(kiosk_config: Path) -> None:
    kiosk = build_kiosk(kiosk_config, CONFIG_DIR / "catalog", prompt_text=i18n.prompt_text)
    speech = kiosk.ports.speech
    stops: list[bool] = []
    speech.stop = lambda: stops.append(True)  # type: ignore[method-assign]
    try:
        kiosk.dispatch(ev.CategoryChosen("marriage"))
        wait(lambda: ("zh", i18n.t("screen.browsing", "zh")) in speech.spoken)
        assert speech.volumes[-1] == kiosk.config.profile.speech.volume
        kiosk.dispatch(ev.VolumeChanged(louder=False))
        wait(lambda: speech.spoken[-1] == ("zh", i18n.t("voice.volume", "zh")))
        assert speech.volumes[-1] == kiosk.config.profile.speech.volume - 20
        kiosk.dispatch(ev.VoiceToggled())
        wait(lambda: stops == [True])
        said = len(speech.spoken)
        kiosk.dispatch(ev.BackPressed())
        time.sleep(0.2)
        assert len(speech.spoken) == said
    finally:
        kiosk.close()

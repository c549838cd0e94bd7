"""Every spoken prompt (each screen, each error, the idle warning, the take-your-card-and-slip reminder, the
voice controls) through the real espeak-ng in the three languages: pronounced in its own language (no switch
to another voice mid-prompt), and synthesized to a WAV file that holds speech of a sensible length."""

from __future__ import annotations

import array
import math
import subprocess
import wave
from pathlib import Path

import pytest

from devices.speech.espeak import VOICES, synthesize
from kiosk.core.health import Reason
from kiosk.core.session.states import Phase
from screens import i18n
from screens.i18n_keys import SPOKEN

SCREEN_PROMPTS = [f"screen.{phase.value}" for phase in Phase]
ERROR_PROMPTS = [f"error.{reason.value}" for reason in Reason if reason != Reason.OK]
PROMPTS = [*SCREEN_PROMPTS, *ERROR_PROMPTS, *SPOKEN]


def phonemes(text: str, language: str) -> str:
    return subprocess.run(["espeak-ng", "-v", VOICES[language], "-q", "-x", "--", text], capture_output=True,
                          text=True, check=True, timeout=30).stdout


def wav_stats(path: Path) -> tuple[float, float]:
    """(seconds, RMS amplitude 0-1) of a 16-bit mono WAV."""
    with wave.open(str(path)) as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        samples = array.array("h", wav.readframes(wav.getnframes()))
        seconds = wav.getnframes() / wav.getframerate()
    rms = math.sqrt(sum(s * s for s in samples) / max(len(samples), 1)) / 32768
    return seconds, rms


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_prompt_has_a_text_and_is_said_in_its_own_language(language: str) -> None:
    switched = []
    for prompt in PROMPTS:
        text = i18n.prompt_text(prompt, language)
        assert text, f"{language}: no text for {prompt}"
        said = phonemes(text, language)
        assert said.strip(), f"{language} {prompt}: no phonemes"
        # espeak marks a change of voice as "(en)" ... "(cmn)": e.g. the cmn voice reading tone digits in English
        if "(" in said and not any(ch.isascii() and ch.isalpha() for ch in text if language != "en"):
            switched.append(f"{prompt}: {said.strip()[:80]}")
    assert not switched, f"{language}: {switched}"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_screen_prompts_and_the_reminder_synthesize_to_speech(tmp_path: Path, language: str) -> None:
    for prompt in [*SCREEN_PROMPTS, "notice.take_card_and_slip", "idle_warning", "error.no_card"]:
        text = i18n.prompt_text(prompt, language)
        seconds, rms = wav_stats(synthesize(text, language, tmp_path / f"{prompt}.wav"))
        characters = len(text.replace(" ", ""))
        # Mandarin and Korean say about 4-6 syllables a second at this rate, English about 12 letters
        per_second = 14 if language == "en" else 5
        assert characters / per_second / 3 < seconds < characters / per_second * 3 + 1, (prompt, seconds)
        assert rms > 0.01, f"{prompt} is silence"

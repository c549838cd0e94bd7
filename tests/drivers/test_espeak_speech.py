"""The espeak-ng speech driver: real synthesis to WAV in the three languages, and say() never blocks."""

from __future__ import annotations

import os
import subprocess
import time
import wave
from pathlib import Path

import pytest

from devices.speech.espeak import EspeakSpeech, espeak_command, synthesize

PROMPTS = {
    "zh": "请将身份证放在读卡区",
    "ko": "신분증을 카드 판독기 위에 올려 놓으십시오",
    "en": "Please place your ID card on the reader",
}


def duration_s(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


@pytest.mark.parametrize("language", list(PROMPTS))
def test_prompts_synthesize_to_speech(tmp_path: Path, language: str) -> None:
    wav = synthesize(PROMPTS[language], language, tmp_path / f"{language}.wav")
    assert duration_s(wav) > 1.0
    stats = subprocess.run(["sox", str(wav), "-n", "stat"], capture_output=True, text=True).stderr
    rms = float(next(line.split(":")[1] for line in stats.splitlines() if line.startswith("RMS     amplitude")))
    assert rms > 0.01, "the file holds sound, not silence"


def test_volume_scales_the_amplitude(tmp_path: Path) -> None:
    loud = synthesize(PROMPTS["zh"], "zh", tmp_path / "loud.wav", volume=100)
    quiet = synthesize(PROMPTS["zh"], "zh", tmp_path / "quiet.wav", volume=10)

    def peak(path: Path) -> float:
        stats = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True).stderr
        return float(next(line.split(":")[1] for line in stats.splitlines() if line.startswith("Maximum amplitude")))
    assert peak(quiet) < peak(loud) / 3


def test_voices_per_language() -> None:
    assert espeak_command("x", "zh", 50)[:3] == ["espeak-ng", "-v", "cmn-latn-pinyin"]
    assert espeak_command("x", "ko", 50)[2] == "ko" and espeak_command("x", "en", 50)[2] == "en-gb"
    assert espeak_command("x", "zh", 50)[4] == "100"


def test_say_returns_at_once_and_a_new_prompt_interrupts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A slow stand-in for espeak-ng: without a sound card the real one may return at once, and this test is
    # about the driver's threading, not the voice (the synthesis tests above use the real engine).
    fake = tmp_path / "espeak-ng"
    fake.write_text("#!/bin/sh\nexec sleep 10\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    speech = EspeakSpeech(volume=0)
    try:
        started = time.monotonic()
        speech.say(PROMPTS["en"] * 5, "en")
        assert time.monotonic() - started < 0.5  # speaking runs on its own thread
        deadline = time.monotonic() + 5
        while speech._current is None and time.monotonic() < deadline:
            time.sleep(0.01)
        first = speech._current
        assert first is not None and first.poll() is None
        speech.say(PROMPTS["zh"], "zh")
        first.wait(timeout=5)
        assert first.returncode != 0, "the old prompt was cut off"
    finally:
        speech.close()


def test_say_takes_the_session_volume(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = tmp_path / "args"
    fake = tmp_path / "espeak-ng"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    speech = EspeakSpeech(volume=80)
    try:
        speech.say("one", "en", 40)
        deadline = time.monotonic() + 5
        while not (log.exists() and "-- one" in log.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        speech.say("two", "en")

        def line(text: str) -> str:  # another test's speech thread may still run the fake too: pick ours
            return next((x for x in log.read_text().splitlines() if x.endswith(f"-- {text}")), "")
        while not line("two") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "-a 80 " in line("one") and "-a 160 " in line("two")  # 40 % and the profile's 80 %, as amplitude
    finally:
        speech.close()


def test_disabled_speech_says_nothing() -> None:
    speech = EspeakSpeech(enabled=False)
    speech.say("不应朗读", "zh")
    time.sleep(0.1)
    assert speech._current is None
    speech.close()

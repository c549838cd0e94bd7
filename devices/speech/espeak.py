"""Voice guidance through espeak-ng: Mandarin, Korean and English, on a queue so speaking never blocks.

One background thread speaks the latest prompt; a new prompt interrupts the one being spoken (a citizen
who taps on should hear the new screen, not the end of the old one). The engine is behind the Speech port,
so a better voice can replace it without touching the screens.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import threading
from pathlib import Path

from kiosk.core.health import Component, Health, Reason
from kiosk.core.settings import LoadedConfig

# espeak-ng 1.51 (Debian 12) reads the tone numbers of its `cmn` voice aloud in English ("ni three hao
# three", espeak-ng#1028); its `cmn-latn-pinyin` voice says the same characters in Mandarin.
VOICES = {"zh": "cmn-latn-pinyin", "ko": "ko", "en": "en-gb"}


def espeak_command(text: str, language: str, volume: int, wav: Path | None = None) -> list[str]:
    """The espeak-ng invocation; volume 0-100 maps to espeak's amplitude 0-200."""
    command = ["espeak-ng", "-v", VOICES.get(language, "cmn"), "-a", str(volume * 2), "-s", "150"]
    if wav is not None:
        command += ["-w", str(wav)]
    return [*command, "--", text]


def synthesize(text: str, language: str, wav: Path, volume: int = 80, timeout_s: float = 30) -> Path:
    """Write the prompt to a WAV file (tests and prompt previews)."""
    subprocess.run(espeak_command(text, language, volume, wav), check=True, capture_output=True, timeout=timeout_s)
    return wav


class EspeakSpeech:
    def __init__(self, volume: int = 80, enabled: bool = True) -> None:
        self.volume = volume
        self.enabled = enabled
        self._queue: queue.Queue[tuple[str, str, int] | None] = queue.Queue()
        self._current: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._speak_loop, name="kiosk-speech", daemon=True)
        self._thread.start()

    def health(self) -> Health:
        if shutil.which("espeak-ng") is None:
            return Health.problem(Component.SPEECH, Reason.INTERNAL_ERROR, "espeak-ng not installed")
        return Health.ok(Component.SPEECH, "espeak-ng")

    def say(self, text: str, language: str, volume: int | None = None) -> None:
        if not self.enabled or not text:
            return
        self._drain()
        self.stop()
        self._queue.put((text, language, self.volume if volume is None else max(0, min(100, volume))))

    def stop(self) -> None:
        with self._lock:
            if self._current is not None and self._current.poll() is None:
                self._current.terminate()

    def close(self) -> None:
        self.stop()
        self._queue.put(None)

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _speak_loop(self) -> None:
        while (job := self._queue.get()) is not None:
            text, language, volume = job
            try:
                with self._lock:
                    self._current = subprocess.Popen(espeak_command(text, language, volume),
                                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                self._current.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.stop()


def from_config(config: LoadedConfig) -> EspeakSpeech:
    return EspeakSpeech(volume=config.profile.speech.volume)

"""Speech that says nothing but remembers what it was asked to say, for kiosks without speakers and tests."""

from __future__ import annotations

import threading

from kiosk.core.health import Component, Health
from kiosk.core.settings import LoadedConfig


class SilentSpeech:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.spoken: list[tuple[str, str]] = []  # (language, text)
        self.volumes: list[int | None] = []

    def health(self) -> Health:
        return Health.ok(Component.SPEECH, "silent")

    def say(self, text: str, language: str, volume: int | None = None) -> None:
        with self._lock:
            self.spoken.append((language, text))
            self.volumes.append(volume)
            del self.spoken[:-50]  # keep a short tail only
            del self.volumes[:-50]

    def clear(self) -> None:
        with self._lock:
            self.spoken.clear()
            self.volumes.clear()

    def stop(self) -> None:
        pass


def from_config(config: LoadedConfig) -> SilentSpeech:
    return SilentSpeech()

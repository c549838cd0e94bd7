"""A simulated QR/barcode scanner for the demo, the UI tests and staff training: `scan(code)` hands it a code
as if shown to the window; `unplug()`/`plug()` take it away and back."""

from __future__ import annotations

import queue

from devices.simulated_plug import SimulatedPlug
from kiosk.core.health import Component, Reason
from kiosk.core.settings import LoadedConfig, SimulatedScannerSettings, settings_as


class SimulatedScanner(SimulatedPlug):
    def __init__(self) -> None:
        super().__init__(Component.SCANNER, Reason.NO_SCANNER)
        self._codes: queue.Queue[str] = queue.Queue()

    def scan(self, code: str) -> None:
        self._codes.put(code)

    def read_code(self, timeout_s: float) -> str | None:
        self._refuse_unplugged()
        try:
            return self._codes.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def close(self) -> None:
        pass


def from_config(config: LoadedConfig) -> SimulatedScanner:
    settings_as(config.profile.scanner, SimulatedScannerSettings)
    return SimulatedScanner()

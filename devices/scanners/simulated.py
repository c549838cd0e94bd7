"""A simulated QR/barcode scanner for the demo, the UI tests and staff training: `scan(code)` hands it a code
as if shown to the window; `unplug()`/`plug()` take it away and back."""

from __future__ import annotations

import queue

from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.settings import LoadedConfig, SimulatedScannerSettings, settings_as


class SimulatedScanner:
    def __init__(self) -> None:
        self._codes: queue.Queue[str] = queue.Queue()
        self.plugged = True

    def scan(self, code: str) -> None:
        self._codes.put(code)

    def unplug(self) -> None:
        self.plugged = False

    def plug(self) -> None:
        self.plugged = True

    def health(self) -> Health:
        if not self.plugged:
            return Health.problem(Component.SCANNER, Reason.NO_SCANNER, "simulated: unplugged")
        return Health.ok(Component.SCANNER, "simulated")

    def read_code(self, timeout_s: float) -> str | None:
        if not self.plugged:
            raise DeviceError(Reason.NO_SCANNER, "simulated: unplugged")
        try:
            return self._codes.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def close(self) -> None:
        pass


def from_config(config: LoadedConfig) -> SimulatedScanner:
    settings_as(config.profile.scanner, SimulatedScannerSettings)
    return SimulatedScanner()

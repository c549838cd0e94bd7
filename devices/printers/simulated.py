"""A simulated receipt printer: writes each slip's text and a PNG picture of it into a folder.

It keeps the port's promises (a job id prints once; faults are reported as reasons) so the demo and UI
tests behave like the real kiosk.
"""

from __future__ import annotations

import threading
from pathlib import Path

from devices.printers.text_image import render_text_png
from kiosk.health import Component, DeviceError, Health, Reason
from kiosk.settings import LoadedConfig
from kiosk.slips import Slip


class SimulatedPrinter:
    def __init__(self, folder: Path, width_px: int = 576) -> None:
        self.folder = folder
        self.width_px = width_px
        self.printed: dict[str, Path] = {}
        self._fault: Reason | None = None
        self._lock = threading.Lock()

    def inject(self, fault: Reason | None) -> None:
        """Paper out, cover open, offline ...; None clears it (staff refilled the paper)."""
        self._fault = fault

    def health(self) -> Health:
        if self._fault is not None:
            return Health.problem(Component.PRINTER, self._fault, "simulated")
        return Health.ok(Component.PRINTER, "simulated")

    def print_slip(self, job_id: str, slip: Slip) -> None:
        with self._lock:
            if job_id in self.printed:
                return
            if self._fault is not None:
                raise DeviceError(self._fault, "injected fault")
            self.folder.mkdir(parents=True, exist_ok=True)
            safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in job_id)
            path = self.folder / f"{slip.kind.value}-{safe}.png"
            render_text_png(slip.plain_text(), path, self.width_px)
            self.printed[job_id] = path

    def close(self) -> None:
        pass


def from_config(config: LoadedConfig) -> SimulatedPrinter:
    printer = config.profile.printer
    folder = config.resolve(Path(printer.connection.path or "slips"))
    return SimulatedPrinter(folder, 576 if printer.paper_width_mm == 80 else 384)

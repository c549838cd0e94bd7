"""A simulated receipt printer: writes each job's exact ESC/POS bytes and a PNG decoded from them to a folder.

It runs the real encoder, so the demo shows the very slip a printer would print, and it keeps the port's
promises: a job id prints once (journal), faults are reported as reasons. Faults come from `inject` and
`fail_next` (tests), or from a file named FAULT in the folder holding a reason id such as `paper_out`,
`cover_open` or `printer_offline`, so an operator can pull the paper out of a running demo.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from devices.clock import china_now
from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.ports import PrintOutcome
from kiosk.core.settings import LoadedConfig, PrinterProfile, SimulatedOutputSettings, settings_as
from kiosk.core.slips import Slip
from kiosk.logs import log_event
from kiosk.storage.print_journal import PrintJournal

if TYPE_CHECKING:
    from devices.printers.escpos_encoder import SlipEncoder

log = logging.getLogger("kiosk.printer")
FAULT_FILE = "FAULT"
RECENT_JOBS = 200
PRINTER_FAULTS = frozenset({Reason.PAPER_OUT, Reason.PAPER_NEAR_END, Reason.COVER_OPEN, Reason.PRINTER_OFFLINE,
                            Reason.PRINTER_NO_STATUS, Reason.CUTTER_ERROR})


class SimulatedPrinter:
    def __init__(self, folder: Path, profile: PrinterProfile | None = None,
                 journal: PrintJournal | None = None) -> None:
        self.folder = folder
        self.profile = profile or PrinterProfile(connection=SimulatedOutputSettings(kind="simulated"))
        self._encoder: SlipEncoder | None = None
        self.journal = journal
        self.printed: dict[str, Path] = {}  # job id -> PNG of the slip, the last RECENT_JOBS (the journal has all)
        self._fault: Reason | None = None
        self._next_faults: deque[Reason] = deque()
        self._uncertain_next = False
        self._lock = threading.Lock()

    # ---- faults ----

    def inject(self, fault: Reason | None) -> None:
        """Paper out, cover open, offline ... until cleared with None (staff refilled the paper)."""
        if fault is not None and fault not in PRINTER_FAULTS:
            raise ValueError(f"{fault} is not a printer fault")
        self._fault = fault

    def fail_next(self, reason: Reason) -> None:
        """The next job fails with `reason`; the printer is fine afterwards."""
        self._next_faults.append(reason)

    def lose_next_confirmation(self) -> None:
        """The next job prints but its confirmation is lost (the link dropped after the cut): uncertain."""
        self._uncertain_next = True

    def fault(self) -> Reason | None:
        if self._fault is not None:
            return self._fault
        path = self.folder / FAULT_FILE
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        try:
            reason = Reason(text)
        except ValueError:
            return Reason.PRINTER_OFFLINE  # an unreadable fault file is a fault, not "OK"
        return reason if reason in PRINTER_FAULTS else Reason.PRINTER_OFFLINE

    @property
    def encoder(self) -> SlipEncoder:
        """Made on the first print: the encoder and the preview bring Pillow, fonts and QR codes, which the
        kiosk does not need to draw its first screen."""
        if self._encoder is None:
            from devices.printers.escpos_encoder import SlipEncoder

            self._encoder = SlipEncoder(self.profile)
        return self._encoder

    # ---- the port ----

    def health(self) -> Health:
        fault = self.fault()
        if fault is not None:
            return Health.problem(Component.PRINTER, fault, "simulated")
        return Health.ok(Component.PRINTER, f"simulated, slips in {self.folder}")

    def was_printed(self, job_id: str) -> bool:
        return job_id in self.printed or (self.journal is not None and self.journal.was_printed(job_id))

    def print_slip(self, job_id: str, slip: Slip) -> PrintOutcome:
        with self._lock:
            if self.was_printed(job_id):
                log_event(log, "print_skipped", job_id=job_id, kind=slip.kind.value, detail_code="printed_before")
                record = self.journal.get(job_id) if self.journal is not None else None
                return PrintOutcome.UNCERTAIN if record is not None and record.uncertain else PrintOutcome.DONE
            fault = self._next_faults.popleft() if self._next_faults else self.fault()
            if fault is not None and fault != Reason.PAPER_NEAR_END:
                if self.journal is not None:
                    self.journal.record_failed(job_id, slip, fault.value)
                raise DeviceError(fault, "simulated fault")
            from devices.printers.fonts import FontMissing
            from devices.printers.preview import preview_png

            try:
                job = self.encoder.encode(slip)
            except FontMissing as exc:
                raise DeviceError(Reason.CONFIG_INVALID, str(exc)) from None
            self.folder.mkdir(parents=True, exist_ok=True)
            stem = self.folder / f"{slip.kind.value}-{_safe(job_id)}"
            stem.with_suffix(".bin").write_bytes(job.data)
            png = stem.with_suffix(".png")
            preview_png(job.data, png, self.profile.paper_width_mm, boot_chinese=not self.profile.chinese_text_mode,
                        encoding=self.profile.encoding)
            outcome = PrintOutcome.UNCERTAIN if self._uncertain_next else PrintOutcome.DONE
            self._uncertain_next = False
            if self.journal is not None:
                if outcome == PrintOutcome.UNCERTAIN:
                    self.journal.record_uncertain(job_id, slip, china_now())
                else:
                    self.journal.record_printed(job_id, slip, china_now())
            self.printed[job_id] = png
            while len(self.printed) > RECENT_JOBS:  # a kiosk prints for months: keep the dict bounded
                del self.printed[next(iter(self.printed))]
            log_event(log, "print_sent", job_id=job_id, kind=slip.kind.value, count=len(job.data),
                      detail_code=outcome.value)
            return outcome

    def close(self) -> None:
        pass


def _safe(job_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in job_id)[:80]


def from_config(config: LoadedConfig) -> SimulatedPrinter:
    printer = config.profile.printer
    output = settings_as(printer.connection, SimulatedOutputSettings)
    folder = config.resolve(Path(output.path or "slips"))
    return SimulatedPrinter(folder, printer, PrintJournal.in_dir(config.data_dir))

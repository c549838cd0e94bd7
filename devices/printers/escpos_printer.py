"""The ESC/POS receipt printer driver: the kiosk's Printer port over a python-escpos connection.

One job: skip it if the journal says it was printed; ask the printer's status (no answer -> PRINTER_NO_STATUS,
never "OK"); send the exact bytes of the slip; ask again, so paper that ran out or a cover opened during the
job, or a link that broke, fails the job instead of losing the slip; then journal it as printed. A failed
job is printed in full when it is retried; a printed one never again. Each job starts with ESC @, which
clears what a failed job left in the printer's print buffer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from devices.printers import escpos_commands as cmd
from devices.printers.connection import Connection, connection_for
from devices.printers.escpos_encoder import SlipEncoder
from devices.printers.fonts import FontMissing
from devices.printers.status import QUERIES, PrinterStatus, is_status_byte
from kiosk.core.health import Action, Component, DeviceError, Health, Reason, Status
from kiosk.core.settings import LoadedConfig, PrinterProfile
from kiosk.core.slips import Slip
from kiosk.logs import log_event
from kiosk.storage.print_journal import PrintJournal

log = logging.getLogger("kiosk.printer")


class EscposPrinter:
    def __init__(self, profile: PrinterProfile, connection: Connection, journal: PrintJournal,
                 now: Callable[[], datetime] = datetime.now) -> None:
        self.profile = profile
        self.connection = connection
        self.journal = journal
        self.encoder = SlipEncoder(profile)
        self.now = now
        self._lock = threading.RLock()
        self.last_status: PrinterStatus | None = None

    # ---- status ----

    def query_status(self, reconnect: bool = True) -> PrinterStatus | None:
        """The printer's status, or None when it does not answer within the profile's timeout.

        Raises DeviceError(PRINTER_OFFLINE) when the printer cannot be reached at all. With `reconnect`, a
        link that turns out broken is replaced once (after a job it must not be: the job was lost with it).
        """
        with self._lock:
            if not self.connection.has_status:
                return None
            reused = self.connection.is_open
            try:
                return self._ask()
            except DeviceError:
                if not (reused and reconnect):
                    raise
            # a kept-open link may have been dropped by the printer while idle: try once on a fresh one
            self.connection.close()
            return self._ask()

    def _ask(self) -> PrinterStatus | None:
        self.connection.open()
        self.connection.drain()
        replies: dict[int, int] = {}
        for query in QUERIES:
            self.connection.write(cmd.status_query(query))
            reply = self._reply(self.profile.status_timeout_s)
            if reply is None:
                if query == QUERIES[0]:
                    return None
                continue  # some printers answer only the basic query; the others stay "no problem known"
            replies[query] = reply
        status = PrinterStatus.from_replies(replies)
        self.last_status = status
        return status

    def _reply(self, timeout_s: float) -> int | None:
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            data = self.connection.read(left)
            if data is None:
                return None
            for byte in data:
                if is_status_byte(byte):
                    return byte
        return None

    def health(self) -> Health:
        if not self.connection.has_status:
            try:
                self.connection.open()
            except DeviceError as exc:
                return Health.problem(Component.PRINTER, exc.reason, exc.detail)
            return Health(Component.PRINTER, Status.UNKNOWN, Reason.NOT_CHECKED, Action.NONE,
                          f"{self.connection.description} cannot report its status")
        try:
            status = self.query_status()
        except DeviceError as exc:
            return Health.problem(Component.PRINTER, exc.reason, exc.detail)
        if status is None:
            return Health.problem(Component.PRINTER, Reason.PRINTER_NO_STATUS,
                                  f"no status reply within {self.profile.status_timeout_s:g} s")
        return status.health(self.connection.description)

    def _check(self, when: str, after_job: bool = False) -> bool:
        """Raise the reason a job cannot print (or could not finish). Returns whether the printer answered;
        after a job a printer that stays silent is let pass."""
        status = self.query_status(reconnect=not after_job)
        if status is None:
            if after_job:
                return False
            raise DeviceError(Reason.PRINTER_NO_STATUS, f"no status reply {when}")
        if (reason := status.blocking_reason) is not None:
            raise DeviceError(reason, when)
        return True

    # ---- printing ----

    def print_slip(self, job_id: str, slip: Slip) -> None:
        with self._lock:
            if self.journal.was_printed(job_id):
                log_event(log, "print_skipped", job_id=job_id, kind=slip.kind.value, detail_code="printed_before")
                return
            started = time.monotonic()
            try:
                job = self.encoder.encode(slip)
            except FontMissing as exc:
                raise DeviceError(Reason.CONFIG_INVALID, str(exc)) from None
            confirmed = False
            try:
                if self.connection.has_status:
                    self._check("before the job")
                self.connection.write(job.data)
                if self.connection.has_status:
                    # Every byte was accepted: a printer that now stays silent has most likely printed it, and
                    # failing the job would print it twice on retry. Paper out or a broken link does fail it.
                    confirmed = self._check("after the job", after_job=True)
            except DeviceError as exc:
                self.journal.record_failed(job_id, slip, exc.reason.value, self.now())
                if exc.reason == Reason.PRINTER_OFFLINE:
                    self.connection.close()
                raise
            self.journal.record_printed(job_id, slip, self.now())
            log_event(log, "print_sent", job_id=job_id, kind=slip.kind.value, count=len(job.data),
                      duration_ms=int((time.monotonic() - started) * 1000),
                      detail_code="confirmed" if confirmed else "unconfirmed")

    def close(self) -> None:
        with self._lock:
            self.connection.close()


def from_config(config: LoadedConfig) -> EscposPrinter:
    profile = config.profile.printer
    return EscposPrinter(profile, connection_for(profile.connection), PrintJournal.in_dir(config.data_dir))

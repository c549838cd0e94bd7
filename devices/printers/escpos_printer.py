"""The ESC/POS receipt printer driver: the kiosk's Printer port over a python-escpos connection.

One job: skip it if the journal says it was printed; ask the printer's status (no answer -> PRINTER_NO_STATUS,
never "OK"); send the exact bytes of the slip; then find out how it ended: the printer's process-ID response
(`GS ( H`) where the profile says it has one, else its status again. Paper that ran out or a cover opened
during the job fails it (the retry prints it whole); a link that broke or a printer that stays silent after
every byte, the cut included, went out makes it *uncertain*: journalled as printed with the doubt, never
printed again by itself (a failed job would be, and the citizen would get two). A failed write (bytes not
all sent) fails the job. Each job starts with ESC @, which clears what a failed job left in the buffer.

Status replies are matched to queries: a query that timed out leaves its reply owed, and before the next
question such late replies are waited for and thrown away, so a late "paper out" never answers "cutter?".
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from devices.clock import china_now
from devices.printers import escpos_commands as cmd
from devices.printers.connection import Connection, connection_for
from devices.printers.escpos_encoder import SlipEncoder
from devices.printers.fonts import FontMissing
from devices.printers.status import QUERIES, PrinterStatus, is_status_byte
from kiosk.core.health import Action, Component, DeviceError, Health, Reason, Status
from kiosk.core.ports import PrintOutcome
from kiosk.core.settings import LoadedConfig, PrinterProfile
from kiosk.core.slips import Slip
from kiosk.logs import log_event
from kiosk.storage.print_journal import PrintJournal

log = logging.getLogger("kiosk.printer")


PROCESS_ID_WAIT_S = 10.0  # a long raster slip may take this long to print before the printer answers GS ( H


class EscposPrinter:
    def __init__(self, profile: PrinterProfile, connection: Connection, journal: PrintJournal,
                 now: Callable[[], datetime] = china_now) -> None:
        self.profile = profile
        self.connection = connection
        self.journal = journal
        self.encoder = SlipEncoder(profile)
        self.now = now
        self._lock = threading.RLock()
        self.last_status: PrinterStatus | None = None
        self._owed: list[int] = []  # queries that timed out: their replies may still come and must not be taken
        self._silent: set[int] = set()  # queries this printer never answers (some answer only the first)
        self._process_ids = itertools.count(1)

    @property
    def asks_status(self) -> bool:
        """Whether status is asked at all: the profile may say the printer has no status channel."""
        return self.connection.has_status and self.profile.status != "none"

    # ---- status ----

    def query_status(self, reconnect: bool = True) -> PrinterStatus | None:
        """The printer's status, or None when it does not answer within the profile's timeout.

        Raises DeviceError(PRINTER_OFFLINE) when the printer cannot be reached at all. With `reconnect`, a
        link that turns out broken is replaced once (after a job it must not be: the job was lost with it).
        """
        with self._lock:
            if not self.asks_status:
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
        if not self.connection.is_open:
            self._owed = []  # a new link carries nothing of the old one
        self.connection.open()
        self._settle()
        replies: dict[int, int] = {}
        for query in QUERIES:
            if query in self._silent:
                continue  # this printer answers only some queries; the others stay "no problem known"
            self.connection.write(cmd.status_query(query))
            reply = self._reply(self.profile.status_timeout_s)
            if reply is None:
                # Its reply may still come and must not answer the next question: ask nothing more now.
                self._owed.append(query)
                if query == QUERIES[0]:
                    return None
                break
            replies[query] = reply
        status = PrinterStatus.from_replies(replies)
        self.last_status = status
        return status

    def _settle(self) -> None:
        """Before asking: wait for the late replies of earlier queries that timed out and throw them away
        (and anything else left in the stream), so each reply answers the question just asked. A query that
        is not answered even then is one this printer does not answer (other than the first), and is not
        asked again."""
        if self._owed:
            deadline = time.monotonic() + self.profile.status_timeout_s * 2
            while self._owed and (left := deadline - time.monotonic()) > 0:
                data = self.connection.read(left)
                if data is None:
                    break
                for _byte in (b for b in data if is_status_byte(b)):
                    if self._owed:
                        self._owed.pop(0)
            self._silent.update(q for q in self._owed if q != QUERIES[0])
            self._owed = []
        self.connection.drain()

    def _reply(self, timeout_s: float) -> int | None:
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            data = self.connection.read(left)
            if data is None:
                return None
            status = [byte for byte in data if is_status_byte(byte)]
            if status:
                return status[-1]  # one query, one byte: an earlier one is a reply owed from before
        return None

    def health(self) -> Health:
        if not self.asks_status:
            try:
                with self._lock:
                    # nothing to ask: a fresh link at least shows the printer is there (on, plugged in)
                    self.connection.close()
                    self.connection.open()
            except DeviceError as exc:
                return Health.problem(Component.PRINTER, exc.reason, exc.detail)
            if self.profile.status == "none":
                # the operator chose to print blind: usable, with the risk in the detail for the maintenance screen
                return Health.ok(Component.PRINTER, f"{self.connection.description}; {self.profile.status_risk}")
            return Health(Component.PRINTER, Status.UNKNOWN, Reason.NOT_CHECKED, Action.NONE,
                          f"{self.connection.description} cannot report its status (set status = \"none\" "
                          "in the profile to print without it)")
        try:
            status = self.query_status()
        except DeviceError as exc:
            return Health.problem(Component.PRINTER, exc.reason, exc.detail)
        if status is None:
            return Health.problem(Component.PRINTER, Reason.PRINTER_NO_STATUS,
                                  f"no status reply within {self.profile.status_timeout_s:g} s")
        return status.health(self.connection.description)

    def _check_before(self) -> None:
        """Raise the reason a job cannot print now."""
        status = self.query_status()
        if status is None:
            raise DeviceError(Reason.PRINTER_NO_STATUS, "no status reply before the job")
        if (reason := status.blocking_reason) is not None:
            raise DeviceError(reason, "before the job")

    def _outcome_after(self) -> PrintOutcome:
        """After every byte went out: done when the printer confirms, a DeviceError when it says the job
        could not finish (paper ran out, cover opened), uncertain when the confirmation cannot be had (the
        link dropped, no reply): the slip most likely came out, and failing the job would print it twice."""
        try:
            if self.profile.completion_ack == "process_id" and self._processed():
                return PrintOutcome.DONE
            if not self.asks_status:
                return PrintOutcome.DONE if self.profile.status == "none" else PrintOutcome.UNCERTAIN
            status = self.query_status(reconnect=False)
        except DeviceError:
            self.connection.close()
            return PrintOutcome.UNCERTAIN
        if status is None:
            return PrintOutcome.UNCERTAIN
        if (reason := status.blocking_reason) is not None:
            raise DeviceError(reason, "after the job")
        return PrintOutcome.DONE

    def _processed(self) -> bool:
        """Ask for a process-ID response (GS ( H) and wait for this id's answer: the printer sends it once it
        has processed everything before it, the cut included."""
        process_id = f"{next(self._process_ids) % 10000:04d}".encode("ascii")
        self.connection.write(cmd.process_id_request(process_id))
        wanted = cmd.PROCESS_ID_REPLY + process_id + b"\x00"
        seen = b""
        deadline = time.monotonic() + max(PROCESS_ID_WAIT_S, self.profile.status_timeout_s)
        while (left := deadline - time.monotonic()) > 0:
            data = self.connection.read(left)
            if data is None:
                return False
            seen = (seen + data)[-64:]
            if wanted in seen:
                return True
        return False

    # ---- printing ----

    def print_slip(self, job_id: str, slip: Slip) -> PrintOutcome:
        with self._lock:
            done_before = self.journal.get(job_id)
            if done_before is not None and done_before.state == "printed":
                log_event(log, "print_skipped", job_id=job_id, kind=slip.kind.value, detail_code="printed_before")
                return PrintOutcome.UNCERTAIN if done_before.uncertain else PrintOutcome.DONE
            started = time.monotonic()
            try:
                job = self.encoder.encode(slip)
            except FontMissing as exc:
                raise DeviceError(Reason.CONFIG_INVALID, str(exc)) from None
            try:
                if self.asks_status:
                    self._check_before()
                else:
                    self.connection.open()
                self.connection.write(job.data)
                self.connection.flush()  # a link that broke before the printer took every byte fails the job
                outcome = self._outcome_after()
            except DeviceError as exc:
                self.journal.record_failed(job_id, slip, exc.reason.value, self.now())
                if exc.reason == Reason.PRINTER_OFFLINE:
                    self.connection.close()
                raise
            if outcome == PrintOutcome.UNCERTAIN:
                self.journal.record_uncertain(job_id, slip, self.now())
            else:
                self.journal.record_printed(job_id, slip, self.now())
            log_event(log, "print_sent", job_id=job_id, kind=slip.kind.value, count=len(job.data),
                      duration_ms=int((time.monotonic() - started) * 1000), detail_code=outcome.value)
            return outcome

    def close(self) -> None:
        with self._lock:
            self.connection.close()


def from_config(config: LoadedConfig) -> EscposPrinter:
    profile = config.profile.printer
    return EscposPrinter(profile, connection_for(profile.connection), PrintJournal.in_dir(config.data_dir))

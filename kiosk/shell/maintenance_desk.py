"""Maintenance mode for hall staff and engineers: who may enter, and every action they take there.

Entry is by a PIN (an attendant's own under `staff` in kiosk.toml, or the shared one; scrypt hashes) or by a
staff card whose UID hash is listed (under an attendant, or in `staff_card_sha256`). Five wrong PINs lock the
PIN pad for five minutes, and the count survives a restart; cards are never locked by PINs typed at the
public corner. Entering wipes any session in progress (the session machine's MaintenanceEntered). Every
attempt and every action is written to the audit log under data_dir with the actor: the attendant's name,
`pin` for the shared PIN, or `card:<short hash>` of an unnamed badge.

Calls that touch devices or the network block; the screens run them on a worker thread. Results are
`Outcome`s with a stable code the screens translate, and a technical detail that is never personal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk import __version__
from kiosk.core.health import Component, DeviceError, Health, Reason, Status
from kiosk.core.ports import FlushingBackend, KeepsOutbox, Ports, PrintOutcome, StaffCardReader
from kiosk.core.problems import ConfigError
from kiosk.core.readiness import Verdict, readiness
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from kiosk.core.settings import LoadedConfig
from kiosk.core.slip_layouts import SlipComposer, printer_test_slip, readiness_slip
from kiosk.core.working_days import WorkingDays
from kiosk.logs import log_event
from kiosk.shell.log_export import ExportError, export_logs, file_lines, journal_lines, local_log_files
from kiosk.shell.maintenance import (
    AUDIT_FIELDS,
    MAX_TRIES,
    MESSAGE_MAX,
    OUT_OF_SERVICE_FILE,
    AuditLog,
    PinGate,
    saved_out_of_service,
    staff_actor,
)
from kiosk.shell.system_actions import SystemActions
from kiosk.storage.print_journal import JobRecord, PrintedCounts, PrintJournal
from kiosk.storage.working_days import configured_calendar, load_working_days

log = logging.getLogger("kiosk.maintenance")
AUDIT_FILE = "maintenance-audit.jsonl"
GATE_FILE = "maintenance-gate.json"
LOG_DIR = "logs"
CARD_READ_S = 15.0
FLUSH_S = 30.0


def calendar_line(today: date) -> str:
    """The working-day calendar's reach for the readiness slip, with the 60-day warning."""
    try:
        calendar = load_working_days()
    except ConfigError:
        return "holidays.toml 有误：请运行 kiosk config check"
    end = calendar.known_until()
    if calendar.warning(today) is None and end is not None:
        return f"至 {end.isoformat()}"
    nxt = (end.year + 1) if end else today.year
    return f"至 {end.isoformat() if end else '-'}，请补充 {nxt} 年节假日 (holidays.toml)"


@dataclass(frozen=True)
class Entry:
    """The answer to a PIN or a card: in, or why not."""

    ok: bool
    code: str  # entered, wrong_pin, locked, no_pin, unknown_card, card_error
    tries_left: int = MAX_TRIES
    locked_s: int = 0
    detail: str = ""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    code: str  # a stable id the screen translates: test_printed, print_failed, flushed ...
    detail: str = ""  # technical and never personal: a reason id, a job id, counts, a path
    number: str = ""  # the 办件编号 (or local reference) the action was about, for staff to read out
    facts: tuple[tuple[str, str], ...] = ()  # the values the screen's sentence is made of: counts, a reason id

    def fact(self, name: str) -> str:
        return dict(self.facts).get(name, "")


@dataclass(frozen=True)
class Today:
    """What the printer did today, for hall staff: slips by kind, paper changes and slips since the last one."""

    printed: PrintedCounts | None  # None: the print journal cannot be read
    paper_changes: tuple[datetime, ...]
    since_paper: int | None  # slips printed since the last paper change today; None without one


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


@dataclass(frozen=True)
class OutboxView:
    pending: int
    rejected: int
    delivered: int
    oldest_age_s: float | None
    last_errors: tuple[tuple[str, int], ...]


def card_hash(uid_hex: str) -> str:
    """The allow-list form of a card UID (hex): SHA-256 of its bytes, lower-case hex."""
    return hashlib.sha256(bytes.fromhex(uid_hex)).hexdigest()


class MaintenanceDesk:
    def __init__(self, config: LoadedConfig, state: Callable[[], KioskState], ports: Ports,
                 post: Callable[[ev.Event], None],
                 check_health: Callable[[], list[Health]], system: SystemActions | None = None,
                 now: Callable[[], float] = time.time, card_reader: StaffCardReader | None = None) -> None:
        self.config = config
        self.state = state  # the kiosk's state now: the catalog in use changes when the backend signs a newer one
        self.ports = ports
        self.post = post
        self.check_health = check_health
        self.system = system or SystemActions()
        self.now = now
        self.card_reader = card_reader
        self.calendar: WorkingDays | None = None  # the composition root hands on the operator's calendar
        self.pin_hash = config.settings.maintenance_pin_scrypt
        self.staff_cards = frozenset(config.settings.staff_card_sha256)
        staff = config.settings.staff
        self.staff_pins = {m.name: m.pin_scrypt for m in staff if m.pin_scrypt}
        self.card_holders = {card: m.name for m in staff for card in m.card_sha256}
        self.usb_dir = config.usb_export_dir
        site = config.settings.site
        self.engineer = Contact(site.engineer_name, site.engineer_phone)
        data = config.data_dir
        self.audit = AuditLog(data / AUDIT_FILE)
        self.journal = PrintJournal.in_dir(data)
        self._gate_path = data / GATE_FILE
        self._oos_path = data / OUT_OF_SERVICE_FILE
        self._gate = self._load_gate()
        self._lock = threading.Lock()
        self.actor: str | None = None  # who is in maintenance mode now

    # ---- entry ----

    def _load_gate(self) -> PinGate:
        try:
            saved = json.loads(self._gate_path.read_text(encoding="utf-8"))
            return PinGate(int(saved["failures"]), float(saved["locked_until"]))
        except (OSError, ValueError, KeyError, TypeError):
            return PinGate()

    def _save_gate(self) -> None:
        try:
            self._gate_path.parent.mkdir(parents=True, exist_ok=True)
            self._gate_path.write_text(json.dumps({"failures": self._gate.failures,
                                                   "locked_until": self._gate.locked_until}), encoding="utf-8")
        except OSError:
            pass  # the lockout still holds in memory

    @property
    def pin_configured(self) -> bool:
        return bool(self.pin_hash or self.staff_pins)

    def _pins(self) -> list[tuple[str, str]]:
        """(actor, hash) of every PIN that opens the desk: the attendants' own first, the shared one last."""
        return [*self.staff_pins.items(), *([("pin", self.pin_hash)] if self.pin_hash else [])]

    def locked_s(self) -> int:
        with self._lock:
            return self._gate.seconds_left(self.now()) if self._gate.locked(self.now()) else 0

    def try_pin(self, pin: str) -> Entry:
        pins = self._pins()
        if not pins:
            return Entry(False, "no_pin")
        with self._lock:
            now = self.now()
            if self._gate.locked(now):
                return Entry(False, "locked", 0, self._gate.seconds_left(now))
            self._gate, whose = self._gate.attempt_any(pin, pins, now)
            self._save_gate()
            gate = self._gate
        if whose is not None:
            self.enter(whose)
            return Entry(True, "entered")
        if gate.locked(now):
            self._record("pin_locked", "pin", detail=f"{MAX_TRIES} wrong tries")
            log_event(log, "maintenance_locked", logging.WARNING, count=MAX_TRIES)
            return Entry(False, "locked", 0, gate.seconds_left(now))
        self._record("pin_refused", "pin", tries_left=MAX_TRIES - gate.failures)
        return Entry(False, "wrong_pin", MAX_TRIES - gate.failures)

    def read_card(self, timeout_s: float = CARD_READ_S) -> Entry:
        """Wait for a staff badge on the staff card reader and let its holder in if it is on the list."""
        reader = self.card_reader
        if reader is None:
            return Entry(False, "card_error", detail=Reason.NO_READER.value)
        try:
            uid = reader.read_card_uid(timeout_s)
        except DeviceError as exc:
            return Entry(False, "card_error", detail=exc.reason.value)
        return self.try_card(uid)

    def try_card(self, uid_hex: str) -> Entry:
        try:
            uid = bytes.fromhex(uid_hex)
        except ValueError:
            return Entry(False, "card_error", detail=Reason.CARD_UNREADABLE.value)
        hashed = hashlib.sha256(uid).hexdigest()
        holder = self.card_holders.get(hashed)
        if holder is None and hashed not in self.staff_cards:
            self._record("card_refused", staff_actor(uid))
            return Entry(False, "unknown_card")
        self.enter(holder or staff_actor(uid), by="card")
        return Entry(True, "entered")

    def enter(self, actor: str, by: str = "pin") -> None:
        """`actor` as the audit names them; `by` (pin, card) is all the journal learns: names stay in the audit."""
        self.actor = actor
        self._record("enter")
        log_event(log, "maintenance_entered", detail_code=by)
        self.post(ev.MaintenanceEntered())

    def leave(self, why: str = "exit") -> None:
        if self.actor is None:
            return
        self._record(why)
        self.actor = None
        log_event(log, "maintenance_exited", detail_code=why)
        self.post(ev.MaintenanceExited())

    # ---- looking ----

    def device_status(self) -> list[Health]:
        self._record("device_status")
        return self.check_health()

    def outbox(self) -> OutboxView | None:
        """None when the backend has no outbox (or is not up): may wait for a backend that is starting."""
        try:
            box: KeepsOutbox | None = getattr(self.ports.backend, "outbox", None)
            if box is None:
                return None
            stats = box.stats()
        except (DeviceError, OSError, sqlite3.Error):
            return None
        age = time.time() - stats.oldest_pending_at if stats.oldest_pending_at else None
        return OutboxView(stats.pending, stats.rejected, stats.delivered, age, tuple(stats.last_errors))

    def recent_receipts(self, limit: int = 8) -> list[JobRecord]:
        try:
            return self.journal.receipts(limit)
        except DeviceError:
            return []

    def find_receipts(self, number: str) -> list[JobRecord]:
        """Receipts whose 办件编号 or local reference ends with what staff typed (at least 4 characters)."""
        try:
            found = self.journal.find_receipts(number)
        except DeviceError:
            found = []
        self._record("reprint_search", found=len(found))
        return found

    def today(self) -> Today:
        """Slips printed today and the paper changes staff recorded (已更换打印纸 with the printer found ready)."""
        now = self.ports.clock.now()
        changes = tuple(self._paper_changes(now.date()))
        try:
            printed: PrintedCounts | None = self.journal.printed_on(now.date())
            since = self.journal.printed_since(changes[-1]) if changes else None
        except DeviceError:
            printed, since = None, None
        return Today(printed, changes, since)

    def _paper_changes(self, day: date) -> list[datetime]:
        prefix = f'{{"t": "{day.isoformat()}'
        try:
            lines = self.audit.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        found = []
        for line in lines:
            if not line.startswith(prefix) or '"paper_replaced"' not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("action") == "paper_replaced" and entry.get("status") in (Status.OK, Status.DEGRADED):
                found.append(datetime.fromisoformat(str(entry["t"])))
        return found

    def engineer_contact(self) -> Contact:
        self._record("engineer_contact", configured=int(bool(self.engineer.phone)))
        return self.engineer

    def summary(self) -> list[tuple[str, str]]:
        """Version and configuration, for the screen: nothing secret (the PIN hash and card hashes are counted)."""
        c, s, p = self.config, self.config.settings, self.config.profile
        backend = "local (in-process reference server)" if s.backend.url == "local" else s.backend.url
        return [
            ("version", __version__), ("kiosk_id", s.kiosk_id), ("site", s.site.name),
            ("config", str(c.path)), ("profile", " <- ".join(c.profile_chain)),
            ("reader", p.reader.driver + (f" {p.reader.where}" if p.reader.where else "")),
            ("printer", f"{p.printer.connection.kind}, {p.printer.paper_width_mm} mm"
                        + (f"; RISK: {p.printer.status_risk}" if p.printer.status_risk else "")),
            ("backend", f"{backend} ({s.backend.crypto_profile})"), ("languages", ", ".join(s.languages)),
            ("timeouts", f"{s.timeouts.session_s}s / {s.timeouts.idle_warning_s}s"),
            ("catalog", self._catalog_summary()),
            ("access", f"shared PIN {'set' if self.pin_hash else 'not set'}, {len(s.staff)} attendants, "
                       f"{len(self.staff_cards) + len(self.card_holders)} staff cards, "
                       f"card reader: {p.reader.staff_card_reader}"),
            ("data_dir", str(c.data_dir)),
        ]

    @property
    def composer(self) -> SlipComposer:
        """Slips from the catalog in use (it changes when the backend signs a newer one)."""
        calendar = self.calendar if self.calendar is not None else configured_calendar()
        return SlipComposer(self.config.settings, self.state().rules.catalog, self.ports.clock.now, calendar)

    def _catalog_summary(self) -> str:
        state = self.state()
        catalog = state.rules.catalog
        source = "as shipped" if state.catalog_version is None else f"version {state.catalog_version} from the backend"
        return f"{len(catalog.items)} items, {len(catalog.tasks)} tasks, {source}"

    # ---- printing ----

    def test_print(self) -> Outcome:
        now = self.ports.clock.now()
        job_id = f"test-{now:%Y%m%d-%H%M%S-%f}"
        slip = printer_test_slip(self.config.settings, now, (("打印人", self.actor or "-"),))
        return self._print("test_print", job_id, slip, "test_printed")

    def verdict(self, healths: Sequence[Health] | None = None) -> Verdict:
        """Whether the kiosk can be opened, by the rules it serves by, with fresh reports unless given some."""
        return readiness(self.state(), self.check_health() if healths is None else healths)

    def print_readiness(self, actor: str | None = None) -> Outcome:
        """`actor`: who asked from elsewhere (a console command), when it is not the person at the desk."""
        healths = self.check_health()
        verdict = self.verdict(healths)
        now = self.ports.clock.now()
        details = [("软件版本", __version__), ("节假日日历", calendar_line(now.date()))]
        if (view := self.outbox()) is not None:
            details.append(("待上传", f"{view.pending} 件，被拒 {view.rejected} 件"))
        slip = readiness_slip(self.config.settings, healths, now, details, verdict)
        ready = "ready" if verdict.ready else "not_ready"  # the console's two words; "limited" stays here
        outcome = self._print("readiness", f"readiness-{now:%Y%m%d-%H%M%S-%f}", slip, "readiness_printed",
                              actor, verdict=verdict.code)
        if not outcome.ok:
            return outcome
        limits = ",".join(h.component.value for h in verdict.limits)
        return Outcome(True, "readiness_printed", ready,
                       facts=(("verdict", verdict.code), ("limits", limits),
                              ("blocking", verdict.blocking.value if verdict.blocking else ""),
                              ("paused", str(verdict.paused_items))))

    def paper_replaced(self) -> Outcome:
        """Staff refilled the paper or closed the cover: look at the printer now rather than at the next poll."""
        printer = next((h for h in self.check_health() if h.component == Component.PRINTER), None)
        if printer is None:
            printer = Health.unknown(Component.PRINTER)
        self._record("paper_replaced", status=printer.status.value, reason=printer.reason.value)
        if printer.status in (Status.OK, Status.DEGRADED):
            return Outcome(True, "printer_ready", printer.reason.value)
        return Outcome(False, "printer_not_ready", printer.reason.value)

    def reprint(self, job_id: str) -> Outcome:
        try:
            record = self.journal.get(job_id)
        except DeviceError as exc:
            return Outcome(False, "print_failed", exc.reason.value)
        if record is None or record.origin is None:
            return Outcome(False, "no_receipt", job_id)
        number = record.origin.application_number or record.origin.local_reference
        slip = self.composer.reprint(record.origin)
        return self._print("reprint", self.journal.next_reprint_id(job_id), slip, "reprinted", number=number)

    def _print(self, action: str, job_id: str, slip: Any, done_code: str, actor: str | None = None,
               number: str = "", **details: str | int) -> Outcome:
        if number:
            details["number"] = number
        try:
            outcome = self.ports.printer.print_slip(job_id, slip)
        except DeviceError as exc:
            self._record(action, actor, result="failed", reason=exc.reason.value, job_id=job_id, **details)
            return Outcome(False, "print_failed", exc.reason.value, number)
        if outcome == PrintOutcome.UNCERTAIN:
            # sent whole, not confirmed: staff look at the printer rather than print it again blindly
            self._record(action, actor, result="uncertain", job_id=job_id, **details)
            return Outcome(True, "print_uncertain", job_id, number)
        self._record(action, actor, result="printed", job_id=job_id, **details)
        return Outcome(True, done_code, job_id, number)

    # ---- the outbox ----

    def flush_outbox(self, timeout_s: float = FLUSH_S) -> Outcome:
        backend = self.ports.backend
        try:
            flushable = getattr(backend, "outbox", None) is not None and callable(getattr(backend, "flush", None))
        except DeviceError as exc:  # the backend never came up
            self._record("outbox_flush", result="failed", reason=exc.reason.value)
            return Outcome(False, "flush_failed", exc.reason.value)
        if not flushable:
            self._record("outbox_flush", result="no_outbox")
            return Outcome(False, "no_outbox")
        flushing: FlushingBackend = backend  # type: ignore[assignment]
        try:
            result = flushing.flush(timeout_s=timeout_s)
        except DeviceError as exc:
            self._record("outbox_flush", result="failed", reason=exc.reason.value)
            return Outcome(False, "flush_failed", exc.reason.value)
        delivered, pending, rejected = int(result.delivered), int(result.pending), int(result.rejected)
        self._record("outbox_flush", delivered=delivered, pending=pending, rejected=rejected)
        counts = (("delivered", str(delivered)), ("pending", str(pending)), ("rejected", str(rejected)))
        if pending == 0:
            return Outcome(rejected == 0, "flushed", f"{delivered}/{pending}/{rejected}", facts=counts)
        # Some are still waiting: say why (the commonest last error of what waits), never "complete".
        errors = flushing.outbox.stats().last_errors
        why = errors[0][0] if errors else "backend_unreachable"
        return Outcome(False, "flush_partial", f"{delivered}/{pending}/{rejected}/{why}",
                       facts=(*counts, ("why", why)))

    # ---- in and out of service ----

    def set_out_of_service(self, message: str, actor: str | None = None) -> Outcome:
        message = " ".join(message.split())[:MESSAGE_MAX]
        try:
            self._oos_path.parent.mkdir(parents=True, exist_ok=True)
            self._oos_path.write_text(json.dumps({"message": message, "actor": actor or self.actor or "-",
                                                  "since": self.ports.clock.now().isoformat(timespec="seconds")},
                                                 ensure_ascii=False), encoding="utf-8")
        except OSError:
            pass  # still out of service now, only not after a restart
        self._record("out_of_service_set", actor, message=message)
        self.post(ev.OutOfServiceSet(message))
        return Outcome(True, "out_of_service_set")

    def clear_out_of_service(self, actor: str | None = None) -> Outcome:
        self._oos_path.unlink(missing_ok=True)
        self._record("out_of_service_cleared", actor)
        self.post(ev.OutOfServiceCleared())
        return Outcome(True, "out_of_service_cleared")

    def restore_out_of_service(self) -> bool:
        """At start: a kiosk staff took out of service stays out after a restart or a reboot."""
        message = saved_out_of_service(self._oos_path.parent)
        if message is None:
            return False
        self.post(ev.OutOfServiceSet(message[:MESSAGE_MAX]))
        return True

    # ---- the machine ----

    def restart_app(self, actor: str | None = None) -> Outcome:
        self._record("restart_app", actor)
        result = self.system.restart_app()
        return Outcome(result.done, result.code, result.detail)

    def reboot(self) -> Outcome:
        self._record("reboot")
        result = self.system.reboot()
        return Outcome(result.done, result.code, result.detail)

    def export_logs(self, journal: Sequence[str] | None = None) -> Outcome:
        """Redacted logs and the audit trail onto the USB stick mounted at usb_export_dir."""
        data = self.config.data_dir
        sources = [("kiosk.jsonl", file_lines(local_log_files(data / LOG_DIR))),
                   ("journal.txt", journal if journal is not None else journal_lines()),
                   ("maintenance-audit.jsonl", file_lines([data / AUDIT_FILE]))]
        try:
            result = export_logs(self.usb_dir, self.config.settings.kiosk_id, self.ports.clock.now(), sources,
                                 kept={"maintenance-audit.jsonl": AUDIT_FIELDS})
        except ExportError as exc:
            self._record("export_logs", result=exc.code)
            return Outcome(False, exc.code, exc.detail)
        self._record("export_logs", result="written", count=result.lines, redacted=result.redactions)
        return Outcome(True, "logs_exported", f"{result.folder.name}: {result.lines} lines, "
                                                f"{result.redactions} redacted",
                       facts=(("folder", result.folder.name), ("lines", str(result.lines)),
                              ("redacted", str(result.redactions))))

    # ---- the audit trail ----

    def _record(self, action: str, actor: str | None = None, /, **details: str | int) -> None:
        try:
            self.audit.record(action, self.ports.clock.now(), actor or self.actor or "-", **details)
        except OSError:
            log_event(log, "audit_failed", logging.ERROR, code=action)  # never lose the action itself

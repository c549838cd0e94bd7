"""The kiosk's backend driver: the kiosk.core.ports.Backend port over HTTP, with the durable outbox in front.

`submit` writes the application to the outbox (synced to disk) before anything else, then tries to
deliver it for a moment; if that does not succeed quickly it returns QUEUED with no number, the slip says
待上传 with the local reference, and the background sender delivers it later with backoff. Replays are
harmless at every step: the outbox and the server are both idempotent on the application's key.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from backend.contract import crypto
from backend.contract.keys import KIOSK_CREDENTIAL_FILE, KioskCredential
from kiosk import __version__
from kiosk.core.catalog import CATALOG_SCHEMA, Catalog
from kiosk.core.fleet_commands import CommandKind, FleetCommand
from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.help_calls import HelpRequest, HelpStatus
from kiosk.core.identity import Identity
from kiosk.core.ports import CatalogListener, CommandHandler
from kiosk.core.problems import ConfigError, Problem
from kiosk.core.ratings import ServiceRating
from kiosk.core.records import (
    Application,
    ApplicationStatus,
    Booking,
    BookingResult,
    Correction,
    FirstVisit,
    FirstVisitLookup,
    ProgressQuery,
    ProgressRecord,
    Slot,
    SubmitResult,
)
from kiosk.core.settings import LoadedConfig
from kiosk.logs import log_event
from kiosk.remote.catalog_sync import CatalogRefused, CatalogStore
from kiosk.remote.outbox import Entry, EntryState, Outbox
from kiosk.remote.transport import Backoff, Transport, TransportError
from kiosk.storage.credentials import key_file
from kiosk.storage.release_state import heartbeat_release
from kiosk.storage.usage_log import UsageLog

log = logging.getLogger("kiosk.backend.client")
OUTBOX_FILE = "outbox.sqlite3"
OUTBOX_KEY_FILE = "outbox.key"
KIND_PATHS = {"application": "/v1/applications", "rating": "/v1/ratings", "help_call": "/v1/help-calls"}
BACKLOG_AGE_S = 15 * 60  # pending longer than this: staff should look (degraded, not unavailable)
QUICK_HEALTH_S = 2.0  # the health poll's first try; a slower answer is confirmed with the full timeout
KEEP_DELIVERED_S = 30 * 24 * 3600  # how long a local reference still maps to the server's number
PURGE_EVERY_S = 3600
CATALOG_RETRY_S = 3600  # a catalog version this kiosk refused is downloaded again after this long (key rotation)
MAX_SLOT_DAYS = 62  # the backend's limit: a divorce's second-visit window, moved past holidays, fits in it
NUMBER = re.compile(r"[A-Za-z0-9\-]{4,64}")
FIRST_VISIT_REFUSALS = frozenset({"booking_not_found", "booking_not_yours", "not_a_first_visit", "first_visit_ahead",
                                  "second_visit_closed", "second_visit_taken", "calendar_unknown"})


def identity_json(identity: Identity) -> dict[str, Any]:
    """The wire form of an identity; the chip photo is never sent."""
    valid_until = identity.valid_until
    return {
        "card_type": identity.card_type.value, "name": identity.name, "id_number": identity.id_number,
        "sex": identity.sex.value, "birth_date": identity.birth_date.isoformat() if identity.birth_date else None,
        "nation_code": identity.nation_code, "nation": identity.nation, "address": identity.address,
        "issuing_authority": identity.issuing_authority,
        "valid_from": identity.valid_from.isoformat() if identity.valid_from else None,
        "valid_until": valid_until.isoformat() if isinstance(valid_until, date) else valid_until,
        "english_name": identity.english_name, "nationality": identity.nationality,
        "pass_number": identity.pass_number, "issue_count": identity.issue_count,
    }


def application_json(application: Application) -> dict[str, Any]:
    submitted = application.submitted_at or datetime.now(UTC)
    return {"local_reference": application.local_reference, "item_id": application.item_id,
            "applicant": identity_json(application.applicant),
            "fields": [{"id": key, "value": value} for key, value in application.fields],
            "submitted_at": submitted.isoformat()}


def _slot(data: dict[str, Any]) -> Slot:
    return Slot(str(data["slot_id"]), str(data["office"]), date.fromisoformat(data["day"]), str(data["start"]),
                str(data["end"]), int(data["remaining"]))


def _correction(data: dict[str, Any] | None) -> Correction | None:
    if not data:
        return None
    materials = tuple((str(m.get("material_id") or ""), str(m["name"])) for m in data["materials"])
    return Correction(materials, str(data["place"]), date.fromisoformat(str(data["due"])))


def _record(data: dict[str, Any]) -> ProgressRecord:
    updated = datetime.fromisoformat(str(data["updated_at"]).replace("Z", "+00:00"))
    correction = _correction(data.get("correction"))
    # a 补正 is what the citizen must act on, whatever step the case had reached
    status = ApplicationStatus.CORRECTION if correction is not None else ApplicationStatus(data["status"])
    return ProgressRecord(str(data["application_number"]), str(data["item_id"]), status, updated,
                          correction=correction)


@dataclass(frozen=True)
class FlushResult:
    delivered: int
    rejected: int
    pending: int


class HttpBackend:
    def __init__(self, transport: Transport, outbox: Outbox, quick_s: float = 3.0, backoff: Backoff | None = None,
                 start_sender: bool = True, catalog_store: CatalogStore | None = None,
                 heartbeat_interval_s: float = 60.0, parallel_sends: int = 2, batch_size: int = 50) -> None:
        self.transport = transport
        self.outbox = outbox
        self.quick_s = quick_s
        self.backoff = backoff or Backoff()
        self.catalog_store = catalog_store
        self.heartbeat_interval_s = heartbeat_interval_s
        self.parallel_sends = parallel_sends
        self.batch_size = batch_size
        self.status_source: Callable[[], tuple[str, Sequence[Health]]] | None = None  # set by the kiosk
        self.catalog_listener: CatalogListener | None = None  # set by the kiosk: a checked, newer catalog to use
        self._catalog_version: int | None = None  # of the catalog handed to the listener
        self._refused_catalog: tuple[int, float] | None = None  # a version refused, and when (monotonic)
        self.usage_log: UsageLog | None = None  # set by the kiosk: guide prints and lookups, sent with heartbeats
        self.command_handler: CommandHandler | None = None  # set by the kiosk: staff's commands from the console
        self._query_codes: dict[str, str] = {}  # idempotency key -> the code of a receipt about to be printed
        self.site = ""  # the hall's name (kiosk.toml's site): in the fleet view and named in calls for staff
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._send_lock = threading.Lock()
        self._sender: threading.Thread | None = None
        if start_sender:
            self.start()

    @property
    def kiosk_id(self) -> str:
        return self.transport.credential.kiosk_id

    # ---- the port ----

    def health(self) -> Health:
        stats = self.outbox.stats()
        if self.transport.last_auth_failure:
            return Health.problem(Component.BACKEND, Reason.BACKEND_AUTH, self.transport.last_auth_failure)
        try:
            self._probe_health()
        except TransportError as exc:
            # The failure's class (a connection refused, dropped or reset) goes with it into the health log;
            # a server's own words (http_status set) stay out, as they may quote what was sent.
            cause = f"{exc.detail}; " if exc.http_status is None else ""
            return Health.problem(Component.BACKEND, exc.reason, f"{cause}outbox {stats.pending} pending")
        if stats.rejected or (stats.oldest_pending_at is not None
                              and time.time() - stats.oldest_pending_at > BACKLOG_AGE_S):
            return Health.problem(Component.BACKEND, Reason.OUTBOX_BACKLOG,
                                  f"outbox {stats.pending} pending, {stats.rejected} rejected")
        return Health.ok(Component.BACKEND, f"outbox {stats.pending} pending")

    def _probe_health(self) -> None:
        quick = min(QUICK_HEALTH_S, self.transport.timeout_s)
        try:
            self.transport.request("GET", "/v1/health", timeout_s=quick, retry=False)
        except TransportError as exc:
            if exc.reason != Reason.BACKEND_TIMEOUT or quick >= self.transport.timeout_s:
                raise
            # A slow answer (a busy kiosk, a congested link) is not an outage: the kiosk refuses appointments
            # while the backend is down, so ask once more with the full timeout before reporting it down.
            self.transport.request("GET", "/v1/health", retry=False)

    def submit(self, application: Application) -> SubmitResult:
        """Durable first, then a quick delivery attempt; QUEUED with no number if it does not go through."""
        entry = self.enqueue_application(application)
        if entry.state == EntryState.PENDING:
            entry = self._deliver(entry, timeout_s=self.quick_s, keep_code=True)
        return self._result(entry, self._query_codes.pop(entry.idempotency_key, ""))

    def enqueue_application(self, application: Application) -> Entry:
        try:
            return self.outbox.enqueue(
                "application", application.idempotency_key, application.local_reference, application.item_id,
                _encode(application_json(application)), person_id_number=application.applicant.id_number,
                due_in_s=self.quick_s + 1.0)
        except (OSError, sqlite3.Error) as exc:  # the citizen must not be told it was submitted
            raise DeviceError(Reason.DISK_FULL, f"outbox: {type(exc).__name__}") from None

    def _result(self, entry: Entry, query_code: str = "") -> SubmitResult:
        if entry.state == EntryState.DELIVERED and entry.remote_number:
            return SubmitResult(entry.local_reference, entry.remote_number,
                                ApplicationStatus(entry.remote_status or ApplicationStatus.RECEIVED.value),
                                query_code)
        return SubmitResult(entry.local_reference, None, ApplicationStatus.QUEUED)

    def progress(self, query: ProgressQuery) -> Sequence[ProgressRecord]:
        if query.application_number:
            if not NUMBER.fullmatch(query.application_number):
                return []  # no 办件编号 or local reference looks like this
            entry = self.outbox.by_reference(query.application_number)
            if entry is not None and entry.state != EntryState.DELIVERED:
                return [self._queued_record(entry)]
            number = entry.remote_number if entry is not None and entry.remote_number else query.application_number
            try:
                if query.query_code:  # an application another kiosk took: the receipt's code proves the claim
                    answer = self.transport.request("POST", "/v1/application-lookups",
                                                    {"application_number": number, "query_code": query.query_code})
                else:  # one this kiosk took
                    answer = self.transport.request("GET", f"/v1/applications/{quote(number, safe='')}")
            except TransportError as exc:
                if exc.http_status in (404, 422):
                    return []
                raise
            return [_record(answer.body)]
        if not query.id_number:
            return []
        answer = self.transport.request("POST", "/v1/progress-queries", {"id_number": query.id_number})
        records = [_record(r) for r in answer.body["records"]]
        queued = [self._queued_record(e) for e in self.outbox.for_person(query.id_number)
                  if e.state == EntryState.PENDING]
        return queued + records

    def _queued_record(self, entry: Entry) -> ProgressRecord:
        return ProgressRecord(entry.local_reference, entry.item_id, ApplicationStatus.QUEUED,
                              datetime.fromtimestamp(entry.created_at, UTC), "待上传")

    def appointment_slots(self, item_id: str, first_day: date, days: int) -> Sequence[Slot]:
        query = urlencode({"item_id": item_id, "from": first_day.isoformat(), "days": max(1, min(days, MAX_SLOT_DAYS))})
        answer = self.transport.request("GET", f"/v1/appointment-slots?{query}")
        return [_slot(s) for s in answer.body["slots"]]

    def book(self, booking: Booking) -> BookingResult:
        body = {"item_id": booking.item_id, "slot_id": booking.slot_id,
                "parties": [identity_json(p) for p in booking.parties], "phone": booking.phone}
        if booking.first_booking:
            body["first_booking"] = booking.first_booking
        answer = self.transport.request("POST", "/v1/bookings", body, idempotency_key=booking.idempotency_key)
        return BookingResult(str(answer.body["booking_number"]), _slot(answer.body["slot"]))

    def first_visit(self, lookup: FirstVisitLookup) -> FirstVisit:
        """The first visit's day; the backend's refusal (wrong number, other people, too early or too late) is the
        answer's `problem`, said on the screen beside the number."""
        path = f"/v1/bookings/{quote(lookup.booking_number, safe='')}/first-visit"
        try:
            answer = self.transport.request("POST", path, {"item_id": lookup.item_id,
                                                           "id_numbers": list(lookup.id_numbers)})
        except TransportError as exc:
            if exc.code in FIRST_VISIT_REFUSALS:
                return FirstVisit(lookup.booking_number, problem=exc.code)
            raise
        return FirstVisit(str(answer.body["booking_number"]), date.fromisoformat(str(answer.body["day"])))

    # ---- calls for staff (kiosk.core.ports.TakesHelpCalls) ----

    def call_for_help(self, request: HelpRequest) -> HelpStatus:
        """Into the outbox like an application (a call made while the backend is away is sent when it is back,
        and the server shows how old it is), then one quick try: STORED once the server has it."""
        body = {"reason": request.reason, "screen": request.screen, "problem": request.problem, "site": self.site[:64],
                "called_at": request.called_at.isoformat()}
        try:
            entry = self.outbox.enqueue("help_call", request.key, "", "help_call", _encode(body),
                                        due_in_s=self.quick_s + 1.0)
        except (OSError, sqlite3.Error) as exc:
            raise DeviceError(Reason.DISK_FULL, f"outbox: {type(exc).__name__}") from None
        if entry.state == EntryState.PENDING:
            entry = self._deliver(entry, timeout_s=self.quick_s)
        if entry.state == EntryState.REJECTED:  # never arrives: the citizen must be told to walk to the desk
            raise DeviceError(Reason.BACKEND_REJECTED, f"help call refused: {entry.last_error}")
        return HelpStatus.STORED if entry.state == EntryState.DELIVERED else HelpStatus.QUEUED

    def help_call_status(self, key: str) -> HelpStatus:
        entry = self.outbox.get(key)
        if entry is None:
            raise DeviceError(Reason.INTERNAL_ERROR, "no such help call in the outbox")
        if entry.state == EntryState.REJECTED:
            raise DeviceError(Reason.BACKEND_REJECTED, f"help call refused: {entry.last_error}")
        if entry.state == EntryState.PENDING or not entry.remote_number:
            return HelpStatus.QUEUED
        try:
            answer = self.transport.request("GET", f"/v1/help-calls/{quote(entry.remote_number, safe='')}",
                                            retry=False)
        except TransportError:
            return HelpStatus.STORED  # the server has it; whether staff answered is asked again later
        return HelpStatus.ACKNOWLEDGED if answer.body.get("status") == "acknowledged" else HelpStatus.STORED

    # ---- beyond the port: cancelling, rating, heartbeat, catalog ----

    def cancel_booking(self, booking_number: str, id_number: str) -> None:
        try:
            self.transport.request("POST", f"/v1/bookings/{quote(booking_number, safe='')}/cancellation",
                                   {"id_number": id_number})
        except TransportError as exc:
            if exc.code != "already_cancelled":
                raise

    def rate(self, application_number: str, satisfaction: int, idempotency_key: str, comment: str = "",
             service: str = "apply", reason: str = "") -> None:
        """好差评 (1 非常满意 ... 5 非常不满意, GB/T 39046 A.8); queued like an application, delivered later.
        `application_number` "" rates the service without naming a case (an appointment, a guide, a query)."""
        if not 1 <= satisfaction <= 5:
            raise ValueError("satisfaction is 1 to 5")
        body: dict[str, Any] = {"satisfaction": satisfaction, "comment": comment, "service": service}
        if application_number:
            body["application_number"] = application_number
        if reason:
            body["reason"] = reason
        self.outbox.enqueue("rating", idempotency_key, application_number, "rating", _encode(body))
        self._wake.set()

    def send_rating(self, rating: ServiceRating) -> None:
        """kiosk.core.ports.TakesRatings: the kiosk's own rating screen."""
        try:
            self.rate(rating.application_number, rating.satisfaction, rating.key, service=rating.service.value,
                      reason=rating.reason.value if rating.reason else "")
        except (OSError, sqlite3.Error) as exc:
            raise DeviceError(Reason.DISK_FULL, f"outbox: {type(exc).__name__}") from None

    def heartbeat(self, status: str, devices: Sequence[Health] = ()) -> int | None:
        """Report the kiosk's state and the results of staff's commands, then hand the commands in the answer to
        the command handler; returns the newest catalog version the server publishes."""
        body: dict[str, Any] = {
            "status": status, "outbox_depth": self.outbox.depth(), "version": __version__,
            "devices": [{"component": h.component.value, "status": h.status.value, "reason": h.reason.value}
                        for h in devices]}
        release = {k: v for k, v in heartbeat_release().items() if k != "version"}
        if release:
            body["release"] = release
        if self.site:
            body["site"] = self.site[:64]
        if self._catalog_version is not None:
            body["catalog_version"] = self._catalog_version
        refused = self._refused_catalog
        if refused is not None and refused[0] > (self._catalog_version or 0):
            body["catalog_refused"] = refused[0]
        handler = self.command_handler
        results = list(handler.unreported())[:32] if handler is not None else []
        if results:
            body["command_results"] = [{"id": r.id, "outcome": r.outcome, "code": r.code, "detail": r.detail,
                                        "at": r.at.isoformat()} for r in results]
        answer = self.transport.request("POST", "/v1/heartbeats", body)
        if handler is not None:
            handler.reported([r.id for r in results])
            for command in _commands(answer.body.get("commands")):
                handler.obey(command)
        version = answer.body.get("catalog_version")
        return int(version) if version is not None else None

    def report_usage(self) -> int:
        """Send the usage counts that changed since the last report; returns how many were sent."""
        if self.usage_log is None:
            return 0
        counts = self.usage_log.unreported()
        if not counts:
            return 0
        days: dict[str, list[dict[str, Any]]] = {}
        for c in counts:
            days.setdefault(c.day.isoformat(), []).append({"item_id": c.item_id, "kind": c.kind, "count": c.count})
        body = {"days": [{"day": day, "counts": rows} for day, rows in days.items()]}
        self.transport.request("POST", "/v1/usage", body)
        self.usage_log.mark_reported(counts)
        log_event(log, "usage_reported", count=len(counts))
        return len(counts)

    def update_catalog(self) -> int | None:
        """Download the signed catalog and keep it if it is valid and newer; returns the version kept, if new."""
        kept = self._download_catalog()
        return kept[0] if kept is not None else None

    def _download_catalog(self) -> tuple[int, Catalog] | None:
        if self.catalog_store is None:
            return None
        answer = self.transport.request("GET", f"/v1/catalog?schema={CATALOG_SCHEMA}")
        return self.catalog_store.keep(answer.body)

    def _hand_on(self, version: int, catalog: Catalog) -> None:
        if self.catalog_listener is not None and (self._catalog_version is None or version > self._catalog_version):
            self._catalog_version = version
            self.catalog_listener(version, catalog)

    def _hand_on_kept_catalog(self) -> None:
        """The kept catalog, checked again, to the kiosk once it listens: on this thread, never while its home
        screen is drawn (the SM2 check is slow in pure Python)."""
        kept = self.catalog_store.current() if self.catalog_store is not None else None
        if kept is not None:
            self._hand_on(*kept)

    def _follow_catalog(self, published: int | None) -> None:
        if published is None or self.catalog_store is None:
            return
        if self._catalog_version is not None and published <= self._catalog_version:
            return
        refused = self._refused_catalog
        if refused is not None and refused[0] == published and time.monotonic() < refused[1] + CATALOG_RETRY_S:
            return  # the same version again would be refused again: not every minute (download and SM2 check)
        try:
            kept = self._download_catalog()
        except CatalogRefused:
            # logged by the store; the catalog in use stays. A newer version is tried at once, this one in an hour
            self._refused_catalog = (published, time.monotonic())
            return
        if kept is not None:
            self._hand_on(*kept)

    # ---- delivery ----

    def _deliver(self, entry: Entry, timeout_s: float | None = None, keep_code: bool = False) -> Entry:
        """One attempt at one entry; records the outcome in the outbox and returns the entry as it now is."""
        try:
            payload = self.outbox.payload(entry)
        except KeyError:
            return self.outbox.get(entry.idempotency_key) or entry
        try:
            answer = self.transport.request("POST", KIND_PATHS[entry.kind], raw_body=payload,
                                            idempotency_key=entry.idempotency_key, timeout_s=timeout_s, retry=False)
        except TransportError as exc:
            self._record_failure(entry, exc)
        else:
            body = answer.body or {}
            if keep_code and body.get("query_code"):  # for the receipt printed now (submit); never stored
                self._query_codes[entry.idempotency_key] = str(body["query_code"])
            number = str(body.get("application_number") or body.get("rating_id") or body.get("call_id") or "")
            self.outbox.mark_delivered(entry.idempotency_key, number, str(body.get("status", "received")))
            log_event(log, "outbox_delivered", kind=entry.kind, attempt=entry.attempts + 1)
        return self.outbox.get(entry.idempotency_key) or entry

    def deliver_due(self, limit: int = 200) -> int:
        """Deliver what is due now, oldest first; returns how many entries were tried.

        Several applications go as one batch (one transaction, one disk sync on the server), and a few
        requests overlap, so a long backlog moves at the server's pace rather than one round trip at a time.
        Order between entries does not matter: each is its own case.
        """
        with self._send_lock:
            due = self.outbox.due(limit)
            applications = [e for e in due if e.kind == "application"]
            units: list[list[Entry]] = [[e] for e in due if e.kind != "application"]
            if len(applications) == 1:
                units.append(applications)
            else:
                units += [applications[i:i + self.batch_size] for i in range(0, len(applications), self.batch_size)]
            if len(units) <= 1 or self.parallel_sends <= 1:
                for unit in units:
                    self._deliver_unit(unit)
            else:
                with ThreadPoolExecutor(self.parallel_sends, thread_name_prefix="kiosk-outbox-send") as pool:
                    list(pool.map(self._deliver_unit, units))
            return len(due)

    def _deliver_unit(self, unit: list[Entry]) -> None:
        if self._stop.is_set():
            return
        if len(unit) == 1:
            self._deliver(unit[0])
        else:
            self._deliver_batch(unit)

    def _deliver_batch(self, entries: list[Entry]) -> None:
        """One POST /v1/application-batches; each entry's own answer is recorded as a single one would be."""
        payloads = []
        for entry in entries:
            try:
                payloads.append({"idempotency_key": entry.idempotency_key,
                                 "application": json.loads(self.outbox.payload(entry))})
            except KeyError:
                continue  # delivered meanwhile by `kiosk outbox flush` in another process
        if not payloads:
            return
        try:
            answer = self.transport.request("POST", "/v1/application-batches", {"applications": payloads},
                                            retry=False)
        except TransportError as exc:
            if exc.permanent:  # e.g. one payload the schema refuses: send them one by one to find it
                for entry in entries:
                    self._deliver(entry)
                return
            for entry in entries:
                self.outbox.mark_retry(entry.idempotency_key, exc.code or exc.reason.value,
                                       self._next_try(entry, exc))
            return
        by_key = {e.idempotency_key: e for e in entries}
        for result in answer.body["results"]:
            entry = by_key[result["idempotency_key"]]
            if result.get("receipt"):
                receipt = result["receipt"]
                self.outbox.mark_delivered(entry.idempotency_key, str(receipt["application_number"]),
                                           str(receipt.get("status", "received")))
            else:
                problem = result.get("problem") or {}
                failure = TransportError(Reason.BACKEND_REJECTED, str(problem.get("detail", "")),
                                         int(result["status"]), str(problem.get("code", "")))
                self._record_failure(entry, failure)
        log_event(log, "outbox_batch_delivered", count=len(entries))

    def _record_failure(self, entry: Entry, exc: TransportError) -> None:
        if exc.permanent:
            self.outbox.mark_rejected(entry.idempotency_key, exc.code or str(exc.http_status))
            log_event(log, "outbox_rejected", logging.ERROR, kind=entry.kind, code=exc.code,
                      http_status=exc.http_status)
        else:
            self.outbox.mark_retry(entry.idempotency_key, exc.code or exc.reason.value, self._next_try(entry, exc))

    def _next_try(self, entry: Entry, exc: TransportError) -> float:
        """Backoff, but never before the server's Retry-After (a storage fault, an overload)."""
        return time.time() + max(self.backoff.delay(entry.attempts), exc.retry_after_s or 0.0)

    def flush(self, timeout_s: float = 60.0, include_rejected: bool = False) -> FlushResult:
        """Staff's `kiosk outbox flush`: try every pending entry now, until done or the time is up."""
        before = self.outbox.stats()
        self.outbox.retry_now(include_rejected)
        deadline = time.monotonic() + timeout_s
        # A failed entry is given a backoff, so each entry is tried once per flush.
        while time.monotonic() < deadline and self.deliver_due():
            pass
        after = self.outbox.stats()
        return FlushResult(after.delivered - before.delivered, after.rejected, after.pending)

    def start(self) -> None:
        if self._sender is None:
            self._sender = threading.Thread(target=self._run_sender, name="kiosk-outbox-sender", daemon=True)
            self._sender.start()

    def _run_sender(self) -> None:
        last_heartbeat = float("-inf")  # the first at once: the fleet view sees a kiosk come up
        next_purge = time.monotonic()
        kept_handed_on = False
        while not self._stop.is_set():
            try:
                if not kept_handed_on and self.catalog_listener is not None:  # once the kiosk listens
                    kept_handed_on = True
                    self._hand_on_kept_catalog()
                self.deliver_due()
                if time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + PURGE_EVERY_S
                    self.outbox.purge(delivered_before=time.time() - KEEP_DELIVERED_S)
                # Due from the last one each time round, so a changed interval counts from the next wake.
                if self.status_source is not None and time.monotonic() >= last_heartbeat + self.heartbeat_interval_s:
                    last_heartbeat = time.monotonic()
                    status, devices = self.status_source()
                    published = self.heartbeat(status, devices)
                    self.report_usage()
                    self._follow_catalog(published)
            except DeviceError:
                pass  # recorded per entry; the heartbeat is tried again next interval
            except Exception:  # the sender must outlive any bug: log the type and go on
                log.exception("outbox sender failed", extra={"kiosk_event": "sender_failed", "kiosk_fields": {}})
            next_due = self.outbox.next_due_at()
            wait = 5.0 if next_due is None else min(5.0, max(0.0, next_due - time.time()))
            if self.status_source is not None:
                wait = min(wait, max(0.0, last_heartbeat + self.heartbeat_interval_s - time.monotonic()))
            if wait > 0:
                self._wake.wait(wait)
                self._wake.clear()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._sender is not None:
            self._sender.join(timeout=5)
        self.transport.close()
        self.outbox.close()


def _commands(listed: Any) -> list[FleetCommand]:
    """The commands in a heartbeat's answer; one this kiosk does not know (a newer server's) is left out."""
    commands = []
    for entry in listed if isinstance(listed, list) else []:
        try:
            commands.append(FleetCommand(int(entry["id"]), CommandKind(entry["kind"]), str(entry.get("message", ""))))
        except (KeyError, TypeError, ValueError):
            log_event(log, "command_unknown", logging.WARNING)
    return commands


def _encode(body: dict[str, Any]) -> bytes:
    from kiosk.remote.transport import encode

    return encode(body)


# ---- construction from the kiosk's configuration ----

B = TypeVar("B", bound=HttpBackend)

def open_outbox(config: LoadedConfig) -> Outbox:
    profile = config.settings.backend.crypto_profile
    try:
        key = crypto.load_or_create_data_key(key_file(config.key_dir, OUTBOX_KEY_FILE), profile)
    except crypto.CryptoError as exc:
        raise ConfigError([Problem(str(key_file(config.key_dir, OUTBOX_KEY_FILE)), "(file)", str(exc))]) from None
    return Outbox(config.data_dir / OUTBOX_FILE, key, profile)


def load_credential(config: LoadedConfig) -> KioskCredential:
    path = key_file(config.key_dir, KIOSK_CREDENTIAL_FILE)
    shown = str(path)
    if not path.exists():
        enroll = f"kiosk-backend enroll {config.settings.kiosk_id}"
        raise ConfigError([Problem(shown, "(file)", f"no kiosk key: run `{enroll}` on the server and copy the key "
                                   "file here",
                                   f"没有本机密钥：请在后台服务器上运行 {enroll}，再把密钥文件复制到这里")])
    try:
        credential = KioskCredential.load(path)
    except crypto.CryptoError as exc:
        raise ConfigError([Problem(shown, "(file)", str(exc))]) from None
    problems = []
    if credential.kiosk_id != config.settings.kiosk_id:
        problems.append(Problem(shown, "kiosk_id", f"the key is for {credential.kiosk_id}, this kiosk is "
                                                   f"{config.settings.kiosk_id}",
                                f"这把密钥属于 {credential.kiosk_id}，而本机是 {config.settings.kiosk_id}："
                                "请改 kiosk_id 或换成本机的密钥"))
    if credential.profile != config.settings.backend.crypto_profile:
        wanted = config.settings.backend.crypto_profile
        problems.append(Problem(shown, "profile", f"the key was enrolled for the {credential.profile} profile, "
                                                  f"backend.crypto_profile is {wanted}",
                                f"密钥登记时用的是 {credential.profile}，而 backend.crypto_profile 是 {wanted}："
                                "请改成一致"))
    if problems:
        raise ConfigError(problems)
    return credential


def build(config: LoadedConfig, base_url: str, credential: KioskCredential, start_sender: bool = True,
          kind: type[B] = HttpBackend) -> B:  # type: ignore[assignment]
    timeout = config.settings.timeouts.backend_s
    transport = Transport(base_url, credential, timeout_s=timeout)
    store = CatalogStore(config.data_dir / "catalog.json", credential)
    backend = kind(transport, open_outbox(config), quick_s=min(3.0, timeout), start_sender=start_sender,
                   catalog_store=store)
    backend.site = config.settings.site.name
    return backend


def from_config(config: LoadedConfig) -> HttpBackend:
    """The driver for `backend.url = "https://..."`: the platform adapter or a reference server."""
    return build(config, config.settings.backend.url, load_credential(config))

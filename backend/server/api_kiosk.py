"""The routes kiosks call. Authentication has already happened (backend.server.auth): `request.state.kiosk_id`.

Writes that a kiosk may repeat carry an Idempotency-Key: the first response is stored in the same
transaction as what it created, and a replay gets that response again and creates nothing.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Protocol, TypeVar, cast

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.contract import crypto
from backend.contract import protocol as p
from backend.contract import schemas as s
from backend.server import db
from backend.server.auth import AuthFailure, SignedNonce, remember_nonce
from backend.server.cases import SealedCorrection, correction_notice
from backend.server.catalog_schemas import bundle_for
from backend.server.errors import TITLES, ApiProblem, documented
from backend.server.fleet import exchange
from backend.server.models import (
    Application,
    Booking,
    BookingParty,
    IdempotentResponse,
    Kiosk,
    KioskAlert,
    LookupAudit,
    Rating,
    SlotCounter,
    UsageCount,
)
from backend.server.numbers import new_application_number, new_query_code
from backend.server.rate_limits import Refusal
from backend.server.second_visits import first_visit
from backend.server.slots import SlotTime, parse_slot_id, schedule
from backend.server.state import CHINA, ServerState
from kiosk.core.catalog import Item
from kiosk.core.identity import CardType
from kiosk.core.session.forms import form_errors
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend")
router = APIRouter(prefix=p.API_PREFIX, tags=["kiosk"])
IdempotencyKey = Annotated[str, Header(alias=p.HEADER_IDEMPOTENCY, pattern=p.IDEMPOTENCY_KEY_PATTERN,
                                       description="The same key for every retry of one request.")]
AUTH_ERRORS = (401, 413, 422)
REPLAY_HEADER: dict[str, Any] = {"description": "Created, or the first response again on a replay", "headers": {
    p.HEADER_REPLAYED: {"description": "`true` when this is the stored response to an earlier request with the key",
                        "schema": {"type": "string", "enum": ["true"]}}}}
NumberInPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9\-]{4,64}$")]


async def server(request: Request) -> ServerState:
    state: ServerState = request.app.state.server
    return state


async def kiosk_of(request: Request) -> str:
    return str(request.state.kiosk_id)


async def nonce_to_record(request: Request) -> SignedNonce | None:
    """The request's nonce when the route is to record it with its own writes (backend.server.auth.LOOKUP_PATHS)."""
    signed: SignedNonce | None = getattr(request.state, "signed_nonce", None)
    return signed


State = Annotated[ServerState, Depends(server)]
KioskId = Annotated[str, Depends(kiosk_of)]
NonceToRecord = Annotated[SignedNonce | None, Depends(nonce_to_record)]


# ---- idempotency ----

def request_digest(state: ServerState, body: BaseModel) -> str:
    """What a replay must match: the digest of the request's content (not of its bytes, which may differ)."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return crypto.digest(state.keys.profile, canonical.encode()).hex()


# The statements of a submission, built once: building them per call cost more than running them, inside the
# write transaction that SQLite runs one at a time (issue #13's benchmark).
_STORED_RESPONSE = select(IdempotentResponse.__table__).where(
    IdempotentResponse.kiosk_id == bindparam("kiosk_id"), IdempotentResponse.idempotency_key == bindparam("key"))
_STORE_RESPONSE = insert(cast(Table, IdempotentResponse.__table__))
_REFERENCE_TAKEN = select(Application.id).where(Application.kiosk_id == bindparam("kiosk_id"),
                                                Application.local_reference == bindparam("reference"))
_APPLICATIONS = cast(Table, Application.__table__)
_INSERT_APPLICATION = insert(_APPLICATIONS).returning(_APPLICATIONS.c.id)
_SEAL_APPLICATION = update(_APPLICATIONS).where(_APPLICATIONS.c.id == bindparam("row_id")).values(
    personal_sealed=bindparam("sealed"))


def _stored(session: Session, kiosk_id: str, key: str, operation: str, digest: str) -> tuple[int, Any] | None:
    """The stored first response to this key, or None; a different request under the key is a conflict."""
    stored = session.execute(_STORED_RESPONSE, {"kiosk_id": kiosk_id, "key": key}).first()
    if stored is None:
        return None
    if stored.operation != operation or stored.request_digest != digest:
        raise ApiProblem(409, p.ProblemCode.IDEMPOTENCY_CONFLICT,
                         "this idempotency key was used for a different request")
    return int(stored.status_code), json.loads(stored.body)


def _store(session: Session, kiosk_id: str, key: str, operation: str, digest: str, status: int,
           body: dict[str, Any]) -> None:
    session.execute(_STORE_RESPONSE, {
        "kiosk_id": kiosk_id, "idempotency_key": key, "operation": operation, "request_digest": digest,
        "status_code": status, "body": json.dumps(body, ensure_ascii=False), "created_at": db.now()})


Created = tuple[int, dict[str, Any], dict[str, Any]]
"""What a create step gives: status, the body to store for replays, and what only this answer carries."""


def idempotent(state: ServerState, kiosk_id: str, key: str, operation: str, digest: str,
               create: Callable[[Session], Created],
               on_replay: Callable[[Session, dict[str, Any]], dict[str, Any]] | None = None) -> JSONResponse:
    """Run `create` once per (kiosk, key) in one transaction with its stored response; replays get that
    (plus whatever `on_replay` adds in the same transaction, such as a new query code)."""
    for _attempt in range(3):
        try:
            with state.sessions() as session, session.begin():
                stored = _stored(session, kiosk_id, key, operation, digest)
                if stored is not None:
                    extra = on_replay(session, stored[1]) if on_replay is not None and stored[0] < 300 else {}
                    return JSONResponse({**stored[1], **extra}, status_code=stored[0],
                                        headers={p.HEADER_REPLAYED: "true"})
                status, body, extra = create(session)
                _store(session, kiosk_id, key, operation, digest, status, body)
            return JSONResponse({**body, **extra}, status_code=status)
        except IntegrityError:
            continue  # the same request raced us and won: the next round returns its stored response
    raise ApiProblem(409, p.ProblemCode.IDEMPOTENCY_IN_PROGRESS, "the request is being processed; retry")


# ---- applications ----

def _check_apply_item(state: ServerState, item_id: str, fields: list[s.FormValue] | None = None,
                      card_type: str | None = None) -> None:
    item = state.catalog.get(item_id) if state.catalog else None
    if state.catalog is not None and item is None:
        raise ApiProblem(422, p.ProblemCode.UNKNOWN_ITEM, f"no item {item_id!r} in the catalog")
    if item is not None and item.kiosk_action != "apply":
        raise ApiProblem(422, p.ProblemCode.NOT_AN_APPLY_ITEM, f"{item_id} is not applied for at a kiosk")
    if item is not None and fields is not None:
        _check_fields(item, fields, card_type)


def _check_fields(item: Item, fields: list[s.FormValue], card_type: str | None = None) -> None:
    """The form's values against the item's fields in the catalog, by the kiosk's own rules: no field the
    item does not have, none twice, the required ones filled, choices among the choices, patterns kept. A field
    the item no longer asks (former_fields) is taken in place of its replacement: a kiosk's outbox may hold a
    form filled before the catalog changed."""
    known = {spec.id for spec in item.form_fields} | {former.id for former in item.former_fields}
    ids = [f.id for f in fields]
    unknown = sorted(set(ids) - known)
    if unknown:
        raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED, f"{item.id} has no field {', '.join(unknown)}")
    if len(set(ids)) != len(ids):
        raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED, "a form field appears twice")
    errors = form_errors(item, {f.id: f.value for f in fields},
                         card_type=CardType(card_type) if card_type else None)
    if errors:  # field ids and error ids only: the values may be personal
        raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED,
                         "form fields do not match the catalog: " + ", ".join(f"{k} {e}" for k, e in errors))


def _check_reference(kiosk_id: str, local_reference: str) -> None:
    """Local references are namespaced by kiosk: KIOSK_ID-..., so no kiosk can take over another's."""
    if not local_reference.startswith(kiosk_id + "-"):
        raise ApiProblem(422, p.ProblemCode.REFERENCE_NOT_YOURS, "a local reference starts with the kiosk's own id")


def _create_application(session: Session, state: ServerState, kiosk_id: str, key: str,
                        body: s.ApplicationIn) -> Created:
    # Core statements rather than ORM objects: this is the hot path when a kiosk drains its outbox.
    taken = session.execute(_REFERENCE_TAKEN, {"kiosk_id": kiosk_id, "reference": body.local_reference}).first()
    if taken is not None:
        raise ApiProblem(409, p.ProblemCode.REFERENCE_TAKEN, "this kiosk sent another application with that reference")
    received = db.now()
    number = new_application_number(state.settings.division_code, received.astimezone(CHINA).date())
    code = new_query_code()
    row_id = session.execute(_INSERT_APPLICATION, {
        "kiosk_id": kiosk_id, "idempotency_key": key, "local_reference": body.local_reference,
        "item_id": body.item_id, "status": s.ApplicationStatus.RECEIVED.value,
        "applicant_index": state.person_index(body.applicant.id_number), "personal_sealed": b"",
        "submitted_at": body.submitted_at, "received_at": received, "updated_at": received, "note": "",
        "number": number, "step": 1, "query_code_digest": state.query_code_digest(number, code),
    }).scalar_one()
    personal = {"applicant": body.applicant.model_dump(mode="json"), "fields": [f.model_dump() for f in body.fields]}
    sealed = state.seal(json.dumps(personal, ensure_ascii=False).encode(), f"applications:{row_id}")
    session.execute(_SEAL_APPLICATION, {"row_id": row_id, "sealed": sealed})
    receipt = s.ApplicationReceipt(application_number=number, local_reference=body.local_reference,
                                   status=s.ApplicationStatus.RECEIVED, received_at=received)
    log_event(log, "application_received", kiosk_id=kiosk_id, item_id=body.item_id)
    return 201, receipt.model_dump(mode="json", exclude={"query_code"}), {"query_code": code}


def _new_code(session: Session, state: ServerState, stored: dict[str, Any]) -> dict[str, Any]:
    """A replayed receipt gets a new query code (only the digest is kept, so the first cannot be repeated)."""
    number = str(stored.get("application_number", ""))
    code = new_query_code()
    session.execute(update(Application).where(Application.number == number)
                    .values(query_code_digest=state.query_code_digest(number, code)))
    return {"query_code": code}


@router.post("/applications", status_code=201, response_model=s.ApplicationReceipt,
             responses={201: REPLAY_HEADER, **documented(*AUTH_ERRORS, 409)},
             summary="Submit an application; returns the server's 办件编号")
def submit_application(body: s.ApplicationIn, state: State, kiosk_id: KioskId,
                       idempotency_key: IdempotencyKey) -> JSONResponse:
    _check_apply_item(state, body.item_id, body.fields, body.applicant.card_type)
    _check_reference(kiosk_id, body.local_reference)
    return idempotent(state, kiosk_id, idempotency_key, "submit_application", request_digest(state, body),
                      lambda session: _create_application(session, state, kiosk_id, idempotency_key, body),
                      lambda session, stored: _new_code(session, state, stored))


def _batch_one(session: Session, state: ServerState, kiosk_id: str, entry: s.BatchEntry) -> s.BatchResult:
    key = entry.idempotency_key
    try:
        _check_apply_item(state, entry.application.item_id, entry.application.fields,
                          entry.application.applicant.card_type)
        _check_reference(kiosk_id, entry.application.local_reference)
        digest = request_digest(state, entry.application)
        stored = _stored(session, kiosk_id, key, "submit_application", digest)
        if stored is not None:
            return s.BatchResult(idempotency_key=key, status=stored[0], replayed=True,
                                 receipt=s.ApplicationReceipt.model_validate(stored[1]))
        status, body, extra = _create_application(session, state, kiosk_id, key, entry.application)
        _store(session, kiosk_id, key, "submit_application", digest, status, body)
        return s.BatchResult(idempotency_key=key, status=status,
                             receipt=s.ApplicationReceipt.model_validate({**body, **extra}))
    except ApiProblem as problem:
        return s.BatchResult(idempotency_key=key, status=problem.status, problem=s.ProblemDetail(
            title=TITLES.get(problem.status, "Error"), status=problem.status, code=problem.code.value,
            detail=problem.detail))


@router.post("/application-batches", response_model=s.BatchOut, responses=documented(*AUTH_ERRORS),
             summary="Submit up to 100 queued applications at once (an outbox drain); each keeps its own key")
def submit_batch(body: s.BatchIn, state: State, kiosk_id: KioskId) -> s.BatchOut:
    """All in one transaction, so a backlog costs one disk sync per batch rather than one per application.
    Each entry is answered as `POST /applications` would have answered it, replays included."""
    keys = [entry.idempotency_key for entry in body.applications]
    if len(set(keys)) != len(keys):
        raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED, "an idempotency key appears twice in the batch")
    for _attempt in range(3):
        try:
            with state.sessions() as session, session.begin():
                return s.BatchOut(results=[_batch_one(session, state, kiosk_id, entry) for entry in body.applications])
        except IntegrityError:
            continue  # one of them raced a single submission: do the batch again, it is now a replay
    raise ApiProblem(409, p.ProblemCode.IDEMPOTENCY_IN_PROGRESS, "the requests are being processed; retry")


class ProgressRow(SealedCorrection, Protocol):
    """What a progress answer is made of: an Application, or a row of `_PROGRESS_COLUMNS`."""

    @property
    def number(self) -> str | None: ...
    @property
    def item_id(self) -> str: ...
    @property
    def local_reference(self) -> str: ...
    @property
    def kiosk_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def step(self) -> int: ...
    @property
    def updated_at(self) -> datetime: ...


def progress_record(state: ServerState, row: ProgressRow, kiosk_id: str) -> s.ProgressRecord:
    """Status, step and time, and the 补正 asked for; the local reference only to the kiosk that made it; never
    a staff note."""
    return s.ProgressRecord(application_number=row.number or "", item_id=row.item_id,
                            local_reference=row.local_reference if row.kiosk_id == kiosk_id else None,
                            status=s.ApplicationStatus(row.status), step=row.step,
                            updated_at=db.as_utc(row.updated_at), correction=correction_notice(state, row))


NOT_FOUND = "no application with that number at this kiosk; elsewhere give the query code of the receipt"


@router.get("/applications/{number}", response_model=s.ProgressRecord, responses=documented(*AUTH_ERRORS, 404),
            summary="Status of an application this kiosk took, by 办件编号 or by its local reference")
def application_status(number: NumberInPath, state: State, kiosk_id: KioskId) -> s.ProgressRecord:
    """Only the kiosk's own applications: another kiosk's are 404, as if they did not exist."""
    with state.sessions() as session:
        mine = select(Application).where(Application.kiosk_id == kiosk_id)
        row = session.scalar(mine.where(Application.number == number))
        row = row or session.scalar(mine.where(Application.local_reference == number))
        if row is None:
            raise ApiProblem(404, p.ProblemCode.NOT_FOUND, NOT_FOUND)
        return progress_record(state, row, kiosk_id)


# The look-ups' reads, built once and without ORM objects: they run on every look-up (issue #13's benchmark).
_PROGRESS_COLUMNS = select(Application.id, Application.number, Application.item_id, Application.local_reference,
                           Application.kiosk_id, Application.status, Application.step, Application.updated_at,
                           Application.stage, Application.correction_sealed)
_APPLICATIONS_OF = _PROGRESS_COLUMNS.where(Application.applicant_index == bindparam("index")).order_by(
    Application.id.desc()).limit(20)
_WITH_NUMBER = _PROGRESS_COLUMNS.add_columns(Application.query_code_digest).where(
    Application.number == bindparam("number"))


def _with_code(connection: Connection, state: ServerState, number: str, code: str) -> ProgressRow | None:
    """The application if the code is its receipt's; compared in constant time."""
    row = connection.execute(_WITH_NUMBER, {"number": number}).first()
    expected = state.query_code_digest(number, code)
    if row is None or not hmac.compare_digest(row.query_code_digest.encode(), expected.encode()):
        return None
    return row


# ---- look-ups of personal progress: limited, audited, flagged ----

LOOKUP_ERRORS = (*AUTH_ERRORS, 403, 429)


def _refused(refusal: Refusal) -> ApiProblem:
    return ApiProblem(429, p.ProblemCode.RATE_LIMITED, f"too many look-ups ({refusal.limit}); wait and try again",
                      headers={"Retry-After": str(refusal.retry_after_s)})


QUARANTINED = ApiProblem(403, p.ProblemCode.KIOSK_QUARANTINED,
                         "this kiosk broke the look-up limits and may not look up until staff release it")


def _flag(connection: Connection, state: ServerState, kiosk_id: str, refusal: Refusal) -> None:
    """A kiosk refused for its limits is flagged for staff once an hour, and quarantined by policy."""
    refusals = state.limiter.refusals_this_hour(kiosk_id)
    now = db.now()
    if refusals == 1:
        connection.execute(insert(KioskAlert).values(kiosk_id=kiosk_id, kind="lookup_limit", detail=refusal.limit,
                                                     at=now))
        log_event(log, "lookup_limit_broken", logging.WARNING, kiosk_id=kiosk_id)
    threshold = state.limiter.policy.quarantine_after
    if threshold is not None and refusals == threshold:
        connection.execute(update(Kiosk).where(Kiosk.kiosk_id == kiosk_id, Kiosk.quarantined_at.is_(None))
                           .values(quarantined_at=now))
        connection.execute(insert(KioskAlert).values(
            kiosk_id=kiosk_id, kind="quarantined", detail=f"{refusals} look-ups refused within an hour", at=now))
        log_event(log, "kiosk_quarantined", logging.ERROR, kiosk_id=kiosk_id)


# Built once: a look-up runs these on every request, and building a statement costs more than running it.
_QUARANTINED_AT = select(Kiosk.quarantined_at).where(Kiosk.kiosk_id == bindparam("kiosk_id"))
_AUDIT_LOOKUP = insert(LookupAudit).returning(LookupAudit.id)
_AUDIT_LIMITED = update(LookupAudit).where(LookupAudit.id == bindparam("audit_id")).values(outcome="limited", count=0)
Answer = TypeVar("Answer")


def _guarded(state: ServerState, kiosk_id: str, kind: str,
             look_up: Callable[[Connection], tuple[Answer, int | None]],
             *, signed: SignedNonce | None = None, person_index: str | None = None,
             number: str | None = None) -> Answer:
    """Look up, count the look-up against the limits and audit it, all in one transaction, with the request's
    nonce when the route records it (`signed`); the answer, or raises when the look-up is refused.

    `look_up` gives the answer and how many records it holds (None: a wrong query code). It runs whatever the
    limits say: what is refused is never sent, and a refused look-up costs the same as an answered one. One
    transaction, so one commit: the nonce, the counters and the audit row are kept together or not at all."""
    try:
        with state.nonce_engine.begin() as connection, state.limiter.storage.bound(connection):
            if signed is not None:  # the nonce's statement also reads the quarantine
                quarantined = remember_nonce(state, connection, signed)
            else:
                quarantined = connection.execute(_QUARANTINED_AT, {"kiosk_id": kiosk_id}).scalar()
            answer, found = look_up(connection)
            # The audit row goes in before the counters: a kiosk's counter rows are locked by every look-up of
            # that kiosk from its upsert to its commit (PostgreSQL), so the upsert comes last. A refusal
            # corrects the row within the transaction; nobody sees it before.
            outcome = "quarantined" if quarantined is not None else "not_found" if found is None else "answered"
            audit_id = connection.execute(_AUDIT_LOOKUP, {
                "kiosk_id": kiosk_id, "at": db.now(), "kind": kind, "person_index": person_index,
                "application_number": number, "outcome": outcome,
                "count": (found or 0) if outcome == "answered" else 0}).scalar_one()
            refusal = None
            if quarantined is None:
                refusal = state.limiter.hit_all([("kiosk", kiosk_id)] + (
                    [("person", person_index)] if person_index is not None else []))
                if refusal is None and number is not None:
                    refusal = state.limiter.would_refuse("number", number)
                    if refusal is None and found is None:  # a wrong code counts against the number
                        state.limiter.hit("number", number)
            if refusal is not None:
                connection.execute(_AUDIT_LIMITED, {"audit_id": audit_id})
                _flag(connection, state, kiosk_id, refusal)
    except AuthFailure:
        if signed is not None:
            signed.settled = True  # the request is refused: no nonce of its own to keep
        raise
    if signed is not None:
        signed.settled = True
    if quarantined is not None:
        raise QUARANTINED
    if refusal is not None:
        raise _refused(refusal)
    return answer


@router.post("/application-lookups", response_model=s.ProgressRecord, responses=documented(*LOOKUP_ERRORS, 404),
             summary="Status of any application, by its 办件编号 and the query code printed on its receipt")
def application_lookup(body: s.ApplicationLookupIn, state: State, kiosk_id: KioskId,
                       signed: NonceToRecord) -> s.ProgressRecord:
    def look_up(connection: Connection) -> tuple[s.ProgressRecord | None, int | None]:
        row = _with_code(connection, state, body.application_number, body.query_code)
        return (progress_record(state, row, kiosk_id), 1) if row is not None else (None, None)

    record = _guarded(state, kiosk_id, "receipt_code", look_up, signed=signed, number=body.application_number)
    if record is None:
        raise ApiProblem(404, p.ProblemCode.NOT_FOUND, "no application with that number and query code")
    return record


@router.post("/progress-queries", response_model=s.ProgressList, responses=documented(*LOOKUP_ERRORS),
             summary="Applications of the person whose card is on the reader, newest first")
def progress_query(body: s.ProgressQueryIn, state: State, kiosk_id: KioskId,
                   signed: NonceToRecord) -> s.ProgressList:
    """Limited per kiosk and per ID number (429 with Retry-After) and audited: kiosk, time, the keyed digest of
    the number and how many records were answered."""
    index = state.person_index(body.id_number)

    def look_up(connection: Connection) -> tuple[list[s.ProgressRecord], int]:
        rows = connection.execute(_APPLICATIONS_OF, {"index": index})
        records = [progress_record(state, r, kiosk_id) for r in rows]
        return records, len(records)

    return s.ProgressList(records=_guarded(state, kiosk_id, "id_card", look_up, signed=signed, person_index=index))


# ---- appointments ----

def _appointment_item(state: ServerState, item_id: str) -> int:
    """How many parties the item needs; raises when it is no appointment item."""
    item = state.catalog.get(item_id) if state.catalog else None
    if state.catalog is not None and item is None:
        raise ApiProblem(422, p.ProblemCode.UNKNOWN_ITEM, f"no item {item_id!r} in the catalog")
    if item is not None and item.kiosk_action != "appointment":
        raise ApiProblem(422, p.ProblemCode.NOT_AN_APPOINTMENT_ITEM, f"{item_id} takes no appointments")
    return item.parties if item is not None else 2


def _slot(state: ServerState, slot: SlotTime, booked: int) -> s.Slot:
    return s.Slot(slot_id=slot.slot_id, office=state.settings.office, day=slot.day, start=slot.start, end=slot.end,
                  remaining=max(0, state.settings.slot_capacity - booked))


@router.get("/appointment-slots", response_model=s.SlotList, responses=documented(*AUTH_ERRORS),
            summary="Free appointment slots of 结婚登记 or 离婚登记")
def appointment_slots(item_id: Annotated[str, Query(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)],
                      state: State, _kiosk: KioskId, first_day: Annotated[date | None, Query(alias="from")] = None,
                      days: Annotated[int, Query(ge=1, le=62)] = 7) -> s.SlotList:
    _appointment_item(state, item_id)
    now = datetime.now(CHINA)
    asked = first_day or now.date()
    start = max(asked, now.date())  # the days asked for, from `from`, that are still ahead
    if start > now.date() + timedelta(days=366):
        return s.SlotList(slots=[])
    times = schedule(item_id, start, days - (start - asked).days, now)
    with state.sessions() as session:
        rows = session.execute(select(SlotCounter.slot_id, SlotCounter.booked).where(
            SlotCounter.slot_id.in_([t.slot_id for t in times]))).all() if times else []
        counts = {str(slot_id): int(booked) for slot_id, booked in rows}
    return s.SlotList(slots=[_slot(state, t, counts.get(t.slot_id, 0)) for t in times])


@router.post("/bookings", status_code=201, response_model=s.BookingOut,
             responses={201: REPLAY_HEADER, **documented(*AUTH_ERRORS, 404, 409)},
             summary="Book an appointment slot for the parties whose cards were read")
def book(body: s.BookingIn, state: State, kiosk_id: KioskId, idempotency_key: IdempotencyKey) -> JSONResponse:
    parties = _appointment_item(state, body.item_id)
    if len(body.parties) != parties:
        raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED, f"{body.item_id} needs {parties} parties")
    slot = parse_slot_id(body.slot_id)
    if slot is None or slot.item_id != body.item_id or slot.starts_at <= datetime.now(CHINA):
        raise ApiProblem(404, p.ProblemCode.SLOT_NOT_FOUND, "no such open slot for this item")

    def create(session: Session) -> Created:
        first_booking_id = None
        if body.first_booking is not None:
            first, dates = first_visit(session, state, body.first_booking, body.item_id,
                                       (party.id_number for party in body.parties), datetime.now(CHINA).date())
            if not dates.admits(slot.day):
                raise ApiProblem(422, p.ProblemCode.OUTSIDE_WINDOW, "the slot is not among the certificate's days")
            first_booking_id = first.id
        if session.get(SlotCounter, slot.slot_id) is None:
            session.add(SlotCounter(slot_id=slot.slot_id, booked=0))
            session.flush()
        taken = session.execute(update(SlotCounter).where(
            SlotCounter.slot_id == slot.slot_id, SlotCounter.booked < state.settings.slot_capacity)
            .values(booked=SlotCounter.booked + 1))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise ApiProblem(409, p.ProblemCode.SLOT_FULL, "the slot is fully booked")
        row = Booking(kiosk_id=kiosk_id, item_id=body.item_id, slot_id=slot.slot_id, status="booked",
                      parties_sealed=b"", created_at=db.now(), first_booking_id=first_booking_id)
        session.add(row)
        session.flush()
        row.number = f"YY{slot.day:%Y%m%d}{row.id:06d}"
        personal = {"parties": [party.model_dump(mode="json") for party in body.parties], "phone": body.phone}
        row.parties_sealed = state.seal(json.dumps(personal, ensure_ascii=False).encode(), f"bookings:{row.id}")
        for index in {state.person_index(party.id_number) for party in body.parties}:
            session.add(BookingParty(booking_id=row.id, party_index=index))
        booked = session.get(SlotCounter, slot.slot_id)
        out = s.BookingOut(booking_number=row.number, status="booked",
                           slot=_slot(state, slot, booked.booked if booked else 0))
        log_event(log, "booking_made", kiosk_id=kiosk_id, item_id=body.item_id)
        return 201, out.model_dump(mode="json"), {}

    return idempotent(state, kiosk_id, idempotency_key, "book", request_digest(state, body), create)


@router.post("/bookings/{booking_number}/first-visit", response_model=s.FirstVisitOut,
             responses=documented(*AUTH_ERRORS, 404, 409),
             summary="The first visit of a divorce, for booking its second")
def find_first_visit(booking_number: NumberInPath, body: s.FirstVisitIn, state: State,
                     kiosk_id: KioskId) -> s.FirstVisitOut:
    _appointment_item(state, body.item_id)
    with state.sessions() as session:
        row, dates = first_visit(session, state, booking_number, body.item_id, body.id_numbers,
                                 datetime.now(CHINA).date())
        log_event(log, "first_visit_found", kiosk_id=kiosk_id, item_id=row.item_id)
        return s.FirstVisitOut(booking_number=booking_number, day=dates.applied,
                               cooling_off_ends=dates.cooling_off_ends, first_day=dates.first_certificate_day,
                               last_day=dates.last_certificate_day)


@router.post("/bookings/{booking_number}/cancellation", response_model=s.BookingOut,
             responses=documented(*AUTH_ERRORS, 404, 409), summary="Cancel a booking for one of its parties")
def cancel_booking(booking_number: NumberInPath, body: s.CancellationIn, state: State,
                   kiosk_id: KioskId) -> s.BookingOut:
    with state.sessions() as session, session.begin():
        row = session.scalar(select(Booking).where(Booking.number == booking_number))
        if row is None:
            raise ApiProblem(404, p.ProblemCode.BOOKING_NOT_FOUND, "no booking with that number")
        if session.get(BookingParty, (row.id, state.person_index(body.id_number))) is None:
            raise ApiProblem(409, p.ProblemCode.BOOKING_NOT_YOURS, "the card on the reader is not a party of it")
        if row.status == "cancelled":
            raise ApiProblem(409, p.ProblemCode.ALREADY_CANCELLED, "the booking was cancelled before")
        row.status, row.cancelled_at = "cancelled", db.now()
        session.execute(update(SlotCounter).where(SlotCounter.slot_id == row.slot_id, SlotCounter.booked > 0)
                        .values(booked=SlotCounter.booked - 1))
        slot = parse_slot_id(row.slot_id)
        booked = session.get(SlotCounter, row.slot_id)
        log_event(log, "booking_cancelled", kiosk_id=kiosk_id, item_id=row.item_id)
        assert slot is not None
        return s.BookingOut(booking_number=booking_number, status="cancelled",
                            slot=_slot(state, slot, booked.booked if booked else 0))


# ---- kiosk upkeep ----

@router.post("/heartbeats", response_model=s.HeartbeatOut, responses=documented(*AUTH_ERRORS),
             summary="The kiosk's state, device states, outbox depth and version; staff's commands in the answer")
def heartbeat(body: s.HeartbeatIn, state: State, kiosk_id: KioskId) -> s.HeartbeatOut:
    with state.sessions() as session, session.begin():
        kiosk = session.get(Kiosk, kiosk_id)
        assert kiosk is not None
        now = db.now()
        kiosk.last_seen_at = now
        kiosk.heartbeat = body.model_dump_json()
        commands = exchange(session, kiosk_id, body, now)
    return s.HeartbeatOut(server_time=db.now(), catalog_version=state.bundle.version if state.bundle else None,
                          commands=commands)


USAGE_WINDOW_DAYS = 62
"""How far back a kiosk may report: two report months, enough for a kiosk that was offline for weeks."""
MOST_IN_A_DAY = {"guide_print": 2880, "query": 1000}
"""What one kiosk can physically do in a day: a guide slip takes at least 30 s to choose and print (24 h of
them is 2880), and progress look-ups are capped at 1000 a day per kiosk by the look-up limit."""


@router.post("/usage", response_model=s.UsageOut, responses=documented(*AUTH_ERRORS),
             summary="The kiosk's daily usage counts (guide prints, progress lookups) for the monthly report")
def report_usage(body: s.UsageIn, state: State, kiosk_id: KioskId) -> s.UsageOut:
    """Totals, not increments: each replaces what the kiosk sent before for its day, item and kind, so a
    report sent twice counts once. Nothing personal: days, item ids and numbers."""
    today = datetime.now(CHINA).date()
    latest = today + timedelta(days=1)  # a kiosk's clock may be a little ahead
    earliest = today - timedelta(days=USAGE_WINDOW_DAYS)
    rows = []
    for day in body.days:
        if day.day > latest:
            raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED, f"{day.day} is in the future")
        if day.day < earliest:
            raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED,
                             f"{day.day} is more than {USAGE_WINDOW_DAYS} days ago")
        for c in day.counts:
            if state.catalog is not None and state.catalog.get(c.item_id) is None:
                raise ApiProblem(422, p.ProblemCode.UNKNOWN_ITEM, f"no item {c.item_id!r} in the catalog")
            if c.count > MOST_IN_A_DAY[c.kind]:
                raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED,
                                 f"{c.count} {c.kind} of {c.item_id} on {day.day}: more than one kiosk can do a day "
                                 f"({MOST_IN_A_DAY[c.kind]})")
        keys = [(c.item_id, c.kind) for c in day.counts]
        if len(set(keys)) != len(keys):
            raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED, f"an item and kind appear twice on {day.day}")
        rows += [{"kiosk_id": kiosk_id, "day": day.day, "item_id": c.item_id, "kind": c.kind, "count": c.count}
                 for c in day.counts]
    if len({(r["day"], r["item_id"], r["kind"]) for r in rows}) != len(rows):
        raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED, "a day appears twice")
    now = db.now()
    with state.sessions() as session, session.begin():
        upsert = (sqlite_insert if state.engine.dialect.name == "sqlite" else postgresql_insert)(UsageCount)
        statement = upsert.values([{**r, "updated_at": now} for r in rows])
        session.execute(statement.on_conflict_do_update(
            index_elements=["kiosk_id", "day", "item_id", "kind"],
            set_={"count": statement.excluded.count, "updated_at": statement.excluded.updated_at}))
    log_event(log, "usage_received", kiosk_id=kiosk_id, count=len(rows))
    return s.UsageOut(accepted=len(rows))


@router.get("/catalog", response_model=s.CatalogBundle, responses=documented(*AUTH_ERRORS, 503),
            summary="The signed item catalog, with the fields the kiosk's release reads")
def catalog(state: State, _kiosk: KioskId,
            schema: Annotated[int, Query(ge=1, le=1000, description="the catalog schema the kiosk reads "
                                         "(kiosk.core.catalog.CATALOG_SCHEMA); releases before it: 1")] = 1,
            ) -> s.CatalogBundle:
    bundle = bundle_for(state.bundle, schema, state.keys.signing, state.earlier_bundles)
    if bundle is None:
        raise ApiProblem(503, p.ProblemCode.CATALOG_UNAVAILABLE, "the server has no valid catalog to publish")
    return bundle


@router.post("/ratings", status_code=201, response_model=s.RatingOut,
             responses={201: REPLAY_HEADER, **documented(*LOOKUP_ERRORS, 404, 409)},
             summary="好差评: a 1-5 satisfaction rating of an application")
def rate(body: s.RatingIn, state: State, kiosk_id: KioskId, idempotency_key: IdempotencyKey) -> JSONResponse:
    # Only the kiosk that took the application, or one shown the receipt's query code, may rate it; a code is
    # checked (and limited, like a look-up) before the write transaction. A rating without a number rates the
    # kiosk's service and names no case (nothing personal either way).
    if body.application_number is None:
        return idempotent(state, kiosk_id, idempotency_key, "rate", request_digest(state, body),
                          lambda session: _rating_created(session, state, kiosk_id, body))
    number = body.application_number
    with state.sessions() as session:
        allowed = session.scalar(select(Application.id).where(Application.number == number,
                                                              Application.kiosk_id == kiosk_id)) is not None
    if not allowed and body.query_code:
        code = body.query_code

        def look_up(connection: Connection) -> tuple[bool, int | None]:
            opens = _with_code(connection, state, number, code) is not None
            return opens, 1 if opens else None

        allowed = _guarded(state, kiosk_id, "receipt_code", look_up, number=number)
    if not allowed:
        raise ApiProblem(404, p.ProblemCode.NOT_FOUND, NOT_FOUND)

    def create(session: Session) -> Created:
        if session.scalar(select(Rating.id).where(Rating.application_number == number)):
            raise ApiProblem(409, p.ProblemCode.ALREADY_RATED, "this application was rated before")
        return _rating_created(session, state, kiosk_id, body)

    return idempotent(state, kiosk_id, idempotency_key, "rate", request_digest(state, body), create)


def _rating_created(session: Session, state: ServerState, kiosk_id: str, body: s.RatingIn) -> Created:
    row = Rating(application_number=body.application_number, kiosk_id=kiosk_id, satisfaction=body.satisfaction,
                 service=body.service, reason=body.reason, at=db.now())
    session.add(row)
    session.flush()
    if body.comment:
        row.comment_sealed = state.seal(body.comment.encode(), f"ratings:{row.id}")
    out = s.RatingOut(rating_id=row.id, channel="政务大厅其他终端", received_at=row.at)
    return 201, out.model_dump(mode="json"), {}

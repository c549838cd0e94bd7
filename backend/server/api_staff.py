"""The routes of the receiving office's staff: list received applications, open one in full (audited), and move
cases through the 异地代收代办 steps (backend.server.cases). Every move is kept as a history entry (GB/T 39046 表7).
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.contract import protocol as p
from backend.contract import schemas as s
from backend.contract.protocol import KIOSK_ID_PATTERN
from backend.server import cases, db
from backend.server.api_kiosk import NumberInPath, State
from backend.server.errors import ApiProblem, documented
from backend.server.models import Application, ApplicationEvent, Kiosk
from backend.server.staff import Principal, StaffError, log_in, record_opening
from backend.server.state import ServerState
from kiosk.core.identity import mask_id_number, mask_name
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend")
router = APIRouter(prefix=f"{p.API_PREFIX}/staff", tags=["staff"])
STAFF_ERRORS = (401, 413, 422)

def staff_with(role: str) -> Any:
    async def dependency(request: Request) -> Principal:
        principal: Principal = request.state.staff
        if not principal.may(role):
            raise ApiProblem(403, p.ProblemCode.STAFF_ROLE, f"this needs the {role} role")
        return principal

    return Depends(dependency)


Viewer = Annotated[Principal, staff_with("viewer")]
Clerk = Annotated[Principal, staff_with("clerk")]
StaffName = Viewer


@router.post("/sessions", response_model=s.StaffSession, responses=documented(422, 429),
             summary="Log in with name and password: a bearer token that expires")
def log_in_route(body: s.StaffLogIn, state: State) -> s.StaffSession:
    refusal = state.limiter.hit("login", body.name)
    if refusal is not None:
        raise ApiProblem(429, p.ProblemCode.RATE_LIMITED, "too many log-ins for this name; wait",
                         headers={"Retry-After": str(refusal.retry_after_s)})
    try:
        token, expires, role = log_in(state, body.name, body.password)
    except StaffError:
        log_event(log, "staff_log_in_refused", logging.WARNING)
        raise ApiProblem(401, p.ProblemCode.AUTH_STAFF, "wrong name or password") from None
    return s.StaffSession(token=token, expires_at=expires, role=role)


def _personal(state: ServerState, row: Application) -> dict[str, object]:
    content: dict[str, object] = json.loads(state.open(row.personal_sealed, f"applications:{row.id}"))
    return content


def _summary(state: ServerState, row: Application) -> s.ApplicationSummary:
    applicant = s.Identity.model_validate(_personal(state, row)["applicant"])
    return s.ApplicationSummary(
        application_number=row.number or "", local_reference=row.local_reference, item_id=row.item_id,
        kiosk_id=row.kiosk_id, status=s.ApplicationStatus(row.status),
        applicant_name_masked=mask_name(applicant.name), applicant_id_number_masked=mask_id_number(applicant.id_number),
        received_at=db.as_utc(row.received_at), updated_at=db.as_utc(row.updated_at))


def _find(session: Session, number: str) -> Application:
    row = session.scalar(select(Application).where(Application.number == number))
    if row is None:
        raise ApiProblem(404, p.ProblemCode.NOT_FOUND, "no application with that number")
    return row


@router.get("/applications", response_model=s.ApplicationList, responses=documented(*STAFF_ERRORS),
            summary="Received applications, oldest first, with masked applicants")
def list_applications(state: State, _staff: StaffName,
                      status: s.ApplicationStatus | None = None,
                      item_id: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)] = None,
                      limit: Annotated[int, Query(ge=1, le=200)] = 50,
                      offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> s.ApplicationList:
    query = select(Application)
    if status is not None:
        query = query.where(Application.status == status.value)
    if item_id is not None:
        query = query.where(Application.item_id == item_id)
    with state.sessions() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(Application.id).limit(limit).offset(offset)).all()
        return s.ApplicationList(applications=[_summary(state, r) for r in rows], total=total)


def _opened(state: ServerState, blob: bytes | None, aad: str, legacy: str) -> str:
    return state.open(blob, aad).decode() if blob else legacy


def application_detail(state: ServerState, session: Session, row: Application) -> s.ApplicationDetail:
    """The record in full: call only after record_opening."""
    personal = _personal(state, row)
    events = session.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == row.id)
                             .order_by(ApplicationEvent.id)).all()
    return s.ApplicationDetail(
        **_summary(state, row).model_dump(), applicant=s.Identity.model_validate(personal["applicant"]),
        fields=[s.FormValue.model_validate(f) for f in personal["fields"]],  # type: ignore[attr-defined]
        note=_opened(state, row.note_sealed, f"applications:{row.id}:note", row.note),
        history=[s.HistoryEntry(from_status=e.from_status, to_status=e.to_status, actor=e.actor,
                                note=_opened(state, e.note_sealed, f"application_events:{e.id}", e.note),
                                at=db.as_utc(e.at)) for e in events])


@router.get("/applications/{number}", response_model=s.ApplicationDetail, responses=documented(*STAFF_ERRORS, 404),
            summary="One application in full, for processing at the window")
def get_application(number: NumberInPath, state: State, staff: Clerk) -> s.ApplicationDetail:
    """Opens an applicant's record: recorded (who, when, which) before anything is shown."""
    with state.sessions() as session:
        row = _find(session, number)
    record_opening(state, staff, number, "opened")
    with state.sessions() as session:
        row = _find(session, number)
        log_event(log, "application_opened", kiosk_id=row.kiosk_id, item_id=row.item_id, status=row.status)
        return application_detail(state, session, row)


def _legacy_move(to: str, reason: str) -> s.AcceptMove | s.ForwardMove | s.CompleteMove | s.RejectMove:
    if to == "accepted":
        return s.AcceptMove(move="accept", note=reason)
    if to == "forwarded":  # this route never asked for the 寄递 number: kept without one rather than refused
        return s.ForwardMove.model_construct(move="forward", tracking_number="", note=reason)
    if to == "completed":
        return s.CompleteMove(move="complete", note=reason)
    return s.RejectMove(move="reject", reason=reason, note=reason)


@router.post("/applications/{number}/transitions", response_model=s.ApplicationDetail,
             responses=documented(*STAFF_ERRORS, 404, 409),
             summary="Move an application on: accepted, forwarded to the 户籍地, completed, or rejected with a reason "
                     "(the case moves, /cases/{number}/moves, have every step)")
def transition(number: NumberInPath, body: s.TransitionIn, state: State, staff: Clerk) -> s.ApplicationDetail:
    reason = body.reason.strip()[:200]
    if body.to == "rejected" and not reason:
        raise ApiProblem(422, p.ProblemCode.REASON_REQUIRED, "a rejection needs a reason for the citizen")
    cases.move(state, staff, number, _legacy_move(body.to, reason))  # audited there; the answer is the record in full
    with state.sessions() as session:
        row = _find(session, number)
        return application_detail(state, session, row)


# ---- cases: the 异地代收代办 steps (backend.server.cases) ----

@router.get("/cases", response_model=s.CaseList, responses=documented(*STAFF_ERRORS),
            summary="The office's open cases, most urgent first, with their step clocks and masked applicants")
def case_queue(state: State, _staff: Viewer, stage: s.CaseStage | None = None, flag: s.ClockFlag | None = None,
               item_id: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)] = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> s.CaseList:
    """Without `stage`, every case not yet closed (notified); `flag` near or overdue finds those to act on."""
    return cases.queue(state, stage, flag, item_id, limit, offset)


@router.get("/cases/{number}", response_model=s.CaseDetail, responses=documented(*STAFF_ERRORS, 404),
            summary="One case: its stage, clock, 补正, the moves open from here and its history; applicant masked")
def case_detail(number: NumberInPath, state: State, staff: Viewer) -> s.CaseDetail:
    """Staff notes only to clerks; the applicant's record in full is GET /applications/{number} (audited)."""
    return cases.detail(state, number, with_notes=staff.may("clerk"))


@router.post("/cases/{number}/moves", response_model=s.CaseDetail, responses=documented(*STAFF_ERRORS, 404, 409),
             summary="Move a case on: accept, ask_correction (补正), correction_met, forward (with the 寄递 number), "
                     "result_received, complete (办结), reject (with the reason), notify")
def case_move(number: NumberInPath, body: s.CaseMoveIn, state: State, staff: Clerk) -> s.CaseDetail:
    """Audited (who, which case, which move) before anything changes."""
    cases.move(state, staff, number, body)
    return cases.detail(state, number, with_notes=True)


@router.get("/reports/usage", response_model=s.UsageReport, responses=documented(*STAFF_ERRORS),
            summary="Per item: applications, progress lookups, appointments and guide prints in one month")
def usage_report(state: State, _staff: StaffName,
                 month: Annotated[str, Query(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", examples=["2026-11"])],
                 kiosk_id: Annotated[str | None, Query(pattern=KIOSK_ID_PATTERN)] = None) -> s.UsageReport:
    """The data of the monthly 跨省通办 report (`kiosk report monthly`); a calendar month in Beijing time."""
    from backend.server.reports import usage_report as build

    return build(state, month, kiosk_id)


@router.get("/reports/monthly", response_model=s.MonthlyInputs, responses=documented(*STAFF_ERRORS),
            summary="What the monthly 汇总表 is built from: period, entries, kiosks and their counts")
def monthly_inputs(state: State, staff: StaffName,
                   month: Annotated[str, Query(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", examples=["2026-12"])],
                   ) -> s.MonthlyInputs:
    """For `kiosk report monthly`, which builds the table with its catalog as `kiosk-backend report` does. The
    period is the one an administrator set for the month, or the 21st of the month before to the 20th."""
    from backend.server.monthly_entries import monthly_inputs as collect

    return collect(state, month, preparer=staff.name)


@router.get("/kiosks", response_model=s.KioskList, responses=documented(*STAFF_ERRORS),
            summary="Enrolled kiosks and their last heartbeat")
def list_kiosks(state: State, _staff: StaffName) -> s.KioskList:
    return kiosk_list(state)


def kiosk_list(state: ServerState) -> s.KioskList:
    """Every enrolled kiosk with its last heartbeat (also `kiosk-backend kiosks`)."""
    with state.sessions() as session:
        rows = session.scalars(select(Kiosk).order_by(Kiosk.kiosk_id)).all()
        return s.KioskList(kiosks=[s.KioskSummary(
            kiosk_id=k.kiosk_id, profile=k.profile, enrolled_at=db.as_utc(k.enrolled_at),
            revoked=k.revoked_at is not None, last_seen_at=db.as_utc(k.last_seen_at) if k.last_seen_at else None,
            heartbeat=s.HeartbeatIn.model_validate_json(k.heartbeat) if k.heartbeat else None) for k in rows])

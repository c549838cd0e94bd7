"""The receiving office's cases: an application's way through the 异地代收代办 steps, who moved it and when, the
time each step has in working days (the catalog's item steps), and the 补正 the citizen sees at a kiosk.

    received ─accept─▶ accepted ─forward─▶ forwarded ─result_received─▶ result_received ─complete─▶ completed
       │   ▲              │  ▲                │  ▲                                   └───reject──▶ rejected
       ask_correction / correction_met (the 补正 loop, from received, accepted or forwarded)
    completed | rejected ─notify─▶ notified (closed)

Staff pages and the staff JSON API both call these functions; each move is audited (RecordOpening) before it is
made. Notes, 补正 notices, tracking numbers and results are sealed like every other staff note: they are not
meant to be personal, but free text is where personal details end up.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.contract import protocol as p
from backend.contract import schemas as s
from backend.server import db
from backend.server.case_clock import Clock, deadline_clock, step_clock, working_days_after
from backend.server.errors import ApiProblem
from backend.server.models import Application, ApplicationEvent
from backend.server.slots import server_calendar
from backend.server.staff import Principal, record_opening
from backend.server.state import CHINA, ServerState
from kiosk.core.catalog import DEFAULT_CORRECTION_TIME_LIMIT, Item
from kiosk.core.identity import mask_id_number, mask_name
from kiosk.core.working_days import UnknownYear, WorkingDays
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend")
Stage = s.CaseStage
Move = s.CaseMove


@dataclass(frozen=True)
class Rule:
    sources: frozenset[Stage]
    to: Stage | None
    """None: back to the stage the 补正 interrupted."""


MOVES: dict[Move, Rule] = {
    Move.ACCEPT: Rule(frozenset({Stage.RECEIVED}), Stage.ACCEPTED),
    Move.ASK_CORRECTION: Rule(frozenset({Stage.RECEIVED, Stage.ACCEPTED, Stage.FORWARDED}), Stage.CORRECTION),
    Move.CORRECTION_MET: Rule(frozenset({Stage.CORRECTION}), None),
    Move.FORWARD: Rule(frozenset({Stage.ACCEPTED}), Stage.FORWARDED),
    Move.RESULT_RECEIVED: Rule(frozenset({Stage.FORWARDED}), Stage.RESULT_RECEIVED),
    # decided here without the 户籍地 (an applicant registered in this county), or told by it outside the system
    Move.COMPLETE: Rule(frozenset({Stage.ACCEPTED, Stage.FORWARDED, Stage.RESULT_RECEIVED}), Stage.COMPLETED),
    Move.REJECT: Rule(frozenset({Stage.RECEIVED, Stage.CORRECTION, Stage.ACCEPTED, Stage.FORWARDED,
                                 Stage.RESULT_RECEIVED}), Stage.REJECTED),
    Move.NOTIFY: Rule(frozenset({Stage.COMPLETED, Stage.REJECTED}), Stage.NOTIFIED),
}
STATUS_OF_STAGE = {Stage.RECEIVED: s.ApplicationStatus.RECEIVED, Stage.ACCEPTED: s.ApplicationStatus.ACCEPTED,
                   Stage.FORWARDED: s.ApplicationStatus.FORWARDED,
                   Stage.RESULT_RECEIVED: s.ApplicationStatus.FORWARDED,  # 办结 only once it is concluded here
                   Stage.COMPLETED: s.ApplicationStatus.COMPLETED, Stage.REJECTED: s.ApplicationStatus.REJECTED}
"""What the citizen sees; a 补正 and the notification keep the status they began from."""
STEP_OF_STATUS = {"received": 1, "accepted": 2, "forwarded": 3, "completed": 4}  # a rejection keeps its step
StepClock = Literal["receiving", "domicile", "notify"]  # the office's clocks, from the catalog's steps
CLOCK_OF_STAGE: dict[Stage, StepClock] = {
    Stage.ACCEPTED: "receiving", Stage.FORWARDED: "domicile", Stage.RESULT_RECEIVED: "notify",
    Stage.COMPLETED: "notify", Stage.REJECTED: "notify"}
URGENCY = {"overdue": 0, "near": 1, "no_calendar": 2, "ok": 3}


def local_date(moment: datetime) -> date:
    return db.as_utc(moment).astimezone(CHINA).date()


def today() -> date:
    return local_date(db.now())


def _item(state: ServerState, item_id: str) -> Item | None:
    return state.catalog.get(item_id) if state.catalog is not None else None


def _shown(kind: s.ClockKind, clock: Clock) -> s.CaseClock:
    return s.CaseClock(kind=kind, limit_working_days=clock.limit, used_working_days=clock.used,
                       left_working_days=clock.left, due=clock.due, flag=clock.flag)


def clock_of(row: Application, item: Item | None, calendar: WorkingDays, on: date) -> s.CaseClock | None:
    """The current step's clock on the day `on`; None for a stage or an item without a time limit."""
    stage = Stage(row.stage)
    if stage == Stage.CORRECTION:
        if row.correction_due is None:
            return None
        try:
            limit = working_days_after(calendar, local_date(row.updated_at), row.correction_due)
        except UnknownYear:
            limit = 0
        return _shown("correction", deadline_clock(calendar, limit, row.correction_due, on))
    kind = CLOCK_OF_STAGE.get(stage)
    if kind is None or item is None or row.clock_started_at is None:
        return None
    step_limit = item.case_clock_limit(kind)
    if step_limit is None:
        return None
    return _shown(kind, step_clock(calendar, step_limit, local_date(row.clock_started_at), row.clock_used_before,
                                   on))


def _applicant(state: ServerState, row: Application) -> s.Identity:
    personal = json.loads(state.open(row.personal_sealed, f"applications:{row.id}"))
    return s.Identity.model_validate(personal["applicant"])


def summary(state: ServerState, row: Application, calendar: WorkingDays, on: date) -> s.CaseSummary:
    """The case with its applicant masked, as lists show it."""
    applicant = _applicant(state, row)
    return s.CaseSummary(
        application_number=row.number or "", item_id=row.item_id, kiosk_id=row.kiosk_id, stage=Stage(row.stage),
        status=s.ApplicationStatus(row.status), applicant_name_masked=mask_name(applicant.name),
        applicant_id_number_masked=mask_id_number(applicant.id_number), received_at=db.as_utc(row.received_at),
        updated_at=db.as_utc(row.updated_at), clock=clock_of(row, _item(state, row.item_id), calendar, on))


def queue(state: ServerState, stage: Stage | None = None, flag: s.ClockFlag | None = None,
          item_id: str | None = None, limit: int = 50, offset: int = 0, calendar: WorkingDays | None = None,
          on: date | None = None) -> s.CaseList:
    """The office's open cases (or those of one stage), most urgent first: overdue, near, then by due day."""
    calendar, on = calendar or server_calendar(), on or today()
    query = select(Application).where(Application.number.is_not(None))
    query = query.where(Application.stage == stage.value) if stage is not None else \
        query.where(Application.stage != Stage.NOTIFIED.value)
    if item_id is not None:
        query = query.where(Application.item_id == item_id)
    with state.sessions() as session:
        rows = session.scalars(query.order_by(Application.id)).all()
        cases = [summary(state, row, calendar, on) for row in rows]
    if flag is not None:
        cases = [c for c in cases if c.clock is not None and c.clock.flag == flag]
    cases.sort(key=lambda c: (URGENCY[c.clock.flag] if c.clock else 4,
                              c.clock.due if c.clock and c.clock.due else date.max, c.received_at))
    return s.CaseList(cases=cases[offset:offset + limit], total=len(cases))


def find(session: Session, number: str, lock: bool = False) -> Application:
    query = select(Application).where(Application.number == number)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise ApiProblem(404, p.ProblemCode.NOT_FOUND, "no application with that number")
    return row


def _opened_json(state: ServerState, blob: bytes | None, aad: str) -> dict[str, object]:
    return dict(json.loads(state.open(blob, aad))) if blob else {}


class SealedCorrection(Protocol):
    """What correction_notice reads of an application: an Application, or a row of a select of these columns
    (a kiosk's look-ups read no ORM objects, for speed)."""

    @property
    def id(self) -> int: ...
    @property
    def stage(self) -> str: ...
    @property
    def correction_sealed(self) -> bytes | None: ...


def correction_notice(state: ServerState, row: SealedCorrection) -> s.CorrectionNotice | None:
    """The 补正 the citizen is asked for while the case waits for it: what the kiosk's progress answer shows."""
    if row.stage != Stage.CORRECTION.value or not row.correction_sealed:
        return None
    sealed = state.open(row.correction_sealed, f"applications:{row.id}:correction")
    return s.CorrectionNotice.model_validate_json(sealed)


def _event(state: ServerState, event: ApplicationEvent, with_notes: bool) -> s.CaseEvent:
    detail = _opened_json(state, event.detail_sealed, f"application_events:{event.id}:detail")
    note = ""
    if with_notes:
        note = state.open(event.note_sealed, f"application_events:{event.id}").decode() if event.note_sealed \
            else event.note
    correction = detail.get("correction")
    return s.CaseEvent(move=event.move, from_stage=event.from_status, to_stage=event.to_status, actor=event.actor,
                       at=db.as_utc(event.at), note=note, tracking_number=str(detail.get("tracking_number", "")),
                       outcome=str(detail.get("outcome", "")),
                       correction=s.CorrectionNotice.model_validate(correction) if correction else None)


def limits(item: Item | None) -> dict[str, int]:
    if item is None:
        return {"correction": DEFAULT_CORRECTION_TIME_LIMIT.amount or 0}
    found = {kind: item.case_clock_limit(kind) for kind in ("receiving", "domicile", "notify")}
    return {**{k: v for k, v in found.items() if v is not None}, "correction": item.correction_working_days()}


def detail(state: ServerState, number: str, with_notes: bool, calendar: WorkingDays | None = None,
           on: date | None = None) -> s.CaseDetail:
    """One case, applicant masked: its stage, clock, 补正, open moves and history (staff notes only
    `with_notes`, for clerks)."""
    calendar, on = calendar or server_calendar(), on or today()
    with state.sessions() as session:
        row = find(session, number)
        events = session.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == row.id)
                                 .order_by(ApplicationEvent.id)).all()
        return s.CaseDetail(
            **summary(state, row, calendar, on).model_dump(), correction=correction_notice(state, row),
            moves=[m for m, rule in MOVES.items() if row.stage in rule.sources],
            limits=limits(_item(state, row.item_id)), history=[_event(state, e, with_notes) for e in events])


# ---- moves ----

def _correction(item: Item | None, body: s.CorrectionMove, calendar: WorkingDays, on: date,
                now: datetime) -> s.CorrectionNotice:
    known = {m.id: m for m in item.materials} if item is not None else {}
    unknown = [m for m in body.materials if m not in known]
    if unknown:
        raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED, f"the item has no material {', '.join(unknown)}")
    materials = [s.CorrectionMaterial(material_id=m, name=known[m].name.zh[:100])
                 for m in dict.fromkeys(body.materials)]
    if body.other.strip():
        materials.append(s.CorrectionMaterial(name=body.other.strip()))
    if not materials:
        raise ApiProblem(422, p.ProblemCode.VALIDATION_FAILED, "name at least one material the citizen is to bring")
    days = body.working_days or (item.correction_working_days() if item is not None
                                 else DEFAULT_CORRECTION_TIME_LIMIT.amount or 0)
    try:
        due = calendar.add_working_days(on, days)
    except UnknownYear as exc:
        raise ApiProblem(422, p.ProblemCode.CALENDAR_UNKNOWN, str(exc)) from None
    return s.CorrectionNotice(materials=materials, place=body.place.strip(), due=due, asked_at=now)


def _details(state: ServerState, row: Application, body: s.AcceptMove | s.CorrectionMove | s.CorrectionMetMove
             | s.ForwardMove | s.ResultMove | s.CompleteMove | s.RejectMove | s.NotifyMove,
             calendar: WorkingDays, on: date, now: datetime) -> dict[str, object]:
    """What the move records besides its note; sets the row's 补正 or rejection reason."""
    match body:
        case s.CorrectionMove():
            notice = _correction(_item(state, row.item_id), body, calendar, on, now)
            row.correction_sealed = state.seal(notice.model_dump_json().encode(), f"applications:{row.id}:correction")
            row.correction_due = notice.due
            return {"correction": notice.model_dump(mode="json")}
        case s.ForwardMove():
            return {"tracking_number": body.tracking_number}
        case s.ResultMove():
            return {"outcome": body.outcome}
        case s.RejectMove():
            reason = body.reason.strip()
            if not reason:
                raise ApiProblem(422, p.ProblemCode.REASON_REQUIRED, "a rejection needs a reason for the citizen")
            row.note_sealed = state.seal(reason.encode(), f"applications:{row.id}:note")
            return {"reason": reason}
        case s.NotifyMove():
            row.notified_at = now
            return {"how": body.how}
    return {}


def _run_clock(row: Application, target: Stage, calendar: WorkingDays, on: date, now: datetime) -> None:
    stage = Stage(row.stage)
    if target == Stage.CORRECTION:
        # The citizen's time is theirs, not the office's: the clock stops, keeping the working days it has used,
        # and runs on from the day the materials arrive. From received the materials were never complete, so
        # the receiving office's 3 days (自材料收齐之日起) start only then.
        if CLOCK_OF_STAGE.get(stage) is not None and row.clock_started_at is not None:
            try:
                row.clock_used_before += working_days_after(calendar, local_date(row.clock_started_at), on)
            except UnknownYear as exc:
                raise ApiProblem(422, p.ProblemCode.CALENDAR_UNKNOWN, str(exc)) from None
        else:
            row.clock_used_before = 0
        row.resume_stage = Stage.ACCEPTED.value if stage == Stage.RECEIVED else stage.value
        row.clock_started_at = None
    elif stage == Stage.CORRECTION:
        row.clock_started_at, row.resume_stage = now, ""
        row.correction_sealed, row.correction_due = None, None
    elif CLOCK_OF_STAGE.get(target) is None:
        row.clock_started_at, row.clock_used_before = None, 0
    elif CLOCK_OF_STAGE.get(target) != CLOCK_OF_STAGE.get(stage) or row.clock_started_at is None:
        row.clock_started_at, row.clock_used_before = now, 0


def move(state: ServerState, staff: Principal, number: str, body: s.AcceptMove | s.CorrectionMove
         | s.CorrectionMetMove | s.ForwardMove | s.ResultMove | s.CompleteMove | s.RejectMove | s.NotifyMove,
         calendar: WorkingDays | None = None, now: datetime | None = None) -> None:
    """Make one move, recorded with who and when; ApiProblem (404, 409, 422) when it cannot be made."""
    calendar, now = calendar or server_calendar(), now or db.now()
    on = local_date(now)
    name = Move(body.move)
    with state.sessions() as session:
        find(session, number)
    record_opening(state, staff, number, "moved")  # before anything changes, a refused move too; the event says which
    with state.sessions() as session, session.begin():
        row = find(session, number, lock=True)  # two clerks at one case: the second waits, then sees the first
        rule = MOVES[name]
        if row.stage not in rule.sources:
            raise ApiProblem(409, p.ProblemCode.INVALID_TRANSITION, f"cannot {name.value} a case that is {row.stage}")
        target = rule.to or Stage(row.resume_stage or Stage.ACCEPTED.value)
        recorded = _details(state, row, body, calendar, on, now)
        _run_clock(row, target, calendar, on, now)
        event = ApplicationEvent(application_id=row.id, from_status=row.stage, to_status=target.value,
                                 actor=staff.name[:64], note="", at=now, move=name.value)
        session.add(event)
        session.flush()
        if body.note.strip():
            event.note_sealed = state.seal(body.note.strip().encode(), f"application_events:{event.id}")
        if recorded:
            event.detail_sealed = state.seal(json.dumps(recorded, ensure_ascii=False).encode(),
                                             f"application_events:{event.id}:detail")
        row.stage, row.updated_at = target.value, now
        row.status = STATUS_OF_STAGE.get(target, s.ApplicationStatus(row.status)).value
        row.step = STEP_OF_STATUS.get(row.status, row.step)
        log_event(log, "case_moved", item_id=row.item_id, action=name.value, status=target.value)

"""The routes of citizens' calls for staff: a kiosk sends a call and asks whether staff acknowledged it; staff
list the calls and acknowledge one (backend.server.help_calls holds what they do)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend.contract import protocol as p
from backend.contract import schemas as s
from backend.server import help_calls
from backend.server.api_kiosk import (
    AUTH_ERRORS,
    REPLAY_HEADER,
    Created,
    IdempotencyKey,
    KioskId,
    State,
    idempotent,
    request_digest,
)
from backend.server.api_staff import STAFF_ERRORS, Clerk, Viewer
from backend.server.errors import ApiProblem, documented

kiosk_router = APIRouter(prefix=p.API_PREFIX, tags=["kiosk"])
staff_router = APIRouter(prefix=f"{p.API_PREFIX}/staff", tags=["staff"])
CallId = Annotated[int, Path(ge=1, le=2**31 - 1)]
NO_CALL = "no help call with that id"


@kiosk_router.post("/help-calls", status_code=201, response_model=s.HelpCallOut,
                   responses={201: REPLAY_HEADER, **documented(*AUTH_ERRORS, 409)},
                   summary="A citizen pressed 呼叫工作人员: store the call, alert staff and the hall's group")
def call_for_help(body: s.HelpCallIn, state: State, kiosk_id: KioskId,
                  idempotency_key: IdempotencyKey) -> JSONResponse:
    stored: list[int] = []

    def create(session: Session) -> Created:
        row = help_calls.record(session, state, kiosk_id, body)
        stored.append(row.id)
        return 201, help_calls.kiosk_view(row).model_dump(mode="json"), {}

    answer = idempotent(state, kiosk_id, idempotency_key, "help_call", request_digest(state, body), create)
    webhook = help_calls.webhook_of(state)
    if stored and webhook is not None and p.HEADER_REPLAYED not in answer.headers:
        webhook.announce(stored[-1])  # after the commit, on the webhook's own thread
    return answer


@kiosk_router.get("/help-calls/{call_id}", response_model=s.HelpCallOut, responses=documented(*AUTH_ERRORS, 404),
                  summary="Whether staff acknowledged this kiosk's call for help")
def help_call_state(call_id: CallId, state: State, kiosk_id: KioskId) -> s.HelpCallOut:
    row = help_calls.of_kiosk(state, kiosk_id, call_id)
    if row is None:
        raise ApiProblem(404, p.ProblemCode.NOT_FOUND, NO_CALL)
    return help_calls.kiosk_view(row)


@staff_router.get("/help-calls", response_model=s.HelpCallList, responses=documented(*STAFF_ERRORS),
                  summary="Citizens' calls for staff, newest first")
def list_help_calls(state: State, _staff: Viewer, open_only: Annotated[bool, Query(alias="open")] = False,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> s.HelpCallList:
    return s.HelpCallList(calls=help_calls.calls(state, open_only, limit))


@staff_router.post("/help-calls/{call_id}/acknowledgement", response_model=s.HelpCallView,
                   responses=documented(*STAFF_ERRORS, 404),
                   summary="On my way: the kiosk tells the citizen staff received the call")
def acknowledge_help_call(call_id: CallId, state: State, staff: Clerk) -> s.HelpCallView:
    try:
        return help_calls.acknowledge(state, call_id, staff.name)
    except help_calls.HelpCallError:
        raise ApiProblem(404, p.ProblemCode.NOT_FOUND, NO_CALL) from None

"""The progress query: by the ID card on the reader (used for this one query and not kept), or by the receipt:
its 办件编号 with the 查询码 printed beside it (typed, or both in its QR code), which any kiosk answers, or the
number alone, which only the kiosk that took the application answers."""

from __future__ import annotations

from kiosk.core.health import Reason
from kiosk.core.receipt_numbers import application_number_problem, query_code_problem, typed
from kiosk.core.records import ProgressQuery
from kiosk.core.session import events as ev
from kiosk.core.session.browsing import back
from kiosk.core.session.commands import CancelCardRead, Command, FetchProgress, Speak, WatchCardRemoval
from kiosk.core.session.identification import identity_problem
from kiosk.core.session.model import Identification, KioskState, Session, Task
from kiosk.core.session.states import IdentifyStatus, Phase, ProgressBy, Purpose
from kiosk.core.session.table import Outcome, Row, read_card, register, with_session
from kiosk.core.slips import progress_from_code


def _by_card(state: KioskState, s: Session, e: ev.ProgressByCardRequested) -> Outcome:
    return read_card(state, s, progress=Task(), progress_by=ProgressBy.CARD)


def _card(state: KioskState, s: Session, e: ev.CardRead) -> Outcome:
    if s.identification.status != IdentifyStatus.READING:
        return state, []
    if (problem := identity_problem(e.identity, e.today)) is not None or e.identity is None:
        return with_session(state, s, identification=s.identification.failed(problem or Reason.CARD_UNREADABLE)), []
    # The identity is used for this one query and not kept in the session.
    new = with_session(state, s, identification=Identification(), progress=s.progress.running())
    return new, [FetchProgress(s.session_id, ProgressQuery(id_number=e.identity.id_number)),
                 WatchCardRemoval(s.session_id), Speak("notice.card_read", s.language)]


def _card_failed(state: KioskState, s: Session, e: ev.CardReadFailed) -> Outcome:
    return with_session(state, s, identification=s.identification.failed(e.reason)), []


def _by_number(state: KioskState, s: Session, e: ev.ProgressByNumberRequested) -> Outcome:
    """Both are checked before either is sent: a mistyped code would count against the number at the backend."""
    number, code = typed(e.application_number), typed(e.query_code)
    problems = [(field, problem) for field, problem in (
        ("application_number", application_number_problem(number, state.rules.kiosk_id)),
        ("query_code", query_code_problem(code))) if problem is not None]
    if problems:
        return with_session(state, s, field_errors=tuple(problems)), []
    new = with_session(state, s, progress=Task().running(), field_errors=(),
                       progress_by=ProgressBy.RECEIPT if code else ProgressBy.NUMBER)
    return new, [FetchProgress(s.session_id, ProgressQuery(application_number=number, query_code=code))]


def _code_scanned(state: KioskState, s: Session, e: ev.CodeScanned) -> Outcome:
    """A receipt held up to the scanner: its progress, from home, the item list or the progress screen, without
    typing; any other code is said not to be a receipt."""
    found = progress_from_code(e.code)
    if found is None:
        return with_session(state, s, phase=Phase.PROGRESS_QUERY, purpose=Purpose.PROGRESS,
                            field_errors=(("application_number", "not_a_receipt"),), notice=None), []
    number, query_code = found
    by = ProgressBy.RECEIPT if query_code else ProgressBy.NUMBER
    new = with_session(state, s, phase=Phase.PROGRESS_QUERY, purpose=Purpose.PROGRESS, progress=Task().running(),
                       field_errors=(), notice=None, progress_by=by)
    return new, [FetchProgress(s.session_id, ProgressQuery(application_number=number, query_code=query_code))]


def _loaded(state: KioskState, s: Session, e: ev.ProgressLoaded) -> Outcome:
    # a 补正 asks the citizen to act by a deadline: said aloud too, like every notice the citizen must not miss
    asked = any(r.correction is not None for r in e.records)
    said: list[Command] = [Speak("notice.correction", s.language)] if asked else []
    return with_session(state, s, progress=s.progress.done(e.records)), said


def _failed(state: KioskState, s: Session, e: ev.BackendFailed) -> Outcome:
    return with_session(state, s, progress=s.progress.failed(e.reason)), []


def _back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    new, _ = back(state, s, e)
    return new, [CancelCardRead(s.session_id)]


ROWS: list[Row] = [
    ([Phase.PROGRESS_QUERY], ev.ProgressByCardRequested, _by_card),
    ([Phase.PROGRESS_QUERY], ev.CardRead, _card),
    ([Phase.PROGRESS_QUERY], ev.CardReadFailed, _card_failed),
    ([Phase.PROGRESS_QUERY], ev.ProgressByNumberRequested, _by_number),
    ([Phase.HOME, Phase.BROWSING, Phase.PROGRESS_QUERY], ev.CodeScanned, _code_scanned),
    ([Phase.PROGRESS_QUERY], ev.ProgressLoaded, _loaded),
    ([Phase.PROGRESS_QUERY], ev.BackendFailed, _failed),
    ([Phase.PROGRESS_QUERY], ev.BackPressed, _back),
]
register(ROWS)

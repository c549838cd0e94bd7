"""Finding an item (categories, search), reading its guide and printing it, and the way back."""

from __future__ import annotations

from kiosk.core.session import events as ev
from kiosk.core.session.availability import item_unavailable_reason, printer_problem
from kiosk.core.session.commands import PrintSlip, SlipRequest
from kiosk.core.session.model import KioskState, Session, Task
from kiosk.core.session.states import Phase, Purpose
from kiosk.core.session.table import BACK_TO, Outcome, Row, back_to, item_of, register, with_session
from kiosk.core.slips import SlipKind


def _category(state: KioskState, s: Session, e: ev.CategoryChosen) -> Outcome:
    if e.category not in state.rules.catalog.categories:
        return state, []
    return with_session(state, s, phase=Phase.BROWSING, category=e.category, search="", notice=None), []


def _search(state: KioskState, s: Session, e: ev.SearchChanged) -> Outcome:
    return with_session(state, s, phase=Phase.BROWSING, category=None, search=e.text[:40], notice=None), []


def _item_chosen(state: KioskState, s: Session, e: ev.ItemChosen) -> Outcome:
    item = state.rules.catalog.get(e.item_id)
    if item is None:
        return state, []
    if (reason := item_unavailable_reason(state, item)) is not None:
        return with_session(state, s, notice=f"item_unavailable.{reason.value}"), []
    return with_session(state, s, phase=Phase.ITEM_GUIDE, item_id=item.id, notice=None), []


def _progress_start(state: KioskState, s: Session, e: ev.ProgressQueryStarted) -> Outcome:
    return with_session(state, s, phase=Phase.PROGRESS_QUERY, purpose=Purpose.PROGRESS, notice=None), []


def back(state: KioskState, s: Session, e: ev.Event) -> Outcome:
    """Back to where this phase was entered from (table.BACK_TO), as it was then."""
    return back_to(state, s, BACK_TO[s.phase]), []


def start(state: KioskState, s: Session, purpose: Purpose, action: str) -> Outcome:
    """Consent first, for an item whose kiosk action is the one started."""
    item = item_of(state, s)
    if item is None or item.kiosk_action != action:
        return state, []
    return with_session(state, s, phase=Phase.CONSENT, purpose=purpose, consent_error=False), []


def _apply(state: KioskState, s: Session, e: ev.ApplyStarted) -> Outcome:
    return start(state, s, Purpose.APPLY, "apply")


def _appointment(state: KioskState, s: Session, e: ev.AppointmentStarted) -> Outcome:
    return start(state, s, Purpose.APPOINTMENT, "appointment")


def _guide_print(state: KioskState, s: Session, e: ev.GuidePrintRequested) -> Outcome:
    item = item_of(state, s)
    if item is None:
        return state, []
    if (reason := printer_problem(state)) is not None:  # the guide stays on the screen to read
        return with_session(state, s, notice=f"print_unavailable.{reason.value}"), []
    job_id = f"{s.session_id}-guide-{item.id}"
    new = with_session(state, s, phase=Phase.GUIDE_PRINTING, purpose=Purpose.GUIDE,
                       printing=Task[None]().running(job_id))
    return new, [PrintSlip(s.session_id, job_id, SlipRequest(SlipKind.GUIDE, item.id, s.language))]


def _guide_printing_back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    if s.printing.busy:
        return state, []
    return back(state, s, e)


ROWS: list[Row] = [
    ([Phase.HOME, Phase.BROWSING], ev.CategoryChosen, _category),
    ([Phase.HOME, Phase.BROWSING], ev.SearchChanged, _search),
    ([Phase.HOME, Phase.BROWSING], ev.ItemChosen, _item_chosen),
    ([Phase.HOME, Phase.BROWSING], ev.ProgressQueryStarted, _progress_start),
    ([Phase.BROWSING, Phase.ITEM_GUIDE], ev.BackPressed, back),
    ([Phase.ITEM_GUIDE], ev.ApplyStarted, _apply),
    ([Phase.ITEM_GUIDE], ev.AppointmentStarted, _appointment),
    ([Phase.ITEM_GUIDE], ev.GuidePrintRequested, _guide_print),
    ([Phase.GUIDE_PRINTING], ev.BackPressed, _guide_printing_back),
]
register(ROWS)

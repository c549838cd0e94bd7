"""好差评 at the end of what a visit did (kiosk.core.ratings): a level in one tap, sent at once; a low one asks
why first, and is sent with the reason, without one when skipped, or as it stands when the session ends."""

from __future__ import annotations

from kiosk.core.ratings import LEVELS, LOW, Feedback, LowRatingReason
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState, Session
from kiosk.core.session.rating import rated_service, send_rating
from kiosk.core.session.states import Phase
from kiosk.core.session.table import Outcome, Row, register
from kiosk.core.value import replace


def _send(state: KioskState, s: Session, feedback: Feedback) -> Outcome:
    service = rated_service(s)
    if service is None:
        return state, []
    sent, command = send_rating(s, service, feedback)
    return replace(state, session=sent), [command]


def _rated(state: KioskState, s: Session, e: ev.RatingGiven) -> Outcome:
    if e.satisfaction not in LEVELS or s.feedback.sent or rated_service(s) is None:
        return state, []
    feedback = Feedback(e.satisfaction)
    if e.satisfaction in LOW:  # why, and staff, before it goes
        return replace(state, session=replace(s, feedback=feedback)), []
    return _send(state, s, feedback)


def _reason(state: KioskState, s: Session, e: ev.RatingReasonGiven) -> Outcome:
    if not s.feedback.asks_reason or e.reason not in {r.value for r in LowRatingReason}:
        return state, []
    return _send(state, s, replace(s.feedback, reason=LowRatingReason(e.reason)))


def _skipped(state: KioskState, s: Session, e: ev.RatingReasonSkipped) -> Outcome:
    if not s.feedback.asks_reason:
        return state, []
    return _send(state, s, s.feedback)


RATED = [Phase.DONE, Phase.GUIDE_PRINTING, Phase.PROGRESS_QUERY]
ROWS: list[Row] = [
    (RATED, ev.RatingGiven, _rated),
    (RATED, ev.RatingReasonGiven, _reason),
    (RATED, ev.RatingReasonSkipped, _skipped),
]
register(ROWS)

"""What a 好差评 rating rates and the command that sends it, shared by its handlers (feedback) and by the end of
a session (a low rating whose reason was never chosen is sent as it stands)."""

from __future__ import annotations

from kiosk.core.ratings import Feedback, RatedService, ServiceRating
from kiosk.core.session.commands import SendRating
from kiosk.core.session.model import Session
from kiosk.core.session.states import Phase, TaskStatus
from kiosk.core.value import replace


def rated_service(s: Session) -> RatedService | None:
    """The service the citizen may rate now: once an application or appointment is done, a guide printed or a
    progress query answered; None before (nothing was done yet) and elsewhere."""
    if s.phase == Phase.DONE:
        if s.submit.result is not None:
            return RatedService.APPLY
        return RatedService.APPOINTMENT if s.booking.result is not None else None
    if s.phase == Phase.GUIDE_PRINTING and s.printing.status == TaskStatus.DONE:
        return RatedService.GUIDE
    if s.phase == Phase.PROGRESS_QUERY and s.progress.status == TaskStatus.DONE:
        return RatedService.PROGRESS
    return None


def send_rating(s: Session, service: RatedService, feedback: Feedback) -> tuple[Session, SendRating]:
    """The session with its rating marked sent, and the command that sends it. Only an application the backend
    numbered is named: the backend keeps one rating a case and lets only the kiosk that took it rate it."""
    result = s.submit.result if service == RatedService.APPLY else None
    number = (result.application_number or "") if result is not None else ""
    rating = ServiceRating(f"{s.session_id}:rate:{service.value}", service, feedback.satisfaction, feedback.reason,
                           number)
    return replace(s, feedback=replace(feedback, sent=True)), SendRating(rating)


def unsent_rating(s: Session) -> SendRating | None:
    """A low rating still waiting for its reason when the session ends: sent without one."""
    service = rated_service(s)
    if not s.feedback.asks_reason or service is None:
        return None
    return send_rating(s, service, s.feedback)[1]

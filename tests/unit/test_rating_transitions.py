"""好差评 (kiosk/core/session/rating.py) at its edges: a booked appointment is rated as one, a progress query only
once answered, and a rating of an application still queued in the outbox names no case."""

from __future__ import annotations

from kiosk.core.ratings import RatedService, ServiceRating
from kiosk.core.session import events as ev
from kiosk.core.session.commands import Command, SendRating
from kiosk.core.session.model import Rules
from kiosk.core.value import replace
from tests.unit import session_helpers as h
from tests.unit.session_helpers import BOOKED, SID, SLOT, commands_of, run


def sent(commands: list[Command]) -> list[ServiceRating]:
    return [c.rating for c in commands_of(commands, SendRating)]


def test_a_booked_appointment_is_rated_as_an_appointment_once(rules: Rules) -> None:
    state, _ = run(h.at_appointment(rules), ev.SlotChosen(SLOT.slot_id), ev.FieldChanged("phone", "13912345678"),
                   ev.BookingConfirmed(), ev.BookingSucceeded(SID, BOOKED))
    _, commands = run(state, ev.RatingGiven(1))
    # the key makes a resend from the outbox count once at the backend
    assert sent(commands) == [ServiceRating(f"{SID}:rate:appointment", RatedService.APPOINTMENT, 1)]


def test_a_progress_query_is_rated_only_once_answered(rules: Rules) -> None:
    _, commands = run(h.at_progress(rules), ev.RatingGiven(1))
    assert sent(commands) == []


def test_a_rating_of_an_application_still_queued_names_no_case(rules: Rules) -> None:
    queued = replace(h.RESULT, application_number=None)
    state, _ = run(h.at_submitting(rules), ev.SubmitSucceeded(SID, queued))
    _, commands = run(state, ev.RatingGiven(2))
    assert sent(commands) == [ServiceRating(f"{SID}:rate:apply", RatedService.APPLY, 2, None, "")]

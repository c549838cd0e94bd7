"""What can happen on any screen (kiosk/core/session/anywhere.py), at its edges: taking the card back hides
only the "card read" notice, never one about something else."""

from __future__ import annotations

from kiosk.core.health import Component, Health, Reason
from kiosk.core.session import Phase
from kiosk.core.session import events as ev
from kiosk.core.session.model import Rules
from tests.unit import session_helpers as h
from tests.unit.session_helpers import APPOINTMENT_ITEM, SID, TODAY, ZHANG, phase, run


def test_taking_the_card_back_keeps_a_notice_about_something_else(rules: Rules) -> None:
    """Progress asked by card, then home, where an appointment cannot be made (the backend is away); the card,
    left on the reader all along, is taken only now: the screen still says why the appointment cannot be made."""
    state, _ = run(h.at_progress(rules), ev.ProgressByCardRequested(), ev.CardRead(SID, ZHANG, TODAY),
                   ev.ProgressLoaded(SID, ()), ev.BackPressed(),
                   ev.HealthReported(Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE)),
                   ev.ItemChosen(APPOINTMENT_ITEM))
    assert phase(state) == Phase.HOME and state.session is not None
    assert state.session.notice == "item_unavailable.backend_unreachable"
    state, _ = run(state, ev.CardRemoved(SID))
    assert state.session is not None and state.session.card_taken
    assert state.session.notice == "item_unavailable.backend_unreachable"

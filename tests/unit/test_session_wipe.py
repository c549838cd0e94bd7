"""Card removal, idle timeout, cancel and completion all end with nothing personal reachable from the state."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.core.session import KioskState
from kiosk.core.session import events as ev
from kiosk.core.session.model import Rules
from tests.unit import session_helpers as h
from tests.unit.reachable import leaked
from tests.unit.session_helpers import KIM, SID, ZHANG, run

SECRETS = [ZHANG.id_number, ZHANG.name, ZHANG.address, "13912345678", KIM.id_number, KIM.name]


def test_the_check_can_fail(rules: Rules) -> None:
    assert leaked(h.filled_form(rules), SECRETS) == [ZHANG.id_number, ZHANG.name, ZHANG.address, "13912345678"]


ENDINGS: dict[str, Callable[[Rules], KioskState]] = {
    "idle timeout in form": lambda r: run(h.filled_form(r), ev.IdleWarningDue(SID), ev.IdleTimedOut(SID))[0],
    "cancel at review": lambda r: run(h.at_review(r), ev.HomePressed())[0],
    "finish after the slip": lambda r: run(h.at_done(r), ev.SlipPrinted(SID, f"{SID}-receipt"), ev.FinishPressed())[0],
    "card taken back, then cancel": lambda r: run(h.filled_form(r), ev.CardRemoved(SID), ev.HomePressed())[0],
    "timeout after an appointment": lambda r: run(h.at_appointment(r), ev.FieldChanged("phone", "13912345678"),
                                                  ev.IdleTimedOut(SID))[0],
    "finish after a progress query": lambda r: run(h.at_progress(r), ev.ProgressByCardRequested(),
                                                   ev.CardRead(SID, ZHANG, h.TODAY), ev.FinishPressed())[0],
    "maintenance entered mid-form": lambda r: run(h.filled_form(r), ev.MaintenanceEntered())[0],
    "the process asked to stop mid-form": lambda r: run(h.filled_form(r), ev.StopRequested())[0],
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_nothing_personal_remains(rules: Rules, ending: str) -> None:
    state = ENDINGS[ending](rules)
    assert leaked(state, SECRETS) == []


# Within a session: going back leaves nothing of what was entered later, on the
# session's trail of earlier phases included (kiosk.core.session.table.back_to).
STILL_IN_SESSION: dict[str, Callable[[Rules], KioskState]] = {
    "back from the form": lambda r: run(h.filled_form(r), ev.BackPressed())[0],
    "back from review, form and identification": lambda r: run(h.at_review(r), ev.BackPressed(), ev.BackPressed(),
                                                              ev.BackPressed())[0],
    "back from the appointment": lambda r: run(h.at_appointment(r), ev.FieldChanged("phone", "13912345678"),
                                               ev.BackPressed())[0],
    "back from a progress query": lambda r: run(h.at_progress(r), ev.ProgressByCardRequested(),
                                                ev.CardRead(SID, ZHANG, h.TODAY), ev.BackPressed())[0],
}


@pytest.mark.parametrize("moment", list(STILL_IN_SESSION))
def test_nothing_personal_remains_on_the_trail(rules: Rules, moment: str) -> None:
    state = STILL_IN_SESSION[moment](rules)
    assert state.session is not None
    assert leaked(state, SECRETS) == []
    assert not state.session.has_personal_data


def test_the_trail_holds_what_was_entered_until_back_takes_it(rules: Rules) -> None:
    """The check above can fail: at review the form's snapshot on the trail holds the citizen's data."""
    state = h.at_review(rules)
    assert state.session is not None and state.session.trail[-1].form
    assert ZHANG.id_number in leaked(state, SECRETS)

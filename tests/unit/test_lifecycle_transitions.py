"""The kiosk's own events (kiosk/core/session/lifecycle.py) at their edges: a device's report replaces its own
health only, and the out-of-service screen's language choice does not reach a session."""

from __future__ import annotations

from kiosk.core.health import Component, Health, Reason
from kiosk.core.session import Phase
from kiosk.core.session import events as ev
from kiosk.core.session.commands import PrintSlip
from kiosk.core.session.model import Rules
from tests.unit import session_helpers as h
from tests.unit.session_helpers import APPOINTMENT_ITEM, GUIDE_ITEM, commands_of, phase, run


def test_a_devices_report_replaces_its_own_health_and_no_other(rules: Rules) -> None:
    backend_down = ev.HealthReported(Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE))
    state, _ = run(h.at_home(rules), backend_down, ev.HealthReported(Health.ok(Component.PRINTER)))
    state, _ = run(state, ev.ItemChosen(APPOINTMENT_ITEM))  # the printer's news says nothing about the backend
    assert phase(state) == Phase.HOME and state.session is not None
    assert state.session.notice == "item_unavailable.backend_unreachable"
    paper_out = ev.HealthReported(Health.problem(Component.PRINTER, Reason.PAPER_OUT))
    state, _ = run(h.at_guide(rules, GUIDE_ITEM), paper_out, ev.HealthReported(Health.ok(Component.PRINTER)))
    state, commands = run(state, ev.GuidePrintRequested())  # paper is back: the guide prints
    assert phase(state) == Phase.GUIDE_PRINTING and commands_of(commands, PrintSlip)


def test_a_language_chosen_for_the_out_of_service_screen_does_not_reach_a_session(rules: Rules) -> None:
    """A late tap on the out-of-service screen as a session begins: the session's own LanguageChosen applies."""
    state = h.at_home(rules)
    assert run(state, ev.KioskLanguageChosen("en")) == (state, [])

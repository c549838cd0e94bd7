"""The calls for staff (kiosk/core/session/help.py) at their edges: a call from a kiosk with no reason to show
names none, and how the call goes on is said in the language of whoever stands there."""

from __future__ import annotations

from kiosk.core.help_calls import HelpStatus
from kiosk.core.session import events as ev
from kiosk.core.session import initial_state
from kiosk.core.session.commands import CallStaff, Command, Speak
from kiosk.core.session.model import Rules
from tests.unit import session_helpers as h
from tests.unit.session_helpers import commands_of, run


def said(commands: list[Command]) -> list[tuple[str, str]]:
    return [(c.prompt_id, c.language) for c in commands_of(commands, Speak)]


def test_a_call_while_the_kiosk_starts_names_no_problem(rules: Rules) -> None:
    """Starting up, the kiosk shows the out-of-service screen, whose button calls staff: no reason is known yet."""
    _, commands = run(initial_state(rules), ev.KioskStaffCalled())
    assert commands_of(commands, CallStaff) == [CallStaff("JL-TEST-001", "out_of_service", 1, "out_of_service", "")]


def test_the_call_is_said_in_the_citizens_language_during_and_after_the_session(rules: Rules) -> None:
    state, _ = run(h.at_home(rules), ev.LanguageChosen("ko"), ev.StaffCalled())
    state, commands = run(state, ev.HelpCallUpdated(1, HelpStatus.STORED))
    assert said(commands) == [("help.stored", "ko")]
    state, _ = run(state, ev.HomePressed())  # staff are still on their way to the Korean-speaking citizen
    _, commands = run(state, ev.HelpCallUpdated(1, HelpStatus.ACKNOWLEDGED))
    assert said(commands) == [("help.acknowledged", "ko")]


def test_a_call_with_no_citizen_and_no_language_chosen_is_said_in_the_kiosks_first_language(rules: Rules) -> None:
    state, _ = run(initial_state(rules), ev.KioskStaffCalled())
    _, commands = run(state, ev.HelpCallUpdated(1, HelpStatus.ACKNOWLEDGED))
    assert said(commands) == [("help.acknowledged", "zh")]

"""Calls for staff in the session machine (issue #20): 正在通知 → 已通知 (or queued, or failed) → 工作人员已收到,
one call at a time, the error on the screen named, and the call outliving the session that made it."""

from __future__ import annotations

from kiosk.core.health import Component, Health, Reason
from kiosk.core.help_calls import HelpCall, HelpStatus
from kiosk.core.session import Lifecycle, initial_state
from kiosk.core.session import events as ev
from kiosk.core.session.commands import CallStaff, EndHelpCall, Speak
from kiosk.core.session.model import Rules
from tests.unit import session_helpers as h
from tests.unit.session_helpers import SID, commands_of, run


def test_a_call_is_notifying_until_the_backend_has_it_then_acknowledged(rules: Rules) -> None:
    state, commands = run(h.at_home(rules), ev.StaffCalled())
    assert state.help_call == HelpCall(1, HelpStatus.NOTIFYING)
    assert commands_of(commands, CallStaff) == [CallStaff("JL-TEST-001", "citizen_request", 1, "home", "")]
    state, commands = run(state, ev.HelpCallUpdated(1, HelpStatus.STORED))
    assert state.help_call == HelpCall(1, HelpStatus.STORED)
    assert commands_of(commands, Speak) == [Speak("help.stored", "zh", 80)] and not commands_of(commands, EndHelpCall)
    state, commands = run(state, ev.HelpCallUpdated(1, HelpStatus.ACKNOWLEDGED))
    assert state.help_call == HelpCall(1, HelpStatus.ACKNOWLEDGED)
    assert commands_of(commands, EndHelpCall) == [EndHelpCall(1)]  # the buzzer or light goes off
    assert commands_of(commands, Speak) == [Speak("help.acknowledged", "zh", 80)]


def test_pressing_again_while_a_call_stands_calls_no_one_new(rules: Rules) -> None:
    state, _ = run(h.at_home(rules), ev.StaffCalled(), ev.HelpCallUpdated(1, HelpStatus.QUEUED))
    again, commands = run(state, ev.StaffCalled())
    assert again.help_call == state.help_call and not commands_of(commands, CallStaff)
    answered, _ = run(state, ev.HelpCallUpdated(1, HelpStatus.ACKNOWLEDGED))
    state, commands = run(answered, ev.StaffCalled())  # answered: a new call is a new need
    assert state.help_call == HelpCall(2) and commands_of(commands, CallStaff)[0].serial == 2


def test_a_failed_call_can_be_made_again_and_ends_at_once(rules: Rules) -> None:
    state, commands = run(h.at_home(rules), ev.StaffCalled(), ev.HelpCallUpdated(1, HelpStatus.FAILED))
    assert state.help_call == HelpCall(1, HelpStatus.FAILED) and commands_of(commands, EndHelpCall)
    state, commands = run(state, ev.StaffCalled())
    assert state.help_call == HelpCall(2) and commands_of(commands, CallStaff)


def test_answers_about_an_earlier_call_or_after_the_end_change_nothing(rules: Rules) -> None:
    state, _ = run(h.at_home(rules), ev.StaffCalled(), ev.HelpCallUpdated(1, HelpStatus.FAILED), ev.StaffCalled())
    late, commands = run(state, ev.HelpCallUpdated(1, HelpStatus.ACKNOWLEDGED))
    assert late.help_call == HelpCall(2) and commands == []
    acknowledged, _ = run(state, ev.HelpCallUpdated(2, HelpStatus.ACKNOWLEDGED))
    after, commands = run(acknowledged, ev.HelpCallUpdated(2, HelpStatus.STORED))  # a slow poll's answer
    assert after.help_call == HelpCall(2, HelpStatus.ACKNOWLEDGED) and commands == []
    assert run(initial_state(rules), ev.HelpCallUpdated(1, HelpStatus.STORED))[0].help_call is None


def test_the_call_names_the_screen_and_the_error_it_shows(rules: Rules) -> None:
    printer_out = ev.HealthReported(Health.problem(Component.PRINTER, Reason.PAPER_OUT))
    state, _ = run(h.at_submitting(rules), printer_out, ev.SubmitSucceeded(SID, h.RESULT))
    _state, commands = run(state, ev.StaffCalled())
    assert commands_of(commands, CallStaff)[0] == CallStaff("JL-TEST-001", "citizen_request", 1, "done", "paper_out")
    identify, _ = run(h.at_identify(rules), ev.CardReadFailed(SID, Reason.CARD_UNREADABLE))
    call = commands_of(run(identify, ev.StaffCalled())[1], CallStaff)[0]
    assert (call.screen, call.problem) == ("identify", "card_unreadable")


def test_the_call_outlives_the_session_until_it_expires(rules: Rules) -> None:
    state, _ = run(h.at_guide(rules), ev.StaffCalled(), ev.HelpCallUpdated(1, HelpStatus.STORED), ev.HomePressed())
    assert state.session is None and state.help_call == HelpCall(1, HelpStatus.STORED)
    state, _ = run(state, ev.SessionStarted("s2"))  # staff are still coming to this kiosk
    assert state.help_call == HelpCall(1, HelpStatus.STORED)
    state, commands = run(state, ev.HelpCallExpired(1))
    assert state.help_call is None and commands == [EndHelpCall(1)]
    assert run(state, ev.HelpCallExpired(1)) == (state, [])


def test_an_answered_call_is_not_shown_to_the_next_citizen(rules: Rules) -> None:
    state, _ = run(h.at_guide(rules), ev.StaffCalled(), ev.HelpCallUpdated(1, HelpStatus.ACKNOWLEDGED),
                   ev.HomePressed(), ev.SessionStarted("s2"))
    assert state.session is not None and state.help_call is None


def test_out_of_service_calls_name_the_reason_and_not_twice_in_a_session(rules: Rules) -> None:
    state, _ = run(initial_state(rules), ev.StartupCompleted(), ev.OutOfServiceSet("维护"))
    state, commands = run(state, ev.KioskStaffCalled())
    assert state.lifecycle == Lifecycle.OUT_OF_SERVICE
    assert commands_of(commands, CallStaff) == [CallStaff("JL-TEST-001", "out_of_service", 1, "out_of_service",
                                                          "staff_out_of_service")]
    in_session = h.at_home(rules)
    assert run(in_session, ev.KioskStaffCalled()) == (in_session, [])  # the session's own StaffCalled applies

"""What the transition table's shared steps (kiosk/core/session/table.py) do that the journey tests left open:
Back past more than one phase, the card reminder after a second read, the printer's fault said aloud, and the
kiosk's own lifecycle when a device it cannot work without fails and comes back."""

from __future__ import annotations

from kiosk.core.health import Component, Health, Reason
from kiosk.core.session import Lifecycle, Phase, TaskStatus, initial_state
from kiosk.core.session import events as ev
from kiosk.core.session.commands import PrintSlip, Speak
from kiosk.core.session.model import Rules
from kiosk.core.session.table import take_reminder
from tests.unit import session_helpers as h
from tests.unit.session_helpers import RESULT, SID, TODAY, ZHANG, commands_of, phase, run

DISK_FULL = Health.problem(Component.DISK, Reason.DISK_FULL)


def test_back_from_a_query_opened_in_the_list_goes_home(rules: Rules) -> None:
    """The progress query's way back is home, two phases down the trail when it was opened from the list."""
    for opening in (ev.ProgressQueryStarted(), ev.CodeScanned(code="JLMZ:PROGRESS:JL-2")):
        state, _ = run(h.at_home(rules), ev.CategoryChosen("children"), opening)
        assert phase(state) == Phase.PROGRESS_QUERY
        state, _ = run(state, ev.BackPressed())
        assert phase(state) == Phase.HOME and state.session.trail == () and state.session.category is None


def test_a_card_asked_for_again_after_it_was_taken_is_reminded(rules: Rules) -> None:
    """Back from the form reads the card again: once it lies on the reader again, ending the session reminds the
    citizen to take it, though it had been taken back after the first read."""
    state, _ = run(h.at_form(rules), ev.CardRemoved(SID))
    assert state.session.card_taken
    state, _ = run(state, ev.BackPressed(), ev.CardPlaced(SID), ev.HomePressed())
    assert state.session is None and state.take_reminder == "notice.take_card"


def test_a_printer_known_to_be_out_is_said_in_the_citizens_language(rules: Rules) -> None:
    state, _ = run(h.at_submitting(rules), ev.LanguageChosen("ko"),
                   ev.HealthReported(Health.problem(Component.PRINTER, Reason.PAPER_OUT)))
    state, commands = run(state, ev.SubmitSucceeded(SID, RESULT))
    assert phase(state) == Phase.DONE and state.session.printing.status == TaskStatus.FAILED
    assert not commands_of(commands, PrintSlip)
    assert [(c.prompt_id, c.language) for c in commands_of(commands, Speak)] == [
        ("error.paper_out", "ko"), ("screen.done", "ko")]


def test_a_full_disk_takes_the_kiosk_out_of_service_until_it_is_freed(rules: Rules) -> None:
    state, _ = run(initial_state(rules), ev.StartupCompleted())
    state, _ = run(state, ev.HealthReported(DISK_FULL))
    assert (state.lifecycle, state.out_of_service_reason) == (Lifecycle.OUT_OF_SERVICE, Reason.DISK_FULL)
    assert run(state, ev.SessionStarted(SID))[0].session is None  # no citizen begins on it
    state, _ = run(state, ev.HealthReported(Health.ok(Component.DISK)))
    assert (state.lifecycle, state.out_of_service_reason) == (Lifecycle.READY, None)


def test_a_full_disk_at_start_up_opens_no_session(rules: Rules) -> None:
    state, _ = run(initial_state(rules), ev.StartupCompleted((DISK_FULL,)), ev.SessionStarted(SID))
    assert state.lifecycle == Lifecycle.OUT_OF_SERVICE and state.session is None


def test_a_kiosk_without_a_citizen_reminds_nobody_of_anything(rules: Rules) -> None:
    """Maintenance or staff's switch between citizens end no session: the home screen after them asks nobody
    to take a card or a slip."""
    ready, _ = run(initial_state(rules), ev.StartupCompleted())
    for events in ((ev.MaintenanceEntered(), ev.MaintenanceExited()), (ev.OutOfServiceSet("检修"),),
                   (ev.StopRequested(),)):
        state, commands = run(ready, *events)
        assert state.take_reminder == "" and not commands_of(commands, Speak), events


def test_the_reminder_after_a_session_is_kept_for_its_home_screen(rules: Rules) -> None:
    """The contrast to the case above: a session that used the card leaves the reminder on the home screen."""
    state, _ = run(h.at_identify(rules), ev.CardRead(SID, ZHANG, TODAY), ev.HomePressed())
    assert state.take_reminder == "notice.take_card"


def test_the_done_screen_replaces_the_card_read_notice_with_its_own_reminder(rules: Rules) -> None:
    """One prompt about the card at a time: "读取成功，请取回身份证" stays up from the read to the submission, and
    goes when the done screen shows its own "请取走您的身份证和凭条"."""
    state = h.at_submitting(rules)
    assert state.session.notice == "card_read" and not state.session.card_taken
    state, _ = run(state, ev.SubmitSucceeded(SID, RESULT))
    assert phase(state) == Phase.DONE and state.session.notice is None
    assert take_reminder(state.session) == "notice.take_card_and_slip"


def test_without_a_slip_the_done_screen_asks_for_the_card_alone(rules: Rules) -> None:
    state, _ = run(h.at_submitting(rules), ev.HealthReported(Health.problem(Component.PRINTER, Reason.PAPER_OUT)),
                   ev.SubmitSucceeded(SID, RESULT))
    assert phase(state) == Phase.DONE and state.session.notice is None
    assert take_reminder(state.session) == "notice.take_card"

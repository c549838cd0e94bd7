"""The progress query's transitions (kiosk/core/session/progress.py) that the journey tests left open: what a
scanned code leaves on the progress screen, where its answer goes, and in which language a 补正 is said."""

from __future__ import annotations

from kiosk.core.health import Component, Health, Reason
from kiosk.core.records import ApplicationStatus, Correction, ProgressQuery, ProgressRecord
from kiosk.core.session import Phase
from kiosk.core.session import events as ev
from kiosk.core.session.commands import FetchProgress, Speak
from kiosk.core.session.model import KioskState, Rules
from kiosk.core.session.states import ProgressBy
from kiosk.core.value import replace
from tests.unit import session_helpers as h
from tests.unit.session_helpers import APPLY_ITEM, APPOINTMENT_ITEM, SID, TODAY, commands_of, phase, run

RECEIPT = "JLMZ:PROGRESS:JL-2:04172933"


def _home_with_a_notice(rules: Rules) -> KioskState:
    """The home screen saying an appointment cannot be made now (the backend is away)."""
    state, _ = run(h.at_home(rules), ev.HealthReported(Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE)),
                   ev.ItemChosen(APPOINTMENT_ITEM))
    assert phase(state) == Phase.HOME and state.session.notice == "item_unavailable.backend_unreachable"
    return state


def test_a_scanned_receipt_asks_for_its_own_progress_for_this_session(rules: Rules) -> None:
    """The answer is matched to the session by its id: a query without it would be taken by any session."""
    _, commands = run(h.at_home(rules), ev.CodeScanned(code=RECEIPT))
    assert commands_of(commands, FetchProgress) == [
        FetchProgress(SID, ProgressQuery(application_number="JL-2", query_code="04172933"))]


def test_a_receipt_scanned_after_another_code_clears_the_not_a_receipt_message(rules: Rules) -> None:
    state, _ = run(h.at_progress(rules), ev.CodeScanned(code="6901234567892"))
    assert state.session.field_errors == (("application_number", "not_a_receipt"),)
    state, _ = run(state, ev.CodeScanned(code=RECEIPT))
    assert state.session.field_errors == () and state.session.progress.busy


def test_a_typed_number_left_invalid_is_cleared_by_a_scanned_receipt(rules: Rules) -> None:
    state, _ = run(h.at_progress(rules), ev.ProgressByNumberRequested("  "))
    assert state.session.field_errors == (("application_number", "invalid"),)
    state, _ = run(state, ev.CodeScanned(code=RECEIPT))
    assert state.session.field_errors == ()


def test_a_code_scanned_on_home_leaves_the_home_screens_notice_behind(rules: Rules) -> None:
    """"This item cannot be booked now" belongs to the home screen, not to the progress screen the code opens,
    whether the code is a receipt or not (the second kept the notice until the fix of issue #21)."""
    for code in (RECEIPT, "6901234567892"):
        state, _ = run(_home_with_a_notice(rules), ev.CodeScanned(code=code))
        assert phase(state) == Phase.PROGRESS_QUERY and state.session.notice is None, code


def test_a_correction_is_said_in_the_citizens_language(rules: Rules) -> None:
    plain = ProgressRecord("A1", APPLY_ITEM, ApplicationStatus.FORWARDED, TODAY)  # type: ignore[arg-type]
    asked = replace(plain, status=ApplicationStatus.CORRECTION,
                    correction=Correction((("child-photo", "儿童近期免冠照片"),), "受理窗口", TODAY))
    state, _ = run(h.at_progress(rules), ev.LanguageChosen("ko"), ev.ProgressByNumberRequested("A1"))
    _, commands = run(state, ev.ProgressLoaded(SID, (asked,)))
    assert [(c.prompt_id, c.language) for c in commands_of(commands, Speak)] == [("notice.correction", "ko")]


def test_a_scanned_receipt_remembers_how_it_was_asked(rules: Rules) -> None:
    """What the screen says when nothing is found depends on it: a receipt's code opens any kiosk's application,
    a number alone (an old receipt without its code) only this kiosk's own."""
    state, _ = run(h.at_progress(rules), ev.CodeScanned(code=RECEIPT))
    assert state.session.progress_by == ProgressBy.RECEIPT
    state, _ = run(state, ev.CodeScanned(code="JLMZ:PROGRESS:JL-2"))
    assert state.session.progress_by == ProgressBy.NUMBER
    state, _ = run(state, ev.CodeScanned(code=RECEIPT))
    assert state.session.progress_by == ProgressBy.RECEIPT

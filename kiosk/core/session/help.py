"""Calls for staff: from any screen of a visit (StaffCalled) and from the out-of-service screen
(KioskStaffCalled), and how each call goes on (HelpCallUpdated, HelpCallExpired).

The call belongs to the kiosk, not to the session: it is nothing personal, and staff walking over still find
the kiosk showing it after the citizen's session has ended. Pressing again while a call stands calls no one
new; once it was answered or failed, pressing again makes a new call.
"""

from __future__ import annotations

from kiosk.core.help_calls import HelpCall, HelpStatus
from kiosk.core.session import events as ev
from kiosk.core.session.commands import CallStaff, Command, EndHelpCall, Speak
from kiosk.core.session.model import KioskState, Session
from kiosk.core.session.table import ANY, Outcome, Row, register, register_lifecycle
from kiosk.core.value import replace

ENDED = (HelpStatus.ACKNOWLEDGED, HelpStatus.FAILED)  # nothing more to wait for: the buzzer or light goes off


def problem_shown(s: Session) -> str:
    """The error the citizen's screen shows, for staff to know what to bring (paper, a card reader fix)."""
    for task in (s.printing, s.submit, s.progress, s.slots, s.booking, s.identification):
        if task.error is not None:
            return task.error.value
    return ""


def call_for_help(state: KioskState, reason: str, screen: str, problem: str) -> Outcome:
    if state.help_call is not None and state.help_call.status.waiting:
        return state, []
    serial = state.help_calls_made + 1
    new = replace(state, help_call=HelpCall(serial), help_calls_made=serial)
    return new, [CallStaff(state.rules.kiosk_id, reason, serial, screen, problem)]


def _staff(state: KioskState, s: Session, e: ev.StaffCalled) -> Outcome:
    return call_for_help(state, "citizen_request", s.phase.value, problem_shown(s))


def _kiosk_staff(state: KioskState, e: ev.KioskStaffCalled) -> Outcome:
    if state.session is not None:
        return state, []  # in a session the session's own StaffCalled applies
    reason = state.out_of_service_reason.value if state.out_of_service_reason else ""
    return call_for_help(state, "out_of_service", "out_of_service", reason)


def _updated(state: KioskState, e: ev.HelpCallUpdated) -> Outcome:
    call = state.help_call
    if call is None or call.serial != e.serial or call.status == e.status or call.status in ENDED:
        return state, []
    commands: list[Command] = [EndHelpCall(e.serial)] if e.status in ENDED else []
    if e.status != HelpStatus.NOTIFYING:
        language = state.session.language if state.session else state.notice_language or state.rules.default_language
        commands.append(Speak(f"help.{e.status.value}", language))
    return replace(state, help_call=replace(call, status=e.status)), commands


def _expired(state: KioskState, e: ev.HelpCallExpired) -> Outcome:
    if state.help_call is None or state.help_call.serial != e.serial:
        return state, []
    return replace(state, help_call=None), [EndHelpCall(e.serial)]


ROWS: list[Row] = [
    ([ANY], ev.StaffCalled, _staff),
]
register(ROWS)
register_lifecycle([
    (ev.KioskStaffCalled, _kiosk_staff),
    (ev.HelpCallUpdated, _updated),
    (ev.HelpCallExpired, _expired),
])

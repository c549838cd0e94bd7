"""The kiosk's own events, with or without a citizen: start-up, health, sessions starting, maintenance, staff's
out-of-service switch, a newer catalog."""

from __future__ import annotations

from kiosk.core.health import Reason
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState, Session
from kiosk.core.session.states import Lifecycle
from kiosk.core.session.table import Outcome, arm_idle, end_session, register_lifecycle, settle, use_catalog
from kiosk.core.value import replace


def _startup(state: KioskState, event: ev.StartupCompleted) -> Outcome:
    health = {h.component: h for h in state.health}
    health.update({h.component: h for h in event.health})
    return settle(replace(state, lifecycle=Lifecycle.READY, health=tuple(health.values()))), []


def _catalog_received(state: KioskState, event: ev.CatalogReceived) -> Outcome:
    """A newer catalog is used at once between citizens; a citizen in a session keeps the texts and rules they
    began with, and the new catalog is used when that session ends."""
    newest = state.pending_catalog[0] if state.pending_catalog else state.catalog_version
    if newest is not None and event.version <= newest:
        return state, []
    if state.session is not None:
        return replace(state, pending_catalog=(event.version, event.catalog)), []
    return settle(use_catalog(state, event.version, event.catalog)), []


def _health(state: KioskState, event: ev.HealthReported) -> Outcome:
    others = tuple(h for h in state.health if h.component != event.health.component)
    return settle(replace(state, health=(*others, event.health))), []


def _session_started(state: KioskState, event: ev.SessionStarted) -> Outcome:
    if state.lifecycle != Lifecycle.READY or state.session is not None:
        return state, []
    session = Session(session_id=event.session_id, language=state.rules.default_language,
                      volume=state.rules.speech_volume)
    answered = state.help_call is not None and not state.help_call.status.waiting
    new = replace(state, lifecycle=Lifecycle.IN_SESSION, session=session, home_notice=None, take_reminder="",
                  help_call=None if answered else state.help_call)
    return new, [arm_idle(state, session)]


def _maintenance_in(state: KioskState, event: ev.MaintenanceEntered) -> Outcome:
    new, commands = end_session(state, None)
    return replace(new, lifecycle=Lifecycle.MAINTENANCE), commands


def _stop_requested(state: KioskState, event: ev.StopRequested) -> Outcome:
    return end_session(state, None)


def _maintenance_out(state: KioskState, event: ev.MaintenanceExited) -> Outcome:
    if state.lifecycle != Lifecycle.MAINTENANCE:
        return state, []
    return settle(replace(state, lifecycle=Lifecycle.READY)), []


def _oos_set(state: KioskState, event: ev.OutOfServiceSet) -> Outcome:
    new, commands = end_session(state, None)
    new = replace(new, out_of_service_reason=Reason.STAFF_OUT_OF_SERVICE, staff_message=event.message)
    if new.lifecycle != Lifecycle.MAINTENANCE:
        new = replace(new, lifecycle=Lifecycle.OUT_OF_SERVICE)
    return new, commands


def _oos_cleared(state: KioskState, event: ev.OutOfServiceCleared) -> Outcome:
    return settle(replace(state, out_of_service_reason=None, staff_message="")), []


def _kiosk_language(state: KioskState, event: ev.KioskLanguageChosen) -> Outcome:
    if state.session is not None or event.language not in state.rules.languages:
        return state, []  # in a session the session's own LanguageChosen applies
    return replace(state, notice_language=event.language), []


register_lifecycle([
    (ev.StartupCompleted, _startup),
    (ev.CatalogReceived, _catalog_received),
    (ev.HealthReported, _health),
    (ev.SessionStarted, _session_started),
    (ev.MaintenanceEntered, _maintenance_in),
    (ev.MaintenanceExited, _maintenance_out),
    (ev.StopRequested, _stop_requested),
    (ev.OutOfServiceSet, _oos_set),
    (ev.OutOfServiceCleared, _oos_cleared),
    (ev.KioskLanguageChosen, _kiosk_language),
])

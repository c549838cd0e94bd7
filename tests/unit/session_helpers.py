"""Builders that bring the session machine into each phase through real events, and a transition recorder."""

from __future__ import annotations

from datetime import date

from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.core.records import ApplicationStatus, BookingResult, Slot, SubmitResult
from kiosk.core.session import TRANSITIONS, KioskState, Phase, initial_state
from kiosk.core.session import events as ev
from kiosk.core.session import step as machine_step
from kiosk.core.session.commands import Command
from kiosk.core.session.model import Rules
from kiosk.core.session.table import ANY
from kiosk.shell.demo_journey import sample_value

APPLY_ITEM = "disability-subsidies"
APPOINTMENT_ITEM = "marriage-registration"
GUIDE_ITEM = "spouse-hukou-transfer"
TODAY = date(2026, 11, 27)
ZHANG = TEST_IDENTITIES["resident-zhang"]
KIM = TEST_IDENTITIES["resident-rare-char"]
EXPIRED = TEST_IDENTITIES["resident-expired"]
SID = "s1"

exercised: set[tuple[Phase | None, type[ev.Event]]] = set()


def step(state: KioskState, event: ev.Event) -> tuple[KioskState, tuple[Command, ...]]:
    if state.session is not None:
        key = (state.session.phase, type(event))
        exercised.add(key if key in TRANSITIONS else (ANY, type(event)))
    return machine_step(state, event)


def run(state: KioskState, *events: ev.Event) -> tuple[KioskState, list[Command]]:
    commands: list[Command] = []
    for event in events:
        state, out = step(state, event)
        commands.extend(out)
    return state, commands


def phase(state: KioskState) -> Phase | None:
    return state.session.phase if state.session else None


def commands_of(commands: list[Command], kind: type) -> list:
    return [c for c in commands if isinstance(c, kind)]


def at_home(rules: Rules) -> KioskState:
    state, _ = run(initial_state(rules), ev.StartupCompleted(), ev.SessionStarted(SID))
    return state


def at_guide(rules: Rules, item_id: str = APPLY_ITEM) -> KioskState:
    return run(at_home(rules), ev.ItemChosen(item_id))[0]


def at_consent(rules: Rules, item_id: str = APPLY_ITEM) -> KioskState:
    start = ev.ApplyStarted() if item_id != APPOINTMENT_ITEM else ev.AppointmentStarted()
    return run(at_guide(rules, item_id), start)[0]


def at_identify(rules: Rules, item_id: str = APPLY_ITEM) -> KioskState:
    return run(at_consent(rules, item_id), ev.ConsentGiven(sensitive=True))[0]


def at_form(rules: Rules) -> KioskState:
    return run(at_identify(rules), ev.CardRead(SID, ZHANG, TODAY))[0]


def filled_form(rules: Rules) -> KioskState:
    state = at_form(rules)
    item = rules.catalog.item(APPLY_ITEM)
    for spec in item.form_fields:
        if spec.source == "manual":
            state, _ = run(state, ev.FieldChanged(spec.id, sample_value(spec, ZHANG)))
    return state


def at_review(rules: Rules) -> KioskState:
    return run(filled_form(rules), ev.FormSubmitted())[0]


def at_submitting(rules: Rules) -> KioskState:
    return run(at_review(rules), ev.ReviewConfirmed())[0]


RESULT = SubmitResult("JL-TEST-001-S1", "220102202611270000001", ApplicationStatus.RECEIVED)


def at_done(rules: Rules) -> KioskState:
    return run(at_submitting(rules), ev.SubmitSucceeded(SID, RESULT))[0]


def at_progress(rules: Rules) -> KioskState:
    return run(at_home(rules), ev.ProgressQueryStarted())[0]


SLOT = Slot("marriage-registration:2026-11-30:09:00", "婚姻登记处", date(2026, 11, 30), "09:00", "10:30", 3)


def at_appointment(rules: Rules) -> KioskState:
    state = at_identify(rules, APPOINTMENT_ITEM)
    return run(state, ev.CardRead(SID, ZHANG, TODAY), ev.CardRead(SID, KIM, TODAY), ev.SlotsLoaded(SID, (SLOT,)))[0]


BOOKED = BookingResult("YY202611300001", SLOT)


def at_guide_printing(rules: Rules) -> KioskState:
    return run(at_guide(rules, GUIDE_ITEM), ev.GuidePrintRequested())[0]

"""The transition table and what its handlers share: registration, moving between phases, Back, ending.

Handlers are plain functions listed in a table at the end of each handler module (`register(ROWS)`), so
they can be read, tested and mutated like any other function; a second handler for the same (phase, event)
is an error at import time. `ANY` rows apply in every phase unless a phase row overrides them.

Moving forward into another phase leaves the session as it was on the trail (`Session.trail`); Back returns
to the phase's way back (`BACK_TO`) by taking that snapshot off the trail, so nothing the citizen entered
later survives and nothing entered before is lost. Settings that belong to the citizen rather than the
phase (language, text size, voice) and the fact that a card was used are carried over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from kiosk.core.catalog import Catalog, Item
from kiosk.core.health import Reason
from kiosk.core.session import events as ev
from kiosk.core.session.availability import kiosk_blocking_reason, printer_problem
from kiosk.core.session.commands import ArmIdleTimer, Command, EndSession, PrintSlip, ReadCard, SlipRequest, Speak
from kiosk.core.session.model import KioskState, Session
from kiosk.core.session.rating import unsent_rating
from kiosk.core.session.states import Lifecycle, Phase, TaskStatus
from kiosk.core.value import replace

Outcome = tuple[KioskState, list[Command]]
Handler = Callable[[KioskState, Session, Any], Outcome]
LifecycleHandler = Callable[[KioskState, Any], Outcome]
E = TypeVar("E", bound=ev.Event)
Row = tuple[Sequence[Phase | None], type[ev.Event], Handler]

ANY = None
TRANSITIONS: dict[tuple[Phase | None, type[ev.Event]], Handler] = {}
LIFECYCLE: dict[type[ev.Event], LifecycleHandler] = {}

# Where Back leads from each phase: the phase named, or (None) the phase the citizen came from.
BACK_TO: dict[Phase, Phase | None] = {
    Phase.BROWSING: Phase.HOME,
    Phase.ITEM_GUIDE: None,  # the list it was chosen from, or home
    Phase.CONSENT: Phase.ITEM_GUIDE,
    Phase.IDENTIFY: Phase.CONSENT,
    Phase.FORM: Phase.IDENTIFY,
    Phase.REVIEW: Phase.FORM,
    Phase.GUIDE_PRINTING: Phase.ITEM_GUIDE,
    Phase.PROGRESS_QUERY: Phase.HOME,
    Phase.APPOINTMENT: Phase.ITEM_GUIDE,
}
CARRIED = ("language", "elder_mode", "voice", "volume", "card_used", "card_taken")  # the citizen's, not the phase's


def register(rows: Iterable[Row]) -> None:
    for phases, event_type, handler in rows:
        for phase in phases:
            key = (phase, event_type)
            if key in TRANSITIONS:
                raise RuntimeError(f"two handlers for {key}")
            TRANSITIONS[key] = handler


def register_lifecycle(rows: Iterable[tuple[type[ev.Event], LifecycleHandler]]) -> None:
    for event_type, handler in rows:
        if event_type in LIFECYCLE:
            raise RuntimeError(f"two lifecycle handlers for {event_type.__name__}")
        LIFECYCLE[event_type] = handler


# ---- moving between phases ----

def with_session(state: KioskState, session: Session, **changes: Any) -> KioskState:
    return replace(state, session=replace(session, **changes))


def left_behind(before: Session, after: Session) -> Session:
    """`after`, with `before` put on the trail when a handler moved forward into another phase."""
    if after.phase == before.phase or len(after.trail) != len(before.trail):
        return after  # same phase, or a handler that went back and took its own snapshot off the trail
    return replace(after, trail=(*before.trail, replace(before, trail=(), idle_warning=False)))


def back_to(state: KioskState, session: Session, phase: Phase | None) -> KioskState:
    """The session as it was when `phase` was left (None: the last phase left), with the citizen's settings
    carried over; unchanged when that phase is not on the trail."""
    for depth in range(len(session.trail) - 1, -1, -1):
        snapshot = session.trail[depth]
        if phase is None or snapshot.phase == phase:
            carried = {name: getattr(session, name) for name in CARRIED}
            restored = replace(snapshot, trail=session.trail[:depth], notice=None, consent_error=False,
                               field_errors=(), **carried)
            return replace(state, session=restored)
    return state


def arm_idle(state: KioskState, session: Session) -> ArmIdleTimer:
    rules = state.rules
    return ArmIdleTimer(session.session_id, warn_after_s=rules.session_s - rules.idle_warning_s,
                        end_after_s=rules.session_s)


def read_card(state: KioskState, session: Session, fresh: bool = False, **changes: Any) -> Outcome:
    """Ask for a card. `fresh`: the card on the reader was read already and must be taken away first."""
    new = with_session(state, session, identification=session.identification.reading(), card_used=True,
                       card_taken=False, **changes)
    return new, [ReadCard(session.session_id, float(state.rules.card_read_s), fresh)]


def print_slip(state: KioskState, session: Session, job_id: str, request: SlipRequest, **changes: Any) -> Outcome:
    """Print a slip; when the printer is known not to work, go on without trying: the slip counts as failed (the
    done screen shows its QR code and number, and a reprint once the printer is back)."""
    if (reason := printer_problem(state)) is not None:
        failed = session.printing.running(job_id).failed(reason)
        new = with_session(state, session, printing=failed, **changes)
        return new, [Speak(f"error.{reason.value}", session.language)]
    new = with_session(state, session, printing=session.printing.running(job_id), **changes)
    return new, [PrintSlip(session.session_id, job_id, request)]


def item_of(state: KioskState, session: Session) -> Item | None:
    return state.rules.catalog.get(session.item_id) if session.item_id else None


# ---- the kiosk around the session ----

def settle(state: KioskState) -> KioskState:
    """The lifecycle the kiosk should be in, given its health, staff switches and the session."""
    if state.lifecycle == Lifecycle.MAINTENANCE:
        return state
    if state.session is not None:
        return replace(state, lifecycle=Lifecycle.IN_SESSION)
    if state.out_of_service_reason == Reason.STAFF_OUT_OF_SERVICE:
        return replace(state, lifecycle=Lifecycle.OUT_OF_SERVICE)
    if state.lifecycle == Lifecycle.STARTING:
        return state
    reason = kiosk_blocking_reason(state)
    if reason is None:
        return replace(state, lifecycle=Lifecycle.READY, out_of_service_reason=None)
    return replace(state, lifecycle=Lifecycle.OUT_OF_SERVICE, out_of_service_reason=reason)


def use_catalog(state: KioskState, version: int, catalog: Catalog) -> KioskState:
    return replace(state, rules=replace(state.rules, catalog=catalog), catalog_version=version, pending_catalog=None)


def arrival_prompt(s: Session, language: str) -> Speak:
    """What is said when a phase's screen appears (or is shown in another language): its prompt; the done
    screen is read out whole, about its item (Speak.subject)."""
    if s.phase == Phase.DONE and s.item_id:
        kind = "booking" if s.booking.result is not None else "application"
        return Speak("screen.done", language, subject=f"{kind}:{s.item_id}")
    return Speak(f"screen.{s.phase.value}", language)


def arriving(s: Session) -> Session:
    """The session as its new phase's screen first shows it. The done screen says itself what to take (the card
    and the slip, or the card alone when no slip printed): the card-read notice goes, so that one prompt about
    the card is on the glass, not two."""
    if s.phase == Phase.DONE and s.notice == "card_read":
        return replace(s, notice=None)
    return s


def take_reminder(s: Session) -> str:
    """What the citizen may leave behind, as a notice key: the card while the reader has not seen it taken, the
    slip when one was (or is being) printed. A slip that failed to print is not mentioned when no other did."""
    card = s.card_used and not s.card_taken
    slip = s.slip_out or (bool(s.printing.job) and s.printing.status != TaskStatus.FAILED)
    if card and slip:
        return "notice.take_card_and_slip"
    if card:
        return "notice.take_card"
    return "notice.take_slip" if slip else ""


def end_session(state: KioskState, notice: str | None) -> Outcome:
    """Forget the session entirely: nothing personal stays reachable from the returned state. Language, text
    size and voice settings go with it. A citizen who may leave the card or a slip behind is reminded, on the
    screen and aloud, of exactly what to take (take_reminder)."""
    commands: list[Command] = []
    s = state.session
    remind = take_reminder(s) if s is not None else ""
    if s is not None:
        if (rating := unsent_rating(s)) is not None:
            commands.append(rating)
        commands.append(EndSession(s.session_id))
        if remind:
            commands.append(Speak(remind, s.language))
    if state.pending_catalog is not None:
        state = use_catalog(state, *state.pending_catalog)
    return settle(replace(state, session=None, home_notice=notice, take_reminder=remind,
                          notice_language=s.language if s is not None else None)), commands

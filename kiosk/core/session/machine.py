"""The transition table and `step(state, event) -> (state, commands)`. Pure: no I/O, no clock, no randomness.

Handlers are registered per (phase, event type); `ANY` rows apply in every phase unless a phase row
overrides them. Kiosk-lifecycle events have their own table because they arrive with or without a session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from kiosk.core.catalog import Catalog, Item
from kiosk.core.health import Reason
from kiosk.core.identity import (
    CardType,
    Identity,
    id_number_problems,
    manual_identity,
    mask_address,
    mask_id_number,
    mask_name,
    normalize_id_number,
)
from kiosk.core.records import Application, Booking, ProgressQuery
from kiosk.core.session import events as ev
from kiosk.core.session.availability import item_unavailable_reason, kiosk_blocking_reason
from kiosk.core.session.commands import (
    ArmIdleTimer,
    Book,
    CallStaff,
    CancelCardRead,
    Command,
    EndSession,
    FetchProgress,
    FetchSlots,
    PrintSlip,
    ReadCard,
    SlipRequest,
    Speak,
    StopSpeech,
    Submit,
    WatchCardRemoval,
)
from kiosk.core.session.forms import form_errors, prefill
from kiosk.core.session.model import KioskState, Session
from kiosk.core.session.states import IdentifyStatus, Lifecycle, Phase, Purpose, TaskStatus
from kiosk.core.slips import SlipKind, progress_number_from_code
from kiosk.core.value import replace

Outcome = tuple[KioskState, list[Command]]
Handler = Callable[[KioskState, Session, Any], Outcome]
LifecycleHandler = Callable[[KioskState, Any], Outcome]
E = TypeVar("E", bound=ev.Event)

ANY = None
TRANSITIONS: dict[tuple[Phase | None, type[ev.Event]], Handler] = {}
LIFECYCLE: dict[type[ev.Event], LifecycleHandler] = {}


def on(phases: Sequence[Phase | None], event_type: type[E]) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for phase in phases:
            key = (phase, event_type)
            if key in TRANSITIONS:
                raise RuntimeError(f"two handlers for {key}")
            TRANSITIONS[key] = handler
        return handler
    return register


def on_lifecycle(event_type: type[E]) -> Callable[[LifecycleHandler], LifecycleHandler]:
    def register(handler: LifecycleHandler) -> LifecycleHandler:
        LIFECYCLE[event_type] = handler
        return handler
    return register


def step(state: KioskState, event: ev.Event) -> tuple[KioskState, tuple[Command, ...]]:
    """Apply one event. Events that mean nothing in the current state leave it unchanged."""
    if (lifecycle_handler := LIFECYCLE.get(type(event))) is not None:
        new_state, commands = lifecycle_handler(state, event)
        if state.session is not None:  # e.g. staff set the kiosk out of service: the reminder is voiced as set
            commands = _voiced(commands, state.session)
        return new_state, tuple(commands)
    session = state.session
    if session is None:
        return state, ()
    if isinstance(event, ev.Result) and event.session_id and event.session_id != session.session_id:
        return state, ()  # a late answer for a session that has ended
    handler = TRANSITIONS.get((session.phase, type(event))) or TRANSITIONS.get((ANY, type(event)))
    if handler is None:
        return state, ()
    new_state, commands = handler(state, session, event)
    after = new_state.session
    if after is not None and after.session_id == session.session_id:
        if isinstance(event, ev.Intent):
            if after.idle_warning:
                new_state = replace(new_state, session=replace(after, idle_warning=False))
            commands.insert(0, _arm_idle(state, session))
        if after.phase != session.phase:
            commands.append(Speak(f"screen.{after.phase.value}", after.language))
    return new_state, tuple(_voiced(commands, after if after is not None else session))


def _voiced(commands: list[Command], session: Session) -> list[Command]:
    """Speak at the session's volume, or not at all when the citizen has turned voice off."""
    if session.voice:
        return [replace(c, volume=session.volume) if isinstance(c, Speak) else c for c in commands]
    return [c for c in commands if not isinstance(c, Speak)]


# ---- helpers ----

def _arm_idle(state: KioskState, session: Session) -> ArmIdleTimer:
    rules = state.rules
    return ArmIdleTimer(session.session_id, warn_after_s=rules.session_s - rules.idle_warning_s,
                        end_after_s=rules.session_s)


def _with(state: KioskState, session: Session, **changes: Any) -> KioskState:
    return replace(state, session=replace(session, **changes))


def _settle(state: KioskState) -> KioskState:
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


def end_session(state: KioskState, notice: str | None) -> Outcome:
    """Forget the session entirely: nothing personal stays reachable from the returned state. Language, text
    size and voice settings go with it. A citizen who used the reader or got a slip is reminded, on the
    screen and aloud, to take the card and the slip."""
    commands: list[Command] = []
    s = state.session
    remind = s is not None and (s.card_used or bool(s.print_job_id))
    if s is not None:
        commands.append(EndSession(s.session_id))
        if remind:
            commands.append(Speak("notice.take_card_and_slip", s.language))
    if state.pending_catalog is not None:
        state = _use_catalog(state, *state.pending_catalog)
    return _settle(replace(state, session=None, home_notice=notice, take_reminder=remind,
                           notice_language=s.language if s is not None else None)), commands


def _use_catalog(state: KioskState, version: int, catalog: Catalog) -> KioskState:
    return replace(state, rules=replace(state.rules, catalog=catalog), catalog_version=version, pending_catalog=None)


def _item(state: KioskState, session: Session) -> Item | None:
    return state.rules.catalog.get(session.item_id) if session.item_id else None


def _read_card(state: KioskState, session: Session, **changes: Any) -> Outcome:
    new = _with(state, session, identify=IdentifyStatus.READING, identify_error=None, manual_problems=(),
                card_used=True, **changes)
    return new, [ReadCard(session.session_id, float(state.rules.card_read_s))]


def _identity_problem(identity: Identity | None, today: date | None) -> Reason | None:
    """Why a card's identity cannot be used; the runner stamps `today` from the clock port."""
    if identity is None:
        return Reason.CARD_UNREADABLE
    checked = identity.card_type in (CardType.RESIDENT, CardType.HMT_RESIDENCE, CardType.SOCIAL_SECURITY)
    if checked and id_number_problems(identity.id_number, today):
        return Reason.CARD_CHECKSUM
    if today is not None and identity.expired_on(today):
        return Reason.CARD_EXPIRED
    return None


def _slip_people(session: Session) -> dict[str, Any]:
    return {"masked_names": tuple(mask_name(p.name) for p in session.parties),
            "masked_id_numbers": tuple(mask_id_number(p.id_number) for p in session.parties),
            "masked_addresses": tuple(mask_address(p.address) for p in session.parties)}


def local_reference(kiosk_id: str, session_id: str) -> str:
    return f"{kiosk_id}-{session_id.replace('-', '')[:10].upper()}"


# ---- kiosk lifecycle ----

@on_lifecycle(ev.StartupCompleted)
def _startup(state: KioskState, event: ev.StartupCompleted) -> Outcome:
    health = {h.component: h for h in state.health}
    health.update({h.component: h for h in event.health})
    return _settle(replace(state, lifecycle=Lifecycle.READY, health=tuple(health.values()))), []


@on_lifecycle(ev.CatalogReceived)
def _catalog_received(state: KioskState, event: ev.CatalogReceived) -> Outcome:
    """A newer catalog is used at once between citizens; a citizen in a session keeps the texts and rules they
    began with, and the new catalog is used when that session ends."""
    newest = state.pending_catalog[0] if state.pending_catalog else state.catalog_version
    if newest is not None and event.version <= newest:
        return state, []
    if state.session is not None:
        return replace(state, pending_catalog=(event.version, event.catalog)), []
    return _settle(_use_catalog(state, event.version, event.catalog)), []


@on_lifecycle(ev.HealthReported)
def _health(state: KioskState, event: ev.HealthReported) -> Outcome:
    others = tuple(h for h in state.health if h.component != event.health.component)
    return _settle(replace(state, health=(*others, event.health))), []


@on_lifecycle(ev.SessionStarted)
def _session_started(state: KioskState, event: ev.SessionStarted) -> Outcome:
    if state.lifecycle != Lifecycle.READY or state.session is not None:
        return state, []
    session = Session(session_id=event.session_id, language=state.rules.default_language,
                      volume=state.rules.speech_volume)
    new = replace(state, lifecycle=Lifecycle.IN_SESSION, session=session, home_notice=None, take_reminder=False)
    return new, [_arm_idle(state, session)]


@on_lifecycle(ev.MaintenanceEntered)
def _maintenance_in(state: KioskState, event: ev.MaintenanceEntered) -> Outcome:
    new, commands = end_session(state, None)
    return replace(new, lifecycle=Lifecycle.MAINTENANCE), commands


@on_lifecycle(ev.MaintenanceExited)
def _maintenance_out(state: KioskState, event: ev.MaintenanceExited) -> Outcome:
    if state.lifecycle != Lifecycle.MAINTENANCE:
        return state, []
    return _settle(replace(state, lifecycle=Lifecycle.READY)), []


@on_lifecycle(ev.OutOfServiceSet)
def _oos_set(state: KioskState, event: ev.OutOfServiceSet) -> Outcome:
    new, commands = end_session(state, None)
    new = replace(new, out_of_service_reason=Reason.STAFF_OUT_OF_SERVICE, staff_message=event.message)
    if new.lifecycle != Lifecycle.MAINTENANCE:
        new = replace(new, lifecycle=Lifecycle.OUT_OF_SERVICE)
    return new, commands


@on_lifecycle(ev.OutOfServiceCleared)
def _oos_cleared(state: KioskState, event: ev.OutOfServiceCleared) -> Outcome:
    return _settle(replace(state, out_of_service_reason=None, staff_message="")), []


# ---- anywhere in a session ----

@on([ANY], ev.LanguageChosen)
def _language(state: KioskState, s: Session, e: ev.LanguageChosen) -> Outcome:
    if e.language not in state.rules.languages or e.language == s.language:
        return state, []
    return _with(state, s, language=e.language), [Speak(f"screen.{s.phase.value}", e.language)]


@on([ANY], ev.ElderModeToggled)
def _elder(state: KioskState, s: Session, e: ev.ElderModeToggled) -> Outcome:
    return _with(state, s, elder_mode=not s.elder_mode), []


VOLUME_STEP = 20
VOLUME_RANGE = (20, 100)  # never silent by the volume keys: turning voice off is its own button


@on([ANY], ev.VoiceToggled)
def _voice(state: KioskState, s: Session, e: ev.VoiceToggled) -> Outcome:
    if s.voice:
        return _with(state, s, voice=False), [StopSpeech()]
    return _with(state, s, voice=True), [Speak("voice.on", s.language)]


@on([ANY], ev.VolumeChanged)
def _volume(state: KioskState, s: Session, e: ev.VolumeChanged) -> Outcome:
    low, high = VOLUME_RANGE
    volume = min(high, max(low, s.volume + (VOLUME_STEP if e.louder else -VOLUME_STEP)))
    return _with(state, s, volume=volume, voice=True), [Speak("voice.volume", s.language)]


@on([ANY], ev.HomePressed)
def _home(state: KioskState, s: Session, e: ev.HomePressed) -> Outcome:
    if s.phase == Phase.SUBMITTING and s.submit_status == TaskStatus.RUNNING:
        return state, []  # the application is being handed over; the citizen waits for the answer
    return end_session(state, "cancelled" if s.phase != Phase.HOME else None)


@on([ANY], ev.StaffCalled)
def _staff(state: KioskState, s: Session, e: ev.StaffCalled) -> Outcome:
    return _with(state, s, notice="staff_called"), [CallStaff(state.rules.kiosk_id)]


@on([ANY], ev.IdleExtended)
def _extend(state: KioskState, s: Session, e: ev.IdleExtended) -> Outcome:
    return _with(state, s, idle_warning=False), []


@on([ANY], ev.IdleWarningDue)
def _idle_warning(state: KioskState, s: Session, e: ev.IdleWarningDue) -> Outcome:
    return _with(state, s, idle_warning=True), [Speak("idle_warning", s.language)]


@on([ANY], ev.IdleTimedOut)
def _idle_timeout(state: KioskState, s: Session, e: ev.IdleTimedOut) -> Outcome:
    if s.phase == Phase.SUBMITTING and s.submit_status == TaskStatus.RUNNING:
        return _with(state, s, idle_warning=False), [_arm_idle(state, s)]
    return end_session(state, "timed_out")


@on([Phase.FORM, Phase.REVIEW], ev.CardRemoved)
def _card_removed(state: KioskState, s: Session, e: ev.CardRemoved) -> Outcome:
    if not any(p.card_type != CardType.MANUAL for p in s.parties):
        return state, []
    # The card left with its owner: wipe what it filled in and ask for it again.
    new, commands = _read_card(state, s, phase=Phase.IDENTIFY, parties=(), form=(), field_errors=(),
                               notice="card_removed")
    return new, [*commands, Speak("notice.card_removed", s.language)]


# ---- home and browsing ----

@on([Phase.HOME, Phase.BROWSING], ev.CategoryChosen)
def _category(state: KioskState, s: Session, e: ev.CategoryChosen) -> Outcome:
    if e.category not in state.rules.catalog.categories:
        return state, []
    return _with(state, s, phase=Phase.BROWSING, category=e.category, search="", notice=None), []


@on([Phase.HOME, Phase.BROWSING], ev.SearchChanged)
def _search(state: KioskState, s: Session, e: ev.SearchChanged) -> Outcome:
    return _with(state, s, phase=Phase.BROWSING, category=None, search=e.text[:40], notice=None), []


@on([Phase.HOME, Phase.BROWSING], ev.ItemChosen)
def _item_chosen(state: KioskState, s: Session, e: ev.ItemChosen) -> Outcome:
    item = state.rules.catalog.get(e.item_id)
    if item is None:
        return state, []
    if (reason := item_unavailable_reason(state, item)) is not None:
        return _with(state, s, notice=f"item_unavailable.{reason.value}"), []
    return _with(state, s, phase=Phase.ITEM_GUIDE, item_id=item.id, notice=None), []


@on([Phase.HOME, Phase.BROWSING], ev.ProgressQueryStarted)
def _progress_start(state: KioskState, s: Session, e: ev.ProgressQueryStarted) -> Outcome:
    return _with(state, s, phase=Phase.PROGRESS_QUERY, purpose=Purpose.PROGRESS, notice=None), []


@on([Phase.BROWSING], ev.BackPressed)
def _browsing_back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    return _with(state, s, phase=Phase.HOME, category=None, search=""), []


# ---- item guide ----

@on([Phase.ITEM_GUIDE], ev.BackPressed)
def _guide_back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    phase = Phase.BROWSING if (s.category or s.search) else Phase.HOME
    return _with(state, s, phase=phase, item_id=None, purpose=None), []


def _start(purpose: Purpose, action: str) -> Handler:
    def handler(state: KioskState, s: Session, e: ev.Event) -> Outcome:
        item = _item(state, s)
        if item is None or item.kiosk_action != action:
            return state, []
        return _with(state, s, phase=Phase.CONSENT, purpose=purpose, consent_error=False), []
    return handler


on([Phase.ITEM_GUIDE], ev.ApplyStarted)(_start(Purpose.APPLY, "apply"))
on([Phase.ITEM_GUIDE], ev.AppointmentStarted)(_start(Purpose.APPOINTMENT, "appointment"))


@on([Phase.ITEM_GUIDE], ev.GuidePrintRequested)
def _guide_print(state: KioskState, s: Session, e: ev.GuidePrintRequested) -> Outcome:
    item = _item(state, s)
    if item is None:
        return state, []
    job_id = f"{s.session_id}-guide-{item.id}"
    new = _with(state, s, phase=Phase.GUIDE_PRINTING, purpose=Purpose.GUIDE, print_status=TaskStatus.RUNNING,
                print_error=None, print_job_id=job_id)
    return new, [PrintSlip(s.session_id, job_id, SlipRequest(SlipKind.GUIDE, item.id, s.language))]


# ---- consent and identification ----

@on([Phase.CONSENT], ev.ConsentGiven)
def _consent(state: KioskState, s: Session, e: ev.ConsentGiven) -> Outcome:
    item = _item(state, s)
    if item is None:
        return state, []
    if item.sensitive_categories and not e.sensitive:
        return _with(state, s, consent_error=True), []
    return _read_card(state, s, phase=Phase.IDENTIFY, consent_general=True, consent_sensitive=e.sensitive,
                      consent_error=False, parties=())


@on([Phase.CONSENT], ev.ConsentDeclined)
@on([Phase.CONSENT], ev.BackPressed)
def _consent_back(state: KioskState, s: Session, e: ev.Event) -> Outcome:
    return _with(state, s, phase=Phase.ITEM_GUIDE, purpose=None, consent_general=False,
                 consent_sensitive=False, consent_error=False), []


@on([Phase.IDENTIFY], ev.BackPressed)
def _identify_back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    new = _with(state, s, phase=Phase.CONSENT, parties=(), identify=IdentifyStatus.IDLE, identify_error=None,
                manual_problems=(), notice=None)
    return new, [CancelCardRead(s.session_id)]


@on([Phase.IDENTIFY], ev.CardReadRetried)
def _retry_read(state: KioskState, s: Session, e: ev.CardReadRetried) -> Outcome:
    return _read_card(state, s)


@on([Phase.IDENTIFY], ev.ManualEntryChosen)
def _manual(state: KioskState, s: Session, e: ev.ManualEntryChosen) -> Outcome:
    new = _with(state, s, identify=IdentifyStatus.MANUAL, identify_error=None, manual_problems=())
    return new, [CancelCardRead(s.session_id)]


@on([Phase.IDENTIFY], ev.CardReadFailed)
def _read_failed(state: KioskState, s: Session, e: ev.CardReadFailed) -> Outcome:
    if s.identify == IdentifyStatus.MANUAL:
        return state, []
    new = _with(state, s, identify=IdentifyStatus.FAILED, identify_error=e.reason)
    return new, [Speak(f"error.{e.reason.value}", s.language)]


@on([Phase.IDENTIFY], ev.CardRead)
def _card_read(state: KioskState, s: Session, e: ev.CardRead) -> Outcome:
    if s.identify == IdentifyStatus.MANUAL:
        return state, []
    problem = _identity_problem(e.identity, e.today)
    if problem is not None or e.identity is None:
        reason = problem or Reason.CARD_UNREADABLE
        return _with(state, s, identify=IdentifyStatus.FAILED, identify_error=reason), [
            Speak(f"error.{reason.value}", s.language)]
    return _accept_party(state, s, e.identity)


@on([Phase.IDENTIFY], ev.ManualIdentityEntered)
def _manual_entered(state: KioskState, s: Session, e: ev.ManualIdentityEntered) -> Outcome:
    number = normalize_id_number(e.id_number)
    problems = [p.value for p in id_number_problems(number)]
    if not e.name.strip():
        problems.append("name_required")
    if problems:
        return _with(state, s, manual_problems=tuple(problems)), []
    return _accept_party(state, s, manual_identity(e.name, number))


def _accept_party(state: KioskState, s: Session, identity: Identity) -> Outcome:
    item = _item(state, s)
    if item is None:
        return state, []
    if any(p.id_number == identity.id_number for p in s.parties):
        new, commands = _read_card(state, s, notice="same_person")
        return new, [*commands, Speak("notice.same_person", s.language)]
    parties = (*s.parties, identity)
    if len(parties) < item.parties:
        new, commands = _read_card(state, s, parties=parties, notice="next_party")
        return new, [*commands, Speak("notice.next_party", s.language)]
    done: dict[str, Any] = {"identify": IdentifyStatus.IDLE, "identify_error": None, "manual_problems": (),
                            "parties": parties, "notice": None}
    if s.purpose == Purpose.APPOINTMENT:
        new = _with(state, s, phase=Phase.APPOINTMENT, booking_status=TaskStatus.RUNNING, slots=(),
                    chosen_slot=None, backend_error=None, **done)
        return new, [FetchSlots(s.session_id, item.id)]
    watch: list[Command] = []
    if identity.card_type != CardType.MANUAL:
        watch.append(WatchCardRemoval(s.session_id))
    return _with(state, s, phase=Phase.FORM, form=prefill(item, identity), field_errors=(), **done), watch


# ---- form, review, submission ----

@on([Phase.FORM, Phase.APPOINTMENT], ev.FieldChanged)
def _field(state: KioskState, s: Session, e: ev.FieldChanged) -> Outcome:
    item = _item(state, s)
    if item is None:
        return state, []
    if s.phase == Phase.APPOINTMENT:
        if e.field_id != "phone":
            return state, []
    else:
        spec = item.field(e.field_id)
        if spec is None or spec.source != "manual":
            return state, []  # card values come from the card; staff fields are completed at the window
    return replace(state, session=s.with_value(e.field_id, e.value[:64])), []


@on([Phase.FORM], ev.FormSubmitted)
def _form_submitted(state: KioskState, s: Session, e: ev.FormSubmitted) -> Outcome:
    item = _item(state, s)
    if item is None:
        return state, []
    errors = form_errors(item, dict(s.form))
    if errors:
        return _with(state, s, field_errors=errors), [Speak("error.form_incomplete", s.language)]
    return _with(state, s, phase=Phase.REVIEW, field_errors=()), []


@on([Phase.FORM], ev.BackPressed)
def _form_back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    return _read_card(state, s, phase=Phase.IDENTIFY, parties=(), form=(), field_errors=())


@on([Phase.REVIEW], ev.BackPressed)
def _review_back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    return _with(state, s, phase=Phase.FORM), []


def _submit(state: KioskState, s: Session) -> Outcome:
    item = _item(state, s)
    if item is None or not s.parties:
        return state, []
    application = Application(
        idempotency_key=f"{s.session_id}:apply",
        local_reference=local_reference(state.rules.kiosk_id, s.session_id),
        kiosk_id=state.rules.kiosk_id,
        item_id=item.id,
        applicant=s.parties[0],
        fields=s.form,
    )
    new = _with(state, s, phase=Phase.SUBMITTING, submit_status=TaskStatus.RUNNING, submit_error=None)
    return new, [Submit(s.session_id, application)]


@on([Phase.REVIEW], ev.ReviewConfirmed)
def _confirm(state: KioskState, s: Session, e: ev.ReviewConfirmed) -> Outcome:
    return _submit(state, s)


@on([Phase.SUBMITTING], ev.SubmitRetried)
def _resubmit(state: KioskState, s: Session, e: ev.SubmitRetried) -> Outcome:
    if s.submit_status != TaskStatus.FAILED:
        return state, []
    return _submit(state, s)


@on([Phase.SUBMITTING], ev.SubmitFailed)
def _submit_failed(state: KioskState, s: Session, e: ev.SubmitFailed) -> Outcome:
    new = _with(state, s, submit_status=TaskStatus.FAILED, submit_error=e.reason)
    return new, [Speak(f"error.{e.reason.value}", s.language)]


@on([Phase.SUBMITTING], ev.SubmitSucceeded)
def _submitted(state: KioskState, s: Session, e: ev.SubmitSucceeded) -> Outcome:
    if e.result is None or s.item_id is None:
        return state, []
    job_id = f"{s.session_id}-receipt"
    request = SlipRequest(SlipKind.RECEIPT, s.item_id, s.language,
                          application_number=e.result.application_number or "",
                          local_reference=e.result.local_reference,
                          queued=e.result.application_number is None, **_slip_people(s))
    new = _with(state, s, phase=Phase.DONE, submit_status=TaskStatus.DONE, submission=e.result,
                print_status=TaskStatus.RUNNING, print_error=None, print_job_id=job_id)
    return new, [PrintSlip(s.session_id, job_id, request)]


# ---- printing, shared by done and guide printing ----

@on([Phase.DONE, Phase.GUIDE_PRINTING], ev.SlipPrinted)
def _printed(state: KioskState, s: Session, e: ev.SlipPrinted) -> Outcome:
    if e.job_id != s.print_job_id:
        return state, []
    return (_with(state, s, print_status=TaskStatus.DONE, print_error=None, print_uncertain=e.uncertain),
            [Speak("notice.take_slip", s.language)])


@on([Phase.DONE, Phase.GUIDE_PRINTING], ev.SlipPrintFailed)
def _print_failed(state: KioskState, s: Session, e: ev.SlipPrintFailed) -> Outcome:
    if e.job_id != s.print_job_id:
        return state, []
    new = _with(state, s, print_status=TaskStatus.FAILED, print_error=e.reason)
    return new, [Speak(f"error.{e.reason.value}", s.language)]


@on([Phase.DONE, Phase.GUIDE_PRINTING], ev.PrintRetried)
def _reprint(state: KioskState, s: Session, e: ev.PrintRetried) -> Outcome:
    if not s.print_job_id or s.item_id is None:
        return state, []
    if s.print_status == TaskStatus.DONE and s.print_uncertain:
        # the printer did not confirm the slip and the citizen says none came out: a copy marked 补打, as a
        # job of its own (the first is journalled as printed and is never printed again by itself)
        job_id = _copy_job_id(s.print_job_id)
        return _with(state, s, print_status=TaskStatus.RUNNING, print_error=None, print_uncertain=False,
                     print_job_id=job_id), [PrintSlip(s.session_id, job_id, replace(_request_for(s), reprint=True))]
    if s.print_status != TaskStatus.FAILED:
        return state, []
    request = _request_for(s)
    return _with(state, s, print_status=TaskStatus.RUNNING, print_error=None), [
        PrintSlip(s.session_id, s.print_job_id, request)]


def _copy_job_id(job_id: str) -> str:
    """The job id of the next 补打 copy: <first job id>-reprint-<n>, as the print journal names reprints."""
    first, _, count = job_id.partition("-reprint-")
    return f"{first}-reprint-{int(count) + 1 if count.isdigit() else 1}"


def _request_for(s: Session) -> SlipRequest:
    item_id = s.item_id or ""
    if s.phase == Phase.GUIDE_PRINTING:
        return SlipRequest(SlipKind.GUIDE, item_id, s.language)
    if s.booking is not None:
        return SlipRequest(SlipKind.APPOINTMENT, item_id, s.language, booking_number=s.booking.booking_number,
                           slot_text=_slot_text(s), **_slip_people(s))
    sub = s.submission
    return SlipRequest(SlipKind.RECEIPT, item_id, s.language,
                       application_number=(sub.application_number or "") if sub else "",
                       local_reference=sub.local_reference if sub else "",
                       queued=bool(sub and sub.application_number is None), **_slip_people(s))


@on([Phase.DONE, Phase.GUIDE_PRINTING, Phase.PROGRESS_QUERY], ev.FinishPressed)
def _finish(state: KioskState, s: Session, e: ev.FinishPressed) -> Outcome:
    return end_session(state, "finished")


@on([Phase.GUIDE_PRINTING], ev.BackPressed)
def _guide_printing_back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    if s.print_status == TaskStatus.RUNNING:
        return state, []
    return _with(state, s, phase=Phase.ITEM_GUIDE, purpose=None, print_status=TaskStatus.NONE, print_error=None,
                 print_job_id=""), []


# ---- progress query ----

@on([Phase.PROGRESS_QUERY], ev.ProgressByCardRequested)
def _progress_by_card(state: KioskState, s: Session, e: ev.ProgressByCardRequested) -> Outcome:
    return _read_card(state, s, progress=(), progress_status=TaskStatus.NONE, backend_error=None)


@on([Phase.PROGRESS_QUERY], ev.CardRead)
def _progress_card(state: KioskState, s: Session, e: ev.CardRead) -> Outcome:
    if s.identify != IdentifyStatus.READING:
        return state, []
    if (problem := _identity_problem(e.identity, e.today)) is not None or e.identity is None:
        return _with(state, s, identify=IdentifyStatus.FAILED, identify_error=problem or Reason.CARD_UNREADABLE), []
    # The identity is used for this one query and not kept in the session.
    new = _with(state, s, identify=IdentifyStatus.IDLE, progress_status=TaskStatus.RUNNING)
    return new, [FetchProgress(s.session_id, ProgressQuery(id_number=e.identity.id_number))]


@on([Phase.PROGRESS_QUERY], ev.CardReadFailed)
def _progress_card_failed(state: KioskState, s: Session, e: ev.CardReadFailed) -> Outcome:
    return _with(state, s, identify=IdentifyStatus.FAILED, identify_error=e.reason), []


@on([Phase.PROGRESS_QUERY], ev.ProgressByNumberRequested)
def _progress_by_number(state: KioskState, s: Session, e: ev.ProgressByNumberRequested) -> Outcome:
    number = e.application_number.strip().upper()
    if not number or len(number) > 50 or not number.replace("-", "").isalnum():
        return _with(state, s, field_errors=(("application_number", "invalid"),)), []
    new = _with(state, s, progress_status=TaskStatus.RUNNING, progress=(), backend_error=None, field_errors=())
    return new, [FetchProgress(s.session_id, ProgressQuery(application_number=number))]


@on([Phase.HOME, Phase.BROWSING, Phase.PROGRESS_QUERY], ev.CodeScanned)
def _code_scanned(state: KioskState, s: Session, e: ev.CodeScanned) -> Outcome:
    """A receipt's progress QR code opens the progress query for its number; other codes do nothing here."""
    number = progress_number_from_code(e.code)
    if number is None:
        return state, []
    new = _with(state, s, phase=Phase.PROGRESS_QUERY, purpose=Purpose.PROGRESS, notice=None)
    assert new.session is not None
    return _progress_by_number(new, new.session, ev.ProgressByNumberRequested(number))


@on([Phase.PROGRESS_QUERY], ev.ProgressLoaded)
def _progress_loaded(state: KioskState, s: Session, e: ev.ProgressLoaded) -> Outcome:
    return _with(state, s, progress_status=TaskStatus.DONE, progress=e.records), []


@on([Phase.PROGRESS_QUERY], ev.BackendFailed)
def _progress_failed(state: KioskState, s: Session, e: ev.BackendFailed) -> Outcome:
    return _with(state, s, progress_status=TaskStatus.FAILED, backend_error=e.reason), []


@on([Phase.PROGRESS_QUERY], ev.BackPressed)
def _progress_back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    new = _with(state, s, phase=Phase.HOME, purpose=None, progress=(), progress_status=TaskStatus.NONE,
                identify=IdentifyStatus.IDLE, identify_error=None, backend_error=None, field_errors=())
    return new, [CancelCardRead(s.session_id)]


# ---- appointments (结婚登记, 离婚登记) ----

@on([Phase.APPOINTMENT], ev.SlotsLoaded)
def _slots(state: KioskState, s: Session, e: ev.SlotsLoaded) -> Outcome:
    return _with(state, s, slots=e.slots, booking_status=TaskStatus.NONE, backend_error=None), []


@on([Phase.APPOINTMENT], ev.BackendFailed)
def _appointment_failed(state: KioskState, s: Session, e: ev.BackendFailed) -> Outcome:
    return _with(state, s, booking_status=TaskStatus.FAILED, backend_error=e.reason), [
        Speak(f"error.{e.reason.value}", s.language)]


@on([Phase.APPOINTMENT], ev.SlotChosen)
def _slot_chosen(state: KioskState, s: Session, e: ev.SlotChosen) -> Outcome:
    if not any(slot.slot_id == e.slot_id and slot.remaining > 0 for slot in s.slots):
        return state, []
    return _with(state, s, chosen_slot=e.slot_id), []


@on([Phase.APPOINTMENT], ev.BookingConfirmed)
def _book(state: KioskState, s: Session, e: ev.BookingConfirmed) -> Outcome:
    if s.booking_status == TaskStatus.RUNNING or s.item_id is None:
        return state, []
    errors = []
    if s.chosen_slot is None:
        errors.append(("slot", "required"))
    phone = s.value("phone")
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        errors.append(("phone", "phone_invalid"))
    if errors:
        return _with(state, s, field_errors=tuple(errors)), []
    booking = Booking(idempotency_key=f"{s.session_id}:book", item_id=s.item_id, slot_id=s.chosen_slot or "",
                      parties=s.parties, phone=phone)
    new = _with(state, s, booking_status=TaskStatus.RUNNING, field_errors=(), backend_error=None)
    return new, [Book(s.session_id, booking)]


@on([Phase.APPOINTMENT], ev.BookingSucceeded)
def _booked(state: KioskState, s: Session, e: ev.BookingSucceeded) -> Outcome:
    if e.result is None or s.item_id is None:
        return state, []
    job_id = f"{s.session_id}-appointment"
    booked = replace(s, booking=e.result)
    request = SlipRequest(SlipKind.APPOINTMENT, s.item_id, s.language, booking_number=e.result.booking_number,
                          slot_text=_slot_text(booked), **_slip_people(s))
    new = _with(state, s, phase=Phase.DONE, booking=e.result, booking_status=TaskStatus.DONE,
                print_status=TaskStatus.RUNNING, print_error=None, print_job_id=job_id)
    return new, [PrintSlip(s.session_id, job_id, request)]


@on([Phase.APPOINTMENT], ev.BackPressed)
def _appointment_back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    if s.booking_status == TaskStatus.RUNNING:
        return state, []
    return _with(state, s, phase=Phase.ITEM_GUIDE, purpose=None, parties=(), form=(), slots=(), chosen_slot=None,
                 field_errors=(), backend_error=None, booking_status=TaskStatus.NONE), []


def _slot_text(s: Session) -> str:
    if s.booking is None:
        return ""
    slot = s.booking.slot
    return f"{slot.day.isoformat()} {slot.start}-{slot.end} {slot.office}"

"""Consent to the use of personal information, then identification: the ID card on the reader (one card per
party), or the number typed in by hand. What a card says is checked here; the runner stamps `today`."""

from __future__ import annotations

from datetime import date
from typing import Any

from kiosk.core.health import Reason
from kiosk.core.identity import CardType, Identity, id_number_problems, manual_identity, normalize_id_number
from kiosk.core.session import events as ev
from kiosk.core.session.browsing import back
from kiosk.core.session.commands import CancelCardRead, Command, FetchSlots, Speak, WatchCardRemoval
from kiosk.core.session.forms import prefill
from kiosk.core.session.model import Identification, KioskState, Session, Task
from kiosk.core.session.states import IdentifyStatus, Phase, Purpose
from kiosk.core.session.table import Outcome, Row, item_of, read_card, register, with_session
from kiosk.core.value import replace


def identity_problem(identity: Identity | None, today: date | None) -> Reason | None:
    """Why a card's identity cannot be used."""
    if identity is None:
        return Reason.CARD_UNREADABLE
    checked = identity.card_type in (CardType.RESIDENT, CardType.HMT_RESIDENCE, CardType.SOCIAL_SECURITY)
    if checked and id_number_problems(identity.id_number, today):
        return Reason.CARD_CHECKSUM
    if today is not None and identity.expired_on(today):
        return Reason.CARD_EXPIRED
    return None


def _consent(state: KioskState, s: Session, e: ev.ConsentGiven) -> Outcome:
    item = item_of(state, s)
    if item is None:
        return state, []
    if item.sensitive_categories and not e.sensitive:
        return with_session(state, s, consent_error=True), []
    return read_card(state, s, phase=Phase.IDENTIFY, consent_general=True, consent_sensitive=e.sensitive,
                     consent_error=False, parties=())


def _ticked(state: KioskState, s: Session, e: ev.SensitiveConsentTicked) -> Outcome:
    """The box's new state is said; ticking it answers the "please tick" error, so the error goes."""
    said = Speak("consent.ticked" if e.ticked else "consent.unticked", s.language)
    return with_session(state, s, consent_error=s.consent_error and not e.ticked), [said]


def _identify_back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    new, _ = back(state, s, e)
    return new, [CancelCardRead(s.session_id)]


# A card the kiosk read but cannot use: reading it again gives the same answer, so the next read waits for
# another card (or the citizen calls staff).
NEEDS_ANOTHER_CARD = frozenset({Reason.CARD_EXPIRED, Reason.CARD_CHECKSUM})


def _retry_read(state: KioskState, s: Session, e: ev.CardReadRetried) -> Outcome:
    return read_card(state, s, fresh=s.identification.error in NEEDS_ANOTHER_CARD)


def _placed(state: KioskState, s: Session, e: ev.CardPlaced) -> Outcome:
    if s.identification.status != IdentifyStatus.READING or s.identification.placed:
        return state, []
    return with_session(state, s, identification=replace(s.identification, placed=True)), []


def _manual(state: KioskState, s: Session, e: ev.ManualEntryChosen) -> Outcome:
    new = with_session(state, s, identification=Identification(IdentifyStatus.MANUAL))
    return new, [CancelCardRead(s.session_id)]


def _read_failed(state: KioskState, s: Session, e: ev.CardReadFailed) -> Outcome:
    if s.identification.status == IdentifyStatus.MANUAL:
        return state, []
    new = with_session(state, s, identification=s.identification.failed(e.reason))
    return new, [Speak(f"error.{e.reason.value}", s.language)]


def _card_read(state: KioskState, s: Session, e: ev.CardRead) -> Outcome:
    if s.identification.status == IdentifyStatus.MANUAL:
        return state, []
    problem = identity_problem(e.identity, e.today)
    if problem is not None or e.identity is None:
        reason = problem or Reason.CARD_UNREADABLE
        return with_session(state, s, identification=s.identification.failed(reason)), [
            Speak(f"error.{reason.value}", s.language)]
    return _accept_party(state, s, e.identity)


def _manual_entered(state: KioskState, s: Session, e: ev.ManualIdentityEntered) -> Outcome:
    number = normalize_id_number(e.id_number)
    problems = [p.value for p in id_number_problems(number)]
    if not e.name.strip():
        problems.append("name_required")
    if problems:
        return with_session(state, s, identification=Identification(IdentifyStatus.MANUAL,
                                                                    manual_problems=tuple(problems))), []
    return _accept_party(state, s, manual_identity(e.name, number))


def _accept_party(state: KioskState, s: Session, identity: Identity) -> Outcome:
    item = item_of(state, s)
    if item is None:
        return state, []
    if any(p.id_number == identity.id_number for p in s.parties):
        # the card read already, laid down again after it was taken away: the other party's is wanted
        new, commands = read_card(state, s, fresh=True, notice="same_person")
        return new, [*commands, Speak("notice.same_person", s.language)]
    parties = (*s.parties, identity)
    by_card = identity.card_type != CardType.MANUAL
    if len(parties) < item.parties:
        # the first party takes the card back; the next read waits until it has left the reader
        new, commands = read_card(state, s, fresh=by_card, parties=parties, notice="next_party")
        return new, [*commands, Speak("notice.next_party", s.language)]
    # Read: the card goes back to its owner at once and the session goes on; lifting it wipes nothing.
    notice = "card_read" if by_card else None
    done: dict[str, Any] = {"identification": Identification(), "parties": parties, "notice": notice,
                            "card_taken": False}
    said: list[Command] = [WatchCardRemoval(s.session_id), Speak("notice.card_read", s.language)] if by_card else []
    if s.purpose == Purpose.APPOINTMENT:
        new = with_session(state, s, phase=Phase.APPOINTMENT, slots=Task[tuple[Any, ...]]().running(),
                           chosen_slot=None, booking=Task(), **done)
        return new, [FetchSlots(s.session_id, item.id), *said]
    if s.purpose == Purpose.SECOND_VISIT:  # the slots wait for the first visit's number
        new = with_session(state, s, phase=Phase.APPOINTMENT, slots=Task(), chosen_slot=None, booking=Task(),
                           second_visit=Task(), **done)
        return new, said
    return with_session(state, s, phase=Phase.FORM, form=prefill(item, identity), field_errors=(), **done), said


ROWS: list[Row] = [
    ([Phase.CONSENT], ev.ConsentGiven, _consent),
    ([Phase.CONSENT], ev.SensitiveConsentTicked, _ticked),
    ([Phase.CONSENT], ev.ConsentDeclined, back),
    ([Phase.CONSENT], ev.BackPressed, back),
    ([Phase.IDENTIFY], ev.BackPressed, _identify_back),
    ([Phase.IDENTIFY], ev.CardReadRetried, _retry_read),
    ([Phase.IDENTIFY], ev.ManualEntryChosen, _manual),
    ([Phase.IDENTIFY], ev.CardReadFailed, _read_failed),
    ([Phase.IDENTIFY], ev.CardRead, _card_read),
    ([Phase.IDENTIFY, Phase.PROGRESS_QUERY], ev.CardPlaced, _placed),
    ([Phase.IDENTIFY], ev.ManualIdentityEntered, _manual_entered),
]
register(ROWS)

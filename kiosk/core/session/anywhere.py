"""What a citizen can do on any screen (language, text size, voice, home; calling staff is in help.py) and
what can happen on any screen (the idle timer, the card taken off the reader)."""

from __future__ import annotations

from kiosk.core.session import events as ev
from kiosk.core.session.commands import Speak, StopSpeech
from kiosk.core.session.model import KioskState, Session
from kiosk.core.session.states import Phase
from kiosk.core.session.table import (
    ANY,
    Outcome,
    Row,
    arm_idle,
    arrival_prompt,
    end_session,
    register,
    with_session,
)

VOLUME_STEP = 20
VOLUME_RANGE = (20, 100)  # never silent by the volume keys: turning voice off is its own button


def _language(state: KioskState, s: Session, e: ev.LanguageChosen) -> Outcome:
    if e.language not in state.rules.languages or e.language == s.language:
        return state, []
    return with_session(state, s, language=e.language), [arrival_prompt(s, e.language)]


def _elder(state: KioskState, s: Session, e: ev.ElderModeToggled) -> Outcome:
    return with_session(state, s, elder_mode=not s.elder_mode), []


def _voice(state: KioskState, s: Session, e: ev.VoiceToggled) -> Outcome:
    if s.voice:
        return with_session(state, s, voice=False), [StopSpeech()]
    return with_session(state, s, voice=True), [Speak("voice.on", s.language)]


def _volume(state: KioskState, s: Session, e: ev.VolumeChanged) -> Outcome:
    low, high = VOLUME_RANGE
    volume = min(high, max(low, s.volume + (VOLUME_STEP if e.louder else -VOLUME_STEP)))
    return with_session(state, s, volume=volume, voice=True), [Speak("voice.volume", s.language)]


def _home(state: KioskState, s: Session, e: ev.HomePressed) -> Outcome:
    if s.phase == Phase.SUBMITTING and s.submit.busy:
        return state, []  # the application is being handed over; the citizen waits for the answer
    return end_session(state, "cancelled" if s.phase != Phase.HOME else None)


def _extend(state: KioskState, s: Session, e: ev.IdleExtended) -> Outcome:
    return with_session(state, s, idle_warning=False), []


def _idle_warning(state: KioskState, s: Session, e: ev.IdleWarningDue) -> Outcome:
    return with_session(state, s, idle_warning=True), [Speak("idle_warning", s.language)]


def _idle_timeout(state: KioskState, s: Session, e: ev.IdleTimedOut) -> Outcome:
    if s.phase == Phase.SUBMITTING and s.submit.busy:
        return with_session(state, s, idle_warning=False), [arm_idle(state, s)]
    return end_session(state, "timed_out")


def _card_removed(state: KioskState, s: Session, e: ev.CardRemoved) -> Outcome:
    """The citizen took the card back after it was read, as asked: the session goes on, nothing is wiped (ending
    the session does that), and the end of the session need not remind them of the card."""
    notice = None if s.notice == "card_read" else s.notice
    return with_session(state, s, card_taken=True, notice=notice), []


ROWS: list[Row] = [
    ([ANY], ev.LanguageChosen, _language),
    ([ANY], ev.ElderModeToggled, _elder),
    ([ANY], ev.VoiceToggled, _voice),
    ([ANY], ev.VolumeChanged, _volume),
    ([ANY], ev.HomePressed, _home),
    ([ANY], ev.IdleExtended, _extend),
    ([ANY], ev.IdleWarningDue, _idle_warning),
    ([ANY], ev.IdleTimedOut, _idle_timeout),
    ([ANY], ev.CardRemoved, _card_removed),
]
register(ROWS)

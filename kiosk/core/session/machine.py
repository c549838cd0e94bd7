"""`step(state, event) -> (state, commands)`: the citizen session as a pure function. No I/O, no clock, no
randomness: the runner stamps session ids and dates onto the events it posts.

The transition table lives in kiosk.core.session.table and is filled by the handler modules imported here,
one per part of the journey: lifecycle, anywhere, help, browsing, identification, application, progress,
appointment, second_visit, feedback (好差评).
"""

from __future__ import annotations

from kiosk.core.session import (  # noqa: F401  (each registers its rows of the table)
    anywhere,
    application,
    appointment,
    browsing,
    feedback,
    help,
    identification,
    lifecycle,
    progress,
    second_visit,
)
from kiosk.core.session import events as ev
from kiosk.core.session.commands import Command, Speak
from kiosk.core.session.model import KioskState, Session
from kiosk.core.session.table import (
    ANY,
    LIFECYCLE,
    TRANSITIONS,
    arm_idle,
    arrival_prompt,
    arriving,
    end_session,
    left_behind,
)
from kiosk.core.value import replace

__all__ = ["ANY", "LIFECYCLE", "TRANSITIONS", "end_session", "step"]


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
        moved = left_behind(session, after)
        if isinstance(event, ev.Intent):
            if moved.idle_warning:
                moved = replace(moved, idle_warning=False)
            commands.insert(0, arm_idle(state, session))
        if moved.phase != session.phase:
            moved = arriving(moved)
            commands.append(arrival_prompt(moved, moved.language))
        if moved is not after:
            new_state, after = replace(new_state, session=moved), moved
    return new_state, tuple(_voiced(commands, after if after is not None else session))


def _voiced(commands: list[Command], session: Session) -> list[Command]:
    """Speak at the session's volume, or not at all when the citizen has turned voice off."""
    if session.voice:
        return [replace(c, volume=session.volume) if isinstance(c, Speak) else c for c in commands]
    return [c for c in commands if not isinstance(c, Speak)]

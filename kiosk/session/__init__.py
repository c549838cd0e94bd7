"""The citizen session: a pure state machine. Screens send intents, devices send results, step() decides."""

from kiosk.session.machine import TRANSITIONS, end_session, step
from kiosk.session.model import KioskState, Rules, Session, initial_state
from kiosk.session.states import IdentifyStatus, Lifecycle, Phase, Purpose, TaskStatus

__all__ = ["TRANSITIONS", "IdentifyStatus", "KioskState", "Lifecycle", "Phase", "Purpose", "Rules", "Session",
           "TaskStatus", "end_session", "initial_state", "step"]

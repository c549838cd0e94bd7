"""The citizen session: a pure state machine. Screens send intents, devices send results, step() decides."""

from kiosk.core.session.machine import TRANSITIONS, end_session, step
from kiosk.core.session.model import KioskState, Rules, Session, initial_state
from kiosk.core.session.states import IdentifyStatus, Lifecycle, Phase, ProgressBy, Purpose, TaskStatus

__all__ = ["TRANSITIONS", "IdentifyStatus", "KioskState", "Lifecycle", "Phase", "ProgressBy", "Purpose", "Rules",
           "Session", "TaskStatus", "end_session", "initial_state", "step"]

"""A citizen's call for staff ('呼叫工作人员'): where it stands, as the screens say it, and what a call tells
the backend. Nothing in it is personal: the screen the citizen was on and the error it showed."""

from __future__ import annotations

import enum
from datetime import datetime

from kiosk.core.value import Value


class HelpStatus(enum.StrEnum):
    NOTIFYING = "notifying"  # 正在通知工作人员…
    STORED = "stored"  # the backend has it and alerts staff: 已通知工作人员，请稍候
    QUEUED = "queued"  # kept on the kiosk, sent once the backend answers: staff may not know yet
    FAILED = "failed"  # not even kept (the kiosk's disk): the citizen must walk to the desk
    ACKNOWLEDGED = "acknowledged"  # a member of staff answered: 工作人员已收到，马上过来

    @property
    def waiting(self) -> bool:
        """Staff have not answered yet and the call still stands: pressing again calls no one new."""
        return self in (HelpStatus.NOTIFYING, HelpStatus.STORED, HelpStatus.QUEUED)


class HelpCall(Value, frozen=True):
    """The kiosk's latest call. `serial` tells its answers from those of an earlier call."""

    serial: int
    status: HelpStatus = HelpStatus.NOTIFYING


class HelpRequest(Value, frozen=True):
    """What goes to the backend: `key` makes a resend count once."""

    key: str
    reason: str  # citizen_request | out_of_service
    screen: str  # the session's phase, or out_of_service
    problem: str  # the error the screen showed (a Reason value), or ""
    called_at: datetime

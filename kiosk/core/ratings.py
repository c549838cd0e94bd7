"""好差评 at the kiosk: the self-service terminal is an official evaluation channel (政务大厅其他终端, GB/T 39046
表9). After an application, an appointment, a printed guide or a progress query the citizen may rate the service
in one tap on the five levels of A.8 (1 非常满意 ... 5 非常不满意), or not at all; a low rating asks why from a
short list and offers to call staff. Nothing personal is sent: a rating names the service and, only for an
application the backend numbered, the application it rates (the backend keeps one rating a case)."""

from __future__ import annotations

import enum

from kiosk.core.value import Value

LEVELS = (1, 2, 3, 4, 5)
LOW = frozenset({4, 5})  # 不满意, 非常不满意: ask why, offer staff


class RatedService(enum.StrEnum):
    APPLY = "apply"
    APPOINTMENT = "appointment"
    GUIDE = "guide"
    PROGRESS = "progress"


class LowRatingReason(enum.StrEnum):
    """Why a citizen was not satisfied, from a list short enough to read standing at the kiosk."""

    WAITING = "waiting"  # 等待时间长
    HARD_TO_USE = "hard_to_use"  # 操作不方便
    UNCLEAR = "unclear"  # 说明看不明白
    DEVICE = "device"  # 设备有故障
    OTHER = "other"  # 其他


class Feedback(Value, frozen=True):
    """The session's rating: 0 until a level is tapped; `sent` once it went to the backend."""

    satisfaction: int = 0
    reason: LowRatingReason | None = None
    sent: bool = False

    @property
    def given(self) -> bool:
        return self.satisfaction in LEVELS

    @property
    def asks_reason(self) -> bool:
        """A low rating whose reason is still asked for (the list and the call for staff are shown)."""
        return self.satisfaction in LOW and not self.sent


class ServiceRating(Value, frozen=True):
    """What goes to the backend. `key` makes a resend count once; `application_number` is "" unless the rating
    is of an application the backend numbered."""

    key: str
    service: RatedService
    satisfaction: int
    reason: LowRatingReason | None = None
    application_number: str = ""

"""State ids of the kiosk and of one citizen session. Values are stable ids, never display text."""

from __future__ import annotations

import enum


class Lifecycle(enum.StrEnum):
    STARTING = "starting"
    READY = "ready"
    IN_SESSION = "in_session"
    OUT_OF_SERVICE = "out_of_service"
    MAINTENANCE = "maintenance"


class Phase(enum.StrEnum):
    HOME = "home"
    BROWSING = "browsing"
    ITEM_GUIDE = "item_guide"
    CONSENT = "consent"
    IDENTIFY = "identify"
    FORM = "form"
    REVIEW = "review"
    SUBMITTING = "submitting"
    DONE = "done"
    PROGRESS_QUERY = "progress_query"
    APPOINTMENT = "appointment"
    GUIDE_PRINTING = "guide_printing"


class Purpose(enum.StrEnum):
    APPLY = "apply"
    APPOINTMENT = "appointment"
    SECOND_VISIT = "second_visit"  # a divorce's 领证 visit, booked from the first visit's booking number
    PROGRESS = "progress"
    GUIDE = "guide"


class ProgressBy(enum.StrEnum):
    """How the last progress query was asked: what the screen says when it found nothing depends on it."""

    CARD = "card"
    NUMBER = "number"  # the 办件编号 alone: answered only for this kiosk's own applications
    RECEIPT = "receipt"  # the 办件编号 and the receipt's 查询码, typed or scanned: any kiosk's


class IdentifyStatus(enum.StrEnum):
    IDLE = "idle"
    READING = "reading"
    FAILED = "failed"
    MANUAL = "manual"  # the keypad fallback is open


class TaskStatus(enum.StrEnum):
    """Progress of one background job the screen waits on (print, submit, fetch)."""

    NONE = "none"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# Phases that hold personal data: leaving the session from one of them must wipe it.
PERSONAL_PHASES = frozenset({Phase.FORM, Phase.REVIEW, Phase.SUBMITTING, Phase.DONE, Phase.APPOINTMENT,
                             Phase.PROGRESS_QUERY, Phase.IDENTIFY})
# While these run, cancel and timeout wait: the application is being handed over.
UNINTERRUPTIBLE_PHASES = frozenset({Phase.SUBMITTING})

"""Whether the kiosk can be opened to citizens with its devices as they are, by the very rules it serves by
(kiosk.core.session.availability), and what citizens will find paused when it is open.

A readiness slip that said "not ready" while the kiosk went on serving (the backend away: applications queue,
guides print) taught staff to ignore it; so the verdict is computed from the kiosk's own availability rules
and lists what is limited instead of refusing outright.
"""

from __future__ import annotations

from collections.abc import Iterable

from kiosk.core.health import Component, Health, Reason, Status
from kiosk.core.session.availability import item_unavailable_reason, kiosk_blocking_reason
from kiosk.core.session.model import KioskState
from kiosk.core.value import Value, replace


class Verdict(Value, frozen=True):
    blocking: Reason | None  # why nothing at all can be served, or None: the kiosk is open
    limits: tuple[Health, ...] = ()  # components that do not work, while the kiosk serves without them
    paused_items: int = 0  # items a citizen finds paused (appointments while the backend is away)

    @property
    def ready(self) -> bool:
        return self.blocking is None

    @property
    def code(self) -> str:
        """The verdict as the console and the audit record it: ready, limited or not_ready."""
        if self.blocking is not None:
            return "not_ready"
        return "limited" if self.limits or self.paused_items else "ready"


def with_health(state: KioskState, healths: Iterable[Health]) -> KioskState:
    """The state as it would be once these fresh reports are taken in (one report per component)."""
    fresh = {h.component: h for h in healths}
    kept = tuple(h for h in state.health if h.component not in fresh)
    return replace(state, health=(*kept, *fresh.values()))


def readiness(state: KioskState, healths: Iterable[Health]) -> Verdict:
    """The verdict for the kiosk in `state` with the devices reporting `healths` now."""
    checked = with_health(state, healths)
    if not checked.health:
        return Verdict(Reason.NOT_CHECKED)
    blocking = kiosk_blocking_reason(checked)
    limits = tuple(h for h in checked.health if h.status == Status.UNAVAILABLE and h.component != Component.DISPLAY)
    paused = sum(1 for item in checked.rules.catalog.items if item_unavailable_reason(checked, item) is not None)
    if blocking is not None:
        return Verdict(blocking, limits, paused)
    return Verdict(None, tuple(sorted(limits, key=lambda h: list(Component).index(h.component))), paused)

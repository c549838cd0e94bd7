"""Which items the kiosk can serve with the devices it has now, and whether it can serve anything at all."""

from __future__ import annotations

from kiosk.core.catalog import Item
from kiosk.core.health import Component, Reason, Status
from kiosk.core.session.model import KioskState


def _blocking(state: KioskState, component: Component) -> Reason | None:
    health = state.health_of(component)
    if health is None or health.status in (Status.OK, Status.DEGRADED, Status.UNKNOWN):
        return None
    return health.reason


def printer_problem(state: KioskState) -> Reason | None:
    """Why slips cannot be printed now, or None. A printer that does not work blocks printing only: guides are
    read on the screen, and an application or booking goes through with its QR code and number on the screen."""
    return _blocking(state, Component.PRINTER)


def item_unavailable_reason(state: KioskState, item: Item) -> Reason | None:
    """Why this item cannot be served now, or None. Unknown health does not block (it is being checked); the
    printer never does (printer_problem)."""
    # Appointments need live slots; applications queue in the outbox when the backend is away.
    if item.kiosk_action == "appointment" and (reason := _blocking(state, Component.BACKEND)):
        return reason
    return None


def kiosk_blocking_reason(state: KioskState) -> Reason | None:
    """Why nothing at all can be served, or None when at least one item can."""
    for component in (Component.DISK, Component.DISPLAY):
        if reason := _blocking(state, component):
            return reason
    reasons = [item_unavailable_reason(state, item) for item in state.rules.catalog.items]
    if reasons and all(reasons):
        return next(r for r in reasons if r)
    return None

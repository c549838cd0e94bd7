"""The app's side of a release update (deploy/bin/kiosk-release): a new release waits, installed beside the
running one, until no citizen is at the kiosk; then the app quits, and systemd starts it again on the new release
(ExecStartPre `kiosk-release start` switches). The state file is read by kiosk.storage.release_state."""

from __future__ import annotations

from kiosk.core.session.states import Lifecycle
from kiosk.storage.release_state import waiting_release

__all__ = ["CHECK_EVERY_S", "may_switch_now", "waiting_release"]

CHECK_EVERY_S = 20.0


def may_switch_now(lifecycle: Lifecycle, has_session: bool) -> bool:
    """Between citizens only: never in a session, never while staff are in maintenance mode."""
    return not has_session and lifecycle in (Lifecycle.READY, Lifecycle.OUT_OF_SERVICE)

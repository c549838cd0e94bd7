"""The app's side of a release update (deploy/bin/kiosk-release): a new release waits, installed beside the
running one, until no citizen is at the kiosk; then the app quits, and systemd starts it again on the new release
(ExecStartPre `kiosk-release start` switches). The release state file is also what the heartbeat reports: the
release running, and a rollback with its reason."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.core.session.states import Lifecycle

STATE_FILE = Path(os.environ.get("KIOSK_RELEASE_STATE", "/var/lib/kiosk-release/state.json"))
CHECK_EVERY_S = 20.0


def release_state(path: Path | None = None) -> dict[str, Any]:
    try:
        data = json.loads((path or STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def waiting_release(path: Path | None = None, running: str = __version__) -> str | None:
    """The version installed and waiting to take over, if any (a version that failed before never waits)."""
    state = release_state(path)
    pending = state.get("pending")
    if isinstance(pending, str) and pending != running and pending not in state.get("bad", []):
        return pending
    return None


def may_switch_now(lifecycle: Lifecycle, has_session: bool) -> bool:
    """Between citizens only: never in a session, never while staff are in maintenance mode."""
    return not has_session and lifecycle in (Lifecycle.READY, Lifecycle.OUT_OF_SERVICE)


def heartbeat_release(path: Path | None = None) -> dict[str, Any]:
    """What the fleet view shows about releases: the running version, a waiting one, the last rollback."""
    state = release_state(path)
    summary: dict[str, Any] = {"version": __version__}
    if isinstance(state.get("pending"), str):
        summary["pending"] = state["pending"]
    rolled = state.get("rolled_back")
    if isinstance(rolled, dict):
        summary["rolled_back_from"] = rolled.get("from")
        summary["rollback_reason"] = rolled.get("why")
    return summary

"""The release state file that deploy/bin/kiosk-release keeps (/var/lib/kiosk-release/state.json, readable by the
kiosk user): which release waits to take over, and the last rollback with its reason. The app reads it to switch
between citizens (kiosk.shell.release_switch) and the heartbeat carries it to the fleet view."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from kiosk import __version__

STATE_FILE = Path(os.environ.get("KIOSK_RELEASE_STATE", "/var/lib/kiosk-release/state.json"))


def release_state(path: Path | None = None) -> dict[str, Any]:
    try:
        data = json.loads((path or STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def waiting_release(path: Path | None = None, running: str = __version__) -> str | None:
    """The version installed and waiting to take over, if any (a version that failed before never waits); the
    running version itself when a restart for a new configuration was asked for (`kiosk-release request-restart`)."""
    state = release_state(path)
    pending = state.get("pending")
    if isinstance(pending, str) and pending != running and pending not in state.get("bad", []):
        return pending
    if state.get("restart_requested") is not None:
        return running
    return None


def heartbeat_release(path: Path | None = None) -> dict[str, Any]:
    """What the fleet view shows about releases: the running version, a waiting one, the last rollback."""
    state = release_state(path)
    summary: dict[str, Any] = {"version": __version__}
    if isinstance(state.get("pending"), str):
        summary["pending"] = state["pending"]
    rolled = state.get("rolled_back")
    if isinstance(rolled, dict) and isinstance(rolled.get("from"), str):
        summary["rolled_back_from"] = rolled["from"]
        summary["rollback_reason"] = str(rolled.get("why", ""))[:200]
    return summary

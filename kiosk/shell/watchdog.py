"""systemd notifications (READY, WATCHDOG, STATUS) over $NOTIFY_SOCKET, without a library.

Under the cage compositor the app is a child of the unit's main process, so `sd_watchdog_enabled()` would
say no (WATCHDOG_PID names cage). The unit sets NotifyAccess=all and the app reads WATCHDOG_USEC itself;
it must send WATCHDOG=1 from the UI thread's clock, so a frozen UI stops the pings and systemd restarts it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping


def notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send one notification; False when not running under systemd (no socket) or the send failed."""
    env = os.environ if environ is None else environ
    address = env.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract namespace
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(message.encode("utf-8"))
        return True
    except OSError:
        return False


def watchdog_interval_s(environ: Mapping[str, str] | None = None) -> float | None:
    """How often to ping: half of WatchdogSec, or None when the unit has no watchdog."""
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
    except ValueError:
        return None
    return usec / 2_000_000 if usec > 0 else None

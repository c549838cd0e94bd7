"""Restarting the app and rebooting the kiosk from maintenance mode.

Only a kiosk process started by systemd acts (systemd sets INVOCATION_ID for the unit's processes, and cage
passes it on): the app then quits and the unit's Restart=always starts it again, and a reboot goes to logind
through `systemctl reboot` (deploy/polkit allows the kiosk user). Anywhere else (a laptop demo, the tests)
both are dry runs that only say what they would have done, so nobody reboots a developer's machine by touch.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

REBOOT_COMMAND = ("systemctl", "reboot")

Runner = Callable[[Sequence[str]], int]


def _run(command: Sequence[str]) -> int:
    return subprocess.run(list(command), capture_output=True, timeout=30, check=False).returncode


@dataclass(frozen=True)
class SystemOutcome:
    done: bool
    code: str  # restarting, rebooting, dry_run, failed
    detail: str = ""


class SystemActions:
    def __init__(self, exit_app: Callable[[], None] | None = None, environ: Mapping[str, str] | None = None,
                 run: Runner = _run) -> None:
        self.exit_app = exit_app
        self._environ = os.environ if environ is None else environ
        self._run = run
        self.requested: list[str] = []  # what staff asked for, in order (the tests read it)

    @property
    def under_systemd(self) -> bool:
        return bool(self._environ.get("INVOCATION_ID"))

    def restart_app(self) -> SystemOutcome:
        self.requested.append("restart_app")
        if not self.under_systemd or self.exit_app is None:
            return SystemOutcome(False, "dry_run", "not started by systemd: the app keeps running")
        self.exit_app()
        return SystemOutcome(True, "restarting", "the app quits; systemd starts it again")

    def reboot(self) -> SystemOutcome:
        self.requested.append("reboot")
        command = " ".join(REBOOT_COMMAND)
        if not self.under_systemd:
            return SystemOutcome(False, "dry_run", f"not started by systemd: `{command}` not run")
        try:
            status = self._run(REBOOT_COMMAND)
        except (OSError, subprocess.SubprocessError) as exc:
            return SystemOutcome(False, "failed", f"{command}: {type(exc).__name__}")
        if status != 0:
            return SystemOutcome(False, "failed", f"{command} exited {status}")
        return SystemOutcome(True, "rebooting", command)

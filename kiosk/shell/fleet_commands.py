"""Staff's commands from the console, done through the maintenance desk's own actions (so the kiosk's audit,
the saved out-of-service switch and the readiness slip are the same as at the desk) and reported back with
the next heartbeat.

A citizen at the kiosk is never cut off from elsewhere: a command that would end or disturb their session waits,
and the backend brings it again with the next heartbeat. Restart and printing also wait out maintenance mode,
where a member of staff is working at the kiosk.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.core.fleet_commands import CommandKind, CommandResult, FleetCommand
from kiosk.core.session.model import KioskState
from kiosk.core.session.states import Lifecycle
from kiosk.logs import log_event
from kiosk.storage.command_results import CommandResults

if TYPE_CHECKING:
    from kiosk.shell.maintenance_desk import MaintenanceDesk, Outcome

log = logging.getLogger("kiosk.fleet")
CODE = re.compile(r"^[a-z0-9_]{0,32}$")


def waits(command: FleetCommand, state: KioskState) -> bool:
    """Whether the command must wait for a later heartbeat: a citizen is in a session, or staff are at the desk."""
    if command.kind == CommandKind.OUT_OF_SERVICE_OFF:
        return False
    if command.kind == CommandKind.OUT_OF_SERVICE_ON:
        return state.session is not None
    return state.session is not None or state.lifecycle == Lifecycle.MAINTENANCE


class FleetCommands:
    def __init__(self, results: CommandResults, state: Callable[[], KioskState], now: Callable[[], datetime]) -> None:
        self.results = results
        self.state = state
        self.now = now
        self.desk: MaintenanceDesk | None = None  # the app hands on its desk once it is made after the first frame

    def obey(self, command: FleetCommand) -> None:
        desk = self.desk
        if self.results.knows(command.id) or desk is None or waits(command, self.state()):
            return
        actor = f"console#{command.id}"  # the backend keeps which member of staff queued it
        log_event(log, "fleet_command", kind=command.kind.value, code=str(command.id))
        if command.kind == CommandKind.RESTART:
            # Written before the app quits, so the restarted kiosk reports it instead of restarting again.
            self.results.add(CommandResult(command.id, "done", "restarting", "", self.now()))
            outcome = desk.restart_app(actor)
            if not outcome.ok:
                self._record(command, outcome)
            return
        if command.kind == CommandKind.OUT_OF_SERVICE_ON:
            outcome = desk.set_out_of_service(command.message, actor)
        elif command.kind == CommandKind.OUT_OF_SERVICE_OFF:
            outcome = desk.clear_out_of_service(actor)
        else:
            outcome = desk.print_readiness(actor)  # on the sender's thread: a slip takes a few seconds
        self._record(command, outcome)

    def _record(self, command: FleetCommand, outcome: Outcome) -> None:
        detail = outcome.detail if CODE.match(outcome.detail) else ""  # job ids and sentences stay on the kiosk
        self.results.add(CommandResult(command.id, "done" if outcome.ok else "failed", outcome.code, detail,
                                       self.now()))

    def unreported(self) -> Sequence[CommandResult]:
        return self.results.unreported()

    def reported(self, ids: Sequence[int]) -> None:
        self.results.reported(ids)

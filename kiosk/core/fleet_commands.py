"""Staff's commands from the console, as the kiosk knows them: what was asked and how it went. They come with
the backend's answer to a heartbeat and their results go back with a later heartbeat (kiosk.shell.fleet_commands
does them; the backend's contract is backend.contract.schemas.FleetCommand)."""

from __future__ import annotations

import enum
from datetime import datetime

from kiosk.core.value import Value


class CommandKind(enum.StrEnum):
    OUT_OF_SERVICE_ON = "out_of_service_on"
    OUT_OF_SERVICE_OFF = "out_of_service_off"
    RESTART = "restart"
    PRINT_READINESS = "print_readiness"


class FleetCommand(Value, frozen=True):
    id: int
    kind: CommandKind
    message: str = ""  # out_of_service_on: what the out-of-service screen shows


class CommandResult(Value, frozen=True):
    id: int
    outcome: str  # done | failed
    code: str  # the maintenance desk's outcome code: out_of_service_set, readiness_printed, restarting, dry_run ...
    detail: str  # a reason id or the readiness verdict; "" when there is none
    at: datetime

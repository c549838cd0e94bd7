"""Staff's console commands on the kiosk (kiosk.shell.fleet_commands): a citizen is never cut off from
elsewhere, each command is done once, and a restart's result is on disk before the app quits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.core.fleet_commands import CommandKind, FleetCommand
from kiosk.core.session.model import Rules, Session, initial_state
from kiosk.core.session.states import Lifecycle
from kiosk.core.value import replace
from kiosk.shell.fleet_commands import waits
from kiosk.shell.system_actions import SystemActions
from kiosk.storage.command_results import CommandResults


@pytest.mark.parametrize(("kind", "in_session", "in_maintenance", "expected"), [
    (CommandKind.OUT_OF_SERVICE_ON, True, False, True),
    (CommandKind.OUT_OF_SERVICE_ON, False, True, False),  # staff at the desk see the switch go over
    (CommandKind.OUT_OF_SERVICE_OFF, True, False, False),
    (CommandKind.RESTART, True, False, True),
    (CommandKind.RESTART, False, True, True),
    (CommandKind.PRINT_READINESS, False, True, True),
    (CommandKind.PRINT_READINESS, False, False, False),
])
def test_what_waits_for_the_citizen_or_the_member_of_staff_at_the_kiosk(
        rules: Rules, kind: CommandKind, in_session: bool, in_maintenance: bool, expected: bool) -> None:
    state = replace(initial_state(rules), lifecycle=Lifecycle.MAINTENANCE if in_maintenance else Lifecycle.READY,
                    session=Session(session_id="s1", language="zh") if in_session else None)
    assert waits(FleetCommand(1, kind), state) is expected


def test_a_restart_is_on_disk_before_the_app_quits_and_is_not_done_again(headless_kiosk: Any) -> None:
    kiosk = headless_kiosk
    desk = kiosk.use_desk()
    seen_at_exit: list[bool] = []
    desk.system = SystemActions(exit_app=lambda: seen_at_exit.append(
        CommandResults.in_dir(kiosk.config.data_dir).knows(3)), environ={"INVOCATION_ID": "under-systemd"})
    kiosk.fleet.obey(FleetCommand(3, CommandKind.RESTART))
    kiosk.fleet.obey(FleetCommand(3, CommandKind.RESTART))  # the answer to a heartbeat sent before the exit
    assert seen_at_exit == [True]
    [result] = kiosk.fleet.unreported()
    assert (result.outcome, result.code) == ("done", "restarting")


def test_a_restart_outside_systemd_is_reported_as_not_done(headless_kiosk: Any, tmp_path: Path) -> None:
    kiosk = headless_kiosk
    kiosk.use_desk()
    kiosk.fleet.obey(FleetCommand(4, CommandKind.RESTART))
    [result] = kiosk.fleet.unreported()
    assert (result.outcome, result.code, result.detail) == ("failed", "dry_run", "")

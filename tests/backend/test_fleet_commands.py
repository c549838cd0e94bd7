"""The fleet console's domain (backend.server.fleet) against a real server: staff's commands ride on the
heartbeat's answer until the kiosk reports them, alerts come from heartbeats and look-up limits and are
acknowledged by name; and a real kiosk composition obeys a command through its maintenance desk."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from backend.server import db
from backend.server.fleet import FleetError, acknowledge, alerts, kiosk_rows, queue_command
from backend.server.models import Kiosk, KioskAlert, KioskCommand
from kiosk.core.fleet_commands import CommandKind, CommandResult, FleetCommand
from kiosk.core.health import Component, Health, Reason
from kiosk.storage.command_results import CommandResults
from tests.backend.conftest import KIOSK_ID, Served, make_client

PAPER_NEAR_END = [Health.ok(Component.READER), Health.problem(Component.PRINTER, Reason.PAPER_NEAR_END)]


class Recorder:
    """Stands in for kiosk.shell.fleet_commands here: what the client hands on, and results to report."""

    def __init__(self) -> None:
        self.obeyed: list[FleetCommand] = []
        self.results: list[CommandResult] = []
        self.reported_ids: list[int] = []

    def obey(self, command: FleetCommand) -> None:
        self.obeyed.append(command)

    def unreported(self) -> list[CommandResult]:
        return [r for r in self.results if r.id not in self.reported_ids]

    def reported(self, ids: list[int]) -> None:
        self.reported_ids += ids


def test_a_command_comes_with_every_heartbeat_until_the_kiosk_reports_it(served: Served, tmp_path: Path) -> None:
    client = make_client(served.url, served.credential, tmp_path / "kiosk")
    recorder = Recorder()
    client.command_handler = recorder
    try:
        command_id = queue_command(served.state, KIOSK_ID, "out_of_service_on", "窗口一", "  设备检修，请到 3 号窗口  ")
        client.heartbeat("ready")
        client.heartbeat("ready")  # not reported yet: it comes again
        expected = FleetCommand(command_id, CommandKind.OUT_OF_SERVICE_ON, "设备检修，请到 3 号窗口")
        assert recorder.obeyed == [expected] * 2
        assert "已送达终端" in kiosk_rows(served.state)[0].commands[0].progress
        recorder.results.append(CommandResult(command_id, "done", "out_of_service_set", "", db.now()))
        client.heartbeat("out_of_service")
        assert recorder.reported_ids == [command_id]
        client.heartbeat("out_of_service")
        assert len(recorder.obeyed) == 2  # from the answer to the report on, it no longer comes
    finally:
        client.close()
    with served.state.sessions() as session:
        row = session.scalars(select(KioskCommand)).one()
    assert (row.queued_by, row.outcome, row.code) == ("窗口一", "done", "out_of_service_set")
    shown = kiosk_rows(served.state)[0].commands[0]
    assert shown.what == "暂停服务" and shown.queued_by == "窗口一" and shown.progress.startswith("完成：已暂停服务")


def test_bad_commands_are_refused_with_a_reason(served: Served) -> None:
    with pytest.raises(FleetError, match="没有这种操作"):
        queue_command(served.state, KIOSK_ID, "format_disk", "窗口一")
    with pytest.raises(FleetError, match="最多 80 个字"):
        queue_command(served.state, KIOSK_ID, "out_of_service_on", "窗口一", "停" * 81)
    with pytest.raises(FleetError, match="没有这台终端"):
        queue_command(served.state, "JL-NOBODY-9", "restart", "窗口一")


def test_a_kiosk_reporting_paper_near_end_is_flagged_and_the_alert_acknowledged_until_paper_is_back(
        served: Served, tmp_path: Path) -> None:
    client = make_client(served.url, served.credential, tmp_path / "kiosk")
    try:
        client.heartbeat("ready", [Health.ok(Component.PRINTER)])
        assert alerts(served.state) == [] and not kiosk_rows(served.state)[0].attention
        client.heartbeat("ready", PAPER_NEAR_END)
        row = kiosk_rows(served.state)[0]
        printer = next(d for d in row.devices if d.component == "printer")
        assert (printer.device, printer.state, printer.reason, printer.what_to_do) == (
            "打印机", "需留意", "纸将用完", "备好新纸卷，尽快更换")
        assert row.attention and row.in_service and row.service == "在服务"
        [alert] = alerts(served.state)
        assert alert.what == "打印纸将用完" and alert.acknowledged_by is None
        acknowledge(served.state, alert.key, "值班长")
        assert alerts(served.state)[0].acknowledged_by == "值班长"
        client.heartbeat("ready", PAPER_NEAR_END)  # still near its end: still acknowledged
        assert alerts(served.state)[0].acknowledged_by == "值班长"
        client.heartbeat("ready", [Health.ok(Component.PRINTER)])  # refilled
        assert alerts(served.state) == []
        with pytest.raises(FleetError):
            acknowledge(served.state, alert.key, "值班长")  # nothing left to acknowledge
        client.heartbeat("ready", PAPER_NEAR_END)  # near its end again: a new alert
        assert alerts(served.state)[0].acknowledged_by is None
    finally:
        client.close()


def test_a_silent_kiosk_and_a_broken_lookup_limit_are_alerts(served: Served, tmp_path: Path) -> None:
    client = make_client(served.url, served.credential, tmp_path / "kiosk")
    client.heartbeat("ready")
    client.close()
    limit = served.state.settings.silent_after_s
    with served.state.sessions() as session, session.begin():
        session.execute(update(Kiosk).values(last_seen_at=db.now() - timedelta(seconds=limit - 30)))
    assert alerts(served.state) == []
    with served.state.sessions() as session, session.begin():
        session.execute(update(Kiosk).values(last_seen_at=db.now() - timedelta(seconds=limit + 60)))
        session.execute(insert(KioskAlert).values(kiosk_id=KIOSK_ID, kind="lookup_limit", detail="10/minute",
                                                  at=db.now()))
    found = {a.kind: a for a in alerts(served.state)}
    assert set(found) == {"silent", "lookup_limit"}
    assert found["silent"].what == "终端失联" and "6 分钟没有心跳" in found["silent"].detail
    row = kiosk_rows(served.state)[0]
    assert row.silent and not row.in_service and row.service.startswith("失联")
    acknowledge(served.state, found["lookup_limit"].key, "值班长")
    assert {a.kind: a.acknowledged_by for a in alerts(served.state)} == {"silent": None, "lookup_limit": "值班长"}
    with pytest.raises(FleetError):
        acknowledge(served.state, "alert:99999", "值班长")


def test_a_restart_is_reported_by_the_restarted_kiosk_and_never_done_twice(tmp_path: Path) -> None:
    results = CommandResults.in_dir(tmp_path)
    results.add(CommandResult(7, "done", "restarting", "", db.now()))
    after_restart = CommandResults.in_dir(tmp_path)  # what the next start of the app reads
    assert after_restart.knows(7) and [r.id for r in after_restart.unreported()] == [7]
    after_restart.reported([7])
    assert CommandResults.in_dir(tmp_path).unreported() == [] and CommandResults.in_dir(tmp_path).knows(7)


def test_a_running_kiosk_goes_out_of_service_on_a_console_command_and_reports_it(kiosk_config: Path) -> None:
    """The composition end to end: the local backend's heartbeat brings the command, the maintenance desk sets
    the out-of-service switch (saved for a restart), the state machine shows staff's message, and the result
    reaches the server with the next heartbeat."""
    from kiosk.composition.root import build_kiosk
    from kiosk.core.session.states import Lifecycle
    from tests.conftest import CONFIG_DIR

    kiosk = build_kiosk(kiosk_config, CONFIG_DIR / "catalog")
    try:
        kiosk.use_desk()
        backend = kiosk.ports.backend.started()  # type: ignore[attr-defined]
        backend.heartbeat_interval_s = 0.3
        state = backend.server.state
        command_id = queue_command(state, kiosk.config.settings.kiosk_id, "out_of_service_on", "窗口一", "系统升级")
        backend._wake.set()
        kiosk.wait_for(lambda s: s.lifecycle == Lifecycle.OUT_OF_SERVICE, timeout_s=20)
        assert kiosk.state.staff_message == "系统升级"
        assert (kiosk.config.data_dir / "out-of-service.json").exists()
        deadline = time.monotonic() + 20
        while kiosk_rows(state)[0].commands[0].progress.startswith("已送达"):
            assert time.monotonic() < deadline, "the kiosk never reported the command"
            time.sleep(0.1)
        assert kiosk_rows(state)[0].commands[0].progress.startswith("完成：已暂停服务")
        with state.sessions() as session:
            assert session.get(KioskCommand, command_id).outcome == "done"  # type: ignore[union-attr]
        audit = (kiosk.config.data_dir / "maintenance-audit.jsonl").read_text(encoding="utf-8")
        assert f'"actor": "console#{command_id}"' in audit
    finally:
        kiosk.close()

"""The buzzer or light of calls for staff among the kiosk's devices: polled by the health monitor, carried by the
heartbeat to the fleet page, and listed by `kiosk devices probe`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.server.api_staff import kiosk_list
from backend.server.fleet import device_row
from devices.signals.simulated import SimulatedSignal
from kiosk.cli.main import main as kiosk_main
from kiosk.core.health import Component, Reason, Status
from tests.support.relay_pty import PtyRelay


@pytest.fixture
def board(tmp_path: Path) -> Iterator[PtyRelay]:
    relay = PtyRelay(tmp_path / "kiosk-call-light")
    yield relay
    relay.close()


def test_the_call_light_unplugged_is_seen_and_reported(kiosk_config: Path) -> None:
    from kiosk.composition.root import build_kiosk
    from kiosk.shell.health_monitor import HealthMonitor
    from tests.conftest import CONFIG_DIR

    kiosk = build_kiosk(kiosk_config, CONFIG_DIR / "catalog")
    signal = kiosk.ports.signal
    assert isinstance(signal, SimulatedSignal)  # the shipped simulated profile has one
    p = kiosk.ports
    monitor = HealthMonitor(kiosk.inbox.put, p.reader, p.printer, p.backend, p.speech, kiosk.config.data_dir,
                            signal=signal)
    try:
        monitor.check_now()
        kiosk.pump()
        health = kiosk.state.health_of(Component.SIGNAL)
        assert health is not None and health.status == Status.OK
        signal.unplug()
        monitor.check_now()
        kiosk.pump()
        health = kiosk.state.health_of(Component.SIGNAL)
        assert health is not None and (health.status, health.reason) == (Status.UNAVAILABLE, Reason.NO_SIGNAL)
        assert kiosk.state.lifecycle.value == "ready"  # calls still reach staff through the backend

        backend = p.backend.started()  # type: ignore[attr-defined]
        backend.heartbeat(*backend.status_source())
        beat = kiosk_list(backend.server.state).kiosks[0].heartbeat
        assert beat is not None
        light = next(d for d in beat.devices if d.component == "signal")
        assert (light.status, light.reason) == ("unavailable", "no_signal")
        row = device_row(light)
        assert (row.device, row.reason) == ("呼叫提示灯", "呼叫提示灯不可用")

        signal.plug()
        monitor.check_now()
        kiosk.pump()
        health = kiosk.state.health_of(Component.SIGNAL)
        assert health is not None and health.status == Status.OK
    finally:
        kiosk.close()


def test_probe_lists_the_call_light(kiosk_config: Path, board: PtyRelay, capsys: pytest.CaptureFixture[str]) -> None:
    (kiosk_config.parent / "devices" / "calling.toml").write_text(
        f'inherits = "simulated"\n[signal]\ndriver = "serial-relay"\nport = "{board.link_path}"\n', encoding="utf-8")
    kiosk_config.write_text(kiosk_config.read_text(encoding="utf-8").replace(
        'device_profile = "simulated"', 'device_profile = "calling"'), encoding="utf-8")
    assert kiosk_main(["devices", "probe", "--config", str(kiosk_config), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["signal"] == {"driver": "serial-relay", "where": f"{board.link_path} relay 1", "status": "ok",
                                "reason": "ok", "detail": f"relay 1 on {board.link_path}"}
    assert str(board.link_path) not in [entry["port"] for entry in result["serial"]]  # no SAM commands sent to it
    assert board.received(4, timeout_s=0.5) in (b"", bytes.fromhex("A00100A1"))  # at most "off", never "on"
    board.unplug()
    assert kiosk_main(["devices", "probe", "--config", str(kiosk_config)]) == 0
    assert f"call light: serial-relay {board.link_path} relay 1: unavailable (no_signal: " in capsys.readouterr().out


def test_probe_says_when_the_profile_has_no_call_light(kiosk_config: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (kiosk_config.parent / "devices" / "quiet.toml").write_text(
        'inherits = "simulated"\n[signal]\ndriver = "none"\n', encoding="utf-8")
    kiosk_config.write_text(kiosk_config.read_text(encoding="utf-8").replace(
        'device_profile = "simulated"', 'device_profile = "quiet"'), encoding="utf-8")
    assert kiosk_main(["devices", "probe", "--config", str(kiosk_config)]) == 0
    assert "call light: none in the profile" in capsys.readouterr().out


def test_the_readiness_slip_names_the_call_light(kiosk_config: Path) -> None:
    from datetime import datetime

    from kiosk.core.health import Health
    from kiosk.core.slip_layouts import readiness_slip
    from kiosk.core.slips import Text
    from kiosk.storage.config import load_config

    settings = load_config(kiosk_config).settings
    slip = readiness_slip(settings, [Health.problem(Component.SIGNAL, Reason.NO_SIGNAL, "simulated: unplugged")],
                          datetime(2026, 12, 6, 9, 0))
    lines = [block.text for block in slip.blocks if isinstance(block, Text)]
    assert "呼叫提示灯：不可用 — 呼叫提示灯（蜂鸣器）不可用，请联系技术人员" in lines, lines

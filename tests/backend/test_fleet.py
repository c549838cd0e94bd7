"""The fleet view: a kiosk's heartbeats (lifecycle, device states, outbox depth, version) reach the server,
and staff see each kiosk's last status through the staff API and `kiosk-backend kiosks`."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import update

from backend.server import db
from backend.server.api_staff import kiosk_list
from backend.server.cli import main as backend_main
from backend.server.fleet import kiosk_rows
from backend.server.models import Kiosk
from kiosk import __version__
from kiosk.core.health import Component, Health, Reason
from tests.backend.conftest import KIOSK_ID, Served, make_client


def wait_for_heartbeat(served: Served, timeout_s: float = 15.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        kiosks = {k.kiosk_id: k for k in kiosk_list(served.state).kiosks}
        if kiosks[KIOSK_ID].heartbeat is not None:
            return kiosks[KIOSK_ID].model_dump(mode="json")
        time.sleep(0.1)
    raise AssertionError("no heartbeat arrived")


def test_the_sender_reports_the_kiosk_state_at_once(served: Served, tmp_path: Path) -> None:
    client = make_client(served.url, served.credential, tmp_path / "kiosk")
    client.status_source = lambda: ("out_of_service", [Health.ok(Component.READER),
                                                       Health.problem(Component.PRINTER, Reason.PAPER_OUT)])
    client.start()
    try:
        kiosk = wait_for_heartbeat(served)
    finally:
        client.close()
    beat = kiosk["heartbeat"]
    assert isinstance(beat, dict)
    assert beat["status"] == "out_of_service" and beat["outbox_depth"] == 0 and beat["version"] == __version__
    assert {"component": "printer", "status": "unavailable", "reason": "paper_out"} in beat["devices"]
    answer = requests.get(f"{served.url}/v1/staff/kiosks", headers={"Authorization": f"Bearer {served.staff_token}"},
                          timeout=5)
    assert answer.json()["kiosks"][0]["heartbeat"]["status"] == "out_of_service"


def test_kiosks_command_flags_problems_and_silent_kiosks(served: Served, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    client = make_client(served.url, served.credential, tmp_path / "kiosk")
    client.heartbeat("ready", [Health.ok(Component.READER), Health.problem(Component.PRINTER, Reason.PAPER_OUT)])
    client.close()
    settings = served.state.settings
    args = ["kiosks", "--database", settings.database_url, "--key-dir", str(settings.key_dir)]
    assert backend_main(args) == 0
    out = capsys.readouterr().out
    assert f"! {KIOSK_ID}" in out and "ready" in out and "printer: paper_out" in out and "outbox 0" in out
    assert "1 kiosk, 1 need attention" in out
    with served.state.sessions() as session, session.begin():
        session.execute(update(Kiosk).values(last_seen_at=db.now() - timedelta(hours=3)))
    assert backend_main(args) == 0
    assert "SILENT 3.0 h" in capsys.readouterr().out
    assert backend_main([*args, "--json"]) == 0
    assert '"kiosk_id": "JL-TEST-001"' in capsys.readouterr().out


def test_a_kiosk_that_refused_a_catalog_needs_attention(served: Served, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    client = make_client(served.url, served.credential, tmp_path / "kiosk")
    client._catalog_version, client._refused_catalog = 3, (4, time.monotonic())  # as _follow_catalog leaves them
    client.heartbeat("ready", [Health.ok(Component.READER), Health.ok(Component.PRINTER)])
    client.close()
    settings = served.state.settings
    assert backend_main(["kiosks", "--database", settings.database_url, "--key-dir", str(settings.key_dir)]) == 0
    out = capsys.readouterr().out
    assert f"! {KIOSK_ID}" in out and "refused catalog version 4" in out and "1 need attention" in out
    [row] = kiosk_rows(served.state)
    assert row.attention and row.catalog_version == "第 3 版（拒收第 4 版）"


def test_a_running_kiosk_sends_its_lifecycle_and_devices(kiosk_config: Path) -> None:
    """The composition itself wires the heartbeat: the kiosk's own state, through the local backend."""
    from kiosk.composition.root import build_kiosk
    from tests.conftest import CONFIG_DIR

    kiosk = build_kiosk(kiosk_config, CONFIG_DIR / "catalog")
    try:
        state = kiosk.ports.backend.started().server.state  # type: ignore[attr-defined]
        deadline = time.monotonic() + 20
        while (beat := kiosk_list(state).kiosks[0].heartbeat) is None:
            assert time.monotonic() < deadline, "no heartbeat from the kiosk"
            time.sleep(0.1)
    finally:
        kiosk.close()
    assert beat.status == "ready" and beat.version == __version__
    assert {d.component for d in beat.devices} >= {"reader", "printer"}

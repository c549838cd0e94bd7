"""The fleet view shows who runs what: the release a kiosk runs, one waiting to take over, and a rollback with
its reason, all carried by the heartbeat from the release state file (deploy/bin/kiosk-release)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.server.cli import main as backend_main
from kiosk import __version__
from kiosk.storage import release_state
from tests.backend.conftest import KIOSK_ID, Served, make_client


def test_a_rollback_reaches_the_fleet_view(served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"pending": "9.9.9", "rolled_back": {
        "from": "9.9.8", "to": __version__, "at": 0, "why": "not ready within 300 s"}}), encoding="utf-8")
    monkeypatch.setattr(release_state, "STATE_FILE", state)
    client = make_client(served.url, served.credential, tmp_path / "kiosk")
    client.heartbeat("ready")
    client.close()
    settings = served.state.settings
    assert backend_main(["kiosks", "--database", settings.database_url, "--key-dir", str(settings.key_dir)]) == 0
    line = next(li for li in capsys.readouterr().out.splitlines() if KIOSK_ID in li)
    assert line.startswith("!") and f"v{__version__} (v9.9.9 waiting)" in line
    assert "rolled back from v9.9.8 (not ready within 300 s)" in line
    assert backend_main(["kiosks", "--json", "--database", settings.database_url,
                         "--key-dir", str(settings.key_dir)]) == 0
    beat = json.loads(capsys.readouterr().out)["kiosks"][0]["heartbeat"]
    assert beat["release"] == {"pending": "9.9.9", "rolled_back_from": "9.9.8",
                               "rollback_reason": "not ready within 300 s"}


def test_a_kiosk_without_release_state_reports_only_its_version(served: Served, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(release_state, "STATE_FILE", tmp_path / "none.json")
    client = make_client(served.url, served.credential, tmp_path / "kiosk")
    client.heartbeat("ready")
    client.close()
    settings = served.state.settings
    assert backend_main(["kiosks", "--database", settings.database_url, "--key-dir", str(settings.key_dir)]) == 0
    line = next(li for li in capsys.readouterr().out.splitlines() if KIOSK_ID in li)
    assert line.startswith(" ") and f"v{__version__}" in line and "rolled back" not in line


def test_the_fleet_view_warns_when_the_appointment_calendar_runs_out(served: Served, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    from backend.server import slots
    from kiosk.core.working_days import WorkingDays

    last_year = date.today().year - 1
    monkeypatch.setattr(slots, "server_calendar", lambda: WorkingDays(frozenset(), frozenset(),
                                                                      frozenset({last_year}), ("test",)))
    settings = served.state.settings
    assert backend_main(["kiosks", "--database", settings.database_url, "--key-dir", str(settings.key_dir)]) == 0
    assert "! appointment calendar: the holiday calendar does not know" in capsys.readouterr().out

"""The operator and staff commands: kiosk-backend serve/enroll/staff-token and kiosk outbox status/flush."""

from __future__ import annotations

import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from backend.contract.keys import KioskCredential
from backend.server.admin import enroll
from backend.server.cli import main as backend_main
from kiosk.cli.main import main as kiosk_main
from kiosk.core.catalog import Item
from kiosk.remote.client import build, load_credential
from kiosk.storage.config import load_config
from tests.backend.conftest import ROOT_DIR, Served, application
from tests.backend.test_offline import free_port


def test_enroll_writes_an_owner_only_key_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "JL-CLI-001.key"
    assert backend_main(["enroll", "JL-CLI-001", "--home", str(tmp_path / "home"), "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    credential = KioskCredential.load(out)
    assert (credential.kiosk_id, credential.profile) == ("JL-CLI-001", "national")
    assert len(credential.server_public_key) == 64  # SM2
    assert stat.S_IMODE((tmp_path / "home" / "keys" / "server.key").stat().st_mode) == 0o600
    assert "JL-CLI-001" in capsys.readouterr().out
    assert backend_main(["staff-token", "窗口一", "--home", str(tmp_path / "home")]) == 2  # no such account
    assert backend_main(["staff", "add", "窗口一", "--role", "clerk", "--no-password",
                         "--home", str(tmp_path / "home")]) == 0
    capsys.readouterr()
    assert backend_main(["staff-token", "窗口一", "--home", str(tmp_path / "home")]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()[0]) >= 40


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    for args in (["enroll", "lower-case"], ["enroll", "JL-1", "--division-code", "22"]):
        result = subprocess.run([sys.executable, "-m", "backend.server.cli", *args, "--home", str(tmp_path)],
                                capture_output=True, text=True, cwd=ROOT_DIR, timeout=60)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr and result.stderr.strip().splitlines()[-1]


def test_serve_starts_a_working_server(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "backend.server.cli", "serve", "--home", str(tmp_path),
                               "--port", str(port), "--quiet"], cwd=ROOT_DIR, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, "server did not come up"
                time.sleep(0.1)
        assert health.json()["database"] == "sqlite"
        assert (tmp_path / "backend.sqlite3").exists()
        doc = requests.get(f"http://127.0.0.1:{port}/v1/openapi.json", timeout=5).json()
        assert "/v1/applications" in doc["paths"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_outbox_status_and_flush(served: Served, kiosk_config: Path, apply_item: Item,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    text = kiosk_config.read_text(encoding="utf-8").replace('url = "local"', f'url = "{served.url}"')
    kiosk_config.write_text(text, encoding="utf-8")
    config = load_config(kiosk_config)
    credential = enroll(served.state, config.settings.kiosk_id)
    credential.save(config.key_dir / "backend.key")
    assert load_credential(config).kiosk_id == config.settings.kiosk_id
    offline = build(config, "http://127.0.0.1:9", credential, start_sender=False)
    offline.quick_s = 0.3
    for n in range(3):
        offline.submit(application(apply_item, n, kiosk_id=config.settings.kiosk_id))
    offline.close()

    assert kiosk_main(["outbox", "status", "--config", str(kiosk_config)]) == 0
    shown = capsys.readouterr().out
    assert "pending    3" in shown and "backend_unreachable: 3" in shown
    assert application(apply_item, 0).applicant.id_number not in shown
    assert kiosk_main(["outbox", "flush", "--config", str(kiosk_config)]) == 0
    assert "delivered 3; still pending 0" in capsys.readouterr().out
    assert kiosk_main(["outbox", "status", "--config", str(kiosk_config)]) == 0
    assert "pending    0" in capsys.readouterr().out


def test_a_kiosk_without_its_key_gets_a_clear_message(kiosk_config: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    text = kiosk_config.read_text(encoding="utf-8").replace('url = "local"', 'url = "http://127.0.0.1:9"')
    kiosk_config.write_text(text, encoding="utf-8")
    assert kiosk_main(["outbox", "flush", "--config", str(kiosk_config)]) == 2
    assert "kiosk-backend enroll" in capsys.readouterr().err

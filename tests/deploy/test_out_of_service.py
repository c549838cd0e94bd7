"""The out-of-service screen's text (deploy/bin/kiosk-out-of-service, kiosk.service's OnFailure= unit): the kiosk
id, the reason in staff's words, the last log lines and the enquiry phone, with only the system's python3; a
kiosk.toml that cannot be read still gives a screen."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = ROOT / "deploy/bin/kiosk-out-of-service"
SYSTEM_PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"


def screen(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SYSTEM_PYTHON, str(SCRIPT), "--print", *args], capture_output=True, text=True, timeout=30,
                          env={**os.environ, **env})


def test_the_screen_names_the_kiosk_the_reason_and_the_phone(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.write_text("configuration is invalid (1 problem):\n  /var/lib/kiosk/keys/backend.key: (file): no kiosk key\n",
                   encoding="utf-8")
    shown = screen("--config", str(ROOT / "config/kiosk.toml"), "--result", "start-limit-hit", "--log", str(log))
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert text.startswith("暂停服务 Out of service") and "终端编号 Kiosk: JL-220102-001" in text
    assert "原因: 程序反复启动失败" in text and "backend.key: (file): no kiosk key" in text
    assert "咨询电话 0431-12345" in text


def test_a_broken_config_still_gives_a_screen_and_errors_reach_the_journal(tmp_path: Path) -> None:
    broken = tmp_path / "kiosk.toml"
    broken.write_text("kiosk_id = [", encoding="utf-8")
    shown = screen("--config", str(broken), "--result", "watchdog", "--log", "/dev/null", JOURNAL_STREAM="8:1")
    assert shown.returncode == 0 and "<3>终端编号 Kiosk: (未知 unknown)" in shown.stdout
    assert "<3>Reason: the kiosk program stopped responding" in shown.stdout

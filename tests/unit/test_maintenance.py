from __future__ import annotations

import io
import socket
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.cli.main import main as kiosk_main
from kiosk.core.settings import KioskSettings
from kiosk.shell.maintenance import LOCKOUT_S, AuditLog, PinFormatError, PinGate, hash_pin, staff_actor, verify_pin
from kiosk.shell.watchdog import notify, watchdog_interval_s


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_pin("246810")


def test_pin_hash_verifies_only_the_right_pin(stored: str) -> None:
    assert stored.startswith("scrypt$16384$8$1$") and "246810" not in stored
    assert verify_pin("246810", stored) and not verify_pin("246811", stored)
    assert not verify_pin("246810", "garbage") and not verify_pin("246810", "md5$x$y$z$a$b")
    with pytest.raises(PinFormatError):
        hash_pin("1234")


def test_five_wrong_tries_lock_for_five_minutes(stored: str) -> None:
    gate, now = PinGate(), 1000.0
    for _ in range(4):
        gate, ok = gate.attempt("000000", stored, now)
        assert not ok and not gate.locked(now)
    gate, ok = gate.attempt("000000", stored, now)
    assert gate.locked(now) and gate.seconds_left(now) == 300
    gate, ok = gate.attempt("246810", stored, now + 10)
    assert not ok, "even the right PIN is refused while locked"
    gate, ok = gate.attempt("246810", stored, now + LOCKOUT_S)
    assert ok and gate == PinGate()


def test_no_pin_configured_means_no_pin_entry() -> None:
    assert PinGate().attempt("246810", "", 0.0)[1] is False


def test_audit_log_is_append_only_json(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record("test_print", datetime(2026, 11, 27, 9, 0))
    log.record("paper_replaced", datetime(2026, 11, 27, 9, 5), actor=staff_actor(b"\x01\x02\x03\x04"))
    entries = log.entries()
    assert [e["action"] for e in entries] == ["test_print", "paper_replaced"]
    assert str(entries[1]["actor"]).startswith("card:") and "01020304" not in str(entries[1]["actor"])


def test_set_pin_command_writes_a_config_line(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("13579246\n"))
    assert kiosk_main(["maintenance", "set-pin", "--stdin"]) == 0
    line = capsys.readouterr().out.splitlines()[-1]
    hashed = line.split('"')[1]
    assert verify_pin("13579246", hashed)
    settings = KioskSettings.model_validate({"kiosk_id": "JL-1", "maintenance_pin_scrypt": hashed, "site": {
        "name": "测试", "address": "吉林省", "consult_phone": "0431-12345", "division_code": "220102"}})
    assert settings.maintenance_pin_scrypt == hashed
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert kiosk_main(["maintenance", "set-pin", "--stdin"]) == 2


def test_watchdog_notifies_over_the_socket(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        assert notify("WATCHDOG=1", {"NOTIFY_SOCKET": str(path)})
        assert server.recv(64) == b"WATCHDOG=1"
    assert not notify("READY=1", {})
    assert not notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "absent.sock")})
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval_s({}) is None and watchdog_interval_s({"WATCHDOG_USEC": "x"}) is None


@pytest.mark.parametrize("pin", ["000000", "111111", "123456", "654321", "901234", "121212", "123123123",
                                 "147258"])
def test_a_pin_anyone_would_guess_is_refused(pin: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PinFormatError, match="too easy to guess"):
        hash_pin(pin)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{pin}\n"))
    assert kiosk_main(["maintenance", "set-pin", "--stdin"]) == 2


@pytest.mark.parametrize("pin", ["246810", "13579246", "24681357", "905173"])
def test_a_pin_without_a_pattern_is_taken(pin: str) -> None:
    assert verify_pin(pin, hash_pin(pin))

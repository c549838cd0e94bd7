"""`kiosk config check` refuses a kiosk whose key files would make it crash after the check: a missing or
foreign kiosk key, key files or a key folder open to others, an outbox without its key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backend.contract.keys import KioskCredential
from kiosk.cli.main import main as kiosk_main

REMOTE = 'url = "https://kiosk-gateway.example.invalid/"'


@pytest.fixture
def remote_config(kiosk_config: Path) -> Path:
    text = kiosk_config.read_text(encoding="utf-8").replace('url = "local"', REMOTE)
    kiosk_config.write_text(text, encoding="utf-8")
    return kiosk_config


def enrol(keys: Path, kiosk_id: str = "JL-220102-001") -> Path:
    keys.mkdir(mode=0o700, exist_ok=True)
    path = keys / "backend.key"
    KioskCredential(kiosk_id, "national", os.urandom(32), os.urandom(64), "0123456789abcdef").save(path)
    return path


def check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = kiosk_main(["config", "check", str(path)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_kiosk_without_its_key_fails_the_check(remote_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = check(remote_config, capsys)
    assert code == 2 and "no key folder" in text and "kiosk-backend enroll JL-220102-001" in text
    (remote_config.parent / "keys").mkdir(mode=0o700)
    code, text = check(remote_config, capsys)
    assert code == 2 and "backend.key: (file): 没有本机密钥" in text and "| no kiosk key: run" in text


def test_an_enrolled_kiosk_passes(remote_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    enrol(remote_config.parent / "keys")
    code, text = check(remote_config, capsys)
    assert code == 0 and "configuration OK" in text, text


def test_keys_open_to_others_or_for_another_kiosk_fail(remote_config: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    keys = remote_config.parent / "keys"
    key = enrol(keys)
    key.chmod(0o644)
    code, text = check(remote_config, capsys)
    assert code == 2 and "readable by others (mode 644)" in text
    enrol(keys, "JL-220102-002")
    keys.chmod(0o755)
    code, text = check(remote_config, capsys)
    assert code == 2 and "the key is for JL-220102-002" in text and "open to others (mode 755)" in text


def test_an_outbox_whose_key_is_lost_fails(kiosk_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kiosk_config.parent / "keys").mkdir(mode=0o700)
    (kiosk_config.parent / "data").mkdir()
    assert check(kiosk_config, capsys)[0] == 0  # local backend, nothing yet: the kiosk makes its keys
    (kiosk_config.parent / "data" / "outbox.sqlite3").write_bytes(b"")
    code, text = check(kiosk_config, capsys)
    assert code == 2 and "outbox.key: (file): 缺少此密钥" in text and "| missing, but the outbox holds data" in text
    (kiosk_config.parent / "keys" / "outbox.key").write_text("{}", encoding="utf-8")
    (kiosk_config.parent / "keys" / "outbox.key").chmod(0o600)
    code, text = check(kiosk_config, capsys)
    assert code == 2 and "holds a None key" in text

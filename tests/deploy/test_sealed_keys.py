"""Keys sealed with systemd-creds (deploy/bin/kiosk-seal-keys, the real systemd-creds with a test host secret):
no plain key stays beside the data, kiosk.service gets them through a LoadCredentialEncrypted= drop-in, and the
app and `kiosk config check` read them from $CREDENTIALS_DIRECTORY as systemd hands them over."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from backend.contract import crypto
from backend.contract.keys import KioskCredential
from kiosk.cli.main import main as kiosk_main
from tests.conftest import ROOT

SEAL = ROOT / "deploy/bin/kiosk-seal-keys"
pytestmark = pytest.mark.skipif(shutil.which("systemd-creds") is None, reason="systemd-creds is in systemd")


def seal(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    stub = tmp_path / "systemctl"
    stub.write_text(f"#!/bin/sh\necho \"$@\" >> {tmp_path / 'systemctl.log'}\n", encoding="utf-8")
    stub.chmod(0o755)
    env = {**os.environ, "KIOSK_KEY_DIR": str(tmp_path / "keys"), "KIOSK_CREDSTORE": str(tmp_path / "credstore"),
           "KIOSK_CREDENTIALS_DROPIN": str(tmp_path / "kiosk.service.d/credentials.conf"),
           "SYSTEMD_CREDENTIAL_SECRET": str(tmp_path / "host.secret"), "KIOSK_RELEASE_SYSTEMCTL": str(stub)}
    return subprocess.run(["sh", str(SEAL)], env=env, capture_output=True, text=True, timeout=60), env


def handed_over(tmp_path: Path, env: dict[str, str]) -> Path:
    """What systemd does for LoadCredentialEncrypted=: decrypt each sealed key into the service's folder."""
    folder = tmp_path / "credentials"
    folder.mkdir(mode=0o700)
    for name in ("backend.key", "outbox.key"):
        out = folder / name
        subprocess.run(["systemd-creds", "decrypt", f"--name={name}", str(tmp_path / f"credstore/kiosk-{name}"),
                        str(out)], env=env, check=True, capture_output=True, timeout=30)
        out.chmod(0o400)
    return folder


def test_sealed_keys_replace_the_plain_ones(kiosk_config: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    tmp_path = kiosk_config.parent
    text = kiosk_config.read_text(encoding="utf-8").replace('url = "local"', 'url = "https://gw.example.invalid/"')
    kiosk_config.write_text(text, encoding="utf-8")
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    secret = os.urandom(32)
    KioskCredential("JL-220102-001", "national", secret, os.urandom(64), "0123456789abcdef").save(keys / "backend.key")
    crypto.load_or_create_data_key(keys / "outbox.key", "national")

    result, env = seal(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2" and not list(keys.iterdir())  # no plain key left
    sealed = (tmp_path / "credstore/kiosk-backend.key").read_bytes()
    assert secret.hex().encode() not in sealed
    dropin = (tmp_path / "kiosk.service.d/credentials.conf").read_text(encoding="utf-8")
    assert f"LoadCredentialEncrypted=backend.key:{tmp_path}/credstore/kiosk-backend.key" in dropin
    assert f"LoadCredentialEncrypted=outbox.key:{tmp_path}/credstore/kiosk-outbox.key" in dropin
    assert "daemon-reload" in (tmp_path / "systemctl.log").read_text(encoding="utf-8")
    again, _ = seal(tmp_path)
    assert again.returncode == 0 and again.stdout.strip() == "0"  # nothing left to seal; the drop-in stays

    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setenv("KIOSK_CREDSTORE", str(tmp_path / "nowhere"))
    assert kiosk_main(["config", "check", str(kiosk_config)]) == 2  # neither plain nor sealed: refused
    assert "no kiosk key" in capsys.readouterr().err
    monkeypatch.setenv("KIOSK_CREDSTORE", str(tmp_path / "credstore"))
    assert kiosk_main(["config", "check", str(kiosk_config)]) == 0  # sealed: only the unit can read it
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(handed_over(tmp_path, env)))
    capsys.readouterr()
    assert kiosk_main(["config", "check", str(kiosk_config)]) == 0, capsys.readouterr().err
    from kiosk.remote.client import load_credential
    from kiosk.storage.config import load_config

    assert load_credential(load_config(kiosk_config)).mac_key == secret  # the app reads the handed-over key

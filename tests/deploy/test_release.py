"""Updates that cannot brick a kiosk, with the real release tool (deploy/bin/kiosk-release) in a temporary root:
release A runs, B is installed beside it and takes over only between citizens, a C that never becomes ready is
rolled back to B by itself (at the next start, or by the check timer when it hangs), a fine release is kept.

systemd itself cannot run here, so the test does what kiosk.service does, in its order: ExecStartPre
`kiosk-release start`, the app (`/opt/kiosk/current/venv/bin/kiosk run`), and ExecStartPost `kiosk-release
confirm` only when the app became ready. The releases are real artefacts (`kiosk-release pack`) of small
stand-in apps, installed by pip into real virtual environments."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from kiosk.core.session.states import Lifecycle
from kiosk.shell.release_switch import may_switch_now
from kiosk.storage.release_state import heartbeat_release, waiting_release
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
TOOL = ROOT / "deploy/bin/kiosk-release"
# The tool runs on the system's python3 (its shebang): Debian 12's is 3.11.2, older than the tests' Python.
SYSTEM_PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
STAND_IN = '''import sys, time
VERSION, BEHAVIOUR = {version!r}, {behaviour!r}
def main():
    args = sys.argv[1:]
    if args == ["--version"]:
        print("kiosk", VERSION)
        return 0
    if args[:2] == ["config", "check"]:
        return 2 if BEHAVIOUR == "refuses_config" else 0
    if args[:1] == ["run"]:
        if BEHAVIOUR == "ready":
            print("READY=1")
            return 0
        if BEHAVIOUR == "hangs":
            time.sleep(600)
        return 1
    return 2
'''


def wheel(folder: Path, name: str, version: str, files: dict[str, str], entry_points: str = "") -> Path:
    """A minimal valid wheel, written by hand (the stand-in needs no build backend)."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    files = {**files, f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    if entry_points:
        files[f"{info}/entry_points.txt"] = entry_points
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name_in, text in files.items():
            archive.writestr(name_in, text)
    return path


class Kiosk:
    """One kiosk's file system under a temporary root, driven as systemd drives kiosk.service."""

    def __init__(self, root: Path, ready_within_s: float = 2.0) -> None:
        self.root = root
        self.systemctl_log = root / "systemctl.log"
        systemctl = root / "fake-systemctl"
        systemctl.write_text(f'#!/bin/sh\necho "$@" >> {self.systemctl_log}\n', encoding="utf-8")
        systemctl.chmod(0o755)
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")},
                    "KIOSK_RELEASE_ROOT": str(root), "KIOSK_READY_WITHIN_S": str(ready_within_s),
                    "KIOSK_RELEASE_PYTHON": SYSTEM_PYTHON, "KIOSK_RELEASE_SYSTEMCTL": str(systemctl)}
        (root / "etc/kiosk").mkdir(parents=True)
        (root / "etc/kiosk/kiosk.toml").write_text('kiosk_id = "JL-220102-001"\n', encoding="utf-8")
        self.state_file = root / "var/lib/kiosk-release/state.json"

    def release(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([SYSTEM_PYTHON, str(TOOL), *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)

    def artefact(self, version: str, behaviour: str) -> Path:
        wheels = self.root / "build" / version
        wheels.mkdir(parents=True)
        wheel(wheels, "jilin-kuasheng-kiosk", version, {"kiosk_stand_in.py": STAND_IN.format(
            version=version, behaviour=behaviour)}, "[console_scripts]\nkiosk = kiosk_stand_in:main\n")
        wheel(wheels, "kiosk-test-dependency", "1.0", {"kiosk_test_dependency.py": "VALUE = 1\n"})
        packed = self.release("pack", "--version", version, "--wheels", str(wheels), "--out",
                              str(self.root / "artefacts"))
        assert packed.returncode == 0, packed.stderr
        return Path(packed.stdout.strip())

    def install(self, version: str, behaviour: str = "ready") -> subprocess.CompletedProcess[str]:
        return self.release("install", str(self.artefact(version, behaviour)))

    def start(self) -> bool:
        """kiosk.service starting once: ExecStartPre, the app, ExecStartPost when it became ready."""
        assert self.release("start").returncode == 0
        app = self.root / "opt/kiosk/current/venv/bin/kiosk"
        try:
            ran = subprocess.run([str(app), "run"], capture_output=True, text=True, timeout=0.5)
        except subprocess.TimeoutExpired:
            return False  # never sent READY=1: TimeoutStartSec ends it
        if ran.returncode == 0 and "READY=1" in ran.stdout:
            assert self.release("confirm").returncode == 0
            return True
        return False

    def running(self) -> str:
        app = self.root / "opt/kiosk/current/venv/bin/kiosk"
        return subprocess.run([str(app), "--version"], capture_output=True, text=True).stdout.split()[1]

    def state(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.state_file.read_text(encoding="utf-8"))


def test_update_between_citizens_rollback_and_keep(tmp_path: Path) -> None:
    kiosk = Kiosk(tmp_path)
    assert kiosk.install("1.0.0").returncode == 0
    assert kiosk.start() and kiosk.running() == "1.0.0" and kiosk.state()["good"] == "1.0.0"

    # B is installed beside A: A keeps running, and the app would switch only with nobody at the kiosk.
    installed = kiosk.install("1.1.0")
    assert installed.returncode == 0, installed.stderr
    assert kiosk.running() == "1.0.0" and kiosk.state()["pending"] == "1.1.0"
    assert waiting_release(kiosk.state_file, running="1.0.0") == "1.1.0"
    assert not may_switch_now(Lifecycle.IN_SESSION, has_session=True)
    assert not may_switch_now(Lifecycle.MAINTENANCE, has_session=False)
    assert may_switch_now(Lifecycle.READY, has_session=False)
    assert kiosk.start() and kiosk.running() == "1.1.0"  # B became ready: kept
    state = kiosk.state()
    assert state["good"] == "1.1.0" and "trial" not in state and "pending" not in state

    # C crashes before it is ready: restarts while its trial lasts, then rolled back to B by itself.
    assert kiosk.install("1.2.0", "crashes").returncode == 0
    assert not kiosk.start() and kiosk.running() == "1.2.0" and kiosk.state()["trial"]["previous"] == "1.1.0"
    time.sleep(2.2)
    assert kiosk.start() and kiosk.running() == "1.1.0"
    state = kiosk.state()
    assert state["rolled_back"]["from"] == "1.2.0" and state["rolled_back"]["to"] == "1.1.0"
    assert "not ready within 2 s" in state["rolled_back"]["why"] and state["bad"] == ["1.2.0"]
    beat = heartbeat_release(kiosk.state_file)
    assert beat["rolled_back_from"] == "1.2.0" and "not ready" in beat["rollback_reason"]
    assert waiting_release(kiosk.state_file, running="1.1.0") is None

    # D hangs without ever being ready: the check timer rolls it back and starts the kiosk again.
    assert kiosk.install("1.3.0", "hangs").returncode == 0
    assert not kiosk.start() and kiosk.running() == "1.3.0"
    assert kiosk.release("check").returncode == 0 and kiosk.running() == "1.3.0"  # its trial still lasts
    time.sleep(2.2)
    assert kiosk.release("check").returncode == 0 and kiosk.running() == "1.1.0"
    assert "restart --no-block kiosk.service" in kiosk.systemctl_log.read_text(encoding="utf-8")
    journal = subprocess.run([SYSTEM_PYTHON, str(TOOL), "install", str(tmp_path / "missing.tar")], capture_output=True,
                             text=True, env={**kiosk.env, "JOURNAL_STREAM": "8:1"})
    assert journal.returncode == 2 and journal.stderr.startswith("<3>kiosk-release install:")  # an error to journald
    assert kiosk.state()["bad"] == ["1.2.0", "1.3.0"]

    # A fine release after a rollback is kept, and the rollback is no longer reported.
    assert kiosk.install("1.4.0").returncode == 0
    assert kiosk.start() and kiosk.running() == "1.4.0"
    time.sleep(2.2)
    assert kiosk.release("check").returncode == 0 and kiosk.start() and kiosk.running() == "1.4.0"
    assert "rolled_back_from" not in heartbeat_release(kiosk.state_file)
    # A new configuration restarts the app between citizens too, on the same release.
    assert waiting_release(kiosk.state_file, running="1.4.0") is None
    assert kiosk.release("request-restart").returncode == 0
    assert waiting_release(kiosk.state_file, running="1.4.0") == "1.4.0"
    assert kiosk.start() and kiosk.running() == "1.4.0" and waiting_release(kiosk.state_file, running="1.4.0") is None
    status = json.loads(kiosk.release("status", "--json").stdout)
    assert status["running"] == "1.4.0" and set(status["releases"]) >= {"1.1.0", "1.4.0"}


def test_a_damaged_or_refused_release_is_never_switched_to(tmp_path: Path) -> None:
    kiosk = Kiosk(tmp_path)
    assert kiosk.install("2.0.0").returncode == 0 and kiosk.start()
    artefact = kiosk.artefact("2.1.0", "ready")
    data = bytearray(artefact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    artefact.write_bytes(bytes(data))
    damaged = kiosk.release("install", str(artefact))
    assert damaged.returncode == 2 and "checksum mismatch" in damaged.stderr
    refused = kiosk.install("2.2.0", "refuses_config")
    assert refused.returncode == 2 and "refuses this kiosk's configuration" in refused.stderr
    assert not (tmp_path / "opt/kiosk/releases/2.2.0").exists()
    assert "pending" not in kiosk.state() and kiosk.start() and kiosk.running() == "2.0.0"

"""`systemctl stop`, the nightly restart and Ctrl-C end `kiosk run` cleanly within seconds: SDL turns SIGTERM into a
window close, which the kiosk refuses to citizens, so the app handles the signals itself (screens/app.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.ui.harness import ROOT, make_config

pytestmark = pytest.mark.slow


class Notifications:
    """What the kiosk tells systemd (sd_notify), read on a thread so the kiosk never waits on a full socket."""

    def __init__(self, address: str) -> None:
        self.messages: list[str] = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.2)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        while not self.done.is_set():
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue

    def close(self) -> None:
        self.done.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_the_kiosk_within_seconds(tmp_path: Path, signum: signal.Signals) -> None:
    notify = Notifications(str(tmp_path / "notify.sock"))
    (tmp_path / "kiosk").mkdir()
    config = make_config(tmp_path / "kiosk")
    env = {**os.environ, "NOTIFY_SOCKET": str(tmp_path / "notify.sock"), "WATCHDOG_USEC": "2000000",
           "SDL_VIDEODRIVER": "offscreen", "KIOSK_FONT_CACHE": str(tmp_path / "fonts"), "KIVY_NO_ARGS": "1"}
    with (tmp_path / "err.txt").open("w") as err_file:
        child = subprocess.Popen([sys.executable, "-m", "kiosk.cli.main", "run", "--config", str(config)], cwd=ROOT,
                                 env=env, stdout=subprocess.DEVNULL, stderr=err_file, text=True)
    try:
        deadline = time.monotonic() + 180
        while not any(m.startswith("READY=1") for m in notify.messages):
            assert child.poll() is None and time.monotonic() < deadline, "the kiosk never became ready"
            time.sleep(0.2)
        child.send_signal(signum)
        sent = time.monotonic()
        child.wait(timeout=60)
        took = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
        notify.close()
    err = (tmp_path / "err.txt").read_text()
    assert child.returncode == 0, err[-3000:]
    assert took < 5.0, f"took {took:.1f} s to stop"
    assert '"event": "stop_requested"' in err and signum.name in err
    assert "STOPPING=1" in notify.messages

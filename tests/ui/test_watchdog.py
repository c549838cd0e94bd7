"""The real app feeds systemd's watchdog from the Kivy clock: READY=1 once the home screen is up, WATCHDOG=1
every half WatchdogSec, and no pings at all while the UI thread is blocked, so systemd would restart it.

The app runs in its own process (its own window) with NOTIFY_SOCKET pointing at a datagram socket here; a
Kivy callback then hangs the UI thread for two seconds."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.ui.harness import ROOT

pytestmark = pytest.mark.slow

CHILD = """
import os, sys, time
from pathlib import Path
from tests.ui.harness import make_config, ROOT
config = make_config(Path(sys.argv[1]))
os.environ["KIOSK_CONFIG"] = str(config)
from screens.pilot import Pilot
pilot = Pilot.start(config, ROOT / "config" / "catalog")
pilot.wait_for_screen("home")
def run_for(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pilot.frames(1)
run_for(1.5)
from kivy.clock import Clock
marks = {}
def hang(_dt):
    marks["block"] = time.time()
    time.sleep(2.0)  # a callback that never returns in time: the UI is frozen
    marks["unblock"] = time.time()
Clock.schedule_once(hang, 0)
pilot.frames(1)
run_for(1.5)
print("BLOCK", marks["block"], "UNBLOCK", marks["unblock"], flush=True)
pilot.stop()
"""


def test_pings_come_from_the_ui_thread_and_stop_when_it_hangs(tmp_path: Path) -> None:
    address = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.settimeout(0.2)
    received: list[tuple[float, str]] = []
    done = threading.Event()

    def listen() -> None:
        while not done.is_set():
            try:
                data = sock.recv(4096)
            except TimeoutError:
                continue
            received.append((time.time(), data.decode()))

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    env = {**os.environ, "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "200000",  # a ping every 0.1 s
           "KIOSK_FONT_CACHE": str(tmp_path / "fonts")}
    (tmp_path / "kiosk").mkdir()
    try:
        child = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "kiosk")], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=240)
    finally:
        done.set()
        listener.join(timeout=2)
        sock.close()
    assert child.returncode == 0, child.stderr[-3000:]
    words = child.stdout.split()
    block, unblock = float(words[words.index("BLOCK") + 1]), float(words[words.index("UNBLOCK") + 1])
    messages = [m for _t, m in received]
    assert any(m.startswith("READY=1") and "STATUS=ready" in m for m in messages), messages[:5]
    pings = [t for t, m in received if m == "WATCHDOG=1"]
    before = [t for t in pings if t < block]
    during = [t for t in pings if block + 0.15 < t < unblock - 0.05]
    after = [t for t in pings if t > unblock]
    assert len(before) >= 8, f"{len(before)} pings in the 1.5 s before the hang"
    assert during == [], f"{len(during)} pings while the UI thread was blocked"
    assert len(after) >= 5, "the pings resume when the UI thread does"
    assert "STOPPING=1" in messages

"""A server started on a database folder it may not write (issue #13: it died of SIGBUS with nothing logged).

Two cases. A database closed cleanly cannot be opened for writing at all: the server says so in one line and
exits 2 (systemd tries again), no traceback, no signal. A database left with its write-ahead log (the server
was killed) opens for reading: the server starts, answers 503 with Retry-After to every write and lives on.

The tests run as root, for whom no folder is read-only; so the server runs without the capabilities that let
root write anyway (setpriv drops them from its bounding set), as the unprivileged kiosk-backend user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backend.contract.keys import KioskCredential
from kiosk.core.catalog import Item
from kiosk.core.records import ApplicationStatus
from kiosk.remote.client import application_json
from kiosk.remote.transport import TransportError
from tests.backend.samples import application, make_client
from tests.conftest import ROOT
from tests.support.server_process import free_port, wait_for

ROOT_POWERS = "-dac_override,-dac_read_search,-fowner"  # what lets root write into a folder without w


def cli(home: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "backend.server.cli", *args, "--home", str(home)], cwd=ROOT, check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)


def read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)


def serve_powerless(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "backend.server.cli", "serve", "--home", str(home), "--host", "127.0.0.1",
               "--port", str(port), "--quiet"]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set", ROOT_POWERS, "--", *command]
    with log.open("wb") as sink:
        return subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_cleanly_closed_database_it_may_not_write_stops_the_start_with_one_line(tmp_path: Path) -> None:
    home = tmp_path / "backend"
    cli(home, "migrate")
    read_only(home)
    server = serve_powerless(home, free_port(), tmp_path / "server.log")
    assert server.wait(timeout=60) == 2
    written = (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")
    assert written.strip().splitlines()[-1] == (
        "kiosk-backend: cannot use the database: (sqlite3.OperationalError) attempt to write a readonly database")
    assert "Traceback" not in written


def test_a_database_left_with_its_log_answers_503_and_the_server_lives(tmp_path: Path, apply_item: Item) -> None:
    home = tmp_path / "backend"
    cli(home, "enroll", "JL-220102-901", "--out", str(tmp_path / "kiosk.key"))
    credential = KioskCredential.load(tmp_path / "kiosk.key")
    port = free_port()
    first = serve_powerless(home, port, tmp_path / "first.log")
    wait_for(f"http://127.0.0.1:{port}/v1/health", first)
    first.kill()  # a power cut: the write-ahead log stays beside the database
    first.wait(timeout=20)
    assert (home / "backend.sqlite3-wal").exists()
    read_only(home)
    log = tmp_path / "server.log"
    server = serve_powerless(home, port, log)
    client = make_client(f"http://127.0.0.1:{port}", credential, tmp_path / "kiosk")
    try:
        wait_for(f"http://127.0.0.1:{port}/v1/health", server)
        with pytest.raises(TransportError) as refused:
            client.transport.request("POST", "/v1/applications", application_json(application(apply_item, 1)),
                                     idempotency_key="read-only-000001", retry=False)
        assert (refused.value.http_status, refused.value.retry_after_s, refused.value.code) == (
            503, 30, "storage_unavailable")
        # the kiosk keeps what the server could not take, and the server keeps answering
        assert [client.submit(application(apply_item, n)).status for n in range(2, 12)] == [
            ApplicationStatus.QUEUED] * 10
        time.sleep(0.5)
        assert server.poll() is None, f"the server died: exit {server.returncode}\n{log.read_text()[-3000:]}"
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=20)
    written = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in written and "INSERT" not in written, written[-3000:]
    assert written.count('"event": "storage_unavailable"') >= 1, written[-3000:]

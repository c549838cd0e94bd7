"""Crash test: the kiosk process is killed with SIGKILL at random moments while it submits, 30 times over;
afterwards the server holds every application exactly once, and every one the citizen was told about."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.server.admin import enroll
from backend.server.models import Application as ApplicationRow
from kiosk.core.catalog import Catalog
from tests.backend.conftest import ROOT_DIR, application, make_catalog, serve

KILLS = 30
COUNT = 1000  # enough that 30 short runs rarely finish it, so most kills land mid-run


def start_worker(url: str, credential: Path, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.backend.crash_kiosk", url, str(credential), str(folder),
                             str(COUNT)], cwd=ROOT_DIR, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT_DIR)})


@pytest.mark.slow
def test_kill_9_while_submitting_loses_and_doubles_nothing(tmp_path: Path, test_catalog: Catalog) -> None:
    server = serve(f"sqlite:///{tmp_path / 'server.sqlite3'}", tmp_path / "server-keys", test_catalog)
    credential_path = tmp_path / "kiosk-keys" / "backend.key"
    enroll(server.state, "JL-TEST-001").save(credential_path)
    folder = tmp_path / "kiosk"
    folder.mkdir()
    rng = random.Random(20240611)
    try:
        killed_mid_run = 0
        for _kill in range(KILLS):
            worker = start_worker(server.url, credential_path, folder)
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.25))
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            if worker.returncode == 0:
                break  # a fast machine finished the whole run before this kill: nothing left to interrupt
            assert worker.returncode == -signal.SIGKILL
            killed_mid_run += 1
        told = [int(line) for line in (folder / "told.log").read_text().split()]
        assert killed_mid_run >= 5 and len(told) > 0, "the kills should land in the middle of the run"
        worker = start_worker(server.url, credential_path, folder)
        out, _ = worker.communicate(timeout=180)
        assert worker.returncode == 0, out
    finally:
        server.stop()

    told = [int(line) for line in (folder / "told.log").read_text().split()]
    assert told == sorted(set(told))  # no index told twice, none skipped
    item = make_catalog().items[0]
    server = serve(f"sqlite:///{tmp_path / 'server.sqlite3'}", tmp_path / "server-keys", test_catalog)
    try:
        with server.state.sessions() as session:
            counts = dict(session.execute(select(ApplicationRow.idempotency_key, func.count())
                                          .group_by(ApplicationRow.idempotency_key)).all())
    finally:
        server.stop()
    expected = {application(item, n, key_prefix="crash").idempotency_key for n in range(COUNT)}
    assert set(counts) == expected, f"missing {len(expected - set(counts))}, unexpected {set(counts) - expected}"
    assert set(counts.values()) == {1}

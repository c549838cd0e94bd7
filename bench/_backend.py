"""Shared by the backend benchmarks: a reference server in its own process, an enrolled kiosk, sample data."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.contract.keys import KioskCredential  # noqa: E402
from tests.backend.samples import application, make_catalog, make_client, person  # noqa: E402,F401

APPLY_ITEM = make_catalog().items[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary_ms(values: list[float]) -> str:
    return (f"p50 {percentile(values, 0.5) * 1000:.2f} ms, p99 {percentile(values, 0.99) * 1000:.2f} ms, "
            f"mean {statistics.fmean(values) * 1000:.2f} ms")


@contextmanager
def server_process(home: Path, database: str | None = None, workers: int = 1,
                   extra: list[str] | None = None) -> Iterator[tuple[str, KioskCredential]]:
    """`kiosk-backend serve` on a free port, with kiosk JL-BENCH-001 enrolled; yields (url, credential)."""
    common = ["--home", str(home)] + (["--database", database] if database else [])
    key = home / "JL-BENCH-001.key"
    subprocess.run([sys.executable, "-m", "backend.server.cli", "enroll", "JL-BENCH-001", "--out", str(key),
                    *common], check=True, cwd=ROOT, capture_output=True)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "backend.server.cli", "serve", "--port", str(port), "--quiet",
                                "--workers", str(workers), *common, *(extra or [])], cwd=ROOT,
                               stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(url + "/v1/health", timeout=1)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.1)
    try:
        yield url, KioskCredential.load(key)
    finally:
        process.terminate()
        process.wait(timeout=20)


def postgres_database() -> tuple[str, str] | None:
    """A fresh database on the PostgreSQL of scripts/services.d/postgresql.sh, if it runs."""
    base = os.environ.get("KIOSK_TEST_POSTGRES_URL")
    if not base:
        return None
    from tests.backend.conftest import fresh_postgres_database

    return fresh_postgres_database(base)


def drop_postgres(name: str) -> None:
    from tests.backend.conftest import drop_postgres_database

    drop_postgres_database(os.environ["KIOSK_TEST_POSTGRES_URL"], name)

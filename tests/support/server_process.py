"""`kiosk-backend serve` in a process of its own, as deployed: for tests that measure the process (its memory)
or put something in front of it (nginx)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60, verify: str | bool = True) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(url, timeout=5, verify=verify)
            return
        except (requests.ConnectionError, requests.Timeout):  # a worker still starting may accept, not answer
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"nothing answered at {url}") from None
            time.sleep(0.1)


@contextmanager
def backend_process(home: Path, *extra: str, log: Path | None = None) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """The server on a free loopback port (SQLite under `home`), its log lines written to `log` if given; yields
    the process and the port."""
    port = free_port()
    sink = log.open("wb") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen([sys.executable, "-m", "backend.server.cli", "serve", "--home", str(home),
                                "--host", "127.0.0.1", "--port", str(port), "--quiet", *extra], cwd=ROOT,
                               stderr=sink, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if not isinstance(sink, int):
        sink.close()  # the child has its own copy
    try:
        wait_for(f"http://127.0.0.1:{port}/v1/health", process)
        yield process, port
    finally:
        process.terminate()
        process.wait(timeout=20)


def resident_kib(pid: int) -> int:
    """The process's resident memory now (VmRSS), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")

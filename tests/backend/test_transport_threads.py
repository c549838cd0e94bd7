"""Found by the soak benchmark: each thread that talks to the backend gets its own HTTP session, and a
session of a thread that has ended must not stay open (a flush's sender pool and maintenance actions start
new threads, and each kept a pooled connection open for good)."""

from __future__ import annotations

import os
import threading

from kiosk.remote.client import HttpBackend
from tests.backend.conftest import Served


def sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            continue
    return count


def test_sessions_of_ended_threads_are_closed(served: Served, client: HttpBackend) -> None:
    transport = client.transport
    transport.request("GET", "/v1/health")
    before = sockets()
    for _ in range(30):
        worker = threading.Thread(target=lambda: transport.request("GET", "/v1/health"))
        worker.start()
        worker.join()
    transport.request("GET", "/v1/health")  # a new session anywhere prunes the ended threads' ones
    assert transport.open_sessions <= 2
    assert sockets() - before <= 4, "connections of ended threads stay open"

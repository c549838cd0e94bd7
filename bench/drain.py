"""Draining a full outbox: 10,000 applications queued while the server was away, delivered when it is back.

The kiosk's real client (signed requests, one at a time, each outcome synced to the outbox) against the
reference server on SQLite. Two servers: `kiosk-backend serve` in its own process, and the in-process
server the demo uses (kiosk.composition.embedded_backend, sharing the kiosk's interpreter). Baseline in the same
run: the same applications submitted directly (signed POSTs, no outbox) to the same kind of server. Goal: 200 a second.

    .venv/bin/python bench/drain.py [COUNT]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _backend import APPLY_ITEM, application, make_client, server_process

from kiosk.remote.client import application_json
from kiosk.remote.transport import Transport, encode

GOAL_PER_S = 200
WORKERS = 2  # the machine has 2 cores


def direct_rate(url: str, credential: object, count: int) -> float:
    transport = Transport(url, credential, timeout_s=10)  # type: ignore[arg-type]
    kiosk_id = credential.kiosk_id  # type: ignore[attr-defined]
    bodies = [(application(APPLY_ITEM, n, kiosk_id=kiosk_id, key_prefix="direct"), ) for n in range(count)]
    started = time.perf_counter()
    for (app,) in bodies:
        transport.request("POST", "/v1/applications", raw_body=encode(application_json(app)),
                          idempotency_key=app.idempotency_key)
    transport.close()
    return count / (time.perf_counter() - started)


def drain_rate(url: str, credential: object, folder: Path, count: int) -> tuple[float, float]:
    offline = make_client("http://127.0.0.1:9", credential, folder, quick_s=0.0)  # type: ignore[arg-type]
    started = time.perf_counter()
    for n in range(count):
        offline.enqueue_application(application(APPLY_ITEM, n, kiosk_id=offline.kiosk_id, key_prefix="drain"))
    enqueue_s = time.perf_counter() - started
    offline.close()
    client = make_client(url, credential, folder)  # type: ignore[arg-type]
    client.outbox.retry_now()
    started = time.perf_counter()
    while client.deliver_due(limit=500):
        pass
    took = time.perf_counter() - started
    left = client.outbox.depth()
    client.close()
    assert left == 0, f"{left} still queued"
    return count / took, count / enqueue_s


def main(count: int) -> None:
    direct_count = max(500, count // 10)
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent.parent) as scratch:
        home = Path(scratch)
        print(f"draining {count} queued applications (SQLite server, national crypto)")
        with server_process(home / "separate", workers=WORKERS) as (url, credential):
            direct = direct_rate(url, credential, direct_count)
            drained, enqueued = drain_rate(url, credential, home / "kiosk-a", count)
        print(f"  queued at {enqueued:.0f}/s while offline")
        print(f"  server in its own process:  drained {drained:.0f}/s "
              f"({'meets' if drained >= GOAL_PER_S else 'MISSES'} the goal of {GOAL_PER_S}/s); "
              f"baseline direct submissions {direct:.0f}/s; drain/direct {drained / direct:.2f}")

        from backend.server.admin import enroll
        from backend.server.state import ServerSettings, build_state
        from kiosk.composition.embedded_backend import LocalServer
        from tests.backend.samples import make_catalog

        state = build_state(ServerSettings(f"sqlite:///{home / 'inproc.sqlite3'}", home / "inproc-keys"),
                            make_catalog())
        server = LocalServer(state)
        server.start()
        credential = enroll(state, "JL-BENCH-002")
        try:
            direct = direct_rate(server.url, credential, direct_count)
            drained, _ = drain_rate(server.url, credential, home / "kiosk-b", count)
        finally:
            server.stop()
        print(f"  in-process server (demo):   drained {drained:.0f}/s "
              f"({'meets' if drained >= GOAL_PER_S else 'MISSES'} the goal of {GOAL_PER_S}/s); "
              f"baseline direct submissions {direct:.0f}/s; drain/direct {drained / direct:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)

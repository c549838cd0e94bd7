"""Server submissions per second, on SQLite and on PostgreSQL, with 2 cores (2 uvicorn worker processes).

Eight client threads submit signed applications one at a time, each with its own idempotency key, against
`kiosk-backend serve --workers 2`; the load generator shares the same two cores, as it would on a small
server. Baseline in the same run against the same server: signed progress queries (authentication, a nonce
and one indexed read, no application written), to show what writing an application costs on top.
PostgreSQL is measured when scripts/services.d/postgresql.sh runs (KIOSK_TEST_POSTGRES_URL).

    .venv/bin/python bench/server_throughput.py [COUNT]
"""

from __future__ import annotations

import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _backend import APPLY_ITEM, application, drop_postgres, postgres_database, server_process

from backend.contract.keys import KioskCredential
from kiosk.remote.client import application_json
from kiosk.remote.transport import Transport, encode

THREADS = 8
WORKERS = 2


def rate(url: str, credential: KioskCredential, count: int, submit: bool, prefix: str) -> float:
    transport = Transport(url, credential, timeout_s=30)
    apps = [application(APPLY_ITEM, n, kiosk_id=credential.kiosk_id, key_prefix=prefix) for n in range(count)]
    bodies = [(a.idempotency_key, encode(application_json(a))) for a in apps]

    def one(n: int) -> None:
        if submit:
            key, body = bodies[n]
            transport.request("POST", "/v1/applications", raw_body=body, idempotency_key=key)
        else:
            transport.request("POST", "/v1/progress-queries", {"id_number": apps[n].applicant.id_number})

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(one, range(min(100, count))))  # warm up connections and caches
        started = time.perf_counter()
        list(pool.map(one, range(count)))
        took = time.perf_counter() - started
    transport.close()
    return count / took


def measure(name: str, home: Path, database: str | None, count: int) -> None:
    # One kiosk sends all the load, far beyond what a card reader allows: its look-up limit is raised so that
    # the checks (the shared counters, the audit row) run on every query without refusing any.
    with server_process(home, database, workers=WORKERS, extra=["--limit-per-kiosk", "1000000/minute"]) \
            as (url, credential):
        baseline = rate(url, credential, count, submit=False, prefix="warm")
        submissions = rate(url, credential, count, submit=True, prefix="load")
    print(f"  {name:<10}: {submissions:6.0f} submissions/s; baseline signed progress queries {baseline:6.0f}/s; "
          f"submission/baseline {submissions / baseline:.2f}")


def main(count: int) -> None:
    print(f"server throughput, {count} signed submissions, {THREADS} client threads, {WORKERS} worker processes, "
          "national crypto")
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent.parent) as scratch:
        measure("SQLite", Path(scratch) / "sqlite", None, count)
        database = postgres_database()
        if database is None:
            print("  PostgreSQL: not measured (run scripts/services.d/postgresql.sh first)")
            return
        url, name = database
        try:
            measure("PostgreSQL", Path(scratch) / "postgres", url, count)
        finally:
            drop_postgres(name)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)

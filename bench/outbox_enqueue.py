"""Outbox enqueue latency: the time between the citizen's confirm and "it is safe on disk".

Each enqueue is one SQLite transaction in WAL mode with synchronous=FULL (an fsync of the WAL), plus
sealing the payload with SM4-GCM. Baseline in the same run: the same enqueue with synchronous=OFF (no
sync), which shows what the durability costs on this disk.

    .venv/bin/python bench/outbox_enqueue.py [COUNT]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _backend import APPLY_ITEM, application, summary_ms

from backend.contract import crypto
from kiosk.remote.client import application_json
from kiosk.remote.outbox import Outbox
from kiosk.remote.transport import encode


def measure(folder: Path, synchronous: str, count: int, profile: crypto.Profile) -> list[float]:
    outbox = Outbox(folder / f"outbox-{synchronous}-{profile}.sqlite3", crypto.new_data_key(profile), profile)
    outbox._db.execute(f"PRAGMA synchronous={synchronous}")  # the baseline only: the outbox always runs FULL
    payloads = [(application(APPLY_ITEM, n), encode(application_json(application(APPLY_ITEM, n))))
                for n in range(count)]
    took = []
    for app, payload in payloads:
        started = time.perf_counter()
        outbox.enqueue("application", app.idempotency_key, app.local_reference, app.item_id, payload,
                       app.applicant.id_number)
        took.append(time.perf_counter() - started)
    outbox.close()
    return took


def main(count: int) -> None:
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent.parent) as scratch:
        folder = Path(scratch)
        print(f"outbox enqueue, {count} applications of ~{len(encode(application_json(application(APPLY_ITEM, 0))))}"
              " bytes each")
        baseline = measure(folder, "OFF", count, "national")
        print(f"  baseline synchronous=OFF (no disk sync), SM4:  {summary_ms(baseline)}")
        for profile in crypto.PROFILES:
            durable = measure(folder, "FULL", count, profile)
            ratio = sorted(durable)[len(durable) // 2] / sorted(baseline)[len(baseline) // 2]
            print(f"  synchronous=FULL (fsync per enqueue), {profile:<13}: {summary_ms(durable)}; "
                  f"p50 {ratio:.1f}x the baseline")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)

"""The kiosk side of the crash test, run as its own process and killed with SIGKILL at random moments.

It submits applications 0..N-1 in order through the real client and outbox, appending each index to
told.log (synced) once `submit` has returned, i.e. once the citizen would have been told. Started again,
it resumes after the last index told, as a new session would; on a clean run it drains the outbox.

    python -m tests.backend.crash_kiosk URL CREDENTIAL FOLDER COUNT
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from backend.contract.keys import KioskCredential
from kiosk.remote.transport import Backoff
from tests.backend.samples import application, make_catalog, make_client


def main(url: str, credential_path: str, folder: str, count: int) -> int:
    item = make_catalog().items[0]
    told_log = Path(folder) / "told.log"
    told = [int(line) for line in told_log.read_text().split()] if told_log.exists() else []
    client = make_client(url, KioskCredential.load(Path(credential_path)), Path(folder), start_sender=True,
                         quick_s=1.0, backoff=Backoff(first_s=0.1, max_s=0.5))
    print("ready", flush=True)
    with told_log.open("a") as log:
        for n in range((max(told) + 1) if told else 0, count):
            client.submit(application(item, n, key_prefix="crash"))
            log.write(f"{n}\n")
            log.flush()
            os.fsync(log.fileno())
    deadline = time.monotonic() + 60
    while client.outbox.depth() and time.monotonic() < deadline:
        time.sleep(0.05)
    depth = client.outbox.depth()
    client.close()
    print(f"done {depth}", flush=True)
    return 0 if depth == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))

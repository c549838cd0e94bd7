"""Hands what the QR/barcode scanner reads to the session as CodeScanned intents, from a thread of its own.

The scanner's health is the health monitor's business; here a scanner that is gone is simply waited for (it
is asked again every RETRY_S), so unplugging it never stops the watch. Codes are never logged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.core.health import DeviceError
from kiosk.core.ports import Scanner
from kiosk.core.session import events as ev
from kiosk.logs import log_event

log = logging.getLogger("kiosk.scanner")

RETRY_S = 1.0


class ScannerWatch:
    def __init__(self, scanner: Scanner, post: Callable[[ev.Event], None]) -> None:
        self._scanner = scanner
        self._post = post
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="kiosk-scanner", daemon=True)

    def start(self) -> ScannerWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                code = self._scanner.read_code(0.5)
            except DeviceError as exc:
                log_event(log, "scanner_failed", logging.DEBUG, reason=exc.reason.value)
                self._stop.wait(RETRY_S)
                continue
            if code:
                log_event(log, "code_scanned", count=len(code))
                self._post(ev.CodeScanned(code=code))

"""A QR/barcode scanner in serial mode (RS-232, or USB-CDC as /dev/ttyACM*): each code arrives as text ending
with CR, LF or both. The kiosk uses it for receipts' progress QR codes and 电子证照.

The port is opened lazily and dropped on any I/O error; the next call opens it again, so a scanner that is
unplugged and plugged back (udev gives it the same stable name) recovers on its own, and `health()` says
NO_SCANNER meanwhile. Codes are the citizen's data: they are handed on, never logged.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import serial

from devices.serial_link import PORT_ERRORS, ReopeningPort, SerialFactory
from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.settings import LoadedConfig, SerialScannerSettings, settings_as

log = logging.getLogger("kiosk.devices.scanner")

MAX_CODE = 4096  # bytes of one code; a QR code holds at most ~3 KB, anything longer is noise on the line


def open_serial(port: str, baudrate: int) -> serial.Serial:
    return serial.Serial(port, baudrate=baudrate, timeout=0.05, exclusive=True)


class SerialScanner:
    def __init__(self, port: str, baudrate: int = 9600, open_port: SerialFactory = open_serial) -> None:
        self.port = port
        self.baudrate = baudrate
        self._link = ReopeningPort(port, baudrate, open_port, Reason.NO_SCANNER, log, "scanner_opened", "serial")
        self._buffer = bytearray()
        self._lock = threading.Lock()

    def health(self) -> Health:
        with self._lock:
            if not os.path.exists(self.port):  # unplugged: udev removed the device and its stable name
                self._drop_port()
                return Health.problem(Component.SCANNER, Reason.NO_SCANNER, f"{self.port}: not there")
            try:
                port = self._link.get()
                port.in_waiting  # noqa: B018 - asks the tty: raises when the device went away
            except DeviceError as exc:
                return Health.problem(Component.SCANNER, exc.reason, exc.detail)
            except PORT_ERRORS as exc:
                self._drop_port()
                return Health.problem(Component.SCANNER, Reason.NO_SCANNER, f"{self.port}: {type(exc).__name__}")
        return Health.ok(Component.SCANNER, f"serial scanner on {self.port}")

    def read_code(self, timeout_s: float) -> str | None:
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while True:
                code = self._next_code()
                if code is not None:
                    return code
                if time.monotonic() >= deadline:
                    return None
                port = self._link.get()
                try:
                    self._buffer += port.read(max(1, port.in_waiting))
                except PORT_ERRORS as exc:
                    self._drop_port()
                    raise DeviceError(Reason.NO_SCANNER, f"{self.port}: {type(exc).__name__}") from None
                if len(self._buffer) > MAX_CODE and not any(b in self._buffer for b in b"\r\n"):
                    self._buffer.clear()  # no end of code in sight: line noise

    def _next_code(self) -> str | None:
        while True:
            ends = [i for i in (self._buffer.find(b"\r"), self._buffer.find(b"\n")) if i >= 0]
            if not ends:
                return None
            end = min(ends)
            raw = bytes(self._buffer[:end])
            del self._buffer[:end + 1]
            code = raw.decode("utf-8", errors="replace").strip()
            if code:  # CR LF leaves an empty piece between them
                return code

    def close(self) -> None:
        with self._lock:
            self._drop_port()

    def _drop_port(self) -> None:
        self._link.drop()
        self._buffer.clear()  # half a code from before the drop must not start the next one


def from_config(config: LoadedConfig) -> SerialScanner:
    settings = settings_as(config.profile.scanner, SerialScannerSettings)
    return SerialScanner(settings.port, settings.baudrate)

"""A serial port opened on first use and dropped on any I/O error, so that a device unplugged and plugged back
(udev gives it the same stable name) works again on the next call, with the same driver object. The SAM card
reader, the serial scanner and the relay board each hold one.
"""

from __future__ import annotations

import contextlib
import logging
import termios
from collections.abc import Callable

import serial

from kiosk.core.health import DeviceError, Reason
from kiosk.logs import log_event

SerialFactory = Callable[[str, int], "serial.Serial"]
# What reading or writing a port that went away raises (termios.error: the tty's attributes are gone).
PORT_ERRORS = (serial.SerialException, OSError, termios.error)


class ReopeningPort:
    """Not locked: the driver holding it serialises its calls."""

    def __init__(self, port: str, baudrate: int, open_port: SerialFactory, missing: Reason,
                 log: logging.Logger, opened_event: str, driver: str) -> None:
        self.port = port
        self.baudrate = baudrate
        self._open_port = open_port
        self._missing = missing  # the reason a port that cannot be opened is reported with
        self._log = log
        self._opened_event = opened_event
        self._driver = driver
        self._serial: serial.Serial | None = None

    @property
    def current(self) -> serial.Serial | None:
        """The open port, or None: for a last word on the way out without opening one."""
        return self._serial

    def get(self) -> serial.Serial:
        """The open port, opening it if needed; DeviceError(missing) when it cannot be opened."""
        if self._serial is None:
            try:
                self._serial = self._open_port(self.port, self.baudrate)
            except (serial.SerialException, OSError, ValueError) as exc:
                raise DeviceError(self._missing, f"{self.port}: cannot open ({type(exc).__name__})") from None
            log_event(self._log, self._opened_event, driver=self._driver, port_kind="serial")
        return self._serial

    def drop(self) -> None:
        if self._serial is not None:
            with contextlib.suppress(serial.SerialException, OSError):  # the device is already gone
                self._serial.close()
            self._serial = None

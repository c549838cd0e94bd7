"""A buzzer or light on a USB relay board (CH340 serial boards sold as "LCUS-1" and the like): each command is
four bytes, A0, the channel, 01 (close) or 00 (open), and their sum modulo 256; A0 01 01 A2 closes relay 1.
The boards answer nothing, so a command counts as taken once it has been written out.

The port is opened on first use and dropped on any I/O error; the next command opens it again, so a board
unplugged and plugged back (udev gives it the same stable name) works again on its own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading

import serial

from devices.serial_link import PORT_ERRORS, ReopeningPort, SerialFactory
from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.settings import LoadedConfig, SerialRelaySettings, settings_as
from kiosk.logs import log_event

log = logging.getLogger("kiosk.devices.signal")


def relay_command(channel: int, closed: bool) -> bytes:
    state = 1 if closed else 0
    return bytes((0xA0, channel, state, (0xA0 + channel + state) & 0xFF))


def open_serial(port: str, baudrate: int) -> serial.Serial:
    return serial.Serial(port, baudrate=baudrate, timeout=0.2, write_timeout=1.0, exclusive=True)


class SerialRelay:
    def __init__(self, port: str, baudrate: int = 9600, channel: int = 1,
                 open_port: SerialFactory = open_serial) -> None:
        if not 1 <= channel <= 0xFF:
            raise ValueError("a relay channel is 1 to 255")
        self.port = port
        self.baudrate = baudrate
        self.channel = channel
        self._link = ReopeningPort(port, baudrate, open_port, Reason.NO_SIGNAL, log, "signal_opened", "serial-relay")
        self._lock = threading.Lock()

    def health(self) -> Health:
        with self._lock:
            if not os.path.exists(self.port):
                self._link.drop()
                return Health.problem(Component.SIGNAL, Reason.NO_SIGNAL, f"{self.port}: not there")
            try:
                self._link.get()
            except DeviceError as exc:
                return Health.problem(Component.SIGNAL, exc.reason, exc.detail)
        return Health.ok(Component.SIGNAL, f"relay {self.channel} on {self.port}")

    def switch(self, on: bool) -> None:
        with self._lock:
            port = self._link.get()
            try:
                port.write(relay_command(self.channel, on))
                port.flush()
            except PORT_ERRORS as exc:
                self._link.drop()
                raise DeviceError(Reason.NO_SIGNAL, f"{self.port}: {type(exc).__name__}") from None
        log_event(log, "signal_switched", driver="serial-relay", status="on" if on else "off")

    def close(self) -> None:
        with self._lock:
            if (port := self._link.current) is not None:  # never leave the buzzer sounding behind a stopped kiosk
                with contextlib.suppress(*PORT_ERRORS):
                    port.write(relay_command(self.channel, False))
                    port.flush()
            self._link.drop()


def from_config(config: LoadedConfig) -> SerialRelay:
    settings = settings_as(config.profile.signal, SerialRelaySettings)
    return SerialRelay(settings.port, settings.baudrate, settings.channel)

"""Driver for certified ID-card readers with a 公安部 SAM on a serial line (USB-serial: CH340, CP2102 ...).

Reading a card is three commands: find, select, read text and photo. A card that has been read answers
"no card" to find until it leaves the field, but still answers select, so presence is "find or select".

The port is opened lazily and dropped on any I/O error; the next call opens it again, so a reader that
is unplugged and plugged back (udev gives it the same stable name) recovers on its own. One lock keeps
the session's read and the presence watcher from interleaving their frames.
"""

from __future__ import annotations

import logging
import time

import serial

from devices.readers.sam_frame import (
    ChecksumError,
    Command,
    FrameDecoder,
    FrameError,
    Reply,
    Status,
    decode_card_record,
    encode_command,
    reason_for,
    status_name,
)
from devices.readers.sam_polling import SamPollingReader
from devices.serial_link import PORT_ERRORS, ReopeningPort, SerialFactory
from kiosk.core.cardtext import ParseError, UnsupportedCardError, parse_text_block, wipe
from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.identity import Identity
from kiosk.core.settings import LoadedConfig, SamSerialReaderSettings, settings_as
from kiosk.logs import log_event

log = logging.getLogger("kiosk.devices.sam_serial")

LINK_RETRIES = 2  # garbled replies and SAM-side checksum errors are retried this often per command
_LINK_STATUSES = (Status.SAM_CHECKSUM_ERROR, Status.SAM_LENGTH_ERROR)



def open_serial(port: str, baudrate: int) -> serial.Serial:
    return serial.Serial(port, baudrate=baudrate, timeout=0.05, write_timeout=1.0, exclusive=True)


class SamSerialReader(SamPollingReader):
    """The CardReader port over the SAM frame protocol."""

    def __init__(self, port: str, baudrate: int = 115200, poll_interval_s: float = 0.3,
                 command_timeout_s: float = 1.0, read_timeout_s: float = 3.0,
                 open_port: SerialFactory = open_serial) -> None:
        super().__init__(poll_interval_s)
        self.port = port
        self.baudrate = baudrate
        self.command_timeout_s = command_timeout_s
        self.read_timeout_s = read_timeout_s
        self._link = ReopeningPort(port, baudrate, open_port, Reason.NO_READER, log, "reader_opened", "sam_serial")
        self.garbage_bytes = 0  # dropped while resynchronising; a rising count points at a bad cable
        self._reply_owed = False  # a command timed out: its reply may still come and must not answer the next

    # ---- what SamPollingReader asks ----

    def _find(self) -> int:
        return self._command(Command.FIND_CARD, self.command_timeout_s).status

    def _select(self) -> int:
        return self._command(Command.SELECT_CARD, self.command_timeout_s).status

    def _sam_health(self) -> Health:
        reply = self._command(Command.SAM_STATUS, self.command_timeout_s)
        if reply.status == Status.OK:
            return Health.ok(Component.READER, f"SAM on {self.port}")
        return Health.problem(Component.READER, reason_for(reply.status), status_name(reply.status))

    def close(self) -> None:
        with self._lock:
            self._drop_port()

    # ---- the exchange ----

    def _select_and_read(self) -> Identity:
        selected = self._command(Command.SELECT_CARD, self.command_timeout_s)
        if selected.status != Status.OK:
            raise self._failure("select", selected.status)
        reply = self._command(Command.READ_TEXT_PHOTO, self.read_timeout_s)
        if reply.status != Status.OK:
            if reply.status == Status.READ_FAILED and not self._still_there():
                raise DeviceError(Reason.CARD_REMOVED, "card left the field during the read")
            raise self._failure("read", reply.status)
        buffer = bytearray(reply.data)
        try:
            record = decode_card_record(bytes(buffer))
            identity = parse_text_block(record.text, record.photo)
        except UnsupportedCardError as exc:
            raise DeviceError(Reason.UNSUPPORTED_CARD, str(exc)) from None
        except (ParseError, FrameError) as exc:
            raise DeviceError(Reason.CARD_UNREADABLE, str(exc)) from None
        finally:
            wipe(buffer)
        log_event(log, "card_read", driver="sam_serial", kind=identity.card_type.value)
        return identity

    def _still_there(self) -> bool:
        try:
            return self._command(Command.SELECT_CARD, self.command_timeout_s).status == Status.OK
        except DeviceError:
            return False

    def _failure(self, step: str, status: int) -> DeviceError:
        log_event(log, "card_read_failed", logging.WARNING, driver="sam_serial", phase=step,
                  code=status_name(status))
        return DeviceError(reason_for(status), f"{step}: {status_name(status)}")

    def _command(self, command: Command, timeout_s: float) -> Reply:
        """One command and its reply; link errors are retried, then raised as a DeviceError."""
        for attempt in range(LINK_RETRIES + 1):
            try:
                reply = self._exchange(encode_command(command), timeout_s)
            except (ChecksumError, FrameError):
                log_event(log, "sam_link_error", logging.WARNING, attempt=attempt, detail_code="frame")
                continue
            if reply.status in _LINK_STATUSES:
                log_event(log, "sam_link_error", logging.WARNING, attempt=attempt,
                          detail_code=status_name(reply.status))
                continue
            return reply
        raise DeviceError(Reason.CARD_UNREADABLE, f"{command.name.lower()}: link errors on every try")

    def _exchange(self, request: bytes, timeout_s: float) -> Reply:
        port = self._link.get()
        decoder = FrameDecoder()
        try:
            if self._reply_owed:
                self._settle(port, decoder)
            port.reset_input_buffer()  # a late reply to an earlier, timed-out command must not answer this
            port.write(request)
            deadline = time.monotonic() + timeout_s
            while True:
                reply = decoder.next_reply()
                if reply is not None:
                    return reply
                if time.monotonic() >= deadline:
                    self._reply_owed = True
                    raise DeviceError(Reason.READER_TIMEOUT, f"{self.port}: no reply within {timeout_s:g} s")
                decoder.feed(port.read(max(1, port.in_waiting)))
        except PORT_ERRORS as exc:  # termios.error among them: tcflush on a dead tty
            self._drop_port()
            raise DeviceError(Reason.NO_READER, f"{self.port}: {type(exc).__name__}") from None
        finally:
            self.garbage_bytes += decoder.discarded
            decoder.clear()

    def _settle(self, port: serial.Serial, decoder: FrameDecoder) -> None:
        """Wait (up to two command timeouts: a reply that missed one timeout may miss it by as much again) for the
        late reply of a command that timed out, and drop it, so it cannot answer the next question."""
        self._reply_owed = False
        deadline = time.monotonic() + 2 * self.command_timeout_s
        while time.monotonic() < deadline:
            decoder.feed(port.read(max(1, port.in_waiting)))
            if decoder.next_reply() is not None:
                break
        decoder.clear()

    def _drop_port(self) -> None:
        self._reply_owed = False  # a new port owes no reply to a command sent on the old one
        self._link.drop()


def from_config(config: LoadedConfig) -> SamSerialReader:
    reader = settings_as(config.profile.reader, SamSerialReaderSettings)
    return SamSerialReader(reader.port, reader.baudrate, reader.poll_interval_s)

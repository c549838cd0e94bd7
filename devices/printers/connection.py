"""python-escpos connections (USB, serial, network, file) behind one small interface with timed reads.

python-escpos 3.1 reads status with a blocking `_read()` of 16 bytes (a serial read then waits for its whole
timeout) and has no read at all for files. Here each connection reads what arrived within a given time and
returns None when nothing did, so "no reply" can be told apart from a reply. Every library error becomes
DeviceError(PRINTER_OFFLINE) with a technical detail.
"""

from __future__ import annotations

import contextlib
import socket
import time
from typing import Any, Protocol

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import File, Network, Serial

from kiosk.core.health import DeviceError, Reason
from kiosk.core.settings import (
    ConnectionSettings,
    FileConnectionSettings,
    NetworkConnectionSettings,
    SerialConnectionSettings,
    UsbConnectionSettings,
)

WRITE_TIMEOUT_S = 10.0  # a printer that takes longer to accept one chunk is stuck
CONNECT_TIMEOUT_S = 3.0  # a network printer that does not answer by then is off (health() waits for this)
CHUNK = 4096


class Connection(Protocol):
    description: str
    has_status: bool  # whether the printer can answer DLE EOT over this connection

    def open(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def flush(self) -> None:
        """Wait until every byte written has reached the printer (network: acknowledged by its TCP stack;
        serial: sent down the wire). Raises PRINTER_OFFLINE if the link broke before it took them all, so
        "every byte went out" is a fact and not a hope."""
        ...

    def read(self, timeout_s: float) -> bytes | None:
        """Bytes that arrived within `timeout_s`, or None; raises PRINTER_OFFLINE if the link is gone."""
        ...

    def drain(self) -> None:
        """Throw away replies that arrived late, so they are not taken for the answer to the next query."""
        ...

    @property
    def is_open(self) -> bool: ...

    def close(self) -> None: ...


def _offline(what: str, exc: BaseException) -> DeviceError:
    detail = " ".join(f"{what}: {type(exc).__name__}: {exc}".split())
    return DeviceError(Reason.PRINTER_OFFLINE, detail[:200])


class _EscposConnection:
    """Shared handling of one python-escpos printer object (its `_raw` and `device`)."""

    has_status = True

    def __init__(self, printer: Any, description: str) -> None:
        self.printer = printer
        self.description = description
        self._open = False

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        if self._open:
            return
        try:
            self.printer.open()
        except (DeviceNotFoundError, OSError, ValueError) as exc:
            raise _offline(f"cannot open {self.description}", exc) from None
        except Exception as exc:  # pyusb and pyserial raise their own types
            raise _offline(f"cannot open {self.description}", exc) from None
        if not self.printer.device:
            raise DeviceError(Reason.PRINTER_OFFLINE, f"cannot open {self.description}")
        self._open = True

    def write(self, data: bytes) -> None:
        self.open()
        try:
            for start in range(0, len(data), CHUNK):
                self.printer._raw(data[start:start + CHUNK])
        except Exception as exc:
            self.close()
            raise _offline(f"write to {self.description} failed", exc) from None

    def flush(self) -> None:
        pass  # USB and files: a finished write is a byte the device or the file took

    def close(self) -> None:
        if not self._open:
            return
        self._open = False
        with contextlib.suppress(Exception):  # closing a link that already broke
            self.printer.close()


_TCP_ESTABLISHED = 1
_TCPI_BYTES_ACKED = 120  # offset of tcpi_bytes_acked (u64) in Linux's struct tcp_info (since 4.1)


class NetworkConnection(_EscposConnection):
    def __init__(self, host: str, port: int) -> None:
        super().__init__(Network(host, port, timeout=CONNECT_TIMEOUT_S), f"network printer {host}:{port}")
        self._written = 0  # bytes written on this link
        self._acked_at_open = 0

    def open(self) -> None:
        if not self._open:
            super().open()
            self._socket().settimeout(WRITE_TIMEOUT_S)
            self._written = 0
            self._acked_at_open = self._tcp_state()[1] or 0

    def write(self, data: bytes) -> None:
        super().write(data)
        self._written += len(data)

    def _tcp_state(self) -> tuple[int, int | None]:
        """(TCP state, bytes the printer acknowledged so far); None where the kernel does not say."""
        try:
            info = self._socket().getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
        except (OSError, AttributeError):
            return _TCP_ESTABLISHED, None
        acked = int.from_bytes(info[_TCPI_BYTES_ACKED:_TCPI_BYTES_ACKED + 8], "little") \
            if len(info) >= _TCPI_BYTES_ACKED + 8 else None
        return info[0], acked

    def flush(self) -> None:
        """Wait until the printer's TCP stack acknowledged every byte written. A printer that drops the link
        after taking them all (switched off right after the cut) has the whole job; one that drops it with
        bytes still unacknowledged has not."""
        if not self._open:
            raise DeviceError(Reason.PRINTER_OFFLINE, f"{self.description}: link lost before the job was taken")
        deadline = time.monotonic() + WRITE_TIMEOUT_S
        while True:
            state, acked = self._tcp_state()
            if acked is None or acked - self._acked_at_open >= self._written:
                return
            if state != _TCP_ESTABLISHED:
                self.close()
                raise DeviceError(Reason.PRINTER_OFFLINE, f"{self.description} dropped the link with "
                                  f"{self._written - (acked - self._acked_at_open)} bytes not taken")
            if time.monotonic() > deadline:
                raise DeviceError(Reason.PRINTER_OFFLINE, f"{self.description} stopped taking data")
            time.sleep(0.005)

    def _socket(self) -> socket.socket:
        sock = self.printer.device
        assert isinstance(sock, socket.socket)
        return sock

    def read(self, timeout_s: float) -> bytes | None:
        self.open()
        sock = self._socket()
        try:
            sock.settimeout(timeout_s)
            data = sock.recv(16)
        except TimeoutError:
            return None
        except OSError as exc:
            self.close()
            raise _offline(f"read from {self.description} failed", exc) from None
        finally:
            if self._open:
                sock.settimeout(WRITE_TIMEOUT_S)
        if not data:
            self.close()
            raise DeviceError(Reason.PRINTER_OFFLINE, f"{self.description} closed the connection")
        return data

    def drain(self) -> None:
        if not self._open:
            return
        sock = self._socket()
        try:
            sock.setblocking(False)
            while sock.recv(64):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            self.close()
            raise _offline(f"{self.description} failed", exc) from None
        finally:
            if self._open:
                sock.settimeout(WRITE_TIMEOUT_S)


class SerialConnection(_EscposConnection):
    def __init__(self, port: str, baudrate: int) -> None:
        # no DSR/DTR flow control: most kiosk printers are wired without it, and a pty has none
        super().__init__(Serial(port, baudrate, timeout=WRITE_TIMEOUT_S, dsrdtr=False),
                         f"serial printer {port}@{baudrate}")

    def read(self, timeout_s: float) -> bytes | None:
        self.open()
        device = self.printer.device
        try:
            device.timeout = timeout_s
            data = device.read(1)
            if data:
                device.timeout = 0
                data += device.read(15)
        except Exception as exc:
            self.close()
            raise _offline(f"read from {self.description} failed", exc) from None
        finally:
            if self._open:
                device.timeout = WRITE_TIMEOUT_S
        return bytes(data) or None

    def flush(self) -> None:
        try:
            self.printer.device.flush()  # tcdrain: every byte is on the wire
        except Exception as exc:
            self.close()
            raise _offline(f"write to {self.description} failed", exc) from None

    def drain(self) -> None:
        if self._open:
            try:
                self.printer.device.reset_input_buffer()
            except Exception as exc:
                self.close()
                raise _offline(f"{self.description} failed", exc) from None


class UsbConnection(_EscposConnection):
    def __init__(self, vendor_id: int, product_id: int) -> None:
        from escpos.printer import Usb  # needs pyusb, loaded only for USB printers

        super().__init__(Usb(vendor_id, product_id, timeout=int(WRITE_TIMEOUT_S * 1000)),
                         f"USB printer {vendor_id:04x}:{product_id:04x}")

    def read(self, timeout_s: float) -> bytes | None:
        self.open()
        import usb.core

        try:
            data = self.printer.device.read(self.printer.in_ep, 16, int(timeout_s * 1000))
        except usb.core.USBTimeoutError:
            return None
        except Exception as exc:
            self.close()
            raise _offline(f"read from {self.description} failed", exc) from None
        return bytes(data) or None

    def drain(self) -> None:
        if not self._open:
            return
        for _ in range(8):
            if not self.read(0.01):
                return


class FileConnection(_EscposConnection):
    """A device file such as /dev/usb/lp0, or a plain file: write only, the printer cannot be asked."""

    has_status = False

    def __init__(self, path: str) -> None:
        super().__init__(File(path), f"printer file {path}")

    def read(self, timeout_s: float) -> bytes | None:
        return None

    def drain(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        super().write(data)
        try:
            self.printer.flush()
        except Exception as exc:
            self.close()
            raise _offline(f"write to {self.description} failed", exc) from None


def connection_for(settings: ConnectionSettings) -> Connection:
    match settings:
        case NetworkConnectionSettings(host=host, port=port):
            return NetworkConnection(host, port)
        case SerialConnectionSettings(serial_port=port, baudrate=baudrate):
            return SerialConnection(port, baudrate)
        case UsbConnectionSettings(usb_vendor_id=vendor, usb_product_id=product):
            return UsbConnection(vendor, product)
        case FileConnectionSettings(path=path):
            return FileConnection(path)
    raise ValueError(f"no ESC/POS connection for a {settings.kind} printer")

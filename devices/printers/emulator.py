"""A receipt-printer emulator on a loopback TCP port (or a pty), for tests and for trying a network profile.

It reads the stream as a printer does (command by command, so image data is never taken for a query),
records the bytes, answers the `DLE EOT` status queries from its state and `GS ( H` process-ID requests
once everything before them is processed, and injects faults: paper out (now, or after N more bytes of a
job), cover open, paper near end, no status reply, a late reply, a dropped connection in the middle of a
job, and one right after a cut (the slip is out, the confirmation lost). python-escpos's Network and
Serial connections talk to it for real. Its small receive buffer makes the host wait, as a printer does.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable

from devices.printers.escpos_commands import tokenize

RECEIVE_BUFFER = 1024  # bytes the emulated printer takes at a time; the kernel makes its socket buffer ~2-4 KB


class EmulatedPrinter:
    """The printer's behaviour, without a transport: feed bytes in, get the reply bytes out."""

    def __init__(self, boot_chinese: bool = False) -> None:
        self.lock = threading.RLock()
        self.boot_chinese = boot_chinese
        self.received = bytearray()  # every byte of job data that arrived (status queries left out)
        self.printed = bytearray()  # whole commands that reached paper (none while the paper is out)
        self.status_queries = 0
        # faults
        self.paper_out = False
        self.cover_open = False
        self.paper_near_end = False
        self.cutter_error = False
        self.no_status = False
        self.status_delay_s = 0.0
        self.paper_out_after: int | None = None  # the roll ends after this many more bytes of job data
        self.disconnect_after: int | None = None  # the link drops after this many more bytes (once)
        self.disconnect_after_cut = False  # the link drops right after the next cut has printed (once)
        self.answers_process_id = True  # answers GS ( H fn 48 (a printer without it ignores the command)
        self.process_ids: list[bytes] = []
        self._pending = b""
        self._chinese = boot_chinese

    def reset_connection(self) -> None:
        with self.lock:
            self._pending = b""
            self._chinese = self.boot_chinese

    def status_byte(self, query: int) -> int:
        with self.lock:
            stopped = self.paper_out or self.cover_open or self.cutter_error
            if query == 1:
                return 0x12 | (0x08 if stopped else 0)
            if query == 2:
                return 0x12 | (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0) | \
                    (0x40 if self.cutter_error else 0)
            if query == 3:
                return 0x12 | (0x08 if self.cutter_error else 0)
            if query == 4:
                return 0x12 | (0x0C if self.paper_near_end or self.paper_out else 0) | \
                    (0x60 if self.paper_out else 0)
            return 0x12

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        """Process bytes from the host. Returns (reply bytes, whether to drop the connection now)."""
        with self.lock:
            buffer = self._pending + data
            commands, used, _ = tokenize(buffer, chinese=self._chinese, final=False,
                                         boot_chinese=self.boot_chinese)
            replies = bytearray()
            for command in commands:
                if command.name == "FS &":
                    self._chinese = True
                elif command.name == "FS .":
                    self._chinese = False
                elif command.name == "ESC @":
                    self._chinese = self.boot_chinese
                if command.name == "DLE EOT":
                    self.status_queries += 1
                    if not self.no_status:
                        if self.status_delay_s:
                            time.sleep(self.status_delay_s)
                        replies.append(self.status_byte(command.args[0]))
                    continue
                if command.name == "GS ( H" and command.data[:2] == b"\x30\x30":
                    self.process_ids.append(bytes(command.data[2:6]))
                    if self.answers_process_id and not (self.paper_out or self.cover_open):
                        replies += b"\x37\x22" + bytes(command.data[2:6]) + b"\x00"
                    continue
                raw = command.raw
                if self.disconnect_after is not None and len(raw) >= self.disconnect_after:
                    # the command in flight is lost with the link; the printer printed what came before
                    self.disconnect_after = None
                    self._pending = b""
                    return bytes(replies), True
                if self.disconnect_after is not None:
                    self.disconnect_after -= len(raw)
                self._job(raw)
                if command.name == "GS V" and self.disconnect_after_cut:
                    self.disconnect_after_cut = False
                    self._pending = b""
                    time.sleep(0.05)  # the cut takes a moment: the acknowledgements of its bytes have gone
                    return bytes(replies), True
            self._pending = buffer[used:]
            return bytes(replies), False

    def _job(self, raw: bytes) -> None:
        self.received += raw
        if self.paper_out_after is not None:
            if len(raw) >= self.paper_out_after:
                self.paper_out_after = None  # the roll ends before this command prints
                self.paper_out = True
                return
            self.paper_out_after -= len(raw)
        if not (self.paper_out or self.cover_open):
            self.printed += raw

    def refill(self) -> None:
        """Staff put in a new roll and closed the cover."""
        with self.lock:
            self.paper_out = self.cover_open = self.paper_near_end = False
            self.paper_out_after = None


class PrinterEmulator:
    """An EmulatedPrinter listening on 127.0.0.1 (a free port unless one is given)."""

    def __init__(self, printer: EmulatedPrinter | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.printer = printer or EmulatedPrinter()
        self.host = host
        self.port = port
        self.connections = 0
        self._listener: socket.socket | None = None
        self._clients: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def start(self) -> PrinterEmulator:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # a printer's small receive buffer (the kernel's smallest, a few KB): the host cannot run far ahead of
        # what the printer has processed, so a printer switched off mid-job has not taken the rest
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        listener.bind((self.host, self.port))
        listener.listen(4)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop.clear()
        self._spawn(self._accept_loop)
        return self

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="printer-emulator")
        thread.start()
        self._threads.append(thread)

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._clients.append(client)
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        self.printer.reset_connection()
        client.settimeout(0.1)
        with contextlib.suppress(OSError), client:
            while not self._stop.is_set():
                try:
                    data = client.recv(RECEIVE_BUFFER)
                except TimeoutError:
                    continue
                if not data:
                    return
                replies, drop = self.printer.feed(data)
                if replies:
                    client.sendall(replies)
                if drop:
                    # a hard drop, as when the printer is switched off: unread data makes the kernel send RST
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    return

    def stop(self) -> None:
        """Switch the printer off: stop listening and drop every connection."""
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for client in self._clients:
            with contextlib.suppress(OSError):
                client.close()
        self._clients.clear()
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads.clear()

    def __enter__(self) -> PrinterEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PtyPrinterEmulator:
    """An EmulatedPrinter behind a pseudo-terminal: `path` is the serial device to open."""

    def __init__(self, printer: EmulatedPrinter | None = None) -> None:
        self.printer = printer or EmulatedPrinter()
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="pty-printer-emulator")

    def start(self) -> PtyPrinterEmulator:
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            replies, _ = self.printer.feed(data)
            if replies:
                os.write(self._master, replies)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> PtyPrinterEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

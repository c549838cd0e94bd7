"""A certified SAM ID-card reader on the far side of a pseudo-terminal, for driver tests and the demo.

The driver opens a stable path (a symlink, as udev would give) and talks the real frame protocol to a
thread that answers like a reader: find, select, read, SAM status. Knobs make it misbehave the ways
readers do in the field: slow or split replies, garbage on the line, bad checksums, chosen status codes,
silence, the card pulled mid-read, and the whole port vanishing and coming back.
"""

from __future__ import annotations

import os
import pty
import queue
import select
import threading
import time
import tty
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path

from devices.readers.sam_frame import (
    Command,
    FrameDecoder,
    FrameError,
    Status,
    encode_card_record,
    encode_reply,
)

FAKE_PHOTO = bytes(range(256)) * 4  # 1024 bytes standing in for WLT data
_COMMANDS = {command.value: command for command in Command}


class SamSimulator:
    def __init__(self, link_path: Path) -> None:
        self.link_path = link_path
        self.card_text: bytes | None = None
        self.card_photo = FAKE_PHOTO
        self._read_done = False  # a card already read answers "no card" to find until it leaves
        # knobs
        self.reply_delay_s = 0.0
        self.chunk_size = 0  # >0: write replies in pieces of this size ...
        self.chunk_delay_s = 0.0  # ... with this pause between them
        self.silent = False
        self.remove_during_read = False
        self.remove_during_read_silently = False  # the card leaves mid-read and the read gets no answer
        self._slow: dict[Command, deque[float]] = defaultdict(deque)
        self._garbage: deque[bytes] = deque()
        self._corrupt = 0
        self._statuses: dict[Command, deque[int]] = defaultdict(deque)
        # observation
        self.commands: list[Command] = []
        self._lock = threading.Lock()
        self._master: int | None = None
        self._slave: int | None = None
        self._stop = threading.Event()
        self._changes: queue.Queue[tuple[Callable[[], None], threading.Event]] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="sam-simulator", daemon=True)
        self._thread.start()
        self.plug()

    # ---- the card ----

    def insert(self, text: bytes, photo: bytes = FAKE_PHOTO) -> None:
        with self._lock:
            self.card_text, self.card_photo, self._read_done = text, photo, False

    def remove(self) -> None:
        with self._lock:
            self.card_text, self._read_done = None, False

    # ---- faults ----

    def garbage_before_next_reply(self, data: bytes) -> None:
        self._garbage.append(data)

    def corrupt_next_replies(self, count: int = 1) -> None:
        self._corrupt += count

    def answer_next(self, command: Command, status: int) -> None:
        """The next `command` is answered with `status` (and no data) whatever the card does."""
        self._statuses[command].append(status)

    def slow_next(self, command: Command, delay_s: float) -> None:
        """The next `command` is answered after `delay_s` (one slow reply, e.g. past the driver's timeout)."""
        self._slow[command].append(delay_s)

    def unplug(self) -> None:
        """The USB-serial adapter disappears: the driver's port errors and the path is gone."""
        self._on_serving_thread(self._unplug)

    def plug(self) -> None:
        """The adapter comes back under the same stable path (a new pseudo-terminal behind it)."""
        self._on_serving_thread(self._plug)

    def close(self) -> None:
        self.unplug()
        self._stop.set()
        self._thread.join(timeout=2)

    def _on_serving_thread(self, change: Callable[[], None]) -> None:
        # Only the serving thread touches the descriptors, so a closed one is never read after reuse.
        done = threading.Event()
        self._changes.put((change, done))
        if not done.wait(timeout=2):
            raise TimeoutError("the simulator thread did not answer")

    def _unplug(self) -> None:
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None
        self.link_path.unlink(missing_ok=True)

    def _plug(self) -> None:
        self._unplug()
        master, slave = pty.openpty()
        tty.setraw(slave)
        self._master, self._slave = master, slave
        temporary = self.link_path.with_name(self.link_path.name + ".new")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(os.ttyname(slave))
        os.replace(temporary, self.link_path)

    # ---- the reader ----

    def _serve(self) -> None:
        decoder = FrameDecoder()
        while not self._stop.is_set():
            while not self._changes.empty():
                change, done = self._changes.get()
                change()
                done.set()
            master = self._master
            if master is None:
                time.sleep(0.01)
                continue
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                decoder.feed(os.read(master, 4096))
            except OSError:  # unplugged under our feet, or the driver closed its end
                time.sleep(0.01)
                continue
            while True:
                try:
                    payload = decoder.next_payload()
                except FrameError:
                    self._send(master, encode_reply(Status.SAM_CHECKSUM_ERROR))
                    continue
                if payload is None:
                    break
                self._answer(master, payload)

    def _answer(self, master: int, payload: bytes) -> None:
        command = _COMMANDS.get((payload[0], payload[1])) if len(payload) == 2 else None
        if command is None:
            self._send(master, encode_reply(Status.COMMAND_ERROR))
            return
        self.commands.append(command)
        if self.silent:
            return
        if self._statuses[command]:
            self._send(master, encode_reply(self._statuses[command].popleft()))
            return
        if command == Command.READ_TEXT_PHOTO and self.remove_during_read_silently:
            with self._lock:
                self.card_text, self.remove_during_read_silently = None, False
            return
        if self._slow[command]:
            time.sleep(self._slow[command].popleft())
        self._send(master, self._reply_to(command))

    def _reply_to(self, command: Command) -> bytes:
        with self._lock:
            present = self.card_text is not None
            if command == Command.SAM_STATUS:
                return encode_reply(Status.OK)
            if command == Command.SAM_ID:
                return encode_reply(Status.OK, bytes(range(16)))
            if command == Command.FIND_CARD:
                return encode_reply(Status.CARD_FOUND, bytes(4)) if present and not self._read_done \
                    else encode_reply(Status.NO_CARD)
            if command == Command.SELECT_CARD:
                return encode_reply(Status.OK, bytes(8)) if present else encode_reply(Status.SELECT_FAILED)
            if command == Command.READ_TEXT_PHOTO:
                if self.remove_during_read:
                    self.card_text, self.remove_during_read = None, False
                    return encode_reply(Status.READ_FAILED)
                if not present or self.card_text is None:
                    return encode_reply(Status.READ_FAILED)
                self._read_done = True
                return encode_reply(Status.OK, encode_card_record(self.card_text, self.card_photo))
            return encode_reply(Status.NO_CONTENT)

    def _send(self, master: int, reply: bytes) -> None:
        if self._garbage:
            reply = self._garbage.popleft() + reply
        if self._corrupt:
            self._corrupt -= 1
            reply = reply[:-1] + bytes([reply[-1] ^ 0xFF])
        if self.reply_delay_s:
            time.sleep(self.reply_delay_s)
        pieces = [reply[i:i + self.chunk_size] for i in range(0, len(reply), self.chunk_size)] \
            if self.chunk_size else [reply]
        try:
            for n, piece in enumerate(pieces):
                if n and self.chunk_delay_s:
                    time.sleep(self.chunk_delay_s)
                os.write(master, piece)
        except OSError:
            pass  # unplugged while answering

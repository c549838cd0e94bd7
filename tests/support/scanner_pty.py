"""A serial QR/barcode scanner on the far side of a pseudo-terminal, behind a stable symlink as udev gives:
`scan(code)` sends a code with its terminator, `unplug()`/`plug()` take the device away and bring it back."""

from __future__ import annotations

import os
import pty
import tty
from pathlib import Path


class PtyScanner:
    def __init__(self, link_path: Path) -> None:
        self.link_path = link_path
        self._master: int | None = None
        self._slave: int | None = None
        self.plug()

    def scan(self, code: str, end: bytes = b"\r\n", pieces: int = 1) -> None:
        assert self._master is not None, "unplugged"
        data = code.encode("utf-8") + end
        size = max(1, len(data) // pieces)
        for start in range(0, len(data), size):
            os.write(self._master, data[start:start + size])

    def unplug(self) -> None:
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None
        self.link_path.unlink(missing_ok=True)

    def plug(self) -> None:
        self.unplug()
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        temporary = self.link_path.with_name(self.link_path.name + ".new")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(os.ttyname(self._slave))
        os.replace(temporary, self.link_path)

    def close(self) -> None:
        self.unplug()

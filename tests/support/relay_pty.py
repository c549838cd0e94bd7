"""A USB relay board on the far side of a pseudo-terminal, behind a stable symlink as udev gives: `received()`
returns the bytes the driver wrote; `unplug()`/`plug()` take the board away and bring it back."""

from __future__ import annotations

import os
import select
import time

from tests.support.scanner_pty import PtyScanner


class PtyRelay(PtyScanner):
    def received(self, count: int, timeout_s: float = 2.0) -> bytes:
        """Up to `count` bytes the driver sent, waiting at most `timeout_s` for them."""
        assert self._master is not None, "unplugged"
        data = b""
        deadline = time.monotonic() + timeout_s
        while len(data) < count and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self._master], [], [], left)
            if ready:
                data += os.read(self._master, count - len(data))
        return data

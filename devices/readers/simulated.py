"""A simulated ID-card reader: a card slot that tests and the demo fill with test identities, and faults.

Thread-safe: the UI test or demo script inserts and removes cards on one thread while the session runner
reads on a worker thread.
"""

from __future__ import annotations

import threading
from collections import deque

from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.health import Component, DeviceError, Health, Reason
from kiosk.identity import Identity
from kiosk.settings import LoadedConfig


class SimulatedCardReader:
    def __init__(self, identities: dict[str, Identity] | None = None, auto_insert: str | None = None) -> None:
        self.identities = dict(identities or TEST_IDENTITIES)
        self.auto_insert = auto_insert  # the demo: a card "appears" whenever one is asked for
        self._card: Identity | None = None
        self._faults: deque[Reason] = deque()
        self._unplugged = False
        self._changed = threading.Condition()
        self.reads = 0

    # ---- control, for tests and the demo ----

    def insert(self, key: str) -> None:
        with self._changed:
            self._card = self.identities[key]
            self._changed.notify_all()

    def remove(self) -> None:
        with self._changed:
            self._card = None
            self._changed.notify_all()

    def fail_next(self, reason: Reason) -> None:
        """The next read fails with `reason` (unsupported card, unreadable, card removed ...)."""
        with self._changed:
            self._faults.append(reason)
            self._changed.notify_all()

    def unplug(self, unplugged: bool = True) -> None:
        with self._changed:
            self._unplugged = unplugged
            self._changed.notify_all()

    # ---- the CardReader port ----

    def health(self) -> Health:
        if self._unplugged:
            return Health.problem(Component.READER, Reason.NO_READER, "simulated reader unplugged")
        return Health.ok(Component.READER, "simulated")

    def read_identity(self, timeout_s: float) -> Identity:
        with self._changed:
            if self._card is None and self.auto_insert and not self._faults and not self._unplugged:
                self._card = self.identities[self.auto_insert]
            ready = self._changed.wait_for(
                lambda: self._unplugged or self._faults or self._card is not None, timeout=timeout_s)
            if self._unplugged:
                raise DeviceError(Reason.NO_READER, "simulated reader unplugged")
            if self._faults:
                raise DeviceError(self._faults.popleft(), "injected fault")
            if not ready or self._card is None:
                raise DeviceError(Reason.NO_CARD, "no card within the timeout")
            self.reads += 1
            return self._card

    def card_present(self) -> bool:
        if self._unplugged:
            raise DeviceError(Reason.NO_READER, "simulated reader unplugged")
        return self._card is not None

    def close(self) -> None:
        self.remove()


def from_config(config: LoadedConfig) -> SimulatedCardReader:
    wanted = config.profile.reader.test_identities
    unknown = [key for key in wanted if key not in TEST_IDENTITIES]
    if unknown:
        raise DeviceError(Reason.CONFIG_INVALID, f"unknown test identities {unknown}")
    identities = {key: TEST_IDENTITIES[key] for key in wanted} if wanted else dict(TEST_IDENTITIES)
    return SimulatedCardReader(identities)

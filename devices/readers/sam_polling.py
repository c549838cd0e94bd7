"""What the SAM readers share, whatever carries their commands (a serial line or a vendor library): the
find-select-read loop with its retries, the "card present" rule, and health that never waits on a read.

A subclass says how to ask the SAM (`_find`, `_select`, `_sam_health`, `_select_and_read`, `_failure`);
this class decides what the answers mean. One lock covers every exchange: a SAM does one thing at a time.
"""

from __future__ import annotations

import threading
import time

from devices.readers.sam_frame import Status
from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.identity import Identity

CARD_ATTEMPTS = 2  # select/read failures on a card in the field before it is reported unreadable
# what a card still lying there may do once and not again: a bad moment in the field, one slow SAM reply
RETRIED = frozenset({Reason.CARD_UNREADABLE, Reason.READER_TIMEOUT})


class SamPollingReader:
    def __init__(self, poll_interval_s: float) -> None:
        self.poll_interval_s = poll_interval_s
        self._lock = threading.RLock()
        self._last_health = Health.unknown(Component.READER, "not checked yet")

    # ---- what a subclass provides ----

    def _find(self) -> int:
        """The status of "find card" (CARD_FOUND, NO_CARD or a fault)."""
        raise NotImplementedError

    def _select(self) -> int:
        raise NotImplementedError

    def _sam_health(self) -> Health:
        raise NotImplementedError

    def _select_and_read(self) -> Identity:
        raise NotImplementedError

    def _failure(self, step: str, status: int) -> DeviceError:
        raise NotImplementedError

    # ---- the CardReader port ----

    def health(self) -> Health:
        """Ask the SAM for its status; while a read holds the reader, report the last known state."""
        if not self._lock.acquire(timeout=0.2):
            return self._last_health
        try:
            health = self._sam_health()
        except DeviceError as exc:
            health = Health.problem(Component.READER, exc.reason, exc.detail)
        finally:
            self._lock.release()
        self._last_health = health
        return health

    def read_identity(self, timeout_s: float) -> Identity:
        """Find, select, read. A select or read that fails (or one slow reply) on a card still in the field is
        tried once more; every such failure is checked against the card's presence first, so a card taken
        away mid-read is CARD_REMOVED, never "unreadable" or "timeout"."""
        deadline = time.monotonic() + timeout_s
        failures: list[DeviceError] = []
        while True:
            with self._lock:
                found = self._find_once_more_if_slow()
                # a card that failed a read may answer "no card" to find while still selectable
                if found == Status.CARD_FOUND or (failures and self._present()):
                    try:
                        return self._select_and_read()
                    except DeviceError as exc:
                        if exc.reason not in RETRIED:
                            raise
                        if not self._present():
                            raise DeviceError(Reason.CARD_REMOVED,
                                              f"card left the field during the read ({exc.detail})") from None
                        failures.append(exc)
                        if len(failures) >= CARD_ATTEMPTS:
                            raise
                        continue  # at once: the card is there
                elif found == Status.NO_CARD and failures:
                    raise DeviceError(Reason.CARD_REMOVED, "card left the field during the read")
                elif found != Status.NO_CARD:
                    raise self._failure("find", found)
            if time.monotonic() + self.poll_interval_s >= deadline:
                if failures:
                    raise failures[-1]
                raise DeviceError(Reason.NO_CARD, f"no card within {timeout_s:g} s")
            time.sleep(self.poll_interval_s)

    def _find_once_more_if_slow(self) -> int:
        try:
            return self._find()
        except DeviceError as exc:
            if exc.reason != Reason.READER_TIMEOUT:
                raise
        return self._find()  # one slow reply is not a dead reader

    def _present(self) -> bool:
        """Whether the card is still there; when the reader cannot say, it is taken as there (the original
        error is reported rather than a guess)."""
        try:
            return self.card_present()
        except DeviceError:
            return True

    def card_present(self) -> bool:
        """A card is there when the SAM finds one, or (already found and not taken away) can select it."""
        with self._lock:
            return self._find() == Status.CARD_FOUND or self._select() == Status.OK

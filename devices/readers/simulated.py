"""A simulated ID-card reader: a card slot that tests and the demo fill with test identities, and faults.

Cards with a SAM text-block layout travel through the real encoder and parser (`kiosk.core.cardtext`), so the
demo and the UI tests exercise the same parsing as a real reader; `insert_block` lays down raw bytes,
for unsupported or damaged cards.

Thread-safe: the UI test or demo script inserts and removes cards on one thread while the session runner
reads on a worker thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.core.cardtext import LAYOUTS, ParseError, UnsupportedCardError, build_text_block, parse_text_block, wipe
from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.identity import Identity
from kiosk.core.settings import LoadedConfig, SimulatedReaderSettings, settings_as


class SimulatedCardReader:
    def __init__(self, identities: dict[str, Identity] | None = None, auto_insert: str | None = None) -> None:
        self.identities = dict(identities or TEST_IDENTITIES)
        self.auto_insert = auto_insert  # the demo: a card "appears" whenever one is asked for
        self.read_delay_s = 0.0  # how long a read takes once the card is there (a real SAM: about 1 s)
        self._card: Identity | bytes | None = None
        self._faults: deque[Reason] = deque()
        self._remove_during_read = False
        self._unplugged = False
        self._staff_uid: str | None = None  # a staff badge on the reader (maintenance mode), as hex
        self._changed = threading.Condition()
        self.reads = 0

    # ---- control, for tests and the demo ----

    def insert(self, key: str) -> None:
        with self._changed:
            self._card = self.identities[key]
            self._changed.notify_all()

    def insert_block(self, text_block: bytes) -> None:
        """Lay down a card by its raw 256-byte text block (an unknown type, a damaged block ...)."""
        with self._changed:
            self._card = bytes(text_block)
            self._changed.notify_all()

    def remove(self) -> None:
        with self._changed:
            self._card = None
            self._staff_uid = None
            self._changed.notify_all()

    def present_staff_card(self, uid_hex: str) -> None:
        """Lay a staff badge with this UID (hex) on the reader, for maintenance mode."""
        with self._changed:
            self._staff_uid = uid_hex.upper()
            self._changed.notify_all()

    def fail_next(self, reason: Reason) -> None:
        """The next read fails with `reason` (unsupported card, unreadable, card removed ...)."""
        with self._changed:
            self._faults.append(reason)
            self._changed.notify_all()

    def remove_during_next_read(self) -> None:
        """The citizen takes the card away while the next read is under way."""
        with self._changed:
            self._remove_during_read = True

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
            card = self._card
            if self._remove_during_read:
                self._remove_during_read, self._card = False, None
                raise DeviceError(Reason.CARD_REMOVED, "card taken away during the read")
        if self.read_delay_s:
            time.sleep(self.read_delay_s)
        identity = _through_the_parser(card)
        with self._changed:
            self.reads += 1
        return identity

    def read_card_uid(self, timeout_s: float) -> str:
        """The UID of the staff badge laid down, as upper-case hex (what PcscReader.read_card_uid returns)."""
        with self._changed:
            ready = self._changed.wait_for(
                lambda: self._unplugged or self._staff_uid is not None or self._card is not None, timeout=timeout_s)
            if self._unplugged:
                raise DeviceError(Reason.NO_READER, "simulated reader unplugged")
            if not ready:
                raise DeviceError(Reason.NO_CARD, "no card within the timeout")
            if self._staff_uid is None:
                raise DeviceError(Reason.UNSUPPORTED_CARD, "an ID card has no staff UID")
            return self._staff_uid

    def card_present(self) -> bool:
        if self._unplugged:
            raise DeviceError(Reason.NO_READER, "simulated reader unplugged")
        return self._card is not None

    def close(self) -> None:
        self.remove()


def _through_the_parser(card: Identity | bytes) -> Identity:
    """What a SAM reader would deliver for this card: its text block, parsed by the kiosk's parser."""
    if isinstance(card, Identity) and card.card_type not in LAYOUTS:
        return card  # a 社保卡 or other card without a SAM text block
    block = bytearray(build_text_block(card) if isinstance(card, Identity) else card)
    try:
        return parse_text_block(bytes(block), card.photo if isinstance(card, Identity) else b"")
    except UnsupportedCardError as exc:
        raise DeviceError(Reason.UNSUPPORTED_CARD, str(exc)) from None
    except ParseError as exc:
        raise DeviceError(Reason.CARD_UNREADABLE, str(exc)) from None
    finally:
        wipe(block)


def from_config(config: LoadedConfig) -> SimulatedCardReader:
    settings = settings_as(config.profile.reader, SimulatedReaderSettings)
    wanted = settings.test_identities
    unknown = [key for key in wanted if key not in TEST_IDENTITIES]
    if unknown:
        raise DeviceError(Reason.CONFIG_INVALID, f"unknown test identities {unknown}")
    identities = {key: TEST_IDENTITIES[key] for key in wanted} if wanted else dict(TEST_IDENTITIES)
    reader = SimulatedCardReader(identities)
    reader.read_delay_s = settings.simulated_read_delay_s
    for fault in settings.simulated_faults:
        reader.fail_next(Reason(fault))
    return reader

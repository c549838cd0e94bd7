"""Driver for PC/SC readers through pcscd (pyscard's low-level `scard` API): the 社保卡 and staff badges.

A plain PC/SC reader cannot decrypt the resident ID card, so this driver reads the 社会保障卡 basic data
(`devices.readers.sscard`) and, for staff, a card's physical UID. Any other card is reported as
unsupported, never guessed at. `ReaderWatch` turns pcscd's state into reader and card events.

Every pcscd error becomes a stable reason: no service (pcscd stopped or restarting), no reader, card
removed, card unreadable. Contexts are per thread, because pcsc-lite serialises the calls of one
context and the presence watcher must not wait behind a read. When pcscd says it is gone (stopped or
restarted), every thread's context is dead, not only the caller's: a generation count marks them all
stale, each thread makes a new one on its next call, and the call that met the dead context is tried
once more on a fresh one, so a restarted pcscd is picked up by the running reader without an error.

A card that stops answering blocks SCardTransmit inside pcscd with no timeout of its own, so the card
exchange runs on a daemon thread that the caller waits for with a deadline; past it the thread is
abandoned (it ends when pcscd lets go) and the read fails with READER_TIMEOUT.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from smartcard import scard

from devices.readers import sscard
from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.identity import Identity
from kiosk.core.settings import LoadedConfig, PcscReaderSettings, ReaderSettings, settings_as
from kiosk.logs import log_event

log = logging.getLogger("kiosk.devices.pcsc")
T = TypeVar("T")

PNP_READER = "\\\\?PnP?\\Notification"
SESSION_TIMEOUT_S = 5.0  # connect + all APDUs of one card; a healthy 社保卡 needs well under a second
REMOVAL_GRACE_S = 1.0  # pcscd polls vpcd-like drivers every 400 ms before it notices a card is gone


def _code(hresult: int) -> int:
    return hresult & 0xFFFFFFFF


# SCARD_F_COMM_ERROR: the socket to pcscd broke under a call in progress (pcscd stopped during it)
SERVICE_DOWN = {_code(c) for c in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED,
                                   scard.SCARD_E_INVALID_HANDLE, scard.SCARD_F_INTERNAL_ERROR,
                                   scard.SCARD_F_COMM_ERROR)}
READER_GONE = {_code(c) for c in (scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE,
                                  scard.SCARD_E_NO_READERS_AVAILABLE)}
CARD_GONE = {_code(c) for c in (scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD)}
CARD_UNSUPPORTED = {_code(scard.SCARD_W_UNSUPPORTED_CARD)}


class PcscError(Exception):
    def __init__(self, call: str, hresult: int) -> None:
        self.code = _code(hresult)
        super().__init__(f"{call}: 0x{self.code:08X}")

    def reason(self) -> Reason:
        if self.code in SERVICE_DOWN:
            return Reason.READER_SERVICE_DOWN
        if self.code in READER_GONE:
            return Reason.NO_READER
        if self.code in CARD_GONE:
            return Reason.CARD_REMOVED
        if self.code in CARD_UNSUPPORTED:
            return Reason.UNSUPPORTED_CARD
        return Reason.CARD_UNREADABLE


def _check(call: str, hresult: int) -> None:
    if hresult != scard.SCARD_S_SUCCESS:
        raise PcscError(call, hresult)


class CardSession:
    """One connected card: transmit APDUs, with T=0 GET RESPONSE and wrong-Le retries handled."""

    def __init__(self, handle: int, protocol: int) -> None:
        self.handle, self.protocol = handle, protocol

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        data, sw = self._once(apdu)
        if sw >> 8 == 0x6C:  # wrong Le: the card says how many bytes it has
            data, sw = self._once(apdu[:4] + bytes([sw & 0xFF]))
        while sw >> 8 == 0x61:  # more data waiting (T=0)
            more, sw = self._once(sscard.get_response(sw & 0xFF))
            data += more
        return data, sw

    def _once(self, apdu: bytes) -> tuple[bytes, int]:
        try:
            hresult, response = scard.SCardTransmit(self.handle, self.protocol, list(apdu))
        except SystemError:  # pyscard raises this for a handle pcscd has already dropped
            raise PcscError("SCardTransmit", scard.SCARD_E_INVALID_HANDLE) from None
        _check("SCardTransmit", hresult)
        return sscard.split_status(bytes(response))


@dataclass(frozen=True, slots=True)
class ReaderEvent:
    kind: str  # reader_attached, reader_detached, card_inserted, card_removed, service_down, service_up
    reader: str = ""


class PcscReader:
    """The CardReader port for PC/SC readers."""

    def __init__(self, name_contains: str = "", poll_interval_s: float = 0.3,
                 session_timeout_s: float = SESSION_TIMEOUT_S) -> None:
        self.name_contains = name_contains
        self.poll_interval_s = poll_interval_s
        self.session_timeout_s = session_timeout_s
        self._local = threading.local()
        self._generation = 0  # contexts made before the last "pcscd is gone" are dead in every thread
        self._io: _CardThread | None = None
        self._io_lock = threading.Lock()
        self._reader_name: str | None = None  # listed again by health() and after any reader error

    # ---- the CardReader port ----

    def health(self) -> Health:
        try:
            name = self._reader(fresh=True)
        except DeviceError as exc:
            return Health.problem(Component.READER, exc.reason, exc.detail)
        return Health.ok(Component.READER, name)

    def card_present(self) -> bool:
        return bool(self._state(self._reader(), 0) & scard.SCARD_STATE_PRESENT)

    def read_identity(self, timeout_s: float) -> Identity:
        identity = self._with_card(timeout_s, _read_social_security)
        log_event(log, "card_read", driver="pcsc", kind=identity.card_type.value)
        return identity

    def read_card_uid(self, timeout_s: float) -> str:
        """The physical UID of the card laid down (staff badges), as upper-case hex. Not identity data."""
        return self._with_card(timeout_s, _read_uid)

    def close(self) -> None:
        with self._io_lock:
            if self._io is not None:
                self._io.stop()
                self._io = None
        self._release_context()

    # ---- contexts and readers ----

    def _context(self) -> int:
        context: int | None = getattr(self._local, "context", None)
        if context is not None and getattr(self._local, "generation", None) != self._generation:
            self._release_context()  # made before pcscd went away: dead, whichever thread holds it
            context = None
        if context is None:
            generation = self._generation
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult != scard.SCARD_S_SUCCESS:
                raise DeviceError(Reason.READER_SERVICE_DOWN, f"pcscd: 0x{_code(hresult):08X}")
            self._local.context, self._local.generation = context, generation
        return context

    def _release_context(self) -> None:
        context = getattr(self._local, "context", None)
        self._local.context = None
        if context is not None:
            scard.SCardReleaseContext(context)

    def _fail(self, error: PcscError) -> DeviceError:
        if error.reason() == Reason.READER_SERVICE_DOWN:
            self._service_lost()
        if error.reason() in (Reason.READER_SERVICE_DOWN, Reason.NO_READER):
            self._reader_name = None
        return DeviceError(error.reason(), str(error))

    def _service_lost(self) -> None:
        """pcscd stopped or restarted: every thread's context is dead (the card thread's too)."""
        self._generation += 1
        self._release_context()

    def _reader(self, fresh: bool = False) -> str:
        if self._reader_name is not None and not fresh:
            return self._reader_name
        for attempt in (1, 2):
            try:
                hresult, readers = scard.SCardListReaders(self._context(), [])
                if _code(hresult) == _code(scard.SCARD_E_NO_READERS_AVAILABLE):
                    readers = []
                else:
                    _check("SCardListReaders", hresult)
                break
            except PcscError as exc:
                if attempt == 1 and exc.reason() == Reason.READER_SERVICE_DOWN:
                    self._service_lost()  # perhaps only our context died with a restart: ask once more
                    continue
                raise self._fail(exc) from None
        chosen = [r for r in readers if self.name_contains in r]
        if not chosen:
            wanted = f" matching {self.name_contains!r}" if self.name_contains else ""
            raise DeviceError(Reason.NO_READER, f"no PC/SC reader{wanted}")
        self._reader_name = str(chosen[0])
        return self._reader_name

    def _state(self, reader: str, timeout_ms: int, known: int = scard.SCARD_STATE_UNAWARE) -> int:
        try:
            hresult, states = scard.SCardGetStatusChange(self._context(), timeout_ms, [(reader, known)])
            if _code(hresult) == _code(scard.SCARD_E_TIMEOUT):
                return known
            _check("SCardGetStatusChange", hresult)
        except PcscError as exc:
            raise self._fail(exc) from None
        return int(states[0][1])

    # ---- one card session ----

    def _with_card(self, timeout_s: float, work: Callable[[CardSession], T]) -> T:
        deadline = time.monotonic() + timeout_s
        reader = self._reader()
        retried = False
        while True:
            try:
                # Straight to connecting: a card already lying there costs no presence round trip.
                return self._card_thread().run(partial(self._session, reader, work), self.session_timeout_s)
            except _NoCardYet:
                self._wait_for_card(reader, deadline, timeout_s)
            except PcscError as exc:
                if exc.reason() == Reason.READER_SERVICE_DOWN and not retried:
                    # pcscd restarted since the last read: fresh contexts everywhere, then once more
                    retried = True
                    self._service_lost()
                    reader = self._reader(fresh=True)
                    continue
                if exc.reason() == Reason.CARD_UNREADABLE and self._gone_within(reader, REMOVAL_GRACE_S):
                    # SCARD_E_NOT_TRANSACTED and friends: what pcscd says when the card left between APDUs
                    raise DeviceError(Reason.CARD_REMOVED, f"card left during the read ({exc})") from None
                raise self._fail(exc) from None
            except sscard.CardDataError as exc:
                # An empty or cut reply is what pcscd returns when the card left mid-exchange: a card that is
                # gone was taken away, not unreadable.
                if self._gone_within(reader, REMOVAL_GRACE_S):
                    raise DeviceError(Reason.CARD_REMOVED, "card left during the read") from None
                raise DeviceError(Reason.CARD_UNREADABLE, str(exc)) from None
            except _Abandoned:
                with self._io_lock:
                    self._io = None
                raise DeviceError(Reason.READER_TIMEOUT,
                                  f"card stopped answering for {self.session_timeout_s:g} s") from None

    def _wait_for_card(self, reader: str, deadline: float, timeout_s: float) -> None:
        state = self._state(reader, 0)
        while not state & scard.SCARD_STATE_PRESENT or state & scard.SCARD_STATE_MUTE:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if state & scard.SCARD_STATE_MUTE:
                    raise DeviceError(Reason.CARD_UNREADABLE, "card does not answer reset (mute)")
                raise DeviceError(Reason.NO_CARD, f"no card within {timeout_s:g} s")
            state = self._state(reader, int(min(remaining, 1.0) * 1000), state & ~scard.SCARD_STATE_CHANGED)
        if time.monotonic() >= deadline:
            raise DeviceError(Reason.NO_CARD, f"no card within {timeout_s:g} s")

    def _session(self, reader: str, work: Callable[[CardSession], T]) -> T:
        """Runs on the card thread, with that thread's own context."""
        protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        hresult, handle, protocol = scard.SCardConnect(self._context(), reader, scard.SCARD_SHARE_SHARED,
                                                        protocols)
        if _code(hresult) in CARD_GONE:
            raise _NoCardYet
        _check("SCardConnect", hresult)
        try:
            return work(CardSession(handle, protocol))
        finally:
            scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)

    def _gone_within(self, reader: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        try:
            state = self._state(reader, 0)
            while state & scard.SCARD_STATE_PRESENT:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                state = self._state(reader, int(remaining * 1000) + 1, state & ~scard.SCARD_STATE_CHANGED)
        except DeviceError:
            return False
        return True

    def _card_thread(self) -> _CardThread:
        with self._io_lock:
            if self._io is None:
                self._io = _CardThread(self)
            return self._io


def _read_social_security(card: CardSession) -> Identity:
    _data, sw = card.transmit(sscard.SELECT_SSSE)
    if sw != sscard.SW_OK:
        raise DeviceError(Reason.UNSUPPORTED_CARD, f"no 社保 SSSE application (SW {sw:04X})")
    values: dict[int, bytes] = {}
    for ef, records, by_number in ((sscard.EF_ISSUER, (sscard.ISSUE_DATE, sscard.VALID_UNTIL), True),
                                   (sscard.EF_HOLDER, (sscard.SSN, sscard.NAME, sscard.SEX, sscard.NATION,
                                                       sscard.BIRTH_DATE), False)):
        _data, sw = card.transmit(sscard.select_file(ef))
        if sw != sscard.SW_OK:
            _data, sw = card.transmit(sscard.select_file(ef, p1=0x00))
        if sw != sscard.SW_OK:
            if ef == sscard.EF_ISSUER:
                continue  # validity is optional; the holder file is not
            raise DeviceError(Reason.UNSUPPORTED_CARD, f"no EF{ef & 0xFF:02X} (SW {sw:04X})")
        for record, expected in records:
            data, sw = card.transmit(sscard.read_record(record, expected, by_number))
            if sw == sscard.SW_SECURITY_NOT_SATISFIED:
                raise DeviceError(Reason.UNSUPPORTED_CARD, "card wants a PIN or PSAM for its basic data")
            if sw == sscard.SW_OK:
                values[record] = sscard.record_value(record, data)
    return sscard.identity_from_records(sscard.HolderRecords(values))


def _read_uid(card: CardSession) -> str:
    for apdu in (bytes.fromhex("FFCA000000"), bytes.fromhex("0036000008")):  # PC/SC GET DATA; ID card
        data, sw = card.transmit(apdu)
        if sw == sscard.SW_OK and data:
            return data.hex().upper()
    raise DeviceError(Reason.UNSUPPORTED_CARD, "card gives no UID")


class _NoCardYet(Exception):
    """The reader is empty (or the card is still settling): wait for it."""


class _Abandoned(Exception):
    """The card thread did not finish in time and has been given up."""


class _CardThread:
    """A daemon thread running one card session at a time, so a hung pcscd call cannot hang the caller."""

    def __init__(self, reader: PcscReader) -> None:
        self._reader = reader
        self._jobs: list[tuple[Callable[[], object], _Outcome]] = []
        self._wake = threading.Condition()
        self._stopped = False
        threading.Thread(target=self._loop, name="pcsc-card", daemon=True).start()

    def run(self, job: Callable[[], T], timeout_s: float) -> T:
        outcome = _Outcome()
        with self._wake:
            self._jobs.append((job, outcome))
            self._wake.notify()
        if not outcome.done.wait(timeout_s):
            self.stop()
            raise _Abandoned
        if outcome.error is not None:
            raise outcome.error
        return outcome.value  # type: ignore[return-value]

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()

    def _loop(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._stopped or bool(self._jobs))
                if self._stopped and not self._jobs:
                    break
                job, outcome = self._jobs.pop(0)
            try:
                outcome.value = job()
            except BaseException as exc:  # handed to the waiting caller, who maps it
                outcome.error = exc
            outcome.done.set()
            if self._stopped:
                break
        self._reader._release_context()  # this thread's context


class _Outcome:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: object = None
        self.error: BaseException | None = None


class ReaderWatch:
    """Reader and card events from pcscd: call `next_events(timeout_s)` in a loop on a thread of its own.

    Readers attached and detached, cards inserted and removed, and the service going down (pcscd stopped
    or restarting: every known reader is reported detached, and attached again when it is back) and up.
    While pcscd is down a call waits its timeout out (looking for the service every RETRY_S) instead of
    returning at once, so a loop on it does not spin a core.
    """

    RETRY_S = 0.25

    def __init__(self, name_contains: str = "") -> None:
        self.name_contains = name_contains
        self._context: int | None = None
        self._states: dict[str, int] = {}
        self._pnp = scard.SCARD_STATE_UNAWARE
        self._down = False

    def next_events(self, timeout_s: float) -> list[ReaderEvent]:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                events = self._sync_readers()
                if self._down:
                    self._down = False
                    return [ReaderEvent("service_up"), *events]
                if events:
                    return events
                return self._wait(max(0.0, deadline - time.monotonic()))
            except PcscError as exc:
                if exc.code not in SERVICE_DOWN:
                    raise DeviceError(exc.reason(), str(exc)) from None
                if not self._down:
                    self._down = True
                    return self._service_lost()
                self._service_lost()
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            time.sleep(min(self.RETRY_S, left))

    def close(self) -> None:
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
            self._context = None

    def _sync_readers(self) -> list[ReaderEvent]:
        if self._context is None:
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            _check("SCardEstablishContext", hresult)
            self._context = context
        hresult, readers = scard.SCardListReaders(self._context, [])
        if _code(hresult) == _code(scard.SCARD_E_NO_READERS_AVAILABLE):
            readers = []
        else:
            _check("SCardListReaders", hresult)
        present = [str(r) for r in readers if self.name_contains in r]
        events = [ReaderEvent("reader_detached", r) for r in self._states if r not in present]
        for reader in [r for r in self._states if r not in present]:
            del self._states[reader]
        for reader in present:
            if reader not in self._states:
                events.append(ReaderEvent("reader_attached", reader))
                self._states[reader] = scard.SCARD_STATE_UNAWARE
                state = self._poll(reader)
                if state & scard.SCARD_STATE_PRESENT:
                    events.append(ReaderEvent("card_inserted", reader))
        return events

    def _poll(self, reader: str) -> int:
        assert self._context is not None
        hresult, states = scard.SCardGetStatusChange(self._context, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        _check("SCardGetStatusChange", hresult)
        self._states[reader] = int(states[0][1]) & ~scard.SCARD_STATE_CHANGED
        return self._states[reader]

    def _wait(self, timeout_s: float) -> list[ReaderEvent]:
        assert self._context is not None
        watched = [(r, s) for r, s in self._states.items()] + [(PNP_READER, self._pnp)]
        hresult, states = scard.SCardGetStatusChange(self._context, int(timeout_s * 1000), watched)
        if _code(hresult) == _code(scard.SCARD_E_TIMEOUT):
            return []
        _check("SCardGetStatusChange", hresult)
        events: list[ReaderEvent] = []
        for reader, state, _atr in states:
            state = int(state) & ~scard.SCARD_STATE_CHANGED
            if reader == PNP_READER:
                self._pnp = state
                continue
            before = self._states.get(reader, 0)
            self._states[reader] = state
            if state & scard.SCARD_STATE_UNKNOWN:
                continue  # the reader is going away; the next listing reports it
            if state & scard.SCARD_STATE_PRESENT and not before & scard.SCARD_STATE_PRESENT:
                events.append(ReaderEvent("card_inserted", reader))
            elif before & scard.SCARD_STATE_PRESENT and not state & scard.SCARD_STATE_PRESENT:
                events.append(ReaderEvent("card_removed", reader))
        return events + self._sync_readers()

    def _service_lost(self) -> list[ReaderEvent]:
        events = [ReaderEvent("service_down")] + [ReaderEvent("reader_detached", r) for r in self._states]
        self._states.clear()
        self._pnp = scard.SCARD_STATE_UNAWARE
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
            self._context = None
        return events


def list_readers() -> tuple[str, list[dict[str, object]]]:
    """For `kiosk devices probe`: the service state and each reader with its card's ATR, if any."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return f"down (0x{_code(hresult):08X})", []
    try:
        hresult, readers = scard.SCardListReaders(context, [])
        if hresult != scard.SCARD_S_SUCCESS:
            return "ok", []
        found: list[dict[str, object]] = []
        for reader in readers:
            hresult, states = scard.SCardGetStatusChange(context, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
            state = int(states[0][1]) if hresult == scard.SCARD_S_SUCCESS else 0
            present = bool(state & scard.SCARD_STATE_PRESENT)
            found.append({"name": str(reader), "card_present": present,
                          "atr": bytes(states[0][2]).hex().upper() if present else ""})
        return "ok", found
    finally:
        scard.SCardReleaseContext(context)


def from_config(config: LoadedConfig) -> PcscReader:
    reader = settings_as(config.profile.reader, PcscReaderSettings)
    return PcscReader(reader.reader_name_contains, reader.poll_interval_s)


def staff_reader_from_config(config: LoadedConfig) -> PcscReader:
    """A separate PC/SC reader for staff badges (profile `staff_card_reader = "pcsc"`); only UIDs are read."""
    reader: ReaderSettings = config.profile.reader
    poll_interval_s = reader.poll_interval_s if isinstance(reader, PcscReaderSettings) else 0.3
    return PcscReader(reader.staff_reader_name_contains, poll_interval_s)

"""Virtual smart cards in Python that plug into vsmartcard's vpcd reader driver inside pcscd.

vpcd listens on a TCP port per slot; a card "is inserted" by connecting to it and "removed" by closing
the connection. Every message either way is a 2-byte big-endian length and the bytes; a 1-byte message
from vpcd is a control code (0 power off, 1 power on, 2 reset, 4 get ATR), anything longer is an APDU
that the card answers with data + SW. (frankmorgner/vsmartcard, virtualsmartcard/doc/api.txt.)

The cards: a 社会保障卡 with the SSSE application (EF05/EF06 records), a staff card that only has a UID,
an unknown card, and the faulty ones the driver must survive: one that stops answering, one pulled out
mid-read, one that sends garbled replies.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import date

SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")  # "sx1.sh.社会保障" in GBK
SW_OK = b"\x90\x00"
SW_NOT_FOUND = b"\x6a\x82"
SW_RECORD_NOT_FOUND = b"\x6a\x83"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_SECURITY = b"\x69\x82"
SW_NO_EF = b"\x69\x86"


class VirtualCard:
    """Base card: an ATR and an APDU handler. `answer` returns None to stay silent."""

    atr = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")

    def __init__(self) -> None:
        self.apdus: list[bytes] = []

    def reset(self) -> None:
        pass

    def answer(self, apdu: bytes) -> bytes | None:
        self.apdus.append(apdu)
        return self.respond(apdu)

    def respond(self, apdu: bytes) -> bytes | None:
        return SW_INS_NOT_SUPPORTED


def _bcd(digits: str) -> bytes:
    return bytes.fromhex(digits)


@dataclass
class SocialSecurityHolder:
    ssn: str = "220104196208190026"  # 社会保障号码 = the citizen's ID number
    name: str = "王淑珍"
    sex: str = "2"
    nation_code: str = "01"
    birth: date | None = date(1962, 8, 19)
    card_number: str = "JL0000001"
    issued: date = date(2018, 4, 1)
    valid_until: date | None = date(2028, 4, 1)
    extra: dict[int, bytes] = field(default_factory=dict)


class SocialSecurityCard(VirtualCard):
    """A 社保卡 that lets EF05/EF06 be read without a PSAM (as the HDOS sample and a 德卡 T10 note show)."""

    atr = bytes.fromhex("3B6C00000A86240000000000000000000000")  # a plausible T=0 ATR, not a real card's

    def __init__(self, holder: SocialSecurityHolder | None = None, pin_for_ef06: bool = False) -> None:
        super().__init__()
        self.holder = holder or SocialSecurityHolder()
        self.pin_for_ef06 = pin_for_ef06
        self._in_ssse = False
        self._ef: int | None = None

    def reset(self) -> None:
        self._in_ssse, self._ef = False, None

    def records(self, ef: int) -> dict[int, bytes]:
        h = self.holder
        if ef == 0xEF05:
            found = {
                0x01: bytes.fromhex("220100D15600000599110145FFFFFFFF"),  # 卡识别码
                0x02: b"3",  # 卡类别
                0x03: b"3.00",  # 规范版本
                0x05: _bcd(h.issued.strftime("%Y%m%d")),
                0x07: h.card_number.encode("ascii"),
            }
            if h.valid_until:
                found[0x06] = _bcd(h.valid_until.strftime("%Y%m%d"))
            return found
        if ef == 0xEF06:
            found = {
                0x08: h.ssn.encode("ascii"),
                0x09: h.name.encode("gb18030").ljust(30, b"\x00"),
                0x0A: h.sex.encode("ascii"),
                0x0B: _bcd(h.nation_code) if h.nation_code else b"\xff",
                0x0C: _bcd("220104"),
            }
            if h.birth:
                found[0x0D] = _bcd(h.birth.strftime("%Y%m%d"))
            found.update(h.extra)
            return found
        return {}

    def respond(self, apdu: bytes) -> bytes | None:
        ins, p1 = apdu[1], apdu[2]
        body = apdu[5:5 + apdu[4]] if len(apdu) > 5 else b""
        if ins == 0xA4 and p1 == 0x04:
            self._in_ssse, self._ef = body == SSSE_AID, None
            return SW_OK if self._in_ssse else SW_NOT_FOUND
        if ins == 0xA4 and p1 in (0x00, 0x02) and self._in_ssse:
            ef = int.from_bytes(body, "big")
            if ef not in (0xEF05, 0xEF06):
                return SW_NOT_FOUND
            self._ef = ef
            return SW_OK
        if ins == 0xB2:
            if self._ef is None:
                return SW_NO_EF
            if self._ef == 0xEF06 and self.pin_for_ef06:
                return SW_SECURITY
            value = self.records(self._ef).get(p1)
            if value is None:
                return SW_RECORD_NOT_FOUND
            record = bytes([p1, len(value)]) + value
            le = apdu[4] if len(apdu) == 5 else 0
            if le and le != len(record):
                return bytes([0x6C, len(record)])  # wrong Le: here is the right one
            return record + SW_OK
        return SW_INS_NOT_SUPPORTED


class StaffCard(VirtualCard):
    """A contactless staff badge: only the reader's GET DATA for the UID answers (FF CA 00 00 00)."""

    atr = bytes.fromhex("3B8F8001804F0CA0000003060300030000000068")

    def __init__(self, uid: bytes = bytes.fromhex("04A1B2C3D4E5F6")) -> None:
        super().__init__()
        self.uid = uid

    def respond(self, apdu: bytes) -> bytes | None:
        if apdu[:4] == b"\xff\xca\x00\x00":
            return self.uid + SW_OK
        return SW_NOT_FOUND if apdu[1] == 0xA4 else SW_INS_NOT_SUPPORTED


class UnknownCard(VirtualCard):
    """A bank or transport card: no SSSE application, nothing the kiosk knows."""

    atr = bytes.fromhex("3B6800000073C84013009000")

    def respond(self, apdu: bytes) -> bytes | None:
        return SW_NOT_FOUND if apdu[1] == 0xA4 else SW_INS_NOT_SUPPORTED


class SilentCard(SocialSecurityCard):
    """Answers `answers` APDUs, then never again (a broken chip, a card half out of the slot)."""

    def __init__(self, answers: int = 2) -> None:
        super().__init__()
        self.remaining = answers

    def respond(self, apdu: bytes) -> bytes | None:
        if self.remaining <= 0:
            return None
        self.remaining -= 1
        return super().respond(apdu)


class GarbledCard(SocialSecurityCard):
    """Selects fine, then answers record reads with bytes that are not a record."""

    def __init__(self, reply: bytes = b"\x01") -> None:
        super().__init__()
        self.reply = reply

    def respond(self, apdu: bytes) -> bytes | None:
        answer = super().respond(apdu)
        return self.reply if apdu[1] == 0xB2 else answer


class VpcdSlot:
    """One vpcd slot: `insert(card)` connects a card to it, `remove()` pulls it out."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.card: VirtualCard | None = None
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.pull_after: int | None = None  # pull the card out after this many APDUs
        self.pull_after_reply: int | None = None  # pull it out right after answering this many APDUs

    def insert(self, card: VirtualCard, timeout_s: float = 10.0) -> None:
        self.remove()
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)  # vpcd is not listening yet (pcscd starting)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock, self.card = sock, card
        self._thread = threading.Thread(target=self._serve, args=(sock, card), daemon=True,
                                        name=f"vpcd-card-{self.port}")
        self._thread.start()

    def remove(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):  # already gone
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        self.card = None

    def _serve(self, sock: socket.socket, card: VirtualCard) -> None:
        try:
            while True:
                header = _recv_exact(sock, 2)
                if header is None:
                    return
                (size,) = struct.unpack("!H", header)
                message = _recv_exact(sock, size)
                if message is None:
                    return
                if size == 1:
                    if message[0] == 4:
                        sock.sendall(struct.pack("!H", len(card.atr)) + card.atr)
                    elif message[0] in (0, 1, 2):
                        card.reset()
                    continue
                if self.pull_after is not None and len(card.apdus) >= self.pull_after:
                    sock.shutdown(socket.SHUT_RDWR)
                    return
                reply = card.answer(message)
                if reply is not None:
                    sock.sendall(struct.pack("!H", len(reply)) + reply)
                if self.pull_after_reply is not None and len(card.apdus) >= self.pull_after_reply:
                    # gone between two APDUs, before pcscd noticed: the next one fails (0x80100016)
                    sock.shutdown(socket.SHUT_RDWR)
                    return
        except OSError:
            return


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
        # vpcd writes length and body separately; acknowledging at once avoids a 40 ms delayed-ACK stall
        # per message, which would swamp every timing in the benchmark.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    return data

"""The frame protocol of certified ID-card readers (GA 467 SAM_V): build commands, decode replies.

A frame is the preamble `AA AA AA 96 69`, a big-endian length counting everything after it, the payload
and an XOR checksum of the length bytes and the payload. Commands carry a command and a parameter byte;
replies carry three status bytes (`00 00 SW3`) and data. The decoder is incremental and resynchronises
on the next preamble after garbage, so a reader that glitches never wedges the driver.

Pure code: the serial driver and the pty simulator in the tests both use it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Final

from kiosk.core.cardtext import TEXT_BLOCK_SIZE
from kiosk.core.health import Reason

PREAMBLE: Final = b"\xaa\xaa\xaa\x96\x69"
MAX_LENGTH: Final = 0x0A00  # text + photo + fingerprint replies are about 0x0910


class Command(enum.Enum):
    """Command and parameter bytes of the public command set."""

    SAM_STATUS = (0x11, 0xFF)
    SAM_ID = (0x12, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_TEXT_PHOTO = (0x30, 0x01)
    READ_APPENDED_ADDRESS = (0x30, 0x03)
    READ_TEXT_PHOTO_FINGERPRINT = (0x30, 0x10)


class Status(enum.IntEnum):
    """SW3 of a reply, with the meaning the vendor SDKs give it."""

    OK = 0x90
    NO_CONTENT = 0x91  # the card holds nothing for this item (e.g. no appended address)
    CARD_FOUND = 0x9F
    SAM_CHECKSUM_ERROR = 0x10  # the SAM received a frame with a bad checksum
    SAM_LENGTH_ERROR = 0x11
    COMMAND_ERROR = 0x21
    NOT_PERMITTED = 0x23
    UNKNOWN_ERROR = 0x24
    CARD_AUTHENTICATING_SAM_FAILED = 0x31
    SAM_AUTHENTICATING_CARD_FAILED = 0x32
    VERIFY_FAILED = 0x33
    FINGERPRINT_VERIFY_FAILED = 0x37
    INFO_LENGTH_ERROR = 0x3F
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    NO_CARD = 0x80
    SELECT_FAILED = 0x81


# What each failure status means for the kiosk. Link errors (0x10, 0x11) are retried before they get here.
STATUS_REASONS: Final[Mapping[int, Reason]] = {
    Status.NO_CARD: Reason.NO_CARD,
    Status.SELECT_FAILED: Reason.CARD_UNREADABLE,
    Status.READ_FAILED: Reason.CARD_UNREADABLE,
    Status.CARD_AUTHENTICATING_SAM_FAILED: Reason.CARD_UNREADABLE,
    Status.SAM_AUTHENTICATING_CARD_FAILED: Reason.CARD_UNREADABLE,
    Status.VERIFY_FAILED: Reason.CARD_UNREADABLE,
    Status.FINGERPRINT_VERIFY_FAILED: Reason.CARD_UNREADABLE,
    Status.INFO_LENGTH_ERROR: Reason.CARD_UNREADABLE,
    Status.RANDOM_FAILED: Reason.CARD_UNREADABLE,
    Status.UNKNOWN_ERROR: Reason.CARD_UNREADABLE,
    Status.SAM_CHECKSUM_ERROR: Reason.CARD_UNREADABLE,
    Status.SAM_LENGTH_ERROR: Reason.CARD_UNREADABLE,
    Status.UNKNOWN_CARD_TYPE: Reason.UNSUPPORTED_CARD,
    Status.COMMAND_ERROR: Reason.NO_READER,  # the reader does not speak this command set: engineer
    Status.NOT_PERMITTED: Reason.NO_READER,
    Status.SAM_SELF_TEST_FAILED: Reason.NO_READER,
    Status.SAM_NOT_AUTHORISED: Reason.NO_READER,
}


def reason_for(status: int) -> Reason:
    return STATUS_REASONS.get(status, Reason.CARD_UNREADABLE)


def status_name(status: int) -> str:
    """A stable, non-personal name for logs and DeviceError details, e.g. `sam_0x41_read_failed`."""
    try:
        return f"sam_0x{status:02x}_{Status(status).name.lower()}"
    except ValueError:
        return f"sam_0x{status:02x}_undefined"


class FrameError(ValueError):
    """Bytes that are not a usable frame; the message says why in one line."""


class ChecksumError(FrameError):
    """A complete frame whose checksum does not match: the link garbled it."""


@dataclass(frozen=True, slots=True)
class Reply:
    status: int  # SW3; SW1 and SW2 are 00 on every reader seen
    data: bytes = b""
    sw12: bytes = b"\x00\x00"


def xor(data: bytes) -> int:
    return reduce(lambda a, b: a ^ b, data, 0)


def frame(payload: bytes) -> bytes:
    """Wrap a payload (command or reply body) with preamble, length and checksum."""
    body = (len(payload) + 1).to_bytes(2, "big") + payload
    return PREAMBLE + body + bytes([xor(body)])


def encode_command(command: Command, data: bytes = b"") -> bytes:
    return frame(bytes(command.value) + data)


def encode_reply(status: int, data: bytes = b"", sw12: bytes = b"\x00\x00") -> bytes:
    """A reader's reply; the pty simulator in the tests speaks through this."""
    return frame(sw12 + bytes([status]) + data)


class FrameDecoder:
    """Feed bytes as they arrive; take whole frames out. Garbage before a preamble is counted and dropped.

    `payloads()` yields each frame's payload (between length and checksum); `next_reply()` reads it as a
    reader's reply. A complete frame with a bad checksum raises ChecksumError once and is skipped.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.discarded = 0  # garbage bytes dropped while resynchronising

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def clear(self) -> None:
        self._buffer[:] = bytes(len(self._buffer))  # it may have held card data
        self._buffer.clear()

    def next_payload(self) -> bytes | None:
        while True:
            start = self._buffer.find(PREAMBLE)
            if start < 0:
                # Keep a tail that may be the beginning of a preamble split across reads.
                keep = next((n for n in range(len(PREAMBLE) - 1, 0, -1)
                             if self._buffer.endswith(PREAMBLE[:n])), 0)
                self._drop(len(self._buffer) - keep)
                return None
            self._drop(start)
            header = len(PREAMBLE) + 2
            if len(self._buffer) < header:
                return None
            length = int.from_bytes(self._buffer[len(PREAMBLE):header], "big")
            if not 3 <= length <= MAX_LENGTH:  # 3: a command (CMD PARA CHK); replies are longer
                self._drop(1)  # a false preamble inside garbage: look for the next one
                continue
            end = header + length
            if len(self._buffer) < end:
                return None
            body = bytes(self._buffer[len(PREAMBLE):end])
            if xor(body[:-1]) != body[-1]:
                self._drop(1)
                raise ChecksumError("frame checksum does not match")
            payload = body[2:-1]
            self._buffer[:end] = bytes(end)
            del self._buffer[:end]
            return payload

    def next_reply(self) -> Reply | None:
        payload = self.next_payload()
        if payload is None:
            return None
        if len(payload) < 3:
            raise FrameError(f"reply of {len(payload)} bytes has no status")
        return Reply(status=payload[2], data=payload[3:], sw12=payload[:2])

    def _drop(self, count: int) -> None:
        if count > 0:
            self.discarded += count
            del self._buffer[:count]


@dataclass(frozen=True, slots=True)
class CardRecord:
    """What a read command returns: the text block, the WLT photo, the fingerprint data if asked for."""

    text: bytes
    photo: bytes
    fingerprint: bytes = b""


def decode_card_record(data: bytes, with_fingerprint: bool = False) -> CardRecord:
    """Split the data of a successful read reply: lengths (2 bytes each, big-endian), then the parts."""
    count = 3 if with_fingerprint else 2
    if len(data) < 2 * count:
        raise FrameError("read reply too short for its length fields")
    lengths = [int.from_bytes(data[2 * i:2 * i + 2], "big") for i in range(count)]
    body = data[2 * count:]
    if sum(lengths) != len(body):
        raise FrameError(f"read reply announces {sum(lengths)} bytes but holds {len(body)}")
    if lengths[0] != TEXT_BLOCK_SIZE:
        raise FrameError(f"text part is {lengths[0]} bytes, not {TEXT_BLOCK_SIZE}")
    text = body[:lengths[0]]
    photo = body[lengths[0]:lengths[0] + lengths[1]]
    fingerprint = body[lengths[0] + lengths[1]:] if with_fingerprint else b""
    return CardRecord(text, photo, fingerprint)


def encode_card_record(text: bytes, photo: bytes) -> bytes:
    """The data part of a read reply (inverse of decode_card_record without fingerprint)."""
    return len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text + photo


def text_block_from_bytes(data: bytes) -> CardRecord:
    """A file's worth of bytes: either a bare 256-byte text block or one whole read-reply frame.

    Raises FrameError with a one-line reason for anything else.
    """
    if len(data) == TEXT_BLOCK_SIZE and not data.startswith(PREAMBLE):
        return CardRecord(bytes(data), b"")
    if not data.startswith(PREAMBLE):
        raise FrameError(f"{len(data)} bytes: neither a {TEXT_BLOCK_SIZE}-byte text block nor a SAM frame "
                         "(which starts AA AA AA 96 69)")
    decoder = FrameDecoder()
    decoder.feed(data)
    try:
        reply = decoder.next_reply()
    except ChecksumError:
        raise FrameError("the SAM frame's checksum does not match") from None
    if reply is None:
        raise FrameError("the SAM frame is truncated")
    if decoder.discarded or len(data) != len(encode_reply(reply.status, reply.data, reply.sw12)):
        raise FrameError("bytes follow the SAM frame")
    if reply.status != Status.OK:
        raise FrameError(f"the SAM frame reports status 0x{reply.status:02x} ({status_name(reply.status)}), "
                         "not a successful read")
    return decode_card_record(reply.data)

"""The SAM frame codec: the published command bytes, replies, resynchronisation and hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.readers.sam_frame import (
    PREAMBLE,
    ChecksumError,
    Command,
    FrameDecoder,
    FrameError,
    Reply,
    Status,
    decode_card_record,
    encode_card_record,
    encode_command,
    encode_reply,
    reason_for,
    status_name,
    text_block_from_bytes,
)
from kiosk.core.health import Reason


@pytest.mark.parametrize(("command", "wire"), [
    (Command.SAM_STATUS, "AAAAAA9669000311FFED"),
    (Command.SAM_ID, "AAAAAA9669000312FFEE"),
    (Command.FIND_CARD, "AAAAAA96690003200122"),
    (Command.SELECT_CARD, "AAAAAA96690003200221"),
    (Command.READ_TEXT_PHOTO, "AAAAAA96690003300132"),
    (Command.READ_TEXT_PHOTO_FINGERPRINT, "AAAAAA96690003301023"),
    (Command.READ_APPENDED_ADDRESS, "AAAAAA96690003300330"),
])
def test_commands_match_the_published_bytes(command: Command, wire: str) -> None:
    assert encode_command(command) == bytes.fromhex(wire)


@pytest.mark.parametrize(("wire", "status", "data"), [
    ("AAAAAA9669000400009094", 0x90, b""),
    ("AAAAAA9669000800009F0000000097", 0x9F, bytes(4)),
    ("AAAAAA9669000400008084", 0x80, b""),
    ("AAAAAA9669000C00009000000000000000009C", 0x90, bytes(8)),
])
def test_published_replies_decode(wire: str, status: int, data: bytes) -> None:
    decoder = FrameDecoder()
    decoder.feed(bytes.fromhex(wire))
    assert decoder.next_reply() == Reply(status, data)
    assert decoder.next_reply() is None


def test_read_reply_header_matches_the_published_one() -> None:
    wire = encode_reply(Status.OK, encode_card_record(bytes(256), bytes(1024)))
    assert wire[:14] == bytes.fromhex("AAAAAA9669050800009001000400")
    assert len(wire) == 1295


def test_byte_by_byte_feed_gives_the_frame_once() -> None:
    decoder = FrameDecoder()
    replies = []
    for byte in encode_reply(0x90, b"abc") * 2:
        decoder.feed(bytes([byte]))
        while (reply := decoder.next_reply()) is not None:
            replies.append(reply)
    assert replies == [Reply(0x90, b"abc")] * 2
    assert decoder.discarded == 0


def test_garbage_and_false_preambles_are_skipped() -> None:
    decoder = FrameDecoder()
    decoder.feed(b"\x01\x02" + PREAMBLE + b"\xff\xff" + b"\xaa\xaa" + encode_reply(0x9F, bytes(4)))
    assert decoder.next_reply() == Reply(0x9F, bytes(4))
    assert decoder.discarded == 2 + 7 + 2


def test_partial_preamble_at_the_end_is_kept() -> None:
    decoder = FrameDecoder()
    wire = encode_reply(0x80)
    decoder.feed(b"junk" + wire[:3])
    assert decoder.next_reply() is None
    decoder.feed(wire[3:])
    assert decoder.next_reply() == Reply(0x80)


def test_bad_checksum_raises_once_then_resyncs() -> None:
    decoder = FrameDecoder()
    bad = bytearray(encode_reply(0x90, b"xyz"))
    bad[-1] ^= 0x01
    decoder.feed(bytes(bad) + encode_reply(0x80))
    with pytest.raises(ChecksumError):
        decoder.next_reply()
    assert decoder.next_reply() == Reply(0x80)


def test_status_names_and_reasons() -> None:
    assert status_name(0x41) == "sam_0x41_read_failed"
    assert status_name(0x55) == "sam_0x55_undefined"
    assert reason_for(Status.NO_CARD) == Reason.NO_CARD
    assert reason_for(Status.UNKNOWN_CARD_TYPE) == Reason.UNSUPPORTED_CARD
    assert reason_for(Status.SAM_NOT_AUTHORISED) == Reason.NO_READER
    assert reason_for(0x55) == Reason.CARD_UNREADABLE


def test_card_record_lengths_are_checked() -> None:
    record = encode_card_record(bytes(256), bytes(1024))
    assert decode_card_record(record).photo == bytes(1024)
    with pytest.raises(FrameError, match="announces 1280 bytes but holds 1279"):
        decode_card_record(record[:-1])
    with pytest.raises(FrameError, match="text part is 255 bytes"):
        decode_card_record(encode_card_record(bytes(255), bytes(1025)))


def test_file_bytes_bare_block_or_whole_frame() -> None:
    text = bytes(range(256))
    assert text_block_from_bytes(text).text == text
    frame = encode_reply(Status.OK, encode_card_record(text, b"P" * 1024))
    assert text_block_from_bytes(frame).text == text
    assert text_block_from_bytes(frame).photo == b"P" * 1024


@pytest.mark.parametrize(("data", "message"), [
    (b"", "0 bytes: neither"),
    (bytes(300), "300 bytes: neither"),
    (encode_reply(Status.OK, encode_card_record(bytes(256), bytes(1024)))[:-10], "truncated"),
    (encode_reply(Status.OK, encode_card_record(bytes(256), bytes(1024))) + b"x", "bytes follow"),
    (encode_reply(Status.NO_CARD), "status 0x80"),
    (encode_reply(Status.OK, encode_card_record(bytes(256), bytes(1024)))[:-1] + b"\x00", "checksum"),
])
def test_file_bytes_errors_are_one_line(data: bytes, message: str) -> None:
    with pytest.raises(FrameError, match=message) as caught:
        text_block_from_bytes(data)
    assert "\n" not in str(caught.value)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.binary(max_size=64) | st.sampled_from([PREAMBLE, encode_reply(0x90, b"ok")]), max_size=20))
def test_arbitrary_streams_give_replies_or_frame_errors(chunks: list[bytes]) -> None:
    decoder = FrameDecoder()
    for chunk in chunks:
        decoder.feed(chunk)
        for _ in range(100):
            try:
                if decoder.next_reply() is None:
                    break
            except FrameError:
                continue


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=1400))
def test_arbitrary_files_give_a_record_or_a_frame_error(data: bytes) -> None:
    try:
        text_block_from_bytes(data)
    except FrameError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.integers(0, 255), st.binary(max_size=300), st.binary(max_size=40))
def test_a_frame_inside_garbage_is_found(before: bytes, status: int, data: bytes, after: bytes) -> None:
    decoder = FrameDecoder()
    decoder.feed(before.replace(b"\xaa", b"\x00") + encode_reply(status, data) + after)
    assert decoder.next_reply() == Reply(status, data)

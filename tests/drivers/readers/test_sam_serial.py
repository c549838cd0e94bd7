"""The SAM serial driver against a simulated reader on a pseudo-terminal: reads, faults, unplugging."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.readers.sam_frame import Command, Status
from devices.readers.sam_serial import SamSerialReader
from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.core.cardtext import build_text_block
from kiosk.core.health import DeviceError, Reason
from kiosk.core.health import Status as HealthStatus
from kiosk.core.identity import CardType, Identity
from kiosk.core.value import replace
from tests.support.sam_simulator import FAKE_PHOTO, SamSimulator


@pytest.fixture
def sam(tmp_path: Path) -> Iterator[SamSimulator]:
    simulator = SamSimulator(tmp_path / "kiosk-idreader")
    yield simulator
    simulator.close()


@pytest.fixture
def reader(sam: SamSimulator) -> Iterator[SamSerialReader]:
    driver = SamSerialReader(str(sam.link_path), poll_interval_s=0.05, command_timeout_s=0.5,
                             read_timeout_s=1.0)
    yield driver
    driver.close()


def insert(sam: SamSimulator, key: str) -> None:
    sam.insert(build_text_block(TEST_IDENTITIES[key]))


def without_photo(identity: Identity) -> Identity:
    return replace(identity, photo=b"")


def failure(reader: SamSerialReader, timeout_s: float = 0.5) -> DeviceError:
    with pytest.raises(DeviceError) as caught:
        reader.read_identity(timeout_s)
    return caught.value


@pytest.mark.parametrize("key", ["resident-zhang", "resident-rare-char", "hmt-chen", "foreign-smith"])
def test_reads_every_card_type(sam: SamSimulator, reader: SamSerialReader, key: str) -> None:
    insert(sam, key)
    identity = reader.read_identity(2.0)
    assert without_photo(identity) == TEST_IDENTITIES[key]
    assert identity.photo == FAKE_PHOTO
    assert sam.commands[-3:] == [Command.FIND_CARD, Command.SELECT_CARD, Command.READ_TEXT_PHOTO]


def test_waits_for_a_card_laid_down_later(sam: SamSimulator, reader: SamSerialReader) -> None:
    threading.Timer(0.3, insert, (sam, "resident-zhang")).start()
    assert reader.read_identity(3.0).card_type == CardType.RESIDENT


def test_no_card_within_the_timeout(reader: SamSerialReader) -> None:
    started = time.monotonic()
    assert failure(reader, 0.4).reason == Reason.NO_CARD
    assert time.monotonic() - started < 1.0


def test_presence_follows_the_card_after_it_was_read(sam: SamSimulator, reader: SamSerialReader) -> None:
    assert not reader.card_present()
    insert(sam, "hmt-chen")
    reader.read_identity(1.0)
    assert reader.card_present()  # find now says "no card", select still reaches it
    sam.remove()
    assert not reader.card_present()


def test_slow_reply_within_the_timeout(sam: SamSimulator, reader: SamSerialReader) -> None:
    insert(sam, "resident-zhang")
    sam.reply_delay_s = 0.3
    assert without_photo(reader.read_identity(3.0)) == TEST_IDENTITIES["resident-zhang"]


def test_reply_split_into_small_pieces(sam: SamSimulator, reader: SamSerialReader) -> None:
    insert(sam, "foreign-smith")
    sam.chunk_size, sam.chunk_delay_s = 7, 0.001
    assert without_photo(reader.read_identity(3.0)) == TEST_IDENTITIES["foreign-smith"]


def test_garbage_before_replies_is_skipped(sam: SamSimulator, reader: SamSerialReader) -> None:
    insert(sam, "resident-rare-char")
    sam.garbage_before_next_reply(b"\x00\xff\xaa\xaa\x13")
    sam.garbage_before_next_reply(b"\xaa\xaa\xaa\x96\x69\xff\xff")  # a false preamble with an absurd length
    sam.garbage_before_next_reply(bytes(range(200)))
    assert without_photo(reader.read_identity(2.0)) == TEST_IDENTITIES["resident-rare-char"]
    assert reader.garbage_bytes >= 5 + 7 + 200


def test_one_bad_checksum_is_retried(sam: SamSimulator, reader: SamSerialReader) -> None:
    insert(sam, "resident-zhang")
    sam.corrupt_next_replies(1)
    assert without_photo(reader.read_identity(2.0)) == TEST_IDENTITIES["resident-zhang"]


def test_a_line_that_garbles_everything_is_unreadable(sam: SamSimulator, reader: SamSerialReader) -> None:
    insert(sam, "resident-zhang")
    sam.corrupt_next_replies(100)
    error = failure(reader)
    assert error.reason == Reason.CARD_UNREADABLE and "link errors" in error.detail


def test_sam_reports_our_checksum_wrong_then_recovers(sam: SamSimulator, reader: SamSerialReader) -> None:
    insert(sam, "hmt-chen")
    sam.answer_next(Command.READ_TEXT_PHOTO, Status.SAM_CHECKSUM_ERROR)
    assert without_photo(reader.read_identity(2.0)) == TEST_IDENTITIES["hmt-chen"]


@pytest.mark.parametrize(("command", "status", "reason"), [
    (Command.SELECT_CARD, Status.SELECT_FAILED, Reason.CARD_UNREADABLE),
    (Command.READ_TEXT_PHOTO, Status.CARD_AUTHENTICATING_SAM_FAILED, Reason.CARD_UNREADABLE),
    (Command.READ_TEXT_PHOTO, Status.SAM_AUTHENTICATING_CARD_FAILED, Reason.CARD_UNREADABLE),
    (Command.READ_TEXT_PHOTO, Status.VERIFY_FAILED, Reason.CARD_UNREADABLE),
    (Command.READ_TEXT_PHOTO, Status.UNKNOWN_CARD_TYPE, Reason.UNSUPPORTED_CARD),
    (Command.READ_TEXT_PHOTO, Status.RANDOM_FAILED, Reason.CARD_UNREADABLE),
    (Command.FIND_CARD, Status.SAM_SELF_TEST_FAILED, Reason.NO_READER),
    (Command.FIND_CARD, Status.SAM_NOT_AUTHORISED, Reason.NO_READER),
    (Command.FIND_CARD, Status.COMMAND_ERROR, Reason.NO_READER),
])
def test_status_codes_map_to_reasons(sam: SamSimulator, reader: SamSerialReader, command: Command,
                                     status: Status, reason: Reason) -> None:
    insert(sam, "resident-zhang")
    for _ in range(3):  # more than the driver's attempts, so the failure is what it reports
        sam.answer_next(command, status)
    error = failure(reader, 1.0)
    assert error.reason == reason
    assert f"0x{status:02x}" in error.detail


def test_one_failed_read_of_a_card_in_the_field_is_tried_again(sam: SamSimulator,
                                                                reader: SamSerialReader) -> None:
    insert(sam, "resident-zhang")
    sam.answer_next(Command.READ_TEXT_PHOTO, Status.READ_FAILED)
    assert without_photo(reader.read_identity(2.0)) == TEST_IDENTITIES["resident-zhang"]


def test_card_pulled_during_the_read(sam: SamSimulator, reader: SamSerialReader) -> None:
    insert(sam, "resident-zhang")
    sam.remove_during_read = True
    assert failure(reader, 1.0).reason == Reason.CARD_REMOVED


def test_unknown_type_byte_is_unsupported(sam: SamSimulator, reader: SamSerialReader) -> None:
    block = bytearray(build_text_block(TEST_IDENTITIES["resident-zhang"]))
    block[248:250] = "Y".encode("utf-16-le")  # the 2023 permanent-residence card: layout not public
    sam.insert(bytes(block))
    error = failure(reader, 1.0)
    assert error.reason == Reason.UNSUPPORTED_CARD and "'Y'" in error.detail


def test_malformed_text_is_unreadable(sam: SamSimulator, reader: SamSerialReader) -> None:
    block = bytearray(build_text_block(TEST_IDENTITIES["resident-zhang"]))
    block[36:52] = "1956?312".encode("utf-16-le")  # the birth date
    sam.insert(bytes(block))
    error = failure(reader, 1.0)
    assert error.reason == Reason.CARD_UNREADABLE and error.detail == "birth_date: not a date (YYYYMMDD)"


def test_silent_reader_times_out(sam: SamSimulator, reader: SamSerialReader) -> None:
    sam.silent = True
    error = failure(reader, 2.0)
    assert error.reason == Reason.READER_TIMEOUT
    health = reader.health()
    assert health.reason == Reason.READER_TIMEOUT and health.status == HealthStatus.UNAVAILABLE


def test_health_asks_the_sam(reader: SamSerialReader) -> None:
    assert reader.health().status == HealthStatus.OK


def test_unplugged_and_plugged_back(sam: SamSimulator, reader: SamSerialReader) -> None:
    insert(sam, "resident-zhang")
    assert reader.health().status == HealthStatus.OK
    sam.unplug()
    assert failure(reader).reason == Reason.NO_READER
    assert reader.health().reason == Reason.NO_READER
    with pytest.raises(DeviceError) as caught:
        reader.card_present()
    assert caught.value.reason == Reason.NO_READER
    sam.plug()
    assert reader.health().status == HealthStatus.OK
    insert(sam, "hmt-chen")
    assert without_photo(reader.read_identity(2.0)) == TEST_IDENTITIES["hmt-chen"]


def test_port_vanishes_in_the_middle_of_a_read(sam: SamSimulator, reader: SamSerialReader) -> None:
    insert(sam, "resident-zhang")
    sam.reply_delay_s = 0.5
    threading.Timer(0.2, sam.unplug).start()
    assert failure(reader, 2.0).reason in (Reason.NO_READER, Reason.READER_TIMEOUT)
    sam.reply_delay_s = 0.0
    sam.plug()
    assert without_photo(reader.read_identity(2.0)) == TEST_IDENTITIES["resident-zhang"]


def test_missing_port_is_no_reader(tmp_path: Path) -> None:
    driver = SamSerialReader(str(tmp_path / "nothing"), command_timeout_s=0.2)
    assert driver.health().reason == Reason.NO_READER
    with pytest.raises(DeviceError) as caught:
        driver.read_identity(0.2)
    assert caught.value.reason == Reason.NO_READER and "nothing: cannot open" in caught.value.detail


def test_presence_watch_and_read_do_not_interleave(sam: SamSimulator, reader: SamSerialReader) -> None:
    insert(sam, "foreign-smith")
    stop = threading.Event()
    errors: list[BaseException] = []

    def watch() -> None:
        while not stop.is_set():
            try:
                reader.card_present()
                reader.health()
            except BaseException as exc:  # any frame mix-up shows up here
                errors.append(exc)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(5):
            sam.insert(build_text_block(TEST_IDENTITIES["foreign-smith"]))
            assert without_photo(reader.read_identity(2.0)) == TEST_IDENTITIES["foreign-smith"]
    finally:
        stop.set()
        watcher.join()
    assert errors == []


@pytest.mark.parametrize("command", [Command.SELECT_CARD, Command.READ_TEXT_PHOTO])
def test_one_slow_reply_is_tried_again_and_its_late_answer_dropped(sam: SamSimulator, reader: SamSerialReader,
                                                                   command: Command) -> None:
    insert(sam, "resident-zhang")
    sam.slow_next(command, 1.3)  # past the driver's timeout (0.5 s per command, 1 s for the read)
    assert without_photo(reader.read_identity(6.0)) == TEST_IDENTITIES["resident-zhang"]


def test_one_slow_find_is_not_a_dead_reader(sam: SamSimulator, reader: SamSerialReader) -> None:
    insert(sam, "resident-zhang")
    sam.slow_next(Command.FIND_CARD, 0.7)
    assert without_photo(reader.read_identity(4.0)) == TEST_IDENTITIES["resident-zhang"]


def test_card_pulled_during_a_read_that_gets_no_answer_is_removed(sam: SamSimulator,
                                                                  reader: SamSerialReader) -> None:
    insert(sam, "resident-zhang")
    sam.remove_during_read_silently = True
    error = failure(reader, 4.0)
    assert error.reason == Reason.CARD_REMOVED, error.detail

"""The PC/SC driver through a real pcscd and vpcd, with virtual cards speaking the vpcd protocol."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest

from devices.readers.pcsc import PcscReader, ReaderEvent, ReaderWatch
from kiosk.core.health import DeviceError, Reason, Status
from kiosk.core.identity import CardType, Sex
from tests.support.pcsc_stack import PcscStack
from tests.support.vpcd_cards import (
    GarbledCard,
    SilentCard,
    SocialSecurityCard,
    SocialSecurityHolder,
    StaffCard,
    UnknownCard,
    VpcdSlot,
)


@pytest.fixture
def reader(pcsc_stack: PcscStack) -> Iterator[PcscReader]:
    driver = PcscReader(name_contains=pcsc_stack.reader_name(0), session_timeout_s=1.5)
    yield driver
    driver.close()


def failure(reader: PcscReader, timeout_s: float = 2.0) -> DeviceError:
    with pytest.raises(DeviceError) as caught:
        reader.read_identity(timeout_s)
    return caught.value


def test_reads_the_social_security_basic_data(slot0: VpcdSlot, reader: PcscReader) -> None:
    slot0.insert(SocialSecurityCard())
    identity = reader.read_identity(5.0)
    assert identity.card_type == CardType.SOCIAL_SECURITY
    assert (identity.name, identity.id_number) == ("王淑珍", "220104196208190026")
    assert identity.sex == Sex.FEMALE
    assert (identity.nation_code, identity.nation) == ("01", "汉")
    assert identity.birth_date == date(1962, 8, 19)
    assert (identity.valid_from, identity.valid_until) == (date(2018, 4, 1), date(2028, 4, 1))


def test_third_generation_card_without_face_fields(slot0: VpcdSlot, reader: PcscReader) -> None:
    holder = SocialSecurityHolder(ssn="22010219880312051X", name="赵䶮", sex="", nation_code="", birth=None,
                                  valid_until=None)
    slot0.insert(SocialSecurityCard(holder))
    identity = reader.read_identity(5.0)
    assert (identity.name, identity.id_number) == ("赵䶮", "22010219880312051X")
    assert identity.sex == Sex.UNKNOWN and identity.nation == ""
    assert identity.birth_date == date(1988, 3, 12)  # from the number
    assert identity.valid_until is None


def test_waits_for_a_card_laid_down_later(slot0: VpcdSlot, reader: PcscReader) -> None:
    threading.Timer(0.4, slot0.insert, (SocialSecurityCard(),)).start()
    assert reader.read_identity(5.0).card_type == CardType.SOCIAL_SECURITY


def test_no_card(slot0: VpcdSlot, reader: PcscReader) -> None:
    started = time.monotonic()
    assert failure(reader, 0.5).reason == Reason.NO_CARD
    assert time.monotonic() - started < 2.0


def test_unknown_card_is_unsupported_not_guessed(slot0: VpcdSlot, reader: PcscReader) -> None:
    card = UnknownCard()
    slot0.insert(card)
    error = failure(reader)
    assert error.reason == Reason.UNSUPPORTED_CARD and "6A82" in error.detail
    assert len(card.apdus) == 1  # one SELECT, then nothing more is tried on it


def test_card_that_wants_a_pin_is_unsupported(slot0: VpcdSlot, reader: PcscReader) -> None:
    slot0.insert(SocialSecurityCard(pin_for_ef06=True))
    error = failure(reader)
    assert error.reason == Reason.UNSUPPORTED_CARD and "PIN or PSAM" in error.detail


def test_staff_card_uid(slot0: VpcdSlot, reader: PcscReader) -> None:
    slot0.insert(StaffCard(bytes.fromhex("04A1B2C3D4E5F6")))
    assert reader.read_card_uid(5.0) == "04A1B2C3D4E5F6"
    assert failure(reader).reason == Reason.UNSUPPORTED_CARD


def test_card_that_stops_answering_times_out_then_the_reader_recovers(slot0: VpcdSlot,
                                                                      reader: PcscReader) -> None:
    slot0.insert(SilentCard(answers=2))
    started = time.monotonic()
    error = failure(reader, 3.0)
    assert error.reason == Reason.READER_TIMEOUT
    assert time.monotonic() - started < 3.0
    slot0.remove()  # the citizen takes it away: pcscd lets go of the hung exchange
    slot0.insert(SocialSecurityCard())
    assert reader.read_identity(5.0).name == "王淑珍"


def test_card_pulled_out_mid_read(slot0: VpcdSlot, reader: PcscReader) -> None:
    slot0.pull_after = 3
    slot0.insert(SocialSecurityCard())
    assert failure(reader).reason == Reason.CARD_REMOVED


@pytest.mark.parametrize("answered", [1, 2, 3, 4, 5, 6, 7, 8])
def test_card_pulled_between_two_apdus_is_removed_not_unreadable(slot0: VpcdSlot, reader: PcscReader,
                                                                  answered: int) -> None:
    """pcscd answers the APDU after the card left with SCARD_E_NOT_TRANSACTED: the citizen took the card
    away, and must not be told it is bad."""
    slot0.pull_after_reply = answered
    slot0.insert(SocialSecurityCard())
    error = failure(reader)
    assert error.reason == Reason.CARD_REMOVED, error.detail


@pytest.mark.parametrize("reply", [b"\x01", b"\x09\x30" + b"\x00" * 4 + b"\x90\x00", b"\x99\x99\x90\x00"])
def test_garbled_replies_are_unreadable(slot0: VpcdSlot, reader: PcscReader, reply: bytes) -> None:
    slot0.insert(GarbledCard(reply))
    error = failure(reader)
    assert error.reason == Reason.CARD_UNREADABLE


def test_presence_follows_the_card(slot0: VpcdSlot, reader: PcscReader, pcsc_stack: PcscStack) -> None:
    assert not reader.card_present()
    slot0.insert(SocialSecurityCard())
    pcsc_stack.wait_for_card(0, present=True)
    assert reader.card_present()
    slot0.remove()
    pcsc_stack.wait_for_card(0, present=False)
    assert not reader.card_present()


def test_health_names_the_reader(reader: PcscReader, pcsc_stack: PcscStack) -> None:
    health = reader.health()
    assert health.status == Status.OK and health.detail == pcsc_stack.reader_name(0)


def test_no_matching_reader(pcsc_stack: PcscStack) -> None:
    reader = PcscReader(name_contains="Feitian bR301")
    assert reader.health().reason == Reason.NO_READER
    assert failure(reader).reason == Reason.NO_READER


def test_events_and_pcscd_restart(slot0: VpcdSlot, pcsc_stack: PcscStack) -> None:
    watch = ReaderWatch(name_contains="Kiosk Test PCD")
    reader = PcscReader(name_contains=pcsc_stack.reader_name(0))
    try:
        first = watch.next_events(0.1)
        assert {e for e in first} == {ReaderEvent("reader_attached", pcsc_stack.reader_name(n)) for n in (0, 1)}
        slot0.insert(SocialSecurityCard())
        assert collect(watch, "card_inserted") == ReaderEvent("card_inserted", pcsc_stack.reader_name(0))
        slot0.remove()
        assert collect(watch, "card_removed") == ReaderEvent("card_removed", pcsc_stack.reader_name(0))

        pcsc_stack.stop()
        assert reader.health().reason == Reason.READER_SERVICE_DOWN
        assert failure(reader).reason == Reason.READER_SERVICE_DOWN
        down = watch.next_events(0.5)
        assert down[0] == ReaderEvent("service_down")
        assert {e.kind for e in down[1:]} == {"reader_detached"} and len(down) == 3

        pcsc_stack.start()
        assert collect(watch, "reader_attached").kind == "reader_attached"
        assert reader.health().status == Status.OK
        slot0.insert(SocialSecurityCard())
        assert reader.read_identity(5.0).card_type == CardType.SOCIAL_SECURITY
    finally:
        watch.close()
        reader.close()
        pcsc_stack.start()


def collect(watch: ReaderWatch, kind: str, timeout_s: float = 5.0) -> ReaderEvent:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for event in watch.next_events(0.5):
            if event.kind == kind:
                return event
    raise AssertionError(f"no {kind} event within {timeout_s} s")


def test_a_running_reader_reads_again_after_pcscd_restarts(slot0: VpcdSlot, pcsc_stack: PcscStack) -> None:
    """One reader object across the restart, as in the running kiosk: its card thread's context died with
    pcscd, and the first read after the restart must already work."""
    reader = PcscReader(name_contains=pcsc_stack.reader_name(0))
    try:
        slot0.insert(SocialSecurityCard())
        assert reader.read_identity(5.0).name == "王淑珍"
        slot0.remove()
        pcsc_stack.wait_for_card(0, present=False)
        pcsc_stack.restart()
        slot0.insert(SocialSecurityCard())
        assert reader.read_identity(5.0).name == "王淑珍"
        assert reader.health().status == Status.OK
        assert reader.card_present()
        slot0.remove()
        pcsc_stack.stop()
        assert reader.health().reason == Reason.READER_SERVICE_DOWN  # the truth during the outage
        assert failure(reader, 0.5).reason == Reason.READER_SERVICE_DOWN
        pcsc_stack.start()
        assert reader.health().status == Status.OK
        slot0.insert(SocialSecurityCard())
        assert reader.read_identity(5.0).name == "王淑珍"
    finally:
        reader.close()
        pcsc_stack.start()


def test_the_event_watcher_waits_while_pcscd_is_down(pcsc_stack: PcscStack) -> None:
    watch = ReaderWatch(name_contains="Kiosk Test PCD")
    try:
        watch.next_events(0.1)
        pcsc_stack.stop()
        assert watch.next_events(0.5)[0] == ReaderEvent("service_down")
        started, calls = time.monotonic(), 0
        while time.monotonic() - started < 1.0:
            assert watch.next_events(0.4) == []
            calls += 1
        assert calls <= 3  # each call waited its timeout instead of returning at once
        pcsc_stack.start()
        assert collect(watch, "service_up") == ReaderEvent("service_up")
    finally:
        watch.close()
        pcsc_stack.start()

"""The simulated reader: test identities through the real parser, and each injected fault."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from devices.readers.simulated import SimulatedCardReader, from_config
from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.core.cardtext import build_text_block
from kiosk.core.health import DeviceError, Reason, Status
from kiosk.core.identity import CardType, is_valid_id_number
from kiosk.core.ports import CardReader
from kiosk.storage.config import load_config


def reason_of_read(reader: SimulatedCardReader, timeout_s: float = 0.1) -> Reason:
    with pytest.raises(DeviceError) as caught:
        reader.read_identity(timeout_s)
    return caught.value.reason


@pytest.mark.parametrize("key", sorted(TEST_IDENTITIES))
def test_every_test_identity_reads_back_and_has_a_valid_number(key: str) -> None:
    reader = SimulatedCardReader()
    reader.insert(key)
    identity = reader.read_identity(0.1)
    assert identity == TEST_IDENTITIES[key]
    if identity.card_type != CardType.FOREIGN_PERMANENT:
        assert is_valid_id_number(identity.id_number)
    assert identity.id_number != "110101199001011234"


def test_rare_character_name_survives() -> None:
    reader = SimulatedCardReader()
    reader.insert("resident-rare-char")
    assert "䶮" in reader.read_identity(0.1).name


def test_unknown_card_type_is_unsupported() -> None:
    reader = SimulatedCardReader()
    block = bytearray(build_text_block(TEST_IDENTITIES["resident-zhang"]))
    block[248:250] = "Y".encode("utf-16-le")
    reader.insert_block(bytes(block))
    assert reason_of_read(reader) == Reason.UNSUPPORTED_CARD


def test_damaged_block_is_unreadable() -> None:
    reader = SimulatedCardReader()
    reader.insert_block(bytes(256))
    assert reason_of_read(reader) == Reason.CARD_UNREADABLE


def test_card_removed_during_the_read() -> None:
    reader = SimulatedCardReader()
    reader.insert("hmt-chen")
    reader.remove_during_next_read()
    assert reason_of_read(reader) == Reason.CARD_REMOVED
    assert not reader.card_present()


def test_injected_faults_come_in_order_then_reads_work() -> None:
    reader = SimulatedCardReader()
    reader.insert("foreign-smith")
    reader.fail_next(Reason.CARD_UNREADABLE)
    reader.fail_next(Reason.READER_TIMEOUT)
    assert reason_of_read(reader) == Reason.CARD_UNREADABLE
    assert reason_of_read(reader) == Reason.READER_TIMEOUT
    assert reader.read_identity(0.1).english_name == "SMITH, JOHN"


def test_unplugged_reader() -> None:
    reader = SimulatedCardReader()
    reader.unplug()
    assert reader.health().status == Status.UNAVAILABLE
    assert reason_of_read(reader) == Reason.NO_READER
    reader.unplug(False)
    assert reader.health().status == Status.OK


def test_waits_for_a_card() -> None:
    reader = SimulatedCardReader()
    assert reason_of_read(reader, 0.05) == Reason.NO_CARD
    threading.Timer(0.05, reader.insert, ("resident-zhang",)).start()
    assert reader.read_identity(2.0).name == "张桂兰"


def test_read_delay() -> None:
    reader = SimulatedCardReader()
    reader.read_delay_s = 0.05
    reader.insert("resident-zhang")
    assert reader.read_identity(1.0).card_type == CardType.RESIDENT
    assert reader.reads == 1


def test_from_the_shipped_simulated_profile(kiosk_config: Path) -> None:
    reader = from_config(load_config(kiosk_config))
    assert isinstance(reader, CardReader)
    assert set(reader.identities) == {"resident-zhang", "resident-rare-char", "hmt-chen", "foreign-smith"}


def test_faults_and_delay_from_the_profile(kiosk_config: Path) -> None:
    profile = kiosk_config.parent / "devices" / "simulated.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        '[reader]\ndriver = "simulated"',
        '[reader]\ndriver = "simulated"\nsimulated_faults = ["card_unreadable", "unsupported_card"]\n'
        'simulated_read_delay_s = 0.05'), encoding="utf-8")
    reader = from_config(load_config(kiosk_config))
    reader.insert("resident-zhang")
    assert reason_of_read(reader) == Reason.CARD_UNREADABLE
    assert reason_of_read(reader) == Reason.UNSUPPORTED_CARD
    assert reader.read_identity(1.0).name == "张桂兰"
    assert reader.read_delay_s == 0.05

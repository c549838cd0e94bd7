"""No driver lets card data reach a log line or an error detail, whatever happens during the read."""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from devices.readers.pcsc import PcscReader
from devices.readers.sam_frame import Command, Status
from devices.readers.sam_serial import SamSerialReader
from devices.readers.simulated import SimulatedCardReader
from devices.readers.test_identities import TEST_IDENTITIES
from devices.readers.vendor_sdk import VendorSdkReader
from kiosk.core.cardtext import build_text_block
from kiosk.core.health import DeviceError
from kiosk.logs import JsonLineFormatter
from tests.support.pcsc_stack import PcscStack
from tests.support.sam_simulator import SamSimulator
from tests.support.vpcd_cards import SocialSecurityCard, VpcdSlot

SECRETS = sorted({value for identity in TEST_IDENTITIES.values()
                  for value in (identity.name, identity.id_number, identity.address, identity.pass_number,
                                identity.english_name, identity.id_number[6:14]) if value})


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """Everything any logger has written at any level: as the kiosk's JSON formatter renders it, and raw."""
    caplog.set_level(logging.DEBUG)
    formatter = JsonLineFormatter()

    def lines() -> list[str]:
        return [formatter.format(r) for r in caplog.records] + [str(r.__dict__) for r in caplog.records]
    return lines


def assert_clean(texts: list[str]) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"personal data in: {text[:120]}"


def read_all(reader: object, rounds: list[str]) -> list[str]:
    """Read once per round, keeping every error detail and health detail seen."""
    seen: list[str] = []
    for _ in rounds:
        try:
            identity = reader.read_identity(1.0)  # type: ignore[attr-defined]
            seen.append(repr(identity))
        except DeviceError as exc:
            seen.append(f"{exc} {exc.detail}")
        seen.append(repr(reader.health()))  # type: ignore[attr-defined]
    return seen


def test_sam_serial(tmp_path: Path, logged: Callable[[], list[str]]) -> None:
    sam = SamSimulator(tmp_path / "sam")
    reader = SamSerialReader(str(sam.link_path), poll_interval_s=0.05, command_timeout_s=0.3)
    try:
        seen = []
        for key in ("resident-zhang", "hmt-chen", "foreign-smith"):
            sam.insert(build_text_block(TEST_IDENTITIES[key]))
            seen += read_all(reader, [key])
        bad = bytearray(build_text_block(TEST_IDENTITIES["resident-rare-char"]))
        bad[122:124] = "?".encode("utf-16-le")  # a broken ID number must not be quoted back
        sam.insert(bytes(bad))
        sam.corrupt_next_replies(1)
        sam.answer_next(Command.READ_TEXT_PHOTO, Status.READ_FAILED)
        seen += read_all(reader, ["broken"])
    finally:
        reader.close()
        sam.close()
    assert_clean(seen + logged())


def test_simulated(logged: Callable[[], list[str]]) -> None:
    reader = SimulatedCardReader()
    seen = []
    for key in TEST_IDENTITIES:
        reader.insert(key)
        seen += read_all(reader, [key])
    assert_clean(seen + logged())


def test_vendor_sdk(library: Path, fake: ctypes.CDLL, logged: Callable[[], list[str]]) -> None:
    reader = VendorSdkReader(str(library), 1001, poll_interval_s=0.02)
    seen = []
    for key in ("resident-rare-char", "foreign-smith"):
        fake.fake_insert(build_text_block(TEST_IDENTITIES[key]), bytes(1024))
        seen += read_all(reader, [key])
    reader.close()
    assert_clean(seen + logged())


def test_pcsc(slot0: VpcdSlot, pcsc_stack: PcscStack, logged: Callable[[], list[str]]) -> None:
    reader = PcscReader(name_contains=pcsc_stack.reader_name(0))
    slot0.insert(SocialSecurityCard())
    seen = read_all(reader, ["social-security"])
    reader.close()
    assert_clean(seen + logged())


def test_the_check_itself_catches_a_leak(logged: Callable[[], list[str]]) -> None:
    logging.getLogger("kiosk.devices.test").debug("read %s", TEST_IDENTITIES["hmt-chen"].pass_number)
    with pytest.raises(AssertionError, match="personal data"):
        assert_clean(logged())

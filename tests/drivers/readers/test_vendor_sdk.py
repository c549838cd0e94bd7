"""The vendor-SDK driver against a fake sdtapi library that this test compiles with the C compiler."""

from __future__ import annotations

import ctypes
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.readers.test_identities import TEST_IDENTITIES
from devices.readers.vendor_sdk import VendorSdkReader, from_config
from kiosk.core.cardtext import build_text_block
from kiosk.core.health import DeviceError, Reason, Status
from kiosk.core.identity import Identity
from kiosk.core.value import replace
from kiosk.storage.config import load_config

PHOTO = bytes(range(256)) * 4


@pytest.fixture
def reader(library: Path, fake: ctypes.CDLL) -> Iterator[VendorSdkReader]:
    driver = VendorSdkReader(str(library), 1001, poll_interval_s=0.02)
    yield driver
    driver.close()


def insert(fake: ctypes.CDLL, key: str) -> None:
    fake.fake_insert(build_text_block(TEST_IDENTITIES[key]), PHOTO)


def without_photo(identity: Identity) -> Identity:
    return replace(identity, photo=b"")


def failure(reader: VendorSdkReader, timeout_s: float = 0.3) -> DeviceError:
    with pytest.raises(DeviceError) as caught:
        reader.read_identity(timeout_s)
    return caught.value


@pytest.mark.parametrize("key", ["resident-zhang", "resident-rare-char", "hmt-chen", "foreign-smith"])
def test_reads_every_card_type(fake: ctypes.CDLL, reader: VendorSdkReader, key: str) -> None:
    insert(fake, key)
    identity = reader.read_identity(1.0)
    assert without_photo(identity) == TEST_IDENTITIES[key]
    assert identity.photo == PHOTO


def test_no_card(reader: VendorSdkReader) -> None:
    assert failure(reader).reason == Reason.NO_CARD


def test_waits_for_a_card(fake: ctypes.CDLL, reader: VendorSdkReader) -> None:
    threading.Timer(0.2, insert, (fake, "hmt-chen")).start()
    assert reader.read_identity(2.0).pass_number == "H12345678"


def test_presence_after_the_read(fake: ctypes.CDLL, reader: VendorSdkReader) -> None:
    insert(fake, "resident-zhang")
    reader.read_identity(1.0)
    assert reader.card_present()
    fake.fake_remove()
    assert not reader.card_present()


@pytest.mark.parametrize(("find", "select", "read", "reason"), [
    (0x60, 0, 0, Reason.NO_READER),  # SAM self-test failed
    (0, 0x81, 0, Reason.CARD_UNREADABLE),
    (0, 0, 0x40, Reason.UNSUPPORTED_CARD),
    (0, 0, 0x33, Reason.CARD_UNREADABLE),
    (0x02, 0, 0, Reason.READER_TIMEOUT),
    (0x03, 0, 0, Reason.NO_READER),
])
def test_return_codes_map_to_reasons(fake: ctypes.CDLL, reader: VendorSdkReader, find: int, select: int,
                                     read: int, reason: Reason) -> None:
    insert(fake, "resident-zhang")
    fake.fake_force(find, select, read, 5)  # more than the driver's attempts
    error = failure(reader, 1.0)
    assert error.reason == reason
    assert f"0x{find or select or read:02x}" in error.detail


def test_one_failed_read_is_retried(fake: ctypes.CDLL, reader: VendorSdkReader) -> None:
    insert(fake, "foreign-smith")
    fake.fake_force(0, 0, 0x41, 1)
    assert reader.read_identity(1.0).english_name == "SMITH, JOHN"


def test_card_removed_during_the_read(fake: ctypes.CDLL, reader: VendorSdkReader) -> None:
    insert(fake, "resident-zhang")
    fake.fake_read_delay(300)
    threading.Timer(0.1, fake.fake_remove).start()
    assert failure(reader, 1.0).reason == Reason.CARD_REMOVED


def test_unknown_type_is_unsupported(fake: ctypes.CDLL, reader: VendorSdkReader) -> None:
    block = bytearray(build_text_block(TEST_IDENTITIES["resident-zhang"]))
    block[248:250] = "Y".encode("utf-16-le")
    fake.fake_insert(bytes(block), PHOTO)
    assert failure(reader, 1.0).reason == Reason.UNSUPPORTED_CARD


def test_unplugged_then_plugged_back(fake: ctypes.CDLL, reader: VendorSdkReader) -> None:
    assert reader.health().status == Status.OK
    fake.fake_plug(0)
    assert reader.health().reason == Reason.NO_READER
    assert failure(reader).reason == Reason.NO_READER
    fake.fake_plug(1)
    assert reader.health().status == Status.OK
    insert(fake, "resident-zhang")
    assert reader.read_identity(1.0).name == "张桂兰"


def test_closes_its_port(fake: ctypes.CDLL, reader: VendorSdkReader) -> None:
    reader.health()
    assert fake.fake_open_port() == 1001
    reader.close()
    assert fake.fake_open_port() == 0


def test_missing_library_needs_an_engineer(tmp_path: Path) -> None:
    driver = VendorSdkReader(str(tmp_path / "libsdtapi.so"), 1001)
    health = driver.health()
    assert health.reason == Reason.CONFIG_INVALID and "cannot load" in health.detail
    with pytest.raises(DeviceError) as caught:
        driver.read_identity(0.1)
    assert caught.value.reason == Reason.CONFIG_INVALID


def test_library_without_the_calls(tmp_path: Path) -> None:
    other = tmp_path / "libother.so"
    (tmp_path / "other.c").write_text("int something(void) { return 1; }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(other), str(tmp_path / "other.c")], check=True)
    health = VendorSdkReader(str(other), 1001).health()
    assert health.reason == Reason.CONFIG_INVALID and "not an sdtapi library" in health.detail


def test_from_the_shipped_profile(kiosk_config: Path, library: Path, fake: ctypes.CDLL) -> None:
    profile = kiosk_config.parent / "devices" / "sdk-58mm-serial.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("/opt/idreader/lib/libsdtapi.so", str(library)),
                       encoding="utf-8")
    kiosk_config.write_text(kiosk_config.read_text(encoding="utf-8").replace(
        'device_profile = "simulated"', 'device_profile = "sdk-58mm-serial"'), encoding="utf-8")
    driver = from_config(load_config(kiosk_config))
    try:
        insert(fake, "hmt-chen")
        assert driver.read_identity(1.0).name == "陈家明"
    finally:
        driver.close()


def test_profile_port_must_be_an_sdk_port_number() -> None:
    from pydantic import ValidationError

    from kiosk.core.settings import VendorSdkReaderSettings

    assert VendorSdkReaderSettings(driver="vendor_sdk", library="/opt/x.so", port="1001").port == "1001"
    with pytest.raises(ValidationError, match="SDK's port number"):
        VendorSdkReaderSettings(driver="vendor_sdk", library="/opt/x.so", port="/dev/ttyUSB0")


def test_photo_goes_to_an_optional_wlt_decoder(fake: ctypes.CDLL, reader: VendorSdkReader, library: Path) -> None:
    from devices.readers.wlt import BMP_SIZE, WltDecoder

    insert(fake, "resident-zhang")
    photo = reader.read_identity(1.0).photo
    bmp = WltDecoder(str(library)).decode(photo)
    assert len(bmp) == BMP_SIZE and bmp[:2] == b"BM" and bmp[2:10] == photo[2:10]
    with pytest.raises(DeviceError) as refused:
        WltDecoder(str(library)).decode(b"\xff" * 1024)
    assert refused.value.reason == Reason.CARD_UNREADABLE
    with pytest.raises(DeviceError) as missing:
        WltDecoder(str(library), function="wlt2bmp_missing")
    assert missing.value.reason == Reason.CONFIG_INVALID

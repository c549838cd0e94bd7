"""The termb (华视 CVR_*) vendor-SDK driver against a fake library this test compiles with the C compiler."""

from __future__ import annotations

import ctypes
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.readers.termb import TermbReader
from devices.readers.test_identities import TEST_IDENTITIES
from devices.readers.vendor_sdk import from_config
from kiosk.core.health import DeviceError, Reason, Status
from kiosk.core.identity import LONG_TERM, Identity
from kiosk.storage.config import load_config

ZHANG = TEST_IDENTITIES["resident-zhang"]


@pytest.fixture(scope="session")
def termb_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = tmp_path_factory.mktemp("termb") / "libfaketermb.so"
    source = Path(__file__).with_name("fake_termb.c")
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", str(built), str(source)], check=True, timeout=60)
    return built


@pytest.fixture
def fake(termb_library: Path) -> ctypes.CDLL:
    handle = ctypes.CDLL(str(termb_library))
    handle.fake_remove()
    handle.fake_plug(1)
    handle.fake_pull_during_read(0)
    return handle


@pytest.fixture
def reader(termb_library: Path, fake: ctypes.CDLL, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[TermbReader]:
    monkeypatch.chdir(tmp_path)  # where the library leaves its files
    driver = TermbReader(str(termb_library), 1001, poll_interval_s=0.02)
    yield driver
    driver.close()


def insert(fake: ctypes.CDLL, person: Identity, sex: str = "女", nation: str = "汉", cert_type: str = " ") -> None:
    until = person.valid_until if isinstance(person.valid_until, str) else f"{person.valid_until:%Y%m%d}"
    values = (person.name, sex, nation, f"{person.birth_date:%Y%m%d}", person.address, person.id_number,
              person.issuing_authority, f"{person.valid_from:%Y%m%d}", until, cert_type)
    fake.fake_insert(*(ctypes.c_char_p(value.encode("gbk")) for value in values))


def failure(reader: TermbReader, timeout_s: float = 0.3) -> DeviceError:
    with pytest.raises(DeviceError) as caught:
        reader.read_identity(timeout_s)
    return caught.value


def test_reads_a_resident_card_through_the_fields(fake: ctypes.CDLL, reader: TermbReader, tmp_path: Path) -> None:
    assert reader.health().status == Status.OK
    insert(fake, ZHANG)
    identity = reader.read_identity(1.0)
    assert identity == ZHANG and identity.valid_until == LONG_TERM
    assert not (tmp_path / "wz.txt").exists()  # what the library wrote is not left on disk


def test_sex_and_nation_as_codes_too(fake: ctypes.CDLL, reader: TermbReader) -> None:
    insert(fake, ZHANG, sex="2", nation="01")
    assert reader.read_identity(1.0) == ZHANG


def test_no_card_and_card_pulled_during_the_read(fake: ctypes.CDLL, reader: TermbReader) -> None:
    assert failure(reader).reason == Reason.NO_CARD
    insert(fake, ZHANG)
    fake.fake_pull_during_read(1)
    assert failure(reader, 1.0).reason == Reason.CARD_REMOVED


def test_other_card_types_are_unsupported_not_guessed(fake: ctypes.CDLL, reader: TermbReader) -> None:
    insert(fake, ZHANG, cert_type="J")
    assert failure(reader, 1.0).reason == Reason.UNSUPPORTED_CARD


def test_unplugged_and_plugged_back_with_one_driver_object(fake: ctypes.CDLL, reader: TermbReader) -> None:
    insert(fake, ZHANG)
    assert reader.read_identity(1.0) == ZHANG
    fake.fake_plug(0)
    assert reader.health().reason == Reason.NO_READER
    assert failure(reader).reason == Reason.NO_READER
    fake.fake_plug(1)
    assert reader.health().status == Status.OK
    assert reader.read_identity(1.0) == ZHANG


def test_a_missing_or_wrong_library_is_a_configuration_problem(tmp_path: Path, termb_library: Path,
                                                                library: Path) -> None:
    assert TermbReader(str(tmp_path / "libtermb.so"), 1001).health().reason == Reason.CONFIG_INVALID
    assert TermbReader(str(library), 1001).health().reason == Reason.CONFIG_INVALID  # an sdtapi library


def test_the_profile_picks_termb(kiosk_config: Path, termb_library: Path) -> None:
    (kiosk_config.parent / "devices" / "termb.toml").write_text(
        f'inherits = "base"\n[reader]\ndriver = "vendor_sdk"\napi = "termb"\nlibrary = "{termb_library}"\n'
        'port = "1001"\n', encoding="utf-8")
    kiosk_config.write_text(kiosk_config.read_text(encoding="utf-8").replace(
        'device_profile = "simulated"', 'device_profile = "termb"'), encoding="utf-8")
    driver = from_config(load_config(kiosk_config))
    assert isinstance(driver, TermbReader) and driver.port == 1001
    assert os.path.samefile(driver.library_path, termb_library)

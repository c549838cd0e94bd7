"""The PC/SC stack for the reader tests: one private pcscd with vpcd for the whole session."""

from __future__ import annotations

import ctypes
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pcsc_stack import PcscStack, socket_dir
from tests.support.vpcd_cards import VpcdSlot

_ADOPTED = "KIOSK_TEST_PCSCD_DIR" in os.environ
_DIRECTORY = socket_dir()  # at import: libpcsclite reads PCSCLITE_CSOCK_NAME once per process


@pytest.fixture(scope="session")
def pcsc_stack() -> Iterator[PcscStack]:
    stack = PcscStack(_DIRECTORY)
    stack.start()
    yield stack
    if not _ADOPTED:
        stack.stop()


@pytest.fixture
def slot0(pcsc_stack: PcscStack) -> Iterator[VpcdSlot]:
    """Slot 0, empty at the start and emptied again after the test."""
    slot = pcsc_stack.slot(0)
    pcsc_stack.wait_for_card(0, present=False)
    yield slot
    slot.remove()
    pcsc_stack.wait_for_card(0, present=False)


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fake sdtapi library (fake_sdtapi.c), compiled with the machine's C compiler."""
    built = tmp_path_factory.mktemp("sdk") / "libfakesdtapi.so"
    source = Path(__file__).with_name("fake_sdtapi.c")
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", str(built), str(source)], check=True, timeout=60)
    return built


@pytest.fixture
def fake(library: Path) -> Iterator[ctypes.CDLL]:
    """The fake library's controls, reset; the driver loads the same copy (dlopen shares it)."""
    handle = ctypes.CDLL(str(library))
    handle.fake_remove()
    handle.fake_plug(1)
    handle.fake_force(0, 0, 0, 0)
    handle.fake_read_delay(0)
    yield handle

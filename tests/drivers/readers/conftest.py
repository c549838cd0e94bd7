"""The PC/SC stack for the reader tests: one private pcscd with vpcd for the whole session."""

from __future__ import annotations

import os
from collections.abc import Iterator

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

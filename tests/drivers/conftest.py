"""Fixtures of the printer tests: the shipped site settings and a printer emulator on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devices.printers.emulator import PrinterEmulator
from kiosk.core.settings import KioskSettings
from kiosk.storage.config import load_config
from tests.conftest import CONFIG_DIR


@pytest.fixture(scope="session")
def site_settings() -> KioskSettings:
    return load_config(CONFIG_DIR / "kiosk.toml").settings


@pytest.fixture
def emulator() -> Iterator[PrinterEmulator]:
    with PrinterEmulator() as running:
        yield running

"""Shared fixtures: the shipped config and catalog, and a fully simulated kiosk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kiosk.core.catalog import Catalog
from kiosk.core.session.model import Rules
from kiosk.storage.catalog import load_catalog

if TYPE_CHECKING:
    from tests.ui.harness import Harness

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"


@pytest.fixture(scope="session")
def harness_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """The one kiosk app of a test run, on a virtual display (Kivy opens one window per process): the UI tests
    and the console's browser tests share it."""
    from tests.ui.harness import Harness

    harness = Harness(tmp_path_factory.mktemp("kiosk-ui"))
    yield harness
    harness.pilot.stop()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(CONFIG_DIR / "catalog")


@pytest.fixture
def rules(catalog: Catalog) -> Rules:
    return Rules(catalog=catalog, kiosk_id="JL-TEST-001", idle_warning_s=30, session_s=180, card_read_s=20)


@pytest.fixture
def kiosk_config(tmp_path: Path) -> Path:
    """A copy of the shipped kiosk.toml whose data, keys and slips go to tmp_path."""
    text = (CONFIG_DIR / "kiosk.toml").read_text(encoding="utf-8")
    text = text.replace('"../var/data"', f'"{tmp_path / "data"}"').replace('"../var/keys"', f'"{tmp_path / "keys"}"')
    (tmp_path / "kiosk.toml").write_text(text, encoding="utf-8")
    devices = tmp_path / "devices"
    devices.mkdir()
    for profile in (CONFIG_DIR / "devices").glob("*.toml"):
        body = profile.read_text(encoding="utf-8").replace('"../var/slips"', f'"{tmp_path / "slips"}"')
        (devices / profile.name).write_text(body, encoding="utf-8")
    return tmp_path / "kiosk.toml"


@pytest.fixture
def headless_kiosk(kiosk_config: Path) -> Iterator[object]:
    from kiosk.composition.root import build_kiosk

    kiosk = build_kiosk(kiosk_config, CONFIG_DIR / "catalog")
    yield kiosk
    kiosk.close()

"""Attacks on the reference backend, each written as the attacker would try it, on SQLite and on PostgreSQL.

The fixtures are the backend tests' (a real server on a loopback port, enrolled kiosks, real clients); an
attacker is a second enrolled kiosk whose key file was copied, talking through the same signed transport.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.contract.keys import KioskCredential
from backend.server.admin import enroll
from kiosk.remote.transport import Transport
from tests.backend.conftest import (  # noqa: F401  (fixtures)
    Served,
    apply_item,
    client,
    database_url,
    served,
    test_catalog,
)

INTRUDER_ID = "JL-INTRUDER-666"


@pytest.fixture
def intruder_credential(served: Served) -> KioskCredential:  # noqa: F811
    """The copied key file of another enrolled kiosk."""
    return enroll(served.state, INTRUDER_ID)


@pytest.fixture
def intruder(served: Served, intruder_credential: KioskCredential) -> Iterator[Transport]:  # noqa: F811
    transport = Transport(served.url, intruder_credential, timeout_s=5)
    yield transport
    transport.close()


def scratch(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return folder

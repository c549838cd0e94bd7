"""The backend's health as the kiosk's health monitor polls it, through a slow link to the real server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kiosk.core.health import Reason, Status
from kiosk.remote.client import QUICK_HEALTH_S, HttpBackend
from tests.backend.conftest import Served, make_client
from tests.backend.slow_link import SlowLink

FULL_TIMEOUT_S = 3.5


@pytest.fixture
def link(served: Served) -> Iterator[SlowLink]:
    upstream = urlsplit(served.url)
    relay = SlowLink(upstream.hostname or "127.0.0.1", upstream.port or 80)
    yield relay
    relay.close()


@pytest.fixture
def slow_client(served: Served, link: SlowLink, tmp_path: Path) -> Iterator[HttpBackend]:
    backend = make_client(link.url, served.credential, tmp_path / "kiosk", timeout_s=FULL_TIMEOUT_S)
    yield backend
    backend.close()


def test_one_slow_answer_is_not_an_outage(slow_client: HttpBackend, link: SlowLink) -> None:
    assert slow_client.health().status == Status.OK
    link.hold_next(1, QUICK_HEALTH_S + 0.5)  # past the quick try, well within the full timeout
    started = time.monotonic()
    health = slow_client.health()
    assert health.status == Status.OK, health
    assert time.monotonic() - started < QUICK_HEALTH_S + FULL_TIMEOUT_S


def test_a_backend_that_stays_slow_is_reported_as_timing_out(slow_client: HttpBackend, link: SlowLink) -> None:
    link.hold_next(2, FULL_TIMEOUT_S + 1.0)  # the quick try and the confirming one both time out
    health = slow_client.health()
    assert (health.status, health.reason) == (Status.UNAVAILABLE, Reason.BACKEND_TIMEOUT)


def test_a_backend_that_is_gone_is_reported_at_once(served: Served, slow_client: HttpBackend) -> None:
    served.server.stop()
    started = time.monotonic()
    health = slow_client.health()
    assert (health.status, health.reason) == (Status.UNAVAILABLE, Reason.BACKEND_UNREACHABLE)
    assert time.monotonic() - started < QUICK_HEALTH_S  # refused: nothing to wait for

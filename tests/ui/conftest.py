"""One kiosk app for the whole UI test session (Kivy opens one window per process); each test starts home."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ui.harness import Harness


@pytest.fixture(scope="session")
def harness_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    harness = Harness(tmp_path_factory.mktemp("kiosk-ui"))
    yield harness
    harness.pilot.stop()


@pytest.fixture
def kiosk(harness_session: Harness, request: pytest.FixtureRequest) -> Harness:
    harness_session.reset(request.node.name.removeprefix("test_"))
    return harness_session

"""Each UI test starts home, on the one kiosk app of the test run (tests/conftest.py's harness_session)."""

from __future__ import annotations

import pytest

from tests.ui.harness import Harness


@pytest.fixture
def kiosk(harness_session: Harness, request: pytest.FixtureRequest) -> Harness:
    harness_session.reset(request.node.name.removeprefix("test_"))
    return harness_session

"""Waits of the pilot, the walkthrough and the tests stretch on a loaded machine instead of failing at 10 s."""

from __future__ import annotations

import pytest

from kiosk.shell import patience
from kiosk.shell.patience import patient


def loaded(monkeypatch: pytest.MonkeyPatch, per_core: float, cores: int = 2) -> None:
    monkeypatch.setattr(patience.os, "getloadavg", lambda: (per_core * cores, 0.0, 0.0))
    monkeypatch.setattr(patience.os, "cpu_count", lambda: cores)


def test_an_idle_machine_waits_the_nominal_time(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded(monkeypatch, 0.3)
    monkeypatch.delenv(patience.SCALE_ENV, raising=False)
    assert patient(10.0) == 10.0


def test_a_loaded_machine_waits_longer_up_to_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(patience.SCALE_ENV, raising=False)
    loaded(monkeypatch, 2.5)
    assert patient(10.0) == 25.0
    loaded(monkeypatch, 40.0)
    assert patient(10.0) == 10.0 * patience.MAX_STRETCH


def test_the_scale_setting_multiplies_and_a_bad_one_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded(monkeypatch, 0.5)
    monkeypatch.setenv(patience.SCALE_ENV, "3")
    assert patient(10.0) == 30.0
    monkeypatch.setenv(patience.SCALE_ENV, "slow")
    assert patient(10.0) == 10.0

"""The readiness verdict agrees with what the kiosk serves, and the readiness slip speaks the staff screen's words."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.core.health import Action, Component, Health, Reason, Status
from kiosk.core.readiness import readiness
from kiosk.core.session import Lifecycle
from kiosk.core.session.model import KioskState, Rules, initial_state
from kiosk.core.session.table import settle
from kiosk.core.settings import KioskSettings
from kiosk.core.slip_layouts import readiness_slip
from kiosk.core.slip_texts import ACTION_ZH, COMPONENT_ZH, LIMIT_ZH, REASON_ZH, STATUS_ZH
from kiosk.core.slips import Text
from kiosk.core.value import replace
from kiosk.storage.config import load_config
from tests.conftest import CONFIG_DIR

HEALTHY = tuple(Health.ok(c) for c in (Component.READER, Component.PRINTER, Component.BACKEND, Component.DISK))


@pytest.fixture(scope="module")
def kiosk_settings() -> KioskSettings:
    return load_config(CONFIG_DIR / "kiosk.toml").settings


def state_with(rules: Rules, *problems: Health) -> KioskState:
    """A started kiosk whose devices reported healthy, then `problems`, as the lifecycle settles it."""
    changed = {p.component for p in problems}
    health = (*(h for h in HEALTHY if h.component not in changed), *problems)
    return settle(replace(initial_state(rules), lifecycle=Lifecycle.READY, health=health))


def slip_text(settings: KioskSettings, healths: tuple[Health, ...], verdict: object) -> str:
    slip = readiness_slip(settings, healths, datetime(2026, 12, 6, 9, 30), (), verdict)  # type: ignore[arg-type]
    return "\n".join(b.text for b in slip.blocks if isinstance(b, Text))


def test_the_backend_away_leaves_the_kiosk_open_with_appointments_paused(rules: Rules) -> None:
    away = Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE)
    verdict = readiness(state_with(rules), [*HEALTHY[:2], away, HEALTHY[3]])
    served = state_with(rules, away)
    assert served.lifecycle == Lifecycle.READY, "the kiosk itself goes on serving"
    assert verdict.ready and verdict.code == "limited"
    assert [h.component for h in verdict.limits] == [Component.BACKEND]
    appointments = sum(1 for item in rules.catalog.items if item.kiosk_action == "appointment")
    assert appointments and verdict.paused_items == appointments


def test_a_full_disk_closes_the_kiosk_and_the_verdict_says_so(rules: Rules) -> None:
    full = Health.problem(Component.DISK, Reason.DISK_FULL)
    verdict = readiness(state_with(rules), [*HEALTHY[:3], full])
    assert state_with(rules, full).lifecycle == Lifecycle.OUT_OF_SERVICE
    assert not verdict.ready and verdict.blocking == Reason.DISK_FULL and verdict.code == "not_ready"


def test_all_well_is_ready_and_nothing_reported_is_not(rules: Rules) -> None:
    assert readiness(state_with(rules), HEALTHY).code == "ready"
    assert not readiness(initial_state(rules), []).ready


def test_the_slip_says_open_with_the_limits_when_the_backend_is_away(rules: Rules, kiosk_settings: KioskSettings
                                                                      ) -> None:
    away = Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE, "connection refused")
    healths = (*HEALTHY[:2], away, HEALTHY[3])
    text = slip_text(kiosk_settings, healths, readiness(state_with(rules), healths))
    assert "可以开放服务" in text and "暂不能开放服务" not in text
    assert "办理系统：不可用 — 暂时连不上办理系统，将自动重试" in text
    assert LIMIT_ZH["backend"] in text and "个事项暂停办理" in text
    assert "业务系统" not in text
    staff_part = text.split("技术信息")[0]
    assert "backend_unreachable" not in staff_part and "connection refused" not in staff_part
    assert "backend: backend_unreachable connection refused" in text, "the engineer still finds the codes"


def test_the_slip_says_closed_and_why_when_nothing_can_be_served(rules: Rules, kiosk_settings: KioskSettings) -> None:
    full = Health.problem(Component.DISK, Reason.DISK_FULL)
    healths = (*HEALTHY[:3], full)
    text = slip_text(kiosk_settings, healths, readiness(state_with(rules), healths))
    assert "暂不能开放服务" in text and "原因：本机存储空间不足" in text


def test_the_slip_words_are_the_staff_screens_words() -> None:
    from screens.i18n import t

    language = "zh"
    for reason, text in REASON_ZH.items():
        assert text == t(f"error.{reason.value}", language), reason
    for component, name in COMPONENT_ZH.items():
        assert name == t(f"component.{component}", language), component
    for status, word in STATUS_ZH.items():
        assert word == t(f"status.{status.value}", language)
    for action, words in ACTION_ZH.items():
        assert words == (t(f"action.{action.value}", language) if action != Action.NONE else "")
    for component, limit in LIMIT_ZH.items():
        assert limit == t(f"maint.limit.{component}", language), component
    assert set(REASON_ZH) == set(Reason) - {Reason.OK} and Status.OK in STATUS_ZH

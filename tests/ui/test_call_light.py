"""The call light (the buzzer or light of calls for staff) on the maintenance screen: unplugged, staff see it
among the devices with its reason; the citizen's items stay open, as calls still reach staff."""

from __future__ import annotations

import pytest

from devices.signals.simulated import SimulatedSignal
from kiosk.core.health import Component, Reason
from kiosk.core.session.states import Lifecycle
from tests.ui.harness import Harness
from tests.ui.test_maintenance import enter_with_pin, in_maintenance, staff

__all__ = ["staff"]
pytestmark = pytest.mark.slow


def test_maintenance_shows_the_call_light_unplugged(staff: Harness) -> None:
    p = staff.pilot
    signal = staff.app.kiosk.ports.signal
    assert isinstance(signal, SimulatedSignal)
    signal.unplug()
    try:
        staff.app.monitor.check_now()  # what the health thread does every few seconds
        p.wait_until(lambda: (h := p.state.health_of(Component.SIGNAL)) is not None
                     and h.reason == Reason.NO_SIGNAL, what="the call light's health")
        assert p.state.lifecycle == Lifecycle.READY, "a call light out does not take the kiosk out of service"
        enter_with_pin(staff)
        in_maintenance(staff)
        staff.shot("maintenance-call-light-unplugged")
        text = " ".join(p.texts())
        assert "[b]呼叫提示灯[/b]：[color=c62828]不可用[/color] — 呼叫提示灯（蜂鸣器）不可用" in text, text
        assert "正在服务，但呼叫工作人员时提示灯（蜂鸣器）不亮" in text, text
        assert "signal: unavailable/no_signal" in text, "the engineer's part names the reason id"
    finally:
        signal.plug()

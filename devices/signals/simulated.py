"""A simulated buzzer or light for calls for staff, for the demo, the UI tests and staff training: `on` says
whether it sounds now, `switches` every switch it took; `unplug()`/`plug()` make it refuse and take commands."""

from __future__ import annotations

import threading

from devices.simulated_plug import SimulatedPlug
from kiosk.core.health import Component, Reason
from kiosk.core.settings import LoadedConfig, SimulatedSignalSettings, settings_as


class SimulatedSignal(SimulatedPlug):
    def __init__(self) -> None:
        super().__init__(Component.SIGNAL, Reason.NO_SIGNAL)
        self.on = False
        self.switches: list[bool] = []
        self.changed = threading.Condition()

    def switch(self, on: bool) -> None:
        self._refuse_unplugged()
        with self.changed:
            self.on = on
            self.switches.append(on)
            self.changed.notify_all()

    def wait_for(self, on: bool, timeout_s: float) -> bool:
        """For tests: True once it is switched `on` (or off) within `timeout_s`."""
        with self.changed:
            return self.changed.wait_for(lambda: self.on == on, timeout_s)

    def close(self) -> None:
        if self.plugged:
            self.switch(False)


def from_config(config: LoadedConfig) -> SimulatedSignal:
    settings_as(config.profile.signal, SimulatedSignalSettings)
    return SimulatedSignal()

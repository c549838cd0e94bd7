"""A simulated buzzer or light for calls for staff, for the demo, the UI tests and staff training: `on` says
whether it sounds now, `switches` every switch it took; `unplug()`/`plug()` make it refuse and take commands."""

from __future__ import annotations

import threading

from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.settings import LoadedConfig, SimulatedSignalSettings, settings_as


class SimulatedSignal:
    def __init__(self) -> None:
        self.on = False
        self.switches: list[bool] = []
        self.plugged = True
        self.changed = threading.Condition()

    def unplug(self) -> None:
        self.plugged = False

    def plug(self) -> None:
        self.plugged = True

    def health(self) -> Health:
        if not self.plugged:
            return Health.problem(Component.SIGNAL, Reason.NO_SIGNAL, "simulated: unplugged")
        return Health.ok(Component.SIGNAL, "simulated")

    def switch(self, on: bool) -> None:
        if not self.plugged:
            raise DeviceError(Reason.NO_SIGNAL, "simulated: unplugged")
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
